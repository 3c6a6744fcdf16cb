package tui

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/everruns/sessions/apiclient/apitest"
)

// A structured query filters by status, tokens and tags; a mistake in it is
// shown under the input (never a dialog) and the rest still applies.
func TestProgramQueryProblemInline(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	p.press("/")
	p.typeText("status:idle tokens:>abc")
	s := p.waitView("tokens: use >100k, <5000")
	m := p.finish()
	if m.mode != modeFilter || len(m.view.rows) == 0 {
		t.Fatalf("mode %v, %d rows", m.mode, len(m.view.rows))
	}
	for _, r := range m.view.rows {
		if r.Subject().Activity != "idle" && r.Subject().Status != "idle" {
			t.Fatalf("status:idle kept %s (%s/%s)", r.ID, r.Subject().Status, r.Subject().Activity)
		}
	}
	if strings.Count(s.view, "\n") != 23 {
		t.Fatalf("the problem line changed the layout:\n%s", s.view)
	}
	progCheckFrame(t, s.view, 80, 24)
}

func TestProgramQueryProblemGolden(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	p.press("/")
	p.typeText("status:idle tokens:>abc")
	p.waitView("tokens: use >100k, <5000")
	p.golden()
}

// Queries kept with enter or cleared with esc come back with ↑, newest
// first; ↓ past the newest gives back what was being typed.
func TestUpdateQueryHistory(t *testing.T) {
	m, _ := unitModel(t)
	m = unitKeys(t, m, "/", "s", "t", "a", "t", "u", "s", ":", "i", "d", "l", "e", "enter")
	m = unitKeys(t, m, "esc", "/", "c", "a", "f", "é", "esc")
	m = unitKeys(t, m, "/", "x")
	m = unitKeys(t, m, "up")
	if m.filter.Value() != "café" || m.spec.q.Raw != "café" {
		t.Fatalf("↑ recalled %q (query %q)", m.filter.Value(), m.spec.q.Raw)
	}
	m = unitKeys(t, m, "up")
	if m.filter.Value() != "status:idle" {
		t.Fatalf("↑↑ recalled %q", m.filter.Value())
	}
	m = unitKeys(t, m, "up") // nothing older: stays
	if m.filter.Value() != "status:idle" {
		t.Fatalf("↑↑↑ recalled %q", m.filter.Value())
	}
	for _, r := range m.view.rows {
		if r.Subject().Activity != "idle" && r.Subject().Status != "idle" {
			t.Fatalf("recalled query not applied: %s is %s", r.ID, r.Subject().Status)
		}
	}
	m = unitKeys(t, m, "down", "down")
	if m.filter.Value() != "x" {
		t.Fatalf("↓ past the newest gave %q, want the draft", m.filter.Value())
	}
}

// Words never match inside ids; tags and statuses have qualifiers.
func TestUpdateQueryQualifiers(t *testing.T) {
	m, _ := unitModel(t)
	var tag string
	for _, r := range m.st.rows() {
		if len(r.Subject().Tags) > 0 {
			tag = r.Subject().Tags[0]
			break
		}
	}
	if tag == "" {
		t.Fatal("fixture has no tags")
	}
	m = unitKeys(t, m, "/")
	for _, c := range "tag:" + tag {
		m = unitKeys(t, m, string(c))
	}
	if len(m.view.rows) == 0 {
		t.Fatalf("tag:%s matched nothing", tag)
	}
	for _, r := range m.view.rows {
		if !slices.Contains(r.Subject().Tags, tag) {
			t.Fatalf("tag:%s kept %s with %v", tag, r.ID, r.Subject().Tags)
		}
	}
	m = unitKeys(t, m, "esc", "/", "t", "a", "g", ":", "n", "o", "n", "e")
	for _, r := range m.view.rows {
		if len(r.Subject().Tags) != 0 {
			t.Fatalf("tag:none kept %s with %v", r.ID, r.Subject().Tags)
		}
	}
	id := m.st.rows()[0].S.ID
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, id)
	if len(digits) >= 4 {
		m = unitKeys(t, m, "esc", "/")
		for _, c := range digits[:4] {
			m = unitKeys(t, m, string(c))
		}
		for _, r := range m.view.rows {
			if strings.Contains(r.Subject().Text, digits[:4]) {
				continue
			}
			t.Fatalf("digits %q matched %s without being in its text", digits[:4], r.ID)
		}
	}
}

// Switching the status tab puts the cursor on the first row.
func TestUpdateTabSwitchGoesToFirstRow(t *testing.T) {
	m, _ := unitModel(t)
	m = unitKeys(t, m, "j", "j", "j")
	if m.list.Cursor != 3 {
		t.Fatalf("cursor %d", m.list.Cursor)
	}
	for _, k := range []string{"tab", "shift+tab", "3", "1"} {
		m = unitKeys(t, m, "j", "j", k)
		if m.list.Cursor != 0 || m.list.Offset != 0 {
			t.Fatalf("after %s the cursor is on row %d (offset %d)", k, m.list.Cursor, m.list.Offset)
		}
		if len(m.view.rows) > 0 && m.selected() != m.view.rows[0] {
			t.Fatalf("after %s the selection is not the first row", k)
		}
	}
}

// The footer keeps "? help" at 80 columns in every mode that has it.
func TestFooterKeepsHelp(t *testing.T) {
	m, _ := unitModel(t)
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, keys := range [][]string{nil, {"enter"}} { // the list, the detail view
		m = unitKeys(t, m, keys...)
		lines := strings.Split(m.View(), "\n")
		if last := ansi.Strip(lines[len(lines)-1]); !strings.Contains(last, "? help") {
			t.Fatalf("mode %v footer %q lacks ? help", m.mode, last)
		}
	}
}
