package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every binding of the program. Components read the bindings they
// need from it; help views list them. Each field is a [keys] name (see
// keyNames): a binding added here is configurable and checked for
// conflicts, and README must list it (TestREADMEListsEveryBinding).
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Open, Back, Edit, Resolve, Undo, Reload key.Binding
	Redo                                    key.Binding
	Help, Quit, ForceQuit                   key.Binding

	// Triage.
	Filter, StatusNext, StatusPrev, Sort, SortReverse key.Binding
	Mark, MarkAll, BulkTags, Agent, Usage             key.Binding
	Pause, CopyID                                     key.Binding
	Org, JumpTo                                       key.Binding // organisation picker, jump to a session id

	// Saved views (views.go): the picker, F1…F9 for the first nine, and
	// hiding the resolved sessions.
	Views, HideResolved key.Binding
	View                [9]key.Binding

	// Session actions of issue 11 (see sessionActions).
	Pin, Archive, Cancel, Delete, OpenBrowser, CopyJSON key.Binding
	Status                                              [6]key.Binding // the tabs: All, Running, Failed, Completed, Idle, Paused

	// Typing a filter (the list narrows as you type).
	FilterKeep, FilterClear, FilterUp, FilterDown key.Binding
	FilterHistoryPrev, FilterHistoryNext          key.Binding

	// Forms and pickers.
	Save, NextField, PrevField, Toggle, Confirm, Deny  key.Binding
	TitleDone                                          key.Binding // leaves the title for the tags
	PickerUp, PickerDown, PickerPageUp, PickerPageDown key.Binding

	// A typed confirmation (delete): enter checks the word, esc gives up.
	TypedConfirm, TypedCancel key.Binding

	// The quit prompt with saves in flight.
	QuitWait key.Binding
}

// DefaultKeyMap returns the bindings described in the README.
func DefaultKeyMap() *KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return &KeyMap{
		Up:          b([]string{"k", "up"}, "↑/k", "up"),
		Down:        b([]string{"j", "down"}, "↓/j", "down"),
		PageUp:      b([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown:    b([]string{"pgdown", "ctrl+f"}, "pgdn", "page down"),
		Top:         b([]string{"g", "home"}, "g", "top"),
		Bottom:      b([]string{"G", "end"}, "G", "bottom"),
		Open:        b([]string{"enter"}, "enter", "details"),
		Back:        b([]string{"esc"}, "esc", "back"),
		Edit:        b([]string{"e"}, "e", "edit"),
		Resolve:     b([]string{"r"}, "r", "resolve"),
		Undo:        b([]string{"u"}, "u", "undo"),
		Redo:        b([]string{"U"}, "U", "redo"),
		Reload:      b([]string{"ctrl+r"}, "ctrl+r", "reload"),
		Help:        b([]string{"?"}, "?", "help"),
		Quit:        b([]string{"q"}, "q", "quit"),
		ForceQuit:   b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Filter:      b([]string{"/"}, "/", "filter"),
		StatusNext:  b([]string{"tab"}, "tab", "next status"),
		StatusPrev:  b([]string{"shift+tab"}, "shift+tab", "prev status"),
		Sort:        b([]string{"s"}, "s", "sort"),
		SortReverse: b([]string{"S"}, "S", "reverse sort"),
		Mark:        b([]string{" "}, "space", "mark"),
		MarkAll:     b([]string{"V"}, "V", "mark all shown"),
		BulkTags:    b([]string{"t"}, "t", "tag marked"),
		Agent:       b([]string{"a"}, "a", "agent"),
		Usage:       b([]string{"T"}, "T", "token usage"),
		Pause:       b([]string{"p"}, "p", "pause refresh"),
		CopyID:      b([]string{"y"}, "y", "copy id"),
		Org:         b([]string{"O"}, "O", "organisation"),
		JumpTo:      b([]string{":", "ctrl+g"}, ":", "jump to id"),
		CopyJSON:    b([]string{"Y"}, "Y", "copy JSON"),
		Pin:         b([]string{"P"}, "P", "pin/unpin"),
		Archive:     b([]string{"A"}, "A", "archive"),
		Cancel:      b([]string{"C"}, "C", "cancel turn"),
		Delete:      b([]string{"D"}, "D", "delete"),
		OpenBrowser: b([]string{"o"}, "o", "open in browser"),
		Save:        b([]string{"ctrl+s"}, "ctrl+s", "save"),
		NextField:   b([]string{"tab"}, "tab", "next field"),
		PrevField:   b([]string{"shift+tab"}, "shift+tab", "prev field"),
		Toggle:      b([]string{" ", "enter"}, "space/enter", "toggle tag"),
		Confirm:     b([]string{"y"}, "y", "yes"),
		Deny:        b([]string{"n", "esc"}, "n", "no"),
		Status: [6]key.Binding{
			b([]string{"1"}, "1", "All tab"), b([]string{"2"}, "2", "Running tab"), b([]string{"3"}, "3", "Failed tab"),
			b([]string{"4"}, "4", "Completed tab"), b([]string{"5"}, "5", "Idle tab"), b([]string{"6"}, "6", "Paused tab"),
		},
		FilterKeep:        b([]string{"enter"}, "enter", "keep filter"),
		FilterClear:       b([]string{"esc"}, "esc", "clear"),
		FilterUp:          b([]string{"ctrl+p"}, "ctrl+p", "prev match"),
		FilterDown:        b([]string{"ctrl+n"}, "ctrl+n", "next match"),
		FilterHistoryPrev: b([]string{"up"}, "↑", "older query"),
		FilterHistoryNext: b([]string{"down"}, "↓", "newer query"),
		TitleDone:         b([]string{"enter"}, "enter", "to tags"),
		PickerUp:          b([]string{"up", "ctrl+p"}, "↑", "up"),
		PickerDown:        b([]string{"down", "ctrl+n"}, "↓", "down"),
		PickerPageUp:      b([]string{"pgup"}, "pgup", "page up"),
		PickerPageDown:    b([]string{"pgdown"}, "pgdn", "page down"),
		QuitWait:          b([]string{"w"}, "w", "wait for saves"),
		TypedConfirm:      b([]string{"enter"}, "enter", "confirm"),
		TypedCancel:       b([]string{"esc"}, "esc", "cancel"),

		// Saved views.
		Views:        b([]string{"v"}, "v", "saved views"),
		HideResolved: b([]string{"R"}, "R", "hide resolved"),
		View: [9]key.Binding{
			b([]string{"f1"}, "F1", "view 1"), b([]string{"f2"}, "F2", "view 2"), b([]string{"f3"}, "F3", "view 3"),
			b([]string{"f4"}, "F4", "view 4"), b([]string{"f5"}, "F5", "view 5"), b([]string{"f6"}, "F6", "view 6"),
			b([]string{"f7"}, "F7", "view 7"), b([]string{"f8"}, "F8", "view 8"), b([]string{"f9"}, "F9", "view 9"),
		},
	}
}
