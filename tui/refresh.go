package tui

import (
	"context"
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// maxRefreshPages bounds the list requests of one auto refresh: the newest
// page (new sessions and recent activity) plus the pages under the visible
// window, so a refresh costs at most this many requests however many
// sessions are loaded.
const maxRefreshPages = 3

// changedFor is how long a row a refresh changed stays highlighted.
const changedFor = 2 * time.Second

type refreshState struct {
	interval time.Duration
	paused   bool
	gen      int
	inflight bool
	failed   bool // the last refresh failed; the data shown is the last good
}

type (
	refreshTickMsg struct{ gen int }
	refreshedMsg   struct {
		gen     int
		pages   []apiclient.SessionPage
		offsets []int // the offset each page was requested at
		err     error
	}
	changedExpiredMsg struct{ gen int }
)

func newRefreshState(interval time.Duration) refreshState {
	return refreshState{interval: interval}
}

// schedule arms the next tick, or nothing when refresh is off or paused.
func (r *refreshState) schedule() tea.Cmd {
	if r.interval <= 0 || r.paused {
		return nil
	}
	r.gen++
	gen := r.gen
	return tea.Tick(r.interval, func(time.Time) tea.Msg { return refreshTickMsg{gen: gen} })
}

// refreshTick arms the first tick without changing the model (for Init).
// Init cannot bump the generation, so the tick carries the current one:
// schedule on a copy would stamp a generation the model never reaches, and
// onRefreshTick would drop the tick, leaving auto refresh off for good.
func (m Model) refreshTick() tea.Cmd {
	r := m.refresh
	if r.interval <= 0 || r.paused {
		return nil
	}
	gen := r.gen
	return tea.Tick(r.interval, func(time.Time) tea.Msg { return refreshTickMsg{gen: gen} })
}

func (m Model) onRefreshTick(msg refreshTickMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.refresh.gen || m.refresh.paused {
		return m, nil
	}
	if m.load.active || m.refresh.inflight || m.ops.bulk != nil {
		return m, m.refresh.schedule() // try again next time
	}
	m.refresh.inflight = true
	// The names and counts are refreshed with the list.
	return m, tea.Batch(refreshPages(m.api, m.refreshOffsets(), m.opts.PageSize, m.load.agentID, m.refresh.gen),
		fetchFacts(m.api, m.load.agentID, m.load.gen))
}

// refreshOffsets picks the page offsets to fetch: the first page, then the
// pages holding the rows on screen, at most maxRefreshPages in all.
func (m Model) refreshOffsets() []int {
	size := m.opts.PageSize
	offsets := []int{0}
	end := min(m.list.offset+m.list.height, len(m.view.rows))
	for i := m.list.offset; i < end && len(offsets) < maxRefreshPages; i++ {
		at, ok := m.st.byID[m.view.rows[i].s.ID]
		if !ok {
			continue
		}
		if p := at / size * size; !slices.Contains(offsets, p) {
			offsets = append(offsets, p)
		}
	}
	return offsets
}

func refreshPages(api API, offsets []int, limit int, agentID string, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		out := refreshedMsg{gen: gen}
		for _, off := range offsets {
			p, err := api.ListSessions(ctx, apiclient.ListOptions{Offset: off, Limit: limit, AgentID: agentID})
			if err != nil {
				out.err = err
				return out
			}
			out.pages = append(out.pages, *p)
			out.offsets = append(out.offsets, off)
		}
		return out
	}
}

// onRefreshed merges fresh pages without moving the cursor: rows are
// updated in place by id, new sessions from the newest page go on top.
func (m Model) onRefreshed(msg refreshedMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.refresh.gen {
		return m, nil // asked before an organisation switch (see switchOrg)
	}
	m.refresh.inflight = false
	next := m.refresh.schedule()
	if msg.err != nil {
		m.refresh.failed = true // quiet: the header shows it, the data stays
		return m, next
	}
	m.refresh.failed = false
	dirty := false
	for i, p := range msg.pages {
		newest := i < len(msg.offsets) && msg.offsets[i] == 0 // never the echoed offset
		// Only as many rows as were asked for: a page padded with
		// thousands of new sessions must not cost thousands of inserts.
		data := p.Data[:min(len(p.Data), m.opts.PageSize)]
		for _, s := range data {
			old := m.st.get(s.ID)
			switch {
			case old == nil && newest:
				m.st.upsert(s)
				m.changed[s.ID] = msg.gen
				dirty = true
			case old != nil && s.UpdatedAt.After(old.s.UpdatedAt):
				// Only newer: a save that landed while this page was on
				// its way is fresher than the page.
				if old.s.Status != s.Status || old.s.Usage.Total() != s.Usage.Total() {
					m.changed[s.ID] = msg.gen
				}
				m.st.upsert(s)
				dirty = true
			}
		}
	}
	if !dirty {
		return m, next
	}
	m.refreshDetail() // an open detail view shows the fresh fields too
	gen := msg.gen
	expire := tea.Tick(changedFor, func(time.Time) tea.Msg { return changedExpiredMsg{gen: gen} })
	return m, tea.Batch(next, expire)
}

func (m Model) onChangedExpired(msg changedExpiredMsg) (tea.Model, tea.Cmd) {
	for id, gen := range m.changed {
		if gen <= msg.gen {
			delete(m.changed, id)
		}
	}
	return m, nil
}
