package sessionlist

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap is the list's own bindings: moving the cursor. The root fills it
// from its KeyMap, so a [keys] override applies here too; the session
// actions and the root's keys stay the root's.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// ShortHelp is the footer (help.KeyMap).
func (l Model) ShortHelp() []key.Binding { return []key.Binding{l.Keys.Down, l.Keys.Up} }

// FullHelp is every binding (help.KeyMap).
func (l Model) FullHelp() [][]key.Binding {
	k := l.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// HandleKey moves the cursor over rows when k is one of the list's keys,
// and reports whether it was. The rows are the root's (it derives them),
// so they come with the key rather than living in the list.
func (l Model) HandleKey(k tea.KeyMsg, rows []*Row) (Model, bool) {
	keys := l.Keys
	switch {
	case key.Matches(k, keys.Up):
		return l.MoveTo(l.Cursor-1, rows), true
	case key.Matches(k, keys.Down):
		return l.MoveTo(l.Cursor+1, rows), true
	case key.Matches(k, keys.PageUp):
		return l.MoveTo(l.Cursor-l.Height, rows), true
	case key.Matches(k, keys.PageDown):
		return l.MoveTo(l.Cursor+l.Height, rows), true
	case key.Matches(k, keys.Top):
		return l.MoveTo(0, rows), true
	case key.Matches(k, keys.Bottom):
		return l.MoveTo(len(rows)-1, rows), true
	}
	return l, false
}
