package tui

import (
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/tui/agentpicker"
)

// openAgents opens the agent picker (package agentpicker) over the loaded
// sessions: every agent that has one, the agent listed now, and every
// agent the server knows, by display name.
func (m Model) openAgents() Model {
	rows := m.st.rows()
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.S.AgentID]++
	}
	current := m.load.agentID
	if current != "" && counts[current] == 0 {
		counts[current] = len(rows) // the list holds only its sessions
	}
	if m.ctx.names != nil {
		for id := range m.ctx.names.ByID() {
			if _, ok := counts[id]; !ok {
				counts[id] = 0
			}
		}
	}
	agents := make([]agentpicker.Agent, 0, len(counts))
	for id, n := range counts {
		agents = append(agents, agentpicker.Agent{ID: id, Label: m.ctx.agentLabel(id), N: n})
	}
	a := agentpicker.New(m.ctx.Theme, m.agentKeys(), agents, len(rows), current).SetSize(m.ctx.Width, m.bodyHeight())
	m.agents = &a
	m.back, m.mode = m.mode, modeAgents
	return m
}

// agentKeys are the picker's bindings taken from the root's, so a [keys]
// override applies there too; enter and esc say what they do here.
func (m Model) agentKeys() agentpicker.KeyMap {
	k := m.ctx.Keys
	return agentpicker.KeyMap{
		Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown, Top: k.Top, Bottom: k.Bottom,
		Choose: describedAs(k.Open, "filter by agent"),
		Close: key.NewBinding(key.WithKeys(slices.Concat(k.Back.Keys(), k.Agent.Keys())...),
			key.WithHelp(k.Back.Help().Key, k.Back.Help().Desc)),
		Filter:   describedAs(k.Filter, "find"),
		FilterUp: k.PickerUp, FilterDown: k.PickerDown, FilterPageUp: k.PickerPageUp, FilterPageDown: k.PickerPageDown,
		FilterClear: k.FilterClear,
	}
}

// describedAs is b with another help description.
func describedAs(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// onAgentChosen lists the chosen agent's sessions: the server filters
// (agent_id), so the list is loaded again.
func (m Model) onAgentChosen(msg agentpicker.ChosenMsg) (tea.Model, tea.Cmd) {
	if m.mode != modeAgents {
		return m, nil
	}
	m.mode = modeList
	if msg.ID == m.load.agentID {
		return m, nil
	}
	m.load.agentID = msg.ID
	m.load.complete = false
	m.st = newStore()
	m.marked = map[string]bool{}
	m.list = m.list.Reset()
	m.setInfo("loading sessions of " + msg.Label + "…")
	return m, m.startLoad()
}
