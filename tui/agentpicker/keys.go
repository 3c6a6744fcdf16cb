package agentpicker

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the picker's bindings. The root fills it from its own KeyMap,
// so a [keys] override applies here too.
type KeyMap struct {
	// Browsing.
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Choose, Close, Filter                   key.Binding
	// While typing the filter (letters are text then).
	FilterUp, FilterDown, FilterPageUp, FilterPageDown, FilterClear key.Binding
}

// DefaultKeyMap returns the picker's default bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Up:             b([]string{"k", "up"}, "↑/k", "up"),
		Down:           b([]string{"j", "down"}, "↓/j", "down"),
		PageUp:         b([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown:       b([]string{"pgdown", "ctrl+f"}, "pgdn", "page down"),
		Top:            b([]string{"g", "home"}, "g", "top"),
		Bottom:         b([]string{"G", "end"}, "G", "bottom"),
		Choose:         b([]string{"enter"}, "enter", "filter by agent"),
		Close:          b([]string{"esc", "a"}, "esc", "back"),
		Filter:         b([]string{"/"}, "/", "find"),
		FilterUp:       b([]string{"up", "ctrl+p"}, "↑", "up"),
		FilterDown:     b([]string{"down", "ctrl+n"}, "↓", "down"),
		FilterPageUp:   b([]string{"pgup"}, "pgup", "page up"),
		FilterPageDown: b([]string{"pgdown"}, "pgdn", "page down"),
		FilterClear:    b([]string{"esc"}, "esc", "clear"),
	}
}

// ShortHelp is the footer (help.KeyMap): the picker's own keys, by state.
func (p Model) ShortHelp() []key.Binding {
	k := p.keys
	if p.typing {
		return []key.Binding{k.FilterUp, k.FilterDown, k.Choose, k.FilterClear}
	}
	return []key.Binding{k.Down, k.Up, k.Filter, k.Choose, k.Close}
}

// FullHelp is every binding (help.KeyMap).
func (p Model) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Filter, k.Choose, k.Close},
		{k.FilterUp, k.FilterDown, k.FilterPageUp, k.FilterPageDown, k.FilterClear},
	}
}
