package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/tui/querylang"
	"github.com/everruns/sessions/tui/safetext"
)

// helpGroup is a titled column of bindings.
type helpGroup struct {
	title    string
	bindings []key.Binding
	text     []string // shown as is after the bindings (the query syntax)
}

// helpScreen shows the keys of the mode it was opened from, in titled
// groups laid side by side as far as the width allows and scrolled when
// they are taller than the body.
type helpScreen struct {
	ctx    *Context
	groups []helpGroup
	w, h   int
	vp     viewport.Model
}

var _ Component[helpScreen] = helpScreen{}

func newHelpScreen(ctx *Context, groups []helpGroup) helpScreen {
	return helpScreen{ctx: ctx, groups: groups, vp: viewport.New(0, 0)}.SetSize(ctx.Width, ctx.Height)
}

// SetSize lays the groups out for w x h.
func (s helpScreen) SetSize(w, h int) helpScreen {
	s.w, s.h = max(w, 1), max(h, 1)
	s.vp.Width, s.vp.Height = s.w, s.h
	s.vp.SetContent(s.layout())
	s.vp.SetYOffset(s.vp.YOffset)
	return s
}

// layout renders each group as a block and flows the blocks into rows.
func (s helpScreen) layout() string {
	t := s.ctx.Theme
	const gap = 4
	var blocks [][]string
	var widths []int
	for _, g := range s.groups {
		kw := 0
		for _, b := range g.bindings {
			kw = max(kw, safetext.Width(b.Help().Key))
		}
		lines := []string{t.PaneTitle.Render(g.title)}
		bw := safetext.Width(g.title)
		for _, b := range g.bindings {
			if !b.Enabled() {
				continue
			}
			l := safetext.Pad(b.Help().Key, kw) + " " + b.Help().Desc
			bw = max(bw, safetext.Width(l))
			lines = append(lines, t.Help.FullKey.Render(safetext.Pad(b.Help().Key, kw))+" "+t.Help.FullDesc.Render(b.Help().Desc))
		}
		for _, l := range g.text {
			bw = max(bw, safetext.Width(l))
			lines = append(lines, t.Help.FullDesc.Render(l))
		}
		blocks, widths = append(blocks, lines), append(widths, min(bw, s.w))
	}
	var out []string
	for i := 0; i < len(blocks); {
		// As many blocks as fit side by side (at least one).
		j, used := i, 0
		for j < len(blocks) && (j == i || used+gap+widths[j] <= s.w) {
			if j > i {
				used += gap
			}
			used += widths[j]
			j++
		}
		tall := 0
		for k := i; k < j; k++ {
			tall = max(tall, len(blocks[k]))
		}
		for line := range tall {
			var b strings.Builder
			for k := i; k < j; k++ {
				cell := ""
				if line < len(blocks[k]) {
					cell = blocks[k][line]
				}
				if k < j-1 {
					cell = padTo(cell, widths[k]) + strings.Repeat(" ", gap)
				}
				b.WriteString(cell)
			}
			out = append(out, clipTo(strings.TrimRight(b.String(), " "), s.w))
		}
		out = append(out, "")
		i = j
	}
	return strings.Join(out, "\n")
}

// Update scrolls.
func (s helpScreen) Update(msg tea.Msg) (helpScreen, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	keys := s.ctx.Keys
	switch {
	case keyMatches(k, keys.Up):
		s.vp.ScrollUp(1)
	case keyMatches(k, keys.Down):
		s.vp.ScrollDown(1)
	case keyMatches(k, keys.PageUp):
		s.vp.PageUp()
	case keyMatches(k, keys.PageDown):
		s.vp.PageDown()
	case keyMatches(k, keys.Top):
		s.vp.GotoTop()
	case keyMatches(k, keys.Bottom):
		s.vp.GotoBottom()
	}
	return s, nil
}

// View is at most w x h.
func (s helpScreen) View() string { return fitBlock(s.vp.View(), s.w, s.h) }

// ShortHelp: scroll and leave.
func (s helpScreen) ShortHelp() []key.Binding {
	k := s.ctx.Keys
	return []key.Binding{k.Down, k.Up, k.Back}
}

// FullHelp is what it shows.
func (s helpScreen) FullHelp() [][]key.Binding {
	out := make([][]key.Binding, len(s.groups))
	for i, g := range s.groups {
		out[i] = g.bindings
	}
	return out
}

// syntaxGroup is the filter's query syntax, from querylang, with its note
// on the parts also asked of the server (the list sends Matcher.Server()).
func syntaxGroup() helpGroup {
	lines := strings.Split(querylang.SyntaxHelp, "\n")
	return helpGroup{title: lines[0], text: lines[1:]}
}

// helpGroups are the keys of a mode, the session actions from the table.
func (m Model) helpGroups(from mode) []helpGroup {
	k := m.ctx.Keys
	program := helpGroup{title: "Program", bindings: []key.Binding{k.Help, k.Back, k.Quit, k.ForceQuit}}
	switch from {
	case modeAgents:
		fh := m.agents.FullHelp()
		return []helpGroup{
			{title: "Move", bindings: fh[0]},
			{title: "Agent", bindings: fh[1]},
			{title: "Find (after " + k.Filter.Help().Key + ")", bindings: fh[2]},
			{title: "Program", bindings: []key.Binding{k.Help, k.ForceQuit}},
		}
	case modeUsage:
		if m.usage != nil {
			fh := m.usage.FullHelp()
			return []helpGroup{
				{title: "Move", bindings: fh[0]},
				{title: "Tables", bindings: fh[1]},
				{title: "Chart", bindings: fh[2]},
				{title: "Rows and program", bindings: append(fh[3], k.Quit, k.ForceQuit)},
			}
		}
	case modeDetail:
		session := append([]key.Binding{k.Edit}, m.actionBindings(inDetail)...)
		full := m.detail.FullHelp()
		return []helpGroup{
			{title: "Transcript", bindings: full[0]},
			{title: "Search", bindings: full[1]},
			{title: "Session", bindings: append(session, k.Undo, k.Redo, k.Reload, k.NextSession, k.PrevSession)},
			program,
		}
	}
	session := append([]key.Binding{k.Open, k.Edit}, m.actionBindings(inList|inMarked)...)
	return []helpGroup{
		{title: "Move", bindings: []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}},
		{title: "Session", bindings: append(session, k.Undo, k.Redo, k.Reload)},
		{title: "Triage", bindings: append([]key.Binding{k.Filter, k.StatusNext, k.StatusPrev}, append(k.Status[:], k.Sort, k.SortReverse, k.Agent, k.Org, k.JumpTo,
			k.Views, viewsHelp(k), k.HideResolved)...)},
		{title: "Marks", bindings: []key.Binding{k.Mark, k.MarkAll, k.BulkTags, k.Usage, k.Pause}},
		{title: "Filter (after " + k.Filter.Help().Key + ")", bindings: []key.Binding{k.FilterKeep, k.FilterClear,
			k.FilterUp, k.FilterDown, k.FilterHistoryPrev, k.FilterHistoryNext}},
		{title: "Edit form", bindings: []key.Binding{k.Save, k.NextField, k.PrevField, k.TitleDone, k.Back,
			k.Toggle, k.PickerUp, k.PickerDown, k.PickerPageUp, k.PickerPageDown}},
		program,
		syntaxGroup(),
	}
}
