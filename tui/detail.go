package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/detail"
)

// The root's side of the detail view (tui/detail): what it hands down, and
// the keys it handles itself in detail mode.

// common is the read-only context of the components in their own packages.
func (c *Context) common() common.Context {
	return common.Context{Theme: c.Theme, Now: c.Now}
}

// detailKeys fills the detail view's key map from the program's, so [keys]
// overrides reach it.
func detailKeys(k *KeyMap) detail.KeyMap {
	if k == nil {
		return detail.KeyMap{}
	}
	return detail.KeyMap{
		Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown, Top: k.Top, Bottom: k.Bottom,
		Search: k.Search, SearchNext: k.SearchNext, SearchPrev: k.SearchPrev,
		SearchRun: k.SearchRun, SearchCancel: k.SearchCancel, ClearSearch: k.Back,
	}
}

// detailRow is r as the detail view shows it: the list's sanitised strings,
// and the agent's display name once the agents are known.
func (c *Context) detailRow(r *row) detail.Row {
	d := detail.Row{
		Session: r.S, ID: r.ID, Status: r.Status, Act: r.Act, Cell: r.Cell,
		Agent: r.Agent, Tags: r.TagsText,
	}
	if !r.Untitled {
		d.Title = r.Title
	}
	if r.S.AgentID != "" {
		d.Agent = c.agentLabel(r.S.AgentID)
	}
	return d
}

// newDetail is the detail view of r, in the organisation named orgName
// ("" when unknown); gen stamps what OpenLive starts.
func newDetail(ctx *Context, r *row, orgName string, gen int) detail.Model {
	d := ctx.detailRow(r)
	d.OrgName = orgName
	return detail.New(ctx.common(), detailKeys(ctx.Keys), d, gen)
}

// detailRowOf is r for the detail view, with the organisation's name.
func (m Model) detailRowOf(r *row) detail.Row {
	d := m.ctx.detailRow(r)
	d.OrgName = m.org.name
	return d
}

// refreshDetail hands an open detail view (or one under help or the edit
// form) its session's current row; its transcript, scroll position and
// search stay.
func (m *Model) refreshDetail() {
	if id := m.detail.ID(); id != "" && (m.mode == modeDetail || m.back == modeDetail) {
		if r := m.st.get(id); r != nil {
			m.detail = m.detail.SetRow(m.detailRowOf(r))
		}
	}
}

// onDetailOwnKey takes the keys of detail mode that come before the root's:
// the search input has every key, back clears an applied search before it
// leaves the view, and next/prev session open the list's neighbour. ok is
// false for any other key.
func (m Model) onDetailOwnKey(k tea.KeyMsg) (tea.Model, tea.Cmd, bool) {
	keys := m.ctx.Keys
	switch {
	case m.detail.Searching(), m.detail.SearchActive() && keyMatches(k, keys.Back):
		var cmd tea.Cmd
		m.detail, cmd = m.detail.Update(k)
		return m, cmd, true
	case keyMatches(k, keys.NextSession):
		nm, cmd := m.stepDetail(1)
		return nm, cmd, true
	case keyMatches(k, keys.PrevSession):
		nm, cmd := m.stepDetail(-1)
		return nm, cmd, true
	}
	return m, nil, false
}

// stepDetail opens the session delta rows away in the list, as shown now:
// the list's cursor moves there (esc comes back to it), the old session's
// stream is closed and the new one's opened.
func (m Model) stepDetail(delta int) (tea.Model, tea.Cmd) {
	rows := m.view.rows
	i := m.list.Cursor
	if i < 0 || i >= len(rows) || rows[i].S.ID != m.detail.ID() {
		// A refresh moved the list under the view: find the session again.
		i = -1
		for j, r := range rows {
			if r.S.ID == m.detail.ID() {
				i = j
				break
			}
		}
	}
	j := i + delta
	if i < 0 || j < 0 || j >= len(rows) {
		word := "next"
		if delta < 0 {
			word = "previous"
		}
		if i < 0 {
			m.setInfo("this session is not in the list as shown")
		} else {
			m.setInfo("no " + word + " session in the list")
		}
		return m, nil
	}
	m.list = m.list.MoveTo(j, rows)
	var closing tea.Cmd
	m.detail, closing = m.detail.Close()
	nm, cmd := m.openDetailOf(rows[j])
	return nm, tea.Batch(closing, cmd)
}
