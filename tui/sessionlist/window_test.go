package sessionlist

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/safetext"
)

var _ help.KeyMap = Model{}

func testKeys() KeyMap {
	b := func(k string) key.Binding { return key.NewBinding(key.WithKeys(k)) }
	return KeyMap{Up: b("k"), Down: b("j"), PageUp: b("pgup"), PageDown: b("pgdown"), Top: b("g"), Bottom: b("G")}
}

func testWindowRows(n int) []*Row {
	rows := make([]*Row, n)
	for i := range rows {
		rows[i] = NewRow(apiclient.Session{ID: fmt.Sprintf("s%03d", i), Title: new(fmt.Sprintf("session %d", i))})
	}
	return rows
}

// The list moves its cursor with its own keys, keeps it in the window and
// leaves other keys to the root.
func TestHandleKeyMovesWithinTheWindow(t *testing.T) {
	rows := testWindowRows(50)
	l := New(testKeys(), 80).SetSize(80, 10).Clamp(len(rows))
	press := func(s string) bool {
		var ok bool
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
		if s == "pgdown" {
			msg = tea.KeyMsg{Type: tea.KeyPgDown}
		}
		l, ok = l.HandleKey(msg, rows)
		return ok
	}
	steps := []struct {
		key            string
		cursor, offset int
	}{{"j", 1, 0}, {"pgdown", 11, 2}, {"G", 49, 40}, {"k", 48, 40}, {"g", 0, 0}}
	for _, s := range steps {
		if !press(s.key) {
			t.Fatalf("%s not handled", s.key)
		}
		if l.Cursor != s.cursor || l.Offset != s.offset || l.SelectedID != rows[s.cursor].S.ID {
			t.Fatalf("after %s: cursor %d offset %d selected %q, want %d %d %q", s.key, l.Cursor, l.Offset, l.SelectedID, s.cursor, s.offset, rows[s.cursor].S.ID)
		}
	}
	if press("x") {
		t.Fatal("x is not the list's key")
	}
}

// View draws Height lines of Width cells from the window only, whatever
// the number of rows, and asks Fresh only for the rows it draws.
func TestViewDrawsTheWindow(t *testing.T) {
	rows := testWindowRows(1000)
	l := New(testKeys(), 60).SetSize(60, 5).Clamp(len(rows)).MoveTo(500, rows)
	asked := 0
	d := Decor{Fresh: func(r *Row) *Row { asked++; return r }}
	out := l.View(NewStyleKit(theme.New(theme.Dark, true)), time.Unix(0, 0), rows, d)
	lines := strings.Split(out, "\n")
	if len(lines) != 5 || asked != 5 {
		t.Fatalf("%d lines, %d rows asked; want 5 and 5", len(lines), asked)
	}
	if !strings.Contains(lines[len(lines)-1], "▸") || !strings.Contains(lines[len(lines)-1], "session 500") {
		t.Fatalf("the cursor's row is not last: %q", out)
	}
}

// Every line View draws is exactly Width cells, whatever the rows hold and
// however many columns are configured: the root lays the lines beside the
// preview without measuring them again. Rows that do not fit their cells
// (wide, combining or emoji text, running rows with a frame, the cursor,
// marks) and layouts wider than the list (every column in 40 cells) are
// the cases that could break it.
func TestLinesAreExactlyTheListWidth(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	rows := testWindowRows(6)
	titles := []string{"日本語のタイトルがとても長い場合の表示", "e\u0301te\u0301 cafe\u0301 ☕ 👩‍👩‍👧", strings.Repeat("wide ", 60), ""}
	for i, title := range titles {
		s := rows[i].S
		s.Title = new(title)
		s.Tags = []string{"日本", "tag with space", "resolved"}
		s.Activity = "running"
		rows[i] = NewRow(s)
	}
	all := make([]ColKind, 0, ColKinds)
	for k := range ColKinds {
		all = append(all, k)
	}
	k := NewStyleKit(theme.New(theme.Dark, true))
	for _, order := range [][]ColKind{nil, all, {ColTitle}, {ColTokens, ColCost}} {
		for _, width := range []int{20, 40, 79, 96, 200} {
			for _, height := range []int{1, 3, 10} {
				l := New(testKeys(), width).SetSize(width, height).Clamp(len(rows)).MoveTo(1, rows)
				d := Decor{Order: order, Frame: "⠋", Marked: func(id string) bool { return id == "s002" }, Lines: map[LineKey]string{}}
				for pass := range 2 { // the second pass draws from the memo
					lines := l.Lines(k, now, rows, d)
					if len(lines) != height {
						t.Fatalf("order %v width %d height %d pass %d: %d lines", order, width, height, pass, len(lines))
					}
					for i, line := range lines {
						if got := safetext.Width(line); got != width {
							t.Fatalf("order %v width %d height %d pass %d: line %d is %d cells: %q", order, width, height, pass, i, got, line)
						}
					}
					if v := l.View(k, now, rows, d); v != strings.Join(lines, "\n") {
						t.Fatalf("View is not the lines joined")
					}
				}
			}
		}
	}
}
