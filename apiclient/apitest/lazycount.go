package apitest

import (
	"runtime"
	"sync"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// Counting a lazy server's sessions one by one (stats, facets) generates
// every base session: seconds for a million. The base is a formula, so what
// the counts need of each base session is computed once, on first use, into
// a compact record per index (lazySummary); a count then scans records,
// skips the indices materialised since (Server.over: those are counted from
// the ordinary store, changed or not) and generates only the few base
// sessions created today, whose tokens count.

// lazyRec is what the counts need of one base session.
type lazyRec struct {
	updDay           int32 // unix day of updated_at, for failed_today
	dur              int32 // run duration in ms for p95; -1 when never started
	agent            uint8 // indices into lazySummary's tables
	status, act, src uint8
}

// lazySummary is the records of every base session and the distinct values
// they index. ok is false when a value did not fit a record (more than 255
// distinct values, a duration beyond int32 ms): the counts then take the
// slow path.
type lazySummary struct {
	recs                         []lazyRec
	agents, statuses, acts, srcs []string
	ok                           bool
}

// summary builds (once) and returns the base's records.
func (z *lazyBase) summary() *lazySummary {
	z.sumOnce.Do(func() { z.sum = z.buildSummary() })
	return z.sum
}

func (z *lazyBase) buildSummary() *lazySummary {
	sum := &lazySummary{recs: make([]lazyRec, z.n), ok: true}
	// The tables are filled while generating, under one lock per chunk of
	// sessions rather than per value.
	var mu sync.Mutex
	idx := [4]map[string]uint8{{}, {}, {}, {}}
	tables := [4]*[]string{&sum.agents, &sum.statuses, &sum.acts, &sum.srcs}
	intern := func(t int, v string) (uint8, bool) {
		if i, ok := idx[t][v]; ok {
			return i, true
		}
		if len(*tables[t]) > 255 {
			return 0, false
		}
		i := uint8(len(*tables[t]))
		idx[t][v] = i
		*tables[t] = append(*tables[t], v)
		return i, true
	}
	workers := max(1, runtime.GOMAXPROCS(0)-1) // a core left for the requests it would slow
	const chunk = 4096
	next := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				lo := next
				next += chunk
				mu.Unlock()
				if lo >= z.n {
					return
				}
				hi := min(lo+chunk, z.n)
				gen := make([]apiclient.Session, 0, hi-lo)
				for i := lo; i < hi; i++ {
					gen = append(gen, z.gen(i))
				}
				mu.Lock()
				for k := range gen {
					r, ok := recOf(&gen[k], intern)
					sum.recs[lo+k] = r
					sum.ok = sum.ok && ok
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return sum
}

// recOf is x's record; false when a value does not fit.
func recOf(x *apiclient.Session, intern func(int, string) (uint8, bool)) (lazyRec, bool) {
	r := lazyRec{dur: -1, updDay: int32(unixDay(x.UpdatedAt))}
	ok := int64(r.updDay) == unixDay(x.UpdatedAt)
	if d, started := duration(x); started {
		r.dur = int32(d)
		ok = ok && d >= 0 && int64(r.dur) == d
	}
	var ok1, ok2, ok3, ok4 bool
	r.agent, ok1 = intern(0, x.AgentID)
	r.status, ok2 = intern(1, string(x.Status))
	r.act, ok3 = intern(2, string(x.Activity))
	r.src, ok4 = intern(3, string(x.Source))
	return r, ok && ok1 && ok2 && ok3 && ok4
}

// duration is the run's length in ms, as p95_duration_ms counts it.
func duration(x *apiclient.Session) (int64, bool) {
	if x.StartedAt == nil {
		return 0, false
	}
	end := x.UpdatedAt
	if x.FinishedAt != nil {
		end = *x.FinishedAt
	}
	return end.Sub(*x.StartedAt).Milliseconds(), true
}

func unixDay(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// baseRange is the indices [lo, hi) of the base sessions whose creation
// time f accepts (creation time falls as the index grows).
func (z *lazyBase) baseRange(f *filter) (lo, hi int) {
	lo, hi = 0, z.n
	if !f.before.IsZero() { // created < before
		lo = z.firstBefore(f.before)
	}
	if !f.after.IsZero() { // created >= after
		hi = z.firstBefore(f.after)
	}
	return lo, max(lo, hi)
}

// firstBefore is the first index created before t (n when none).
func (z *lazyBase) firstBefore(t time.Time) int {
	lo, hi := 0, z.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if z.created(m).Before(t) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// overSet is s.over as a bitset over the base's indices.
func (s *Server) overSet() []uint64 {
	b := make([]uint64, (s.lazy.n+63)/64)
	for i := range s.over {
		b[i>>6] |= 1 << (i & 63)
	}
	return b
}

func isSet(b []uint64, i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }

// baseVisibleTo reports whether the base sessions (all in the primary
// organisation, none archived) pass f's organisation check.
func (s *Server) baseVisibleTo(f *filter) bool {
	if f.inOrg == nil {
		return true
	}
	x := apiclient.Session{OrganizationID: s.lazy.org}
	return f.inOrg(&x)
}

// lazyFast reports whether the counts can use the base's records for f:
// asked to, a lazy server, and no filter the records cannot decide (title
// search, mine).
func (s *Server) lazyFast(f *filter, fast bool) (*lazySummary, bool) {
	if !fast || s.lazy == nil || f.search != "" || f.mine {
		return nil, false
	}
	sum := s.lazy.summary()
	return sum, sum.ok
}
