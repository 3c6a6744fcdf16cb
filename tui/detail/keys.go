package detail

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the detail view's bindings. The root fills it from its own key
// map (where every binding, its [keys] name and its default live), so an
// override in the config reaches the view.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	// Searching the transcript: Search opens the input, SearchRun applies
	// it, SearchCancel leaves it; SearchNext and SearchPrev move through
	// the matches; ClearSearch drops an applied search (the root hands it
	// over only then, see Model.SearchActive).
	Search, SearchNext, SearchPrev, SearchRun, SearchCancel, ClearSearch key.Binding
}

// ShortHelp: the keys of the search input while typing, else scrolling.
func (m Model) ShortHelp() []key.Binding {
	k := m.keys
	if k == nil {
		return nil
	}
	if m.search.typing {
		return []key.Binding{k.SearchRun, k.SearchCancel}
	}
	return []key.Binding{k.Up, k.Down}
}

// FullHelp: scrolling, then searching.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	if k == nil {
		return nil
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Search, k.SearchNext, k.SearchPrev, k.SearchRun, k.SearchCancel},
	}
}
