package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/tui/detail"
)

// Component is the one shape of the root's components. They are values
// (the model is copied on every message), so Update and SetSize return the
// new one. The root hands each its body rectangle with SetSize once per
// resize and when it opens it; a component never measures the screen or
// subtracts the root's chrome, and never draws outside w x h
// (TestComponentsFitTheirRectangle). Its help.KeyMap is the help of its
// mode; the root adds the session actions and the keys it handles itself.
type Component[T any] interface {
	Update(tea.Msg) (T, tea.Cmd)
	View() string
	SetSize(w, h int) T
	help.KeyMap
}

var (
	_ Component[detail.Model] = detail.Model{}
	_ Component[editForm]     = editForm{}
	_ Component[agentPicker]  = agentPicker{}
)

// ShortHelp of the edit form.
func (f editForm) ShortHelp() []key.Binding {
	k := f.ctx.Keys
	return []key.Binding{k.Save, k.NextField, k.Toggle, k.Back}
}

// FullHelp of the edit form, the tag list's keys included.
func (f editForm) FullHelp() [][]key.Binding {
	k := f.ctx.Keys
	return [][]key.Binding{
		{k.Save, k.NextField, k.PrevField, k.TitleDone, k.Back},
		{k.Toggle, k.PickerUp, k.PickerDown, k.PickerPageUp, k.PickerPageDown},
	}
}

// ShortHelp of the agent picker.
func (p agentPicker) ShortHelp() []key.Binding {
	k := p.ctx.Keys
	return []key.Binding{k.Up, k.Down, k.Open, k.Back}
}

// FullHelp of the agent picker.
func (p agentPicker) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// Update moves the cursor; choosing an agent is the root's (it reloads).
func (p agentPicker) Update(msg tea.Msg) (agentPicker, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return p, nil
	}
	keys := p.ctx.Keys
	switch {
	case keyMatches(k, keys.Up):
		p.win = p.win.Move(-1, len(p.agents))
	case keyMatches(k, keys.Down):
		p.win = p.win.Move(1, len(p.agents))
	}
	return p, nil
}
