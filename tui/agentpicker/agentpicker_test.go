package agentpicker

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/everruns/sessions/theme"
)

var testTheme = theme.New(theme.Dark, true)

// keyMsg is the key message a terminal sends for a key name.
func keyMsg(k string) tea.KeyMsg {
	types := map[string]tea.KeyType{
		"esc": tea.KeyEsc, "enter": tea.KeyEnter, "up": tea.KeyUp, "down": tea.KeyDown,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace, "ctrl+n": tea.KeyCtrlN, "ctrl+p": tea.KeyCtrlP,
	}
	if t, ok := types[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// press sends the keys and returns the picker and the messages it emitted.
func press(t *testing.T, p Model, keys ...string) (Model, []tea.Msg) {
	t.Helper()
	var out []tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		p, cmd = p.Update(keyMsg(k))
		if cmd != nil {
			if msg := cmd(); msg != nil {
				out = append(out, msg)
			}
		}
	}
	return p, out
}

// typeText types s one rune at a time.
func typeText(t *testing.T, p Model, s string) Model {
	t.Helper()
	for _, r := range s {
		p, _ = press(t, p, string(r))
	}
	return p
}

// testAgents: ops-bot has most sessions, then billing, then 30 small ones.
func testAgents() []Agent {
	out := []Agent{
		{ID: "agt_ops", Label: "Ops Bot", N: 40},
		{ID: "agt_bill", Label: "Billing helper", N: 12},
		{ID: "agt_unnamed_7f3a", Label: "agt_unnamed_7f3a", N: 0},
	}
	for i := range 30 {
		out = append(out, Agent{ID: fmt.Sprintf("agt_%02d", i), Label: fmt.Sprintf("Worker %02d", i), N: 1})
	}
	return out
}

func newTest(t *testing.T, current string, w, h int) Model {
	t.Helper()
	return New(testTheme, DefaultKeyMap(), testAgents(), 82, current).SetSize(w, h)
}

// cursorLabel is the label under the cursor.
func cursorLabel(p Model) string {
	_, label, _ := p.Cursor()
	return label
}

// shownLabels is the labels the filter lets through, in order.
func shownLabels(p Model) []string {
	var out []string
	for _, ix := range p.shown {
		out = append(out, p.items[ix].label)
	}
	return out
}

func TestOrderAndCursorOnCurrent(t *testing.T) {
	p := newTest(t, "", 80, 20)
	got := shownLabels(p)[:4]
	if want := []string{"all agents", "Ops Bot", "Billing helper", "Worker 00"}; !slices.Equal(got, want) {
		t.Fatalf("order %q, want %q (all, then most sessions first, then by name)", got, want)
	}
	if cursorLabel(p) != "all agents" {
		t.Fatalf("cursor on %q with no agent chosen", cursorLabel(p))
	}
	if p = newTest(t, "agt_bill", 80, 20); cursorLabel(p) != "Billing helper" {
		t.Fatalf("cursor on %q, want the agent listed now", cursorLabel(p))
	}
	if v := ansi.Strip(p.View()); !strings.Contains(v, "✓ Billing helper") {
		t.Fatalf("the agent listed now is not ticked:\n%s", v)
	}
}

// Typing (after /) narrows the list on every key, over display names and
// ids alike, and puts the cursor on the first match.
func TestTypingFilters(t *testing.T) {
	p := newTest(t, "", 80, 20)
	p, _ = press(t, p, "j", "j") // on Billing helper
	p, _ = press(t, p, "/")
	if !p.Typing() {
		t.Fatal("/ did not start the filter")
	}
	p = typeText(t, p, "w")
	if n := len(p.shown); n != 30 {
		t.Fatalf("w: %d shown, want the 30 workers: %q", n, shownLabels(p))
	}
	if cursorLabel(p) != "Worker 00" {
		t.Fatalf("cursor on %q after typing, want the first match", cursorLabel(p))
	}
	p = typeText(t, p, "orker 1")
	if got := shownLabels(p); len(got) != 10 || got[0] != "Worker 10" {
		t.Fatalf("worker 1: %q", got)
	}
	// Letters are text while typing: j, k, g and G do not move.
	p, _ = press(t, p, "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
	p = typeText(t, p, "7f3a")
	if got := shownLabels(p); !slices.Equal(got, []string{"agt_unnamed_7f3a"}) {
		t.Fatalf("by id: %q", got)
	}
	p, _ = press(t, p, "backspace", "backspace", "backspace", "backspace")
	p = typeText(t, p, "agt_ops")
	if got := shownLabels(p); !slices.Equal(got, []string{"Ops Bot"}) {
		t.Fatalf("the id of a named agent: %q", got)
	}
	if p.Query() != "agt_ops" {
		t.Fatalf("query %q", p.Query())
	}
	p = typeText(t, p, "zz")
	if len(p.shown) != 0 || !strings.Contains(ansi.Strip(p.View()), "no agent matches") {
		t.Fatalf("no match not said:\n%s", ansi.Strip(p.View()))
	}
	if _, msgs := press(t, p, "enter"); len(msgs) != 0 {
		t.Fatalf("enter with nothing matching emitted %#v", msgs)
	}
	// esc clears the filter and goes back to browsing; esc again closes.
	p, msgs := press(t, p, "esc")
	if p.Typing() || p.Query() != "" || len(p.shown) != 34 || len(msgs) != 0 {
		t.Fatalf("esc: typing %v query %q shown %d msgs %#v", p.Typing(), p.Query(), len(p.shown), msgs)
	}
	if _, msgs = press(t, p, "esc"); !slices.Equal(msgs, []tea.Msg{ClosedMsg{}}) {
		t.Fatalf("esc while browsing: %#v", msgs)
	}
}

// Control characters typed or pasted into the filter never reach the
// screen.
func TestFilterDropsControls(t *testing.T) {
	p := newTest(t, "", 80, 20)
	p, _ = press(t, p, "/")
	p, _ = p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ops\x1b[2J\u202e"), Paste: true})
	if strings.ContainsAny(p.Query(), "\x1b\u202e") || strings.ContainsAny(p.View(), "\x1b\u202e") {
		t.Fatalf("query %q", p.Query())
	}
}

// g/G, pgup/pgdn and j/k browse; the window follows the cursor.
func TestBrowseKeys(t *testing.T) {
	p := newTest(t, "", 80, 12) // 10 rows of agents
	p, _ = press(t, p, "G")
	if cursorLabel(p) != "agt_unnamed_7f3a" {
		t.Fatalf("G: cursor on %q, want the last agent", cursorLabel(p))
	}
	if v := ansi.Strip(p.View()); !strings.Contains(v, "› ") || !strings.Contains(v, "agt_unnamed_7f3a") {
		t.Fatalf("the cursor row is not on screen after G:\n%s", v)
	}
	p, _ = press(t, p, "g")
	if cursorLabel(p) != "all agents" {
		t.Fatalf("g: cursor on %q", cursorLabel(p))
	}
	p, _ = press(t, p, "pgdown")
	if p.win.Cursor != 9 {
		t.Fatalf("pgdn: cursor %d, want 9 (a page is the window less one row)", p.win.Cursor)
	}
	p, _ = press(t, p, "pgdown", "pgup")
	if p.win.Cursor != 9 {
		t.Fatalf("pgdn pgup: cursor %d", p.win.Cursor)
	}
	p, _ = press(t, p, "k", "k", "j")
	if p.win.Cursor != 8 {
		t.Fatalf("k k j: cursor %d", p.win.Cursor)
	}
	// While typing the arrows, ctrl+n/p and pgup/pgdn move.
	p, _ = press(t, p, "/", "down", "ctrl+n", "pgdown", "up")
	if !p.Typing() || p.win.Cursor != 18 { // 8 +1 +1 +9 -1
		t.Fatalf("typing moves: cursor %d typing %v", p.win.Cursor, p.Typing())
	}
}

// The cursor shows without colour: "›" before its row, on no other.
func TestCursorWithoutColour(t *testing.T) {
	p := newTest(t, "", 80, 12)
	p, _ = press(t, p, "j")
	v := ansi.Strip(p.View())
	if strings.Count(v, "›") != 1 {
		t.Fatalf("want one cursor mark:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if strings.HasPrefix(l, "›") && !strings.Contains(l, "Ops Bot") {
			t.Fatalf("cursor mark on %q, want Ops Bot", l)
		}
	}
}

// enter emits the agent under the cursor, from browsing or while typing.
func TestEnterEmitsChosenAgent(t *testing.T) {
	p := newTest(t, "", 80, 20)
	if _, msgs := press(t, p, "j", "enter"); !slices.Equal(msgs, []tea.Msg{ChosenMsg{ID: "agt_ops", Label: "Ops Bot"}}) {
		t.Fatalf("j enter: %#v", msgs)
	}
	if _, msgs := press(t, p, "enter"); !slices.Equal(msgs, []tea.Msg{ChosenMsg{ID: "", Label: "all agents"}}) {
		t.Fatalf("enter on all agents: %#v", msgs)
	}
	p, _ = press(t, p, "/")
	p = typeText(t, p, "bill")
	if _, msgs := press(t, p, "enter"); !slices.Equal(msgs, []tea.Msg{ChosenMsg{ID: "agt_bill", Label: "Billing helper"}}) {
		t.Fatalf("typed bill, enter: %#v", msgs)
	}
	if _, msgs := press(t, newTest(t, "", 80, 20), "a"); !slices.Equal(msgs, []tea.Msg{ClosedMsg{}}) {
		t.Fatalf("a closes: %#v", msgs)
	}
}

// Its own footer: enter says what it does here.
func TestShortHelp(t *testing.T) {
	p := newTest(t, "", 80, 20)
	var parts []string
	for _, b := range p.ShortHelp() {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	if got := strings.Join(parts, " · "); !strings.Contains(got, "enter filter by agent") || strings.Contains(got, "details") {
		t.Fatalf("footer %q", got)
	}
	p, _ = press(t, p, "/")
	if got := p.ShortHelp(); got[len(got)-1].Help().Desc != "clear" {
		t.Fatalf("typing footer ends with %q", got[len(got)-1].Help().Desc)
	}
}

func TestViewFits(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {40, 10}, {10, 3}, {1, 1}} {
		p := newTest(t, "agt_ops", size[0], size[1])
		for _, q := range []string{"", "/", "/w"} {
			p := p
			if q != "" {
				p = typeText(t, p, q)
			}
			lines := strings.Split(p.View(), "\n")
			if len(lines) != size[1] {
				t.Errorf("%dx%d %q: %d lines", size[0], size[1], q, len(lines))
			}
			for _, l := range lines {
				if lipgloss.Width(l) > size[0] {
					t.Errorf("%dx%d %q: %q too wide", size[0], size[1], q, l)
				}
			}
		}
	}
}
