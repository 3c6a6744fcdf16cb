package picker

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestWindowClamp(t *testing.T) {
	cases := []struct {
		in   Window
		n    int
		want Window
	}{
		{Window{Cursor: 5, Offset: 0, Height: 3}, 10, Window{5, 3, 3}},
		{Window{Cursor: 1, Offset: 4, Height: 3}, 10, Window{1, 1, 3}},
		{Window{Cursor: 20, Offset: 0, Height: 3}, 10, Window{9, 7, 3}},
		{Window{Cursor: -2, Offset: 5, Height: 3}, 10, Window{0, 0, 3}},
		{Window{Cursor: 2, Offset: 8, Height: 3}, 4, Window{2, 1, 3}},
		{Window{Cursor: 3, Offset: 3, Height: 0}, 0, Window{0, 0, 0}},
	}
	for _, c := range cases {
		if got := c.in.Clamp(c.n); got != c.want {
			t.Errorf("%+v.Clamp(%d) = %+v, want %+v", c.in, c.n, got, c.want)
		}
	}
	w := Window{Height: 4}
	for range 10 {
		w = w.Move(1, 6)
	}
	if w.Cursor != 5 || w.Offset != 2 {
		t.Fatalf("moved to %+v", w)
	}
	if from, to := w.Visible(6); from != 2 || to != 6 {
		t.Fatalf("visible %d..%d", from, to)
	}
}

type org struct{ name string }

func (o org) Label() string        { return o.name }
func (o org) FilterString() string { return strings.ToLower(o.name) }

func TestFilterIsGeneric(t *testing.T) {
	items := []org{{"Acme"}, {"Globex"}, {"Acme EU"}}
	if got := Filter(items, "acme"); !slices.Equal(got, []int{0, 2}) {
		t.Fatalf("acme: %v", got)
	}
	if got := Filter(items, " "); !slices.Equal(got, []int{0, 1, 2}) {
		t.Fatalf("empty: %v", got)
	}
}

func TestType(t *testing.T) {
	runes := func(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
	cases := []struct {
		query string
		key   tea.KeyMsg
		want  string
		ok    bool
	}{
		{"ab", runes("c"), "abc", true},
		{"ab", tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}, "ab ", true},
		{"café", tea.KeyMsg{Type: tea.KeyBackspace}, "caf", true},
		{"", tea.KeyMsg{Type: tea.KeyBackspace}, "", false},
		{"a", runes("\x1b[31m"), "a", true}, // no escape sequence reaches the query
		{strings.Repeat("x", MaxQueryBytes), runes("y"), strings.Repeat("x", MaxQueryBytes), false},
		{"ab", tea.KeyMsg{Type: tea.KeyEnter}, "ab", false},
	}
	for _, c := range cases {
		got, ok := Type(c.query, c.key)
		if got != c.want || ok != c.ok {
			t.Errorf("Type(%q, %v) = %q, %v; want %q, %v", c.query, c.key, got, ok, c.want, c.ok)
		}
	}
}
