package tui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// changedFor is how long a row a refresh changed stays highlighted.
const changedFor = 2 * time.Second

type refreshState struct {
	interval time.Duration
	paused   bool
	gen      int
	inflight bool
	failed   bool // the last refresh failed; the data shown is the last good
	// ticks counts the refreshes asked, to ask for the agents on only one
	// in agentsEvery (the names change rarely; the list and facets often).
	ticks int
	hold  heldOrder // rows a refresh moved, held in place (updated sort)
	// gone is the sessions removed here (archived, deleted) → the refresh
	// generation then: a refresh asked before the removal may still list
	// them, and must not bring them back.
	gone map[string]int
}

// forget records that id left the list at this refresh generation.
func (r *refreshState) forget(id string) {
	gone := make(map[string]int, len(r.gone)+1)
	maps.Copy(gone, r.gone)
	gone[id] = r.gen
	r.gone = gone // replaced, never changed: copies of the model share maps
}

// agentsEvery is how many refreshes go by between two agent lists.
const agentsEvery = 10

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
	m.refresh.ticks++
	// Cheap: one page (the most recently active sessions: new ones and
	// every change since the last tick, whatever the list's size) and the
	// facets; the agents' names only now and then.
	agents := m.refresh.ticks%agentsEvery == 0
	return m, tea.Batch(refreshPages(m.api, []int{0}, m.opts.PageSize, m.load.agentID, m.refresh.gen),
		fetchFactsOf(m.api, m.load.agentID, m.load.gen, agents))
}

func refreshPages(api API, offsets []int, limit int, agentID string, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		out := refreshedMsg{gen: gen}
		for _, off := range offsets {
			p, err := api.ListSessions(ctx, apiclient.ListOptions{Offset: off, Limit: limit, AgentID: agentID,
				Order: apiclient.OrderLastActivity})
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
// updated in place by id; sessions created after the newest loaded one go
// on top (a page by last activity also holds old sessions changed since,
// which are not new). With the updated order, the rows a refresh moves
// are held where they were and announced (see heldOrder).
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
	newest, top := m.st.newestCreated()
	holding := m.spec.sort == sortUpdated
	hold := m.refresh.hold.clone()
	var added []apiclient.Session
	dirty := false
	for _, p := range msg.pages {
		// Only as many rows as were asked for: a page padded with
		// thousands of new sessions must not cost thousands of inserts.
		data := p.Data[:min(len(p.Data), m.opts.PageSize)]
		for _, s := range data {
			old := m.st.get(s.ID)
			switch {
			case old == nil && m.refresh.wasGone(s.ID, msg.gen):
				// Removed here after this page was asked for.
			case old == nil:
				// New only when created after every loaded session, and
				// only while the newest rows are the ones loaded.
				if top && (newest.IsZero() || s.CreatedAt.After(newest)) && !slices.ContainsFunc(added, func(a apiclient.Session) bool { return a.ID == s.ID }) {
					added = append(added, s)
				}
			case s.UpdatedAt.After(old.S.UpdatedAt):
				// Only newer: a save that landed while this page was on
				// its way is fresher than the page.
				if old.S.Status != s.Status || old.S.Usage.Total() != s.Usage.Total() {
					m.changed[s.ID] = msg.gen
				}
				if holding {
					hold.keep(s.ID, old.S.UpdatedAt)
				}
				m.st.upsert(s)
				dirty = true
			}
		}
	}
	m.refresh.pruneGone(msg.gen)
	// The newest last, so that it ends on top.
	slices.SortStableFunc(added, func(a, b apiclient.Session) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, s := range added {
		m.st.upsert(s)
		m.changed[s.ID] = msg.gen
		if holding {
			hold.added++
		}
		dirty = true
	}
	if !dirty {
		return m, next
	}
	if holding && hold.any() {
		m.setHold(hold)
	}
	m.refreshDetail() // an open detail view shows the fresh fields too
	gen := msg.gen
	expire := tea.Tick(changedFor, func(time.Time) tea.Msg { return changedExpiredMsg{gen: gen} })
	return m, tea.Batch(next, expire)
}

// wasGone: id was removed here no earlier than the refresh gen was asked.
func (r refreshState) wasGone(id string, gen int) bool {
	g, ok := r.gone[id]
	return ok && gen <= g
}

// pruneGone drops the removals older than the refresh gen answered: later
// refreshes are asked after them, when the server no longer lists them.
func (r *refreshState) pruneGone(gen int) {
	if len(r.gone) == 0 {
		return
	}
	gone := make(map[string]int, len(r.gone))
	for id, g := range r.gone {
		if g >= gen {
			gone[id] = g
		}
	}
	r.gone = gone
}

func (m Model) onChangedExpired(msg changedExpiredMsg) (tea.Model, tea.Cmd) {
	for id, gen := range m.changed {
		if gen <= msg.gen {
			delete(m.changed, id)
		}
	}
	return m, nil
}

// heldOrder keeps the updated order still under the cursor: a refresh
// would move each row it changes to the top. The changed rows keep their
// place instead (they sort by the time they had), new sessions go above
// the window, and the header announces them ("3 new ↑") until the user
// moves, which takes them in. Replaced, never changed: the derive step
// reads its map.
type heldOrder struct {
	at    map[string]time.Time // id → the updated time it sorts by meanwhile
	added int                  // sessions new since the user last moved
}

func (h heldOrder) any() bool { return len(h.at) > 0 || h.added > 0 }

func (h heldOrder) clone() heldOrder {
	at := make(map[string]time.Time, len(h.at))
	maps.Copy(at, h.at)
	return heldOrder{at: at, added: h.added}
}

// keep holds id at the time it had, unless it is held already.
func (h *heldOrder) keep(id string, at time.Time) {
	if _, ok := h.at[id]; !ok {
		h.at[id] = at
	}
}

// announce is the header's word for the held rows: "3 new ↑",
// "2 updated ↑", "1 new, 2 updated ↑" ("" when none).
func (h heldOrder) announce(reverse bool) string {
	var parts []string
	if h.added > 0 {
		parts = append(parts, fmt.Sprintf("%d new", h.added))
	}
	if n := len(h.at); n > 0 {
		parts = append(parts, fmt.Sprintf("%d updated", n))
	}
	if parts == nil {
		return ""
	}
	arrow := "↑"
	if reverse {
		arrow = "↓"
	}
	return strings.Join(parts, ", ") + " " + arrow
}

// setHold holds h's rows; the list is derived again by the store's change.
func (m *Model) setHold(h heldOrder) {
	m.refresh.hold = h
	m.spec.held, m.spec.heldGen = h.at, m.spec.heldGen+1
}

// takeHeld lets the held rows go where the order puts them: the user
// moved. The cursor stays on its session.
func (m *Model) takeHeld() tea.Cmd {
	if !m.refresh.hold.any() {
		return nil
	}
	m.refresh.hold = heldOrder{}
	m.spec.held, m.spec.heldGen = nil, m.spec.heldGen+1
	return m.request()
}
