package tui

import "github.com/everruns/sessions/tui/form"

// formKeys are the edit form's bindings (package form), the root's own, so
// a [keys] override applies there too.
func (m Model) formKeys() form.KeyMap {
	k := m.ctx.Keys
	return form.KeyMap{
		Save: k.Save, NextField: k.NextField, PrevField: k.PrevField, TitleDone: k.TitleDone, Back: k.Back,
		Toggle: k.Toggle, Confirm: k.Confirm, Deny: k.Deny,
		PickerUp: k.PickerUp, PickerDown: k.PickerDown, PickerPageUp: k.PickerPageUp, PickerPageDown: k.PickerPageDown,
	}
}
