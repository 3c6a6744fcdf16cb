package tui

import (
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/sessionlist"
	"github.com/everruns/sessions/tui/usageview"
)

// openUsage opens the usage view (tui/usageview) over the sessions the
// current query and tab select, aggregated once here.
func (m Model) openUsage() (tea.Model, tea.Cmd) {
	rows := m.view.rows
	ss := make([]*apiclient.Session, len(rows))
	for i, r := range rows {
		ss[i] = &r.S // rows are replaced, never changed: the pointer stays valid
	}
	now := time.Now()
	if m.ctx.Now != nil {
		now = m.ctx.Now()
	}
	u := usageview.New(usageview.Data{Sessions: ss, Agents: m.agentNames(), Now: now}, m.ctx.Theme)
	u.Keys = m.usageKeys(u.Keys)
	u.SetSize(m.ctx.Width, m.bodyHeight())
	m.usage = &u
	m.usageOf.rows, m.usageOf.gen = rows, m.usageOf.gen+1 // an aggregation in flight is for the old view
	m.usageOf.busy = false
	m.back, m.mode = m.mode, modeUsage
	return m, nil
}

// usageSource is what the open usage view shows: the list rows it was
// aggregated from, and the re-aggregation in flight.
type usageSource struct {
	rows []*row
	gen  int  // of the newest aggregation asked for
	busy bool // an aggregation runs; its answer asks again if the list moved on
}

// usageAggregatedMsg carries the usage view's figures for the list rows
// rows, summed off the UI goroutine.
type usageAggregatedMsg struct {
	gen  int
	rows []*row
	agg  *usageview.Aggregates
}

// usageShown reports whether the usage view is on screen (or under help).
func (m *Model) usageShown() bool {
	return m.usage != nil && (m.mode == modeUsage || m.mode == modeHelp && m.back == modeUsage)
}

// followUsage keeps the open usage view on the sessions the list selects:
// when the list was derived again (a load's later pages, a refresh, new
// rows) the figures are summed again in a tea.Cmd (at 100,000 sessions
// that takes a tenth of a second, too long for Update) and replace the
// old ones when they arrive. One aggregation runs at a time.
func (m *Model) followUsage() tea.Cmd {
	if !m.usageShown() || slices.Equal(m.usageOf.rows, m.view.rows) {
		return nil
	}
	if m.usageOf.busy {
		return nil
	}
	m.usageOf.busy = true
	m.usageOf.gen++
	gen, rows := m.usageOf.gen, m.view.rows
	now := time.Now()
	if m.ctx.Now != nil {
		now = m.ctx.Now()
	}
	agents := m.agentNames()
	return func() tea.Msg {
		ss := make([]*apiclient.Session, len(rows))
		for i, r := range rows {
			ss[i] = &r.S
		}
		agg := usageview.Aggregate(usageview.Data{Sessions: ss, Agents: agents, Now: now})
		return usageAggregatedMsg{gen: gen, rows: rows, agg: agg}
	}
}

// onUsageAggregated shows new figures, unless the view was closed or opened
// again meanwhile, and catches up with a list that changed since.
func (m Model) onUsageAggregated(msg usageAggregatedMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.usageOf.gen {
		return m, nil
	}
	m.usageOf.busy = false
	if m.usage != nil {
		u := *m.usage
		u.SetAggregates(msg.agg)
		m.usage = &u
		m.usageOf.rows = msg.rows
	}
	return m, m.followUsage()
}

// agentNames maps agent ids to display names for the usage view; nil while
// the root knows none (the view then shows ids).
func (m Model) agentNames() map[string]string {
	if m.facts.names == nil {
		return nil
	}
	return m.facts.names.ByID() // replaced, never changed, when agents reload
}

// usageKeys takes the root's bindings where the view has the same verb, so
// a [keys] override applies there too.
func (m Model) usageKeys(k usageview.KeyMap) usageview.KeyMap {
	rk := m.ctx.Keys
	if rk == nil {
		return k
	}
	k.Up, k.Down, k.PageUp, k.PageDown = rk.Up, rk.Down, rk.PageUp, rk.PageDown
	k.Top, k.Bottom = rk.Top, rk.Bottom
	k.Help = rk.Help // the root handles it; the view's footer names it
	return k
}

// onUsageKey: back and T close the view, q quits, the rest is the view's.
func (m Model) onUsageKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.ctx.Keys
	switch {
	case keyMatches(k, keys.Back, keys.Usage):
		m.mode = modeList
		return m, nil
	case keyMatches(k, keys.Quit):
		return m.quit()
	case keyMatches(k, keys.Help):
		return m.openHelp(), nil
	}
	if m.usage == nil {
		return m, nil
	}
	u, cmd := m.usage.Update(k)
	m.usage = &u
	return m, cmd
}

// onUsageNarrow narrows the list to a breakdown row: its query becomes the
// filter, as if typed.
func (m Model) onUsageNarrow(msg usageview.NarrowMsg) (tea.Model, tea.Cmd) {
	m.editFilter(func(f *textinput.Model) { f.SetValue(msg.Query); f.Blur() })
	m.qin = m.qin.begin(m.st.rows(), m.ctx.Now())
	m.spec.q = sessionlist.CompileQuery(msg.Query, m.qin.env)
	m.qin = m.qin.remember(msg.Query)
	m.mode = modeList
	m.list.Cursor, m.list.Offset, m.list.SelectedID = 0, 0, ""
	return m, m.request()
}

// onUsageOpen shows the session picked in the top sessions table.
func (m Model) onUsageOpen(msg usageview.OpenSessionMsg) (tea.Model, tea.Cmd) {
	if m.mode != modeUsage {
		return m, nil
	}
	if i := sessionlist.IndexOf(m.view.rows, msg.ID, 0); i >= 0 {
		m.list = m.list.JumpTo(i, m.view.rows)
	}
	r := m.st.get(msg.ID)
	if r == nil {
		m.mode = modeList
		return m, m.setError("that session is no longer loaded")
	}
	return m.openDetailOf(r)
}
