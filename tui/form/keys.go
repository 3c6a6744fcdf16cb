package form

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the form's bindings. The root fills it from its own KeyMap, so
// a [keys] override applies here too; DefaultKeyMap is for tests and
// programs without one.
type KeyMap struct {
	Save, NextField, PrevField, TitleDone, Back        key.Binding
	Toggle, Confirm, Deny                              key.Binding
	PickerUp, PickerDown, PickerPageUp, PickerPageDown key.Binding
}

// DefaultKeyMap returns the form's default bindings (those of the README).
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Save:           b([]string{"ctrl+s"}, "ctrl+s", "save"),
		NextField:      b([]string{"tab"}, "tab", "next field"),
		PrevField:      b([]string{"shift+tab"}, "shift+tab", "prev field"),
		TitleDone:      b([]string{"enter"}, "enter", "to tags"),
		Back:           b([]string{"esc"}, "esc", "back"),
		Toggle:         b([]string{" ", "enter"}, "space/enter", "toggle tag"),
		Confirm:        b([]string{"y"}, "y", "yes"),
		Deny:           b([]string{"n", "esc"}, "n", "no"),
		PickerUp:       b([]string{"up", "ctrl+p"}, "↑", "up"),
		PickerDown:     b([]string{"down", "ctrl+n"}, "↓", "down"),
		PickerPageUp:   b([]string{"pgup"}, "pgup", "page up"),
		PickerPageDown: b([]string{"pgdown"}, "pgdn", "page down"),
	}
}

// ShortHelp of the form (help.KeyMap).
func (f Model) ShortHelp() []key.Binding {
	k := f.keys
	return []key.Binding{k.Save, k.NextField, k.Toggle, k.Back}
}

// FullHelp of the form, the tag list's keys included (help.KeyMap).
func (f Model) FullHelp() [][]key.Binding {
	k := f.keys
	return [][]key.Binding{
		{k.Save, k.NextField, k.PrevField, k.TitleDone, k.Back},
		{k.Toggle, k.PickerUp, k.PickerDown, k.PickerPageUp, k.PickerPageDown},
	}
}
