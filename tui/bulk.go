package tui

import (
	"context"
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
	undo     []change
	record   bool // push the run onto the undo history
	cancel   context.CancelFunc
}

type (
	// bulkProgressMsg: one session of a bulk run is done, either way.
	bulkProgressMsg struct {
		gen     int
		id      string
		session *apiclient.Session
		undo    change
		err     error
		ch      <-chan tea.Msg
	}
	// bulkFinishedMsg: every session of the run is done.
	bulkFinishedMsg struct{ gen int }
)

func (m Model) startBulk(verb string, changes []change, record bool) (tea.Model, tea.Cmd) {
	if m.ops.bulk != nil {
		return m, m.setToast("a bulk change is still running")
	}
	if len(changes) == 0 {
		return m, nil
	}
	ctx, cancel := context.WithCancel(withSessionLocks(context.Background(), m.ops.locks))
	m.ops.seq++
	m.ops.bulk = &bulkRun{
		gen: m.ops.seq, verb: verb, total: len(changes),
		failures: map[string]error{}, record: record, cancel: cancel,
	}
	if m.ops.busy == nil {
		m.ops.inflight, m.ops.busy = map[int]opInfo{}, map[string]int{}
	}
	for _, c := range changes {
		m.ops.busy[c.id]++
	}
	return m, tea.Batch(runBulk(ctx, m.api, changes, m.ops.bulk.gen), m.spin.Tick)
}

// runBulk saves every change with at most bulkConcurrency in flight and
// reports each result as it lands.
func runBulk(ctx context.Context, api API, changes []change, gen int) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan tea.Msg, len(changes)+1) // room for every message: a panic replaces a progress
		go func() {
			sem := make(chan struct{}, bulkConcurrency)
			var wg sync.WaitGroup
			for _, c := range changes {
				wg.Add(1)
				sem <- struct{}{}
				go func(c change) {
					defer func() { <-sem; wg.Done() }()
					defer catchPanic(func(p goroutinePanicMsg) { ch <- p })
					cctx, cancel := context.WithTimeout(ctx, requestTimeout)
					defer cancel()
					s, undo, err := applyChange(cctx, api, c)
					ch <- bulkProgressMsg{gen: gen, id: c.id, session: s, undo: undo, err: err, ch: ch}
				}(c)
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
	delete(m.marked, msg.id)
	m.st.upsert(*msg.session)
	if !msg.undo.empty() {
		b.undo = append(b.undo, msg.undo)
	}
	return m, tea.Batch(next, m.dataChanged())
}

func (m Model) onBulkFinished(msg bulkFinishedMsg) (tea.Model, tea.Cmd) {
	b := m.ops.bulk
	if b == nil || b.gen != msg.gen {
		return m, nil
	}
	b.cancel()
	m.ops.bulk = nil
	if b.record && len(b.undo) > 0 {
		m.ops.undo = append(m.ops.undo, b.undo)
	}
	// The failed ones stay marked so that r or t retries just them.
	for id := range b.failures {
		m.marked[id] = true
	}
	text := summarise(b.verb, b.saved, b.failures)
	if len(b.failures) > 0 {
		return m, m.setError(text + " — still marked, press r or t to retry")
	}
	return m, m.setToast(text)
}
