package tui

import (
	"fmt"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/tui/picker"
	"github.com/everruns/sessions/tui/safetext"
)

// agentPicker chooses the agent whose sessions are listed; the choice goes
// to the API as agent_id, so the server does the filtering.
type agentPicker struct {
	ctx     *Context
	agents  []agentCount // first entry is "all agents"
	win     picker.Window
	width   int
	height  int
	current string
}

// SetSize hands the picker its rectangle: a title line, a blank line's
// worth of room and the agents.
func (p agentPicker) SetSize(w, h int) agentPicker {
	p.width, p.height = max(w, 1), max(h, 1)
	p.win.Height = max(h-2, 1)
	p.win = p.win.Clamp(len(p.agents))
	return p
}

type agentCount struct {
	id, label string
	n         int
}

func newAgentPicker(ctx *Context, rows []*row, current string) agentPicker {
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.s.AgentID]++
	}
	p := agentPicker{ctx: ctx, current: current}
	p.agents = append(p.agents, agentCount{label: "all agents", n: len(rows)})
	// Agents show by display name (the id when unknown); every agent the
	// server knows is offered, with or without loaded sessions.
	for id, n := range counts {
		p.agents = append(p.agents, agentCount{id: id, label: ctx.agentLabel(id), n: n})
	}
	if current != "" && counts[current] == 0 {
		p.agents = append(p.agents, agentCount{id: current, label: ctx.agentLabel(current), n: len(rows)})
		counts[current] = len(rows)
	}
	if ctx.names != nil {
		for id, label := range ctx.names.byID {
			if _, ok := counts[id]; !ok {
				p.agents = append(p.agents, agentCount{id: id, label: label})
			}
		}
	}
	sort.Slice(p.agents[1:], func(i, j int) bool {
		a, b := p.agents[1+i], p.agents[1+j]
		if a.n != b.n {
			return a.n > b.n
		}
		if a.label != b.label {
			return a.label < b.label
		}
		return a.id < b.id
	})
	for i, a := range p.agents {
		if a.id == current {
			p.win.Cursor = i
		}
	}
	return p.SetSize(ctx.Width, ctx.Height)
}

func (m Model) onAgentKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.ctx.Keys
	p := &m.agents
	switch {
	case keyMatches(k, keys.Back, keys.Agent):
		m.mode = modeList
	case keyMatches(k, keys.Up, keys.Down):
		m.agents, _ = m.agents.Update(k)
	case keyMatches(k, keys.Open):
		m.mode = modeList
		id := p.agents[p.win.Cursor].id
		if id == m.load.agentID {
			return m, nil
		}
		m.load.agentID = id
		m.load.complete = false
		m.st = newStore()
		m.marked = map[string]bool{}
		m.list = listModel{height: m.list.height}
		m.setInfo("loading sessions of " + p.agents[p.win.Cursor].label + "…")
		return m, m.startLoad()
	}
	return m, nil
}

func (p agentPicker) View() string {
	t := p.ctx.Theme
	width := p.width
	lines := []string{t.PaneTitle.Render("Agent") + t.Muted.Render("  (enter lists only this agent's sessions, via the API's agent_id)")}
	from, to := p.win.Visible(len(p.agents))
	for i := from; i < to; i++ {
		a := p.agents[i]
		cur := "  "
		if a.id == p.current {
			cur = "✓ "
		}
		text := safetext.Pad(a.label, max(width-20, 10)) + fmt.Sprintf(" %8s", thousands(int64(a.n)))
		if i == p.win.Cursor {
			text = t.RowSelected.Render(text)
		}
		lines = append(lines, cur+text)
	}
	return fitBlock(strings.Join(lines, "\n"), p.width, p.height)
}
