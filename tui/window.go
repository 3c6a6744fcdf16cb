package tui

import (
	"context"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// When the bound cut the list, the store holds a window of the server's
// list: the newest MaxRows at first. Moving past its last row (in the
// server's order) fetches the next older page and drops as many of the
// newest rows, the farthest from the cursor; moving above its first row
// once the newest were dropped fetches the page before it and drops the
// oldest; the top key (g) goes back to the newest rows, loading them again
// when they are more than a page away. The header says which rows are
// loaded.

// windowState is the page fetch in flight: at most one, its answer
// stamped with a generation and the store it was asked for.
type windowState struct {
	gen      int
	inflight bool
	end      *store // the store whose window reached the server's oldest
	err      error  // the last fetch failed: the next move tries again
}

type windowPageMsg struct {
	gen    int
	st     *store
	older  bool // past the end (else before the start)
	rows   []*row
	limit  int
	total  int
	err    error
	offset int
}

// windowed reports whether the window can move: a bounded store in the
// server's order, no load running.
func (m Model) windowed() bool {
	return m.st.bounded && m.load.complete && !m.load.active && !m.win.inflight &&
		m.spec.sort == sortServer && !m.spec.reverse && len(m.view.rows) > 0
}

// moveWindow is called after a list key: at the last row it asks for the
// next older page, at the first (with newer rows dropped) the page before.
func (m *Model) moveWindow(k tea.KeyMsg) tea.Cmd {
	if m.mode != modeList || !m.windowed() {
		return nil
	}
	keys := m.ctx.Keys
	size := m.opts.PageSize
	switch {
	case keyMatches(k, keys.Top) && m.st.base > size:
		// The newest rows are pages away: load them again (the newest
		// first, as at start), rather than a page per key.
		m.setInfo("back to the newest sessions…")
		cmd := m.startLoad()
		m.load.toTop = true // not the kept selection, as ctrl+r keeps it
		return cmd
	case keyMatches(k, keys.Down, keys.PageDown, keys.Bottom) && m.list.Cursor == len(m.view.rows)-1:
		next := m.st.base + len(m.st.slots)
		if m.win.end == m.st || next >= m.st.total {
			return nil
		}
		return m.fetchWindow(next, size, true)
	case keyMatches(k, keys.Up, keys.PageUp, keys.Top) && m.list.Cursor == 0 && m.st.base > 0:
		from := max(m.st.base-size, 0)
		return m.fetchWindow(from, m.st.base-from, false)
	}
	return nil
}

func (m *Model) fetchWindow(offset, limit int, older bool) tea.Cmd {
	m.win.gen++
	m.win.inflight = true
	gen, st, api, agentID := m.win.gen, m.st, m.api, m.load.agentID
	if older {
		m.setInfo("loading older sessions…")
	} else {
		m.setInfo("loading newer sessions…")
	}
	return func() (msg tea.Msg) {
		defer catchPanic(func(p goroutinePanicMsg) { msg = p })
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		out := windowPageMsg{gen: gen, st: st, older: older, limit: limit, offset: offset}
		p, err := api.ListSessions(ctx, apiclient.ListOptions{Offset: offset, Limit: limit, AgentID: agentID})
		if err != nil {
			out.err = err
			return out
		}
		out.rows = rowsOf(p.Data[:min(len(p.Data), limit)])
		out.total = p.Total
		return out
	}
}

func (m Model) onWindowPage(msg windowPageMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.win.gen {
		return m, nil
	}
	m.win.inflight = false
	if msg.st != m.st {
		return m, nil // a reload replaced the store meanwhile
	}
	if m.status.kind == statusInfo {
		m.status = statusLine{}
	}
	if msg.err != nil {
		m.win.err = msg.err
		return m, m.setError("loading more sessions failed: " + describe(msg.err) + " — move again to retry")
	}
	m.win.err = nil
	if msg.total > m.st.total {
		m.st.total = msg.total
	}
	if msg.older {
		if len(msg.rows) < msg.limit {
			m.win.end = m.st
		}
		if m.st.appendRows(msg.rows) > 0 {
			m.st.dropFront(m.st.loaded - m.opts.MaxRows)
		}
		return m, nil
	}
	m.win.end = nil
	if m.st.prependRows(msg.rows, msg.offset) > 0 {
		m.st.trimTo(m.opts.MaxRows)
	}
	return m, nil
}

// windowText is the header's account of a window moved past the newest
// rows ("" while it holds them).
func (m Model) windowText() string {
	if m.st.base == 0 {
		return ""
	}
	first := m.st.base + 1
	last := m.st.base + len(m.st.slots)
	return fmt.Sprintf("%s–%s of %s loaded", thousands(int64(first)), thousands(int64(last)), thousands(int64(m.st.total)))
}
