// Package picker is the window-and-filter helper every picker and list of
// the program shares: a cursor over n items shown a window at a time, and
// a filter over items that have a label and a filter string.
package picker

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/tui/safetext"
)

// Window is a cursor over n items of which Height show, from Offset.
type Window struct {
	Cursor, Offset, Height int
}

// Clamp keeps the cursor on one of n items and inside the window, moving
// the window as little as possible.
func (w Window) Clamp(n int) Window {
	if n <= 0 {
		w.Cursor, w.Offset = 0, 0
		return w
	}
	h := max(w.Height, 1)
	w.Cursor = min(max(w.Cursor, 0), n-1)
	if w.Cursor < w.Offset {
		w.Offset = w.Cursor
	}
	if w.Cursor >= w.Offset+h {
		w.Offset = w.Cursor - h + 1
	}
	w.Offset = min(max(w.Offset, 0), max(n-h, 0))
	return w
}

// Move moves the cursor by d over n items.
func (w Window) Move(d, n int) Window {
	w.Cursor += d
	return w.Clamp(n)
}

// Visible is the range of item indexes in the window: [from, to).
func (w Window) Visible(n int) (from, to int) {
	return min(w.Offset, n), min(w.Offset+max(w.Height, 1), n)
}

// Item is what a picker lists.
type Item interface {
	Label() string        // shown, already sanitised
	FilterString() string // what a typed filter matches, lower-case
}

// Filter returns the indexes of the items whose filter string holds q
// (matched case-insensitively), in their order; all of them for "".
func Filter[T Item](items []T, q string) []int {
	q = strings.ToLower(strings.TrimSpace(q))
	out := make([]int, 0, len(items))
	for i, it := range items {
		if q == "" || strings.Contains(it.FilterString(), q) {
			out = append(out, i)
		}
	}
	return out
}

// MaxQueryBytes bounds a picker's filter query.
const MaxQueryBytes = 100

// Type applies a key to a picker's filter query: backspace drops the last
// rune; typed runes and space append, made safe for the terminal, while the
// query is under MaxQueryBytes. It reports whether the key changed the query.
func Type(query string, k tea.KeyMsg) (string, bool) {
	switch k.Type {
	case tea.KeyBackspace:
		r := []rune(query)
		if len(r) == 0 {
			return query, false
		}
		return string(r[:len(r)-1]), true
	case tea.KeyRunes, tea.KeySpace:
		if len(query) >= MaxQueryBytes {
			return query, false
		}
		query += safetext.Line(string(k.Runes), MaxQueryBytes)
		if k.Type == tea.KeySpace {
			query += " "
		}
		return query, true
	}
	return query, false
}
