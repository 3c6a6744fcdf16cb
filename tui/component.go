package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/tui/agentpicker"
	"github.com/everruns/sessions/tui/form"
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
	_ Component[detailModel]       = detailModel{}
	_ Component[form.Model]        = form.Model{}
	_ Component[agentpicker.Model] = agentpicker.Model{}
)

// ShortHelp: the detail view scrolls its transcript.
func (m detailModel) ShortHelp() []key.Binding {
	k := m.ctx.Keys
	return []key.Binding{k.Up, k.Down}
}

// FullHelp: every scrolling key.
func (m detailModel) FullHelp() [][]key.Binding {
	k := m.ctx.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}
