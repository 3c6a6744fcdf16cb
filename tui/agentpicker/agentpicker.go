// Package agentpicker chooses the agent whose sessions the list shows. The
// choice goes to the API as agent_id, so the server does the filtering;
// the picker only says which agent was chosen (ChosenMsg) or that it was
// closed (ClosedMsg). It browses like a list (j/k, g/G, pgup/pgdn) and,
// after /, filters as you type over display names and ids.
package agentpicker

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/picker"
	"github.com/everruns/sessions/tui/safetext"
)

// Messages the picker emits.
type (
	// ChosenMsg is the agent chosen with enter; ID "" is every agent.
	ChosenMsg struct{ ID, Label string }
	// ClosedMsg closes the picker without a choice.
	ClosedMsg struct{}
)

// Agent is one agent the picker offers.
type Agent struct {
	ID    string // "" never: the picker adds "all agents" itself
	Label string // the display name, sanitised; the id when unknown
	N     int    // loaded sessions of the agent
}

// maxQueryBytes bounds what the filter keeps; agent names are short.
const maxQueryBytes = 100

// item is an entry of the list: "all agents" first, then the agents.
type item struct {
	id, label string
	n         int
	filter    string // lower-cased label and id
}

func (it item) Label() string        { return it.label }
func (it item) FilterString() string { return it.filter }

// Model is the agent picker.
type Model struct {
	theme   *theme.Theme
	keys    *KeyMap // never changed
	items   []item
	shown   []int // indexes of items matching the filter
	win     picker.Window
	input   textinput.Model
	typing  bool   // the filter input has the keyboard
	current string // the agent listed now, "" for all
	w, h    int
}

// New lists agents by loaded sessions (most first, then by name), after
// "all agents" with total sessions; the cursor starts on current. It is
// 80x24 until SetSize.
func New(t *theme.Theme, keys KeyMap, agents []Agent, total int, current string) Model {
	p := Model{theme: t, keys: &keys, current: current}
	sorted := append([]Agent(nil), agents...)
	sort.Slice(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.N != b.N {
			return a.N > b.N
		}
		if a.Label != b.Label {
			return a.Label < b.Label
		}
		return a.ID < b.ID
	})
	p.items = make([]item, 0, len(sorted)+1)
	p.items = append(p.items, item{label: "all agents", n: total, filter: "all agents"})
	for _, a := range sorted {
		p.items = append(p.items, item{id: a.ID, label: a.Label, n: a.N,
			filter: strings.ToLower(a.Label + " " + a.ID)})
	}
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "name or id"
	ti.CharLimit = maxQueryBytes
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.PromptStyle = t.PickerCursor
	ti.TextStyle = t.Value
	ti.PlaceholderStyle = t.FormHint
	ti.Cursor.Style = t.PickerCursor
	ti.Cursor.TextStyle = t.Value
	p.input = ti
	p = p.refilter()
	for i, ix := range p.shown {
		if p.items[ix].id == current {
			p.win.Cursor = i
		}
	}
	return p.SetSize(80, 24)
}

// SetSize hands the picker its rectangle: a title line, the filter line
// and the agents.
func (p Model) SetSize(w, h int) Model {
	p.w, p.h = max(w, 1), max(h, 1)
	p.win.Height = max(h-2, 1)
	p.win = p.win.Clamp(len(p.shown))
	p.input.Width = max(p.w-safetext.Width(p.input.Prompt)-1, 1)
	return p
}

// Typing reports whether keys go to the filter: the root's own letter keys
// must then stay out of the way.
func (p Model) Typing() bool { return p.typing }

// Query is the filter as typed.
func (p Model) Query() string { return p.input.Value() }

// Cursor is the agent under the cursor: its id ("" for all agents) and
// label; ok is false when nothing matches the filter.
func (p Model) Cursor() (id, label string, ok bool) {
	if p.win.Cursor < 0 || p.win.Cursor >= len(p.shown) {
		return "", "", false
	}
	it := p.items[p.shown[p.win.Cursor]]
	return it.id, it.label, true
}

func (p Model) refilter() Model {
	p.shown = picker.Filter(p.items, p.input.Value())
	p.win = p.win.Clamp(len(p.shown))
	return p
}

func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Update moves the cursor, edits the filter, and emits ChosenMsg on enter
// and ClosedMsg on esc.
func (p Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		if p.typing { // a paste, a cursor message
			return p.toInput(msg)
		}
		return p, nil
	}
	keys := p.keys
	n := len(p.shown)
	page := max(p.win.Height-1, 1)
	if p.typing {
		switch {
		case key.Matches(k, keys.Choose):
			return p.choose()
		case key.Matches(k, keys.FilterClear):
			p.typing = false
			p.input.Blur()
			p.input.SetValue("")
			p = p.refilter()
		case key.Matches(k, keys.FilterUp):
			p.win = p.win.Move(-1, n)
		case key.Matches(k, keys.FilterDown):
			p.win = p.win.Move(1, n)
		case key.Matches(k, keys.FilterPageUp):
			p.win = p.win.Move(-page, n)
		case key.Matches(k, keys.FilterPageDown):
			p.win = p.win.Move(page, n)
		default:
			return p.toInput(k)
		}
		return p, nil
	}
	switch {
	case key.Matches(k, keys.Choose):
		return p.choose()
	case key.Matches(k, keys.Close):
		return p, emit(ClosedMsg{})
	case key.Matches(k, keys.Filter):
		p.typing = true
		p.input.Focus()
	case key.Matches(k, keys.Up):
		p.win = p.win.Move(-1, n)
	case key.Matches(k, keys.Down):
		p.win = p.win.Move(1, n)
	case key.Matches(k, keys.PageUp):
		p.win = p.win.Move(-page, n)
	case key.Matches(k, keys.PageDown):
		p.win = p.win.Move(page, n)
	case key.Matches(k, keys.Top):
		p.win = p.win.Move(-n, n)
	case key.Matches(k, keys.Bottom):
		p.win = p.win.Move(n, n)
	}
	return p, nil
}

// toInput types into the filter; a new filter puts the cursor on the first
// match, so enter picks the best one whatever was highlighted before.
func (p Model) toInput(msg tea.Msg) (Model, tea.Cmd) {
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if v := p.input.Value(); clean(v) != v {
		// Nothing typed or pasted reaches the screen as a control sequence.
		pos := p.input.Position()
		p.input.SetValue(clean(v))
		p.input.SetCursor(pos)
	}
	if p.input.Value() != before {
		p.win.Cursor, p.win.Offset = 0, 0
		p = p.refilter()
	}
	return p, cmd
}

// clean keeps of a typed filter what shows as itself: no controls, no
// invisible characters, no whitespace but plain spaces.
func clean(v string) string {
	return strings.Map(func(r rune) rune {
		if r != ' ' && (unicode.IsSpace(r) || safetext.IsInvisible(r) || safetext.Line(string(r), 0) != string(r)) {
			return -1
		}
		return r
	}, v)
}

func (p Model) choose() (Model, tea.Cmd) {
	id, label, ok := p.Cursor()
	if !ok {
		return p, nil // nothing matches: enter does nothing
	}
	return p, emit(ChosenMsg{ID: id, Label: label})
}

// View is the title, the filter line and a window of agents: at most w x h.
// The cursor row is marked with "›", so it shows without colour too.
func (p Model) View() string {
	t := p.theme
	lines := []string{t.PaneTitle.Render("Agent") + t.Muted.Render("  lists only this agent's sessions (the API's agent_id)")}
	switch {
	case p.typing:
		lines = append(lines, p.input.View())
	case p.input.Value() != "":
		lines = append(lines, t.Muted.Render("/ "+p.input.Value()))
	default:
		lines = append(lines, t.Muted.Render(safetext.Truncate(p.keys.Filter.Help().Key+" to filter by name or id", p.w)))
	}
	if len(p.shown) == 0 {
		lines = append(lines, t.Muted.Render("  no agent matches"))
	}
	from, to := p.win.Visible(len(p.shown))
	for i := from; i < to; i++ {
		it := p.items[p.shown[i]]
		lead := "  "
		if i == p.win.Cursor {
			lead = t.PickerCursor.Render("›") + " "
		}
		cur := "  "
		if it.id == p.current {
			cur = "✓ "
		}
		text := safetext.Pad(it.label, max(p.w-24, 10)) + fmt.Sprintf(" %8d", it.n)
		if i == p.win.Cursor {
			text = t.RowSelected.Render(text)
		}
		lines = append(lines, lead+cur+text)
	}
	return safetext.Fit(strings.Join(lines, "\n"), p.w, p.h)
}
