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
