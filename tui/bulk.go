package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// bulkRun is a change applied to many sessions, each through the same safe
// path as a single edit, with bounded concurrency.
type bulkRun struct {
	gen      int
	verb     string
	total    int
	done     int
	saved    int
	failures map[string]error
	undo     []undoStep
	record   bool // push the run onto the undo history
	cancel   context.CancelFunc
	kind     runKind
	steps    map[string]undoStep // an undo or redo: each session's step, to keep failed ones
}

// runKind is what a bulk run does: a change, or the undo or redo of one.
type runKind int

const (
	runChange runKind = iota
	runUndo
	runRedo
)

type (
	// bulkProgressMsg: one session of a bulk run is done, either way.
	bulkProgressMsg struct {
		gen     int
		id      string
		session *apiclient.Session // nil when the row did not change
		revert  any                // the inverse of what was done, if known
		undo    *undoStep          // what u runs to revert it; nil = cannot
		removed bool               // the session left the list
		err     error
		ch      <-chan tea.Msg
	}
	// bulkFinishedMsg: every session of the run is done.
	bulkFinishedMsg struct{ gen int }
)

func (m Model) startBulk(verb string, jobs []job, record bool) (tea.Model, tea.Cmd) {
	if m.ops.bulk != nil {
		return m, m.setToast("a bulk change is still running")
	}
	if len(jobs) == 0 {
		return m, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.ops.seq++
	m.ops.bulk = &bulkRun{
		gen: m.ops.seq, verb: verb, total: len(jobs),
		failures: map[string]error{}, record: record, cancel: cancel,
	}
	if m.ops.busy == nil {
		m.ops.inflight, m.ops.busy = map[int]opInfo{}, map[string]int{}
	}
	for _, j := range jobs {
		m.ops.busy[j.id]++
	}
	return m, tea.Batch(runBulk(ctx, m.env(), jobs, m.ops.bulk.gen), m.spin.Tick)
}

// runBulk runs every job with at most bulkConcurrency in flight and
// reports each result as it lands.
func runBulk(ctx context.Context, env actionEnv, jobs []job, gen int) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan tea.Msg, len(jobs)+1) // room for every message: a panic replaces a progress
		go func() {
			sem := make(chan struct{}, bulkConcurrency)
			var wg sync.WaitGroup
			for _, j := range jobs {
				wg.Add(1)
				sem <- struct{}{}
				go func(j job) {
					defer func() { <-sem; wg.Done() }()
					defer catchPanic(func(p goroutinePanicMsg) { ch <- p })
					cctx, cancel := context.WithTimeout(ctx, requestTimeout)
					defer cancel()
					res, err := j.run(cctx, env)
					ch <- bulkProgressMsg{gen: gen, id: j.id, session: res.session, revert: res.revert, undo: j.step(res), removed: res.removed, err: err, ch: ch}
				}(j)
			}
			wg.Wait()
			ch <- bulkFinishedMsg{gen: gen}
			close(ch)
		}()
		return <-ch
	}
}

func (m Model) onBulkProgress(msg bulkProgressMsg) (tea.Model, tea.Cmd) {
	next := waitForLoad(msg.ch)
	b := m.ops.bulk
	if b == nil || b.gen != msg.gen {
		return m, next
	}
	b.done++
	if m.ops.busy[msg.id]--; m.ops.busy[msg.id] <= 0 {
		delete(m.ops.busy, msg.id)
	}
	if msg.err != nil {
		b.failures[msg.id] = msg.err
		m.noteFailedWhileQuitting(msg.id, msg.err)
		return m, next
	}
	b.saved++
	m.noteSavedWhileQuitting()
	delete(m.marked, msg.id)
	if msg.undo != nil {
		b.undo = append(b.undo, *msg.undo)
	}
	if msg.removed {
		m.removeSession(msg.id)
	}
	if msg.session == nil {
		return m, next
	}
	m.st.upsert(*msg.session)
	return m, next
}

func (m Model) onBulkFinished(msg bulkFinishedMsg) (tea.Model, tea.Cmd) {
	b := m.ops.bulk
	if b == nil || b.gen != msg.gen {
		return m, nil
	}
	b.cancel()
	m.ops.bulk = nil
	// A finished run clears the marks (those skipped as needing no change
	// too), so marks from several operations never pile up; the failed
	// ones stay marked so that r or t retries just them.
	m.marked = make(map[string]bool, len(b.failures))
	for id := range b.failures {
		m.marked[id] = true
	}
	if b.kind != runChange {
		return m.finishReplay(b)
	}
	if b.record && len(b.undo) > 0 {
		m.ops.undo = append(m.ops.undo, undoEntry{verb: b.verb, steps: b.undo})
		m.ops.redo = nil
	}
	text := summarise(b.verb, b.saved, b.failures)
	if len(b.failures) > 0 {
		return m, m.setError(text + " — still marked, press r or t to retry")
	}
	return m, m.setToast(text)
}

// finishReplay ends an undo or a redo: it says what it reverted ("undid
// resolve of 29 sessions"); what was reverted can be made again (U after
// u, u after U), and the failed parts stay on the stack, so that the same
// key retries just them.
func (m Model) finishReplay(b *bulkRun) (tea.Model, tea.Cmd) {
	did, again, key := "undid", &m.ops.redo, "u"
	retry := &m.ops.undo
	if b.kind == runRedo {
		did, again, key, retry = "redid", &m.ops.undo, "U", &m.ops.redo
	}
	if len(b.undo) > 0 {
		*again = append(*again, undoEntry{verb: b.verb, steps: b.undo})
	}
	text := fmt.Sprintf("%s %s of %s", did, b.verb, countSessions(b.saved))
	if len(b.failures) == 0 {
		return m, m.setToast(text)
	}
	var failed []undoStep
	for id := range b.failures {
		failed = append(failed, b.steps[id])
	}
	slices.SortFunc(failed, func(a, b undoStep) int { return strings.Compare(a.id, b.id) })
	*retry = append(*retry, undoEntry{verb: b.verb, steps: failed})
	return m, m.setError(fmt.Sprintf("%s; %s — %s retries them", text,
		strings.TrimPrefix(summarise("", 0, b.failures), ": 0 saved, "), key))
}
