package usageview

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the view's bindings. The root may rebind them (Model.Keys).
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	NextTable, PrevTable                    key.Binding
	SortNext, SortPrev, SortReverse         key.Binding
	Metric, Hourly, Daily, Left, Right      key.Binding
	Open, Close                             key.Binding
	// Help is the host's help key: the view does not act on it, its
	// footer names it (a host rebinding help sets it).
	Help key.Binding
}

// DefaultKeyMap returns the view's default bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Up:          b([]string{"k", "up"}, "↑/k", "up"),
		Down:        b([]string{"j", "down"}, "↓/j", "down"),
		PageUp:      b([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown:    b([]string{"pgdown", "ctrl+f"}, "pgdn", "page down"),
		Top:         b([]string{"g", "home"}, "g", "first row"),
		Bottom:      b([]string{"G", "end"}, "G", "last row"),
		NextTable:   b([]string{"tab"}, "tab", "next table"),
		PrevTable:   b([]string{"shift+tab"}, "shift+tab", "previous table"),
		SortNext:    b([]string{"s"}, "s", "sort by next column"),
		SortPrev:    b([]string{"S"}, "S", "sort by previous column"),
		SortReverse: b([]string{"r"}, "r", "reverse sort"),
		Metric:      b([]string{"c"}, "c", "tokens/cost"),
		Hourly:      b([]string{"h"}, "h", "per hour"),
		Daily:       b([]string{"d"}, "d", "per day"),
		Left:        b([]string{"left"}, "←", "earlier"),
		Right:       b([]string{"right"}, "→", "later"),
		Open:        b([]string{"enter"}, "enter", "narrow list / open session"),
		Close:       b([]string{"esc", "T"}, "esc", "back"),
		Help:        b([]string{"?"}, "?", "help"),
	}
}

// ShortHelp is the one-line help (help.KeyMap): the most used first, in
// words short enough for 80 columns to keep esc and help.
func (m Model) ShortHelp() []key.Binding {
	k := m.Keys
	short := func(b key.Binding, keyText, desc string) key.Binding {
		if keyText == "" {
			keyText = b.Help().Key
		}
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(keyText, desc))
	}
	step := key.NewBinding(key.WithKeys(append(k.Hourly.Keys(), k.Daily.Keys()...)...),
		key.WithHelp(k.Hourly.Help().Key+"/"+k.Daily.Help().Key, "hour/day"))
	return []key.Binding{short(k.NextTable, "", "table"), short(k.Open, "", "narrow/open"), short(k.SortNext, "", "sort"),
		k.Metric, k.Close, step, k.Help}
}

// FullHelp is the help screen's columns (help.KeyMap).
func (m Model) FullHelp() [][]key.Binding {
	k := m.Keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.NextTable, k.PrevTable, k.SortNext, k.SortPrev, k.SortReverse},
		{k.Metric, k.Hourly, k.Daily, k.Left, k.Right},
		{k.Open, k.Close, k.Help},
	}
}
