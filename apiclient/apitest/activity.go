package apitest

import (
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// activeWindow is how many of the newest sessions simulated activity touches.
const activeWindow = 40

type activityState struct {
	mu   sync.Mutex // guards rng and stop
	rng  *rand.Rand
	stop chan struct{}
	done chan struct{}
	ids  atomic.Uint64

	events eventStore // stored events and SSE streams (events.go, sse.go)
}

func (a *activityState) init(seed int64) {
	a.rng = rand.New(rand.NewSource(seed * 7919))
	a.ids.Store(uint64(seed) << 32)
	a.events.init(seed)
}

// next returns a fresh number for ids of created sessions.
func (a *activityState) next() uint64 { return a.ids.Add(1) }

// Tick advances the simulated activity to now, deterministically for a given
// seed and sequence of Tick calls: among the newest sessions, started ones go
// active, active ones finish to idle with a new output preview, usage grows,
// updated_at bumps, an idle one occasionally gets a follow-up, and now and
// then a new session appears at the top. It returns how many sessions changed.
// Tick works whether or not Options.Activity is set.
func (s *Server) Tick(now time.Time) int {
	now = now.UTC()
	s.act.mu.Lock()
	defer s.act.mu.Unlock()
	rng := s.act.rng
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := 0
	for _, e := range s.topLocked(activeWindow) {
		prev := e.s.Status
		if tickSession(rng, &e.s, s.bumpLocked(e.s.UpdatedAt), now) {
			changed++
			s.noteTickLocked(prev, &e.s, false)
		}
	}
	if rng.Intn(4) == 0 {
		created := now
		if newest := s.newestCreatedLocked(); s.lenLocked() > 0 && !created.After(newest) {
			created = newest.Add(time.Millisecond)
		}
		x := genSession(rng, 1000, s.agents, s.org, created, created)
		x.ID = newID("session_", s.act.next())
		x.Status = apiclient.StatusStarted
		x.StartedAt, x.FinishedAt, x.Usage, x.OutputPreview, x.RunSummary = nil, nil, nil, nil, nil
		x.Activity = apiclient.ActivityIdle
		x.UpdatedAt = created
		s.putLocked(x)
		s.noteTickLocked(x.Status, &x, true)
		changed++
	}
	return changed
}

func tickSession(rng *rand.Rand, x *apiclient.Session, at, now time.Time) bool {
	switch {
	case x.Status == apiclient.StatusStarted && rng.Intn(2) == 0:
		x.Status = apiclient.StatusActive
		x.Activity = apiclient.ActivityRunning
		x.StartedAt = &at
		x.Usage = &apiclient.TokenUsage{InputTokens: int64(300 + rng.Intn(3000)), OutputTokens: int64(rng.Intn(200))}
	case running(x.Status) && rng.Intn(5) < 2:
		x.Status = apiclient.StatusIdle
		x.FinishedAt = &at
		x.Usage = grow(rng, x.Usage)
		x.OutputPreview = ptr(fmt.Sprintf("Done at %s: %s", now.Format("15:04:05"), answers[rng.Intn(len(answers))]))
		x.Activity = apiclient.ActivityCompleted
		if side := newMix(x.ID + now.String()); side.intn(8) == 0 { // some runs fail
			x.Activity = apiclient.ActivityFailed
			x.OutputPreview = ptr(failures[side.intn(len(failures))])
		}
	case running(x.Status) && rng.Intn(2) == 0:
		x.Usage = grow(rng, x.Usage)
	case x.Status == apiclient.StatusIdle && rng.Intn(20) == 0:
		x.Status = apiclient.StatusActive
		x.Activity = apiclient.ActivityRunning
		x.FinishedAt = nil
		x.Usage = grow(rng, x.Usage)
	default:
		return false
	}
	x.UpdatedAt = at
	return true
}

var answers = []string{
	"I checked the logs and the error rate is back to normal; I'll keep monitoring for the next hour.",
	"The fix is deployed to staging and the regression test passes. Production rollout is scheduled.",
	"I've drafted a reply to the customer with the refund details and attached the invoice PDF.",
	"The migration finished without errors; row counts match between the old and new databases.",
}

func grow(rng *rand.Rand, u *apiclient.TokenUsage) *apiclient.TokenUsage {
	n := apiclient.TokenUsage{}
	if u != nil {
		n = *u
	}
	n.InputTokens += int64(200 + rng.Intn(4000))
	n.OutputTokens += int64(50 + rng.Intn(800))
	return &n
}

// StartActivity calls Tick every interval (default 2s) with the server clock
// until StopActivity or Close. A second call restarts the ticker.
func (s *Server) StartActivity(interval time.Duration) {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	s.StopActivity()
	stop, done := make(chan struct{}), make(chan struct{})
	s.act.mu.Lock()
	s.act.stop, s.act.done = stop, done
	s.act.mu.Unlock()
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.Tick(s.now())
			}
		}
	}()
}

// StopActivity stops the ticker started by StartActivity and waits for it.
func (s *Server) StopActivity() {
	s.act.mu.Lock()
	stop, done := s.act.stop, s.act.done
	s.act.stop, s.act.done = nil, nil
	s.act.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}
