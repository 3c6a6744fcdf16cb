package detail

import (
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/live"
	"github.com/muesli/termenv"
)

// searchMessages hold "login" four times in three messages, in any case,
// twice on one line; "logout" once.
func searchMessages() []apiclient.Message {
	text := func(seq int, s string) apiclient.Message {
		return apiclient.Message{Sequence: seq, Role: apiclient.RoleUser, CreatedAt: detailTestNow,
			Content: []apiclient.ContentPart{{Type: "text", Text: s}}}
	}
	return []apiclient.Message{
		text(1, "Login failed for bob"),
		text(2, "nothing to see"),
		text(3, "try login again"),
		text(4, "LOGIN LOGIN then logout"),
	}
}

func openSearchable(t *testing.T, w, h int) Model {
	t.Helper()
	s := detailTestSession()
	return detailOpen(t, detailTestCtx(w, h), s, searchMessages())
}

// runQuery types q into the search input and presses enter.
func runQuery(t *testing.T, m Model, q string) Model {
	t.Helper()
	m = press(t, m, "/")
	if !m.Searching() {
		t.Fatalf("/ did not open the search input")
	}
	for _, r := range q {
		m = press(t, m, string(r))
	}
	return press(t, m, "enter")
}

func TestSearchCountsAndWraps(t *testing.T) {
	m := runQuery(t, openSearchable(t, 80, 24), "login")
	if m.Searching() || !m.SearchActive() {
		t.Fatalf("enter: searching %v, active %v", m.Searching(), m.SearchActive())
	}
	cur, n := m.Matches()
	if n != 4 {
		t.Fatalf("%d matches of login, want 4", n)
	}
	if !strings.Contains(m.View(), "match "+strconv.Itoa(cur)+"/4") {
		t.Errorf("no match count in the view:\n%s", m.View())
	}
	// From match 1, n walks 2, 3, 4 and wraps to 1; N wraps back to 4.
	m = press(t, m, "g") // the top: the search starts at the first match
	m = runQuery(t, m, "login")
	want := []int{1, 2, 3, 4, 1}
	for i, w := range want {
		if i > 0 {
			m = press(t, m, "n")
		}
		if cur, _ := m.Matches(); cur != w {
			t.Fatalf("after %d n: match %d, want %d", i, cur, w)
		}
		if !strings.Contains(m.View(), "match "+strconv.Itoa(w)+"/4") {
			t.Errorf("view does not say match %d/4:\n%s", w, m.View())
		}
	}
	m = press(t, m, "N")
	if cur, _ := m.Matches(); cur != 4 {
		t.Errorf("N from match 1: match %d, want 4 (wrapped)", cur)
	}
	m = press(t, m, "N")
	if cur, _ := m.Matches(); cur != 3 {
		t.Errorf("N from match 4: match %d, want 3", cur)
	}
}

func TestSearchNoMatch(t *testing.T) {
	m := runQuery(t, openSearchable(t, 80, 24), "zebra")
	if cur, n := m.Matches(); cur != 0 || n != 0 {
		t.Errorf("matches %d/%d for a word not in the transcript", cur, n)
	}
	v := m.View()
	if !strings.Contains(v, "/zebra  no match") {
		t.Errorf("no-match message missing:\n%s", v)
	}
	if n := press(t, m, "n"); n.View() != v {
		t.Errorf("n without matches changed the view")
	}
}

// esc in the input gives up typing and keeps the search applied before;
// esc afterwards (the root hands it over while a search is applied) clears
// it and its line.
func TestSearchCancelAndClear(t *testing.T) {
	plain := openSearchable(t, 80, 24)
	m := runQuery(t, plain, "logout")
	if _, n := m.Matches(); n != 1 {
		t.Fatalf("%d matches of logout, want 1", n)
	}
	m = press(t, m, "/", "x", "y", "esc")
	if m.Searching() {
		t.Fatalf("esc left the input open")
	}
	if _, n := m.Matches(); n != 1 || !strings.Contains(m.View(), "/logout  match 1/1") {
		t.Errorf("esc in the input lost the applied search:\n%s", m.View())
	}
	m = press(t, m, "esc")
	if m.SearchActive() || strings.Contains(m.View(), "logout  match") {
		t.Errorf("esc kept the search:\n%s", m.View())
	}
	if m.View() != plain.View() {
		t.Errorf("after clearing, the view is not as before the search:\n%s\n---\n%s", m.View(), plain.View())
	}
	// enter on an empty query clears too.
	m = runQuery(t, runQuery(t, plain, "login"), "")
	if m.SearchActive() {
		t.Errorf("an empty query kept the search")
	}
}

// While typing, keys go to the input: j types a j, it does not scroll.
func TestSearchInputTakesKeys(t *testing.T) {
	m := press(t, openSearchable(t, 80, 24), "/", "j", "n", "G")
	if !m.Searching() {
		t.Fatal("input closed while typing")
	}
	if !strings.Contains(m.View(), "/jnG") {
		t.Errorf("typed keys not in the input:\n%s", m.View())
	}
	m = press(t, m, "enter")
	if _, n := m.Matches(); n != 0 || !strings.Contains(m.View(), "/jnG  no match") {
		t.Errorf("query jnG:\n%s", m.View())
	}
}

// A match off screen is scrolled into view; following stops there.
func TestSearchScrollsToMatch(t *testing.T) {
	s := detailTestSession()
	var msgs []apiclient.Message
	for i := range 60 {
		txt := "filler line"
		if i == 3 {
			txt = "the needle is here"
		}
		msgs = append(msgs, apiclient.Message{Sequence: i + 1, Role: apiclient.RoleUser, CreatedAt: detailTestNow,
			Content: []apiclient.ContentPart{{Type: "text", Text: txt}}})
	}
	m := detailOpen(t, detailTestCtx(80, 24), s, msgs)
	if strings.Contains(m.View(), "needle") {
		t.Fatalf("precondition: the match is on screen at the bottom")
	}
	m = runQuery(t, m, "NEEDLE")
	v := m.View()
	if !strings.Contains(v, "the needle is here") || !strings.Contains(v, "match 1/1") {
		t.Errorf("match not scrolled into view:\n%s", v)
	}
	if m.follow.Following() {
		t.Errorf("still following the bottom after jumping up to a match")
	}
	detailCheckFits(t, detailTestCtx(80, 24), v)
}

// The search runs over the text as shown: escapes the server sent are gone,
// and a query with control characters is cleaned the same way.
func TestSearchSanitisedText(t *testing.T) {
	s := detailTestSession()
	msgs := []apiclient.Message{{Sequence: 1, Role: apiclient.RoleUser, CreatedAt: detailTestNow,
		Content: []apiclient.ContentPart{{Type: "text", Text: "A\x1b[31mred\u202e flag"}}}}
	m := detailOpen(t, detailTestCtx(80, 24), s, msgs)
	if m = runQuery(t, m, "ared"); !strings.Contains(m.View(), "match 1/1") {
		t.Errorf("sanitised text not found:\n%s", m.View())
	}
	m = press(t, m, "esc")
	m, _ = m.Update(keyMsg("/"))
	m, _ = m.Update(keyMsg("re\u202ed\x07")) // a pasted bidi override and bell
	m = press(t, m, "enter")
	v := m.View()
	if strings.ContainsAny(v, "\x1b\u202e") {
		t.Errorf("control sequence on screen: %q", v)
	}
	if !strings.Contains(v, "match 1/1") {
		t.Errorf("query not cleaned to a match:\n%s", v)
	}
}

// With colours on, the matches are styled, the current one apart, and no
// line grows: the highlight only restyles cells.
func TestSearchHighlights(t *testing.T) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(prev)
	th := theme.New(theme.Dark, false)
	ctx := &testCtx{Width: 80, Height: 24, Theme: th}
	s := detailTestSession()
	m := ctx.open(s, 7)
	m, _ = m.Update(live.SubscribedMsg{ID: s.ID, Gen: 7, Messages: searchMessages()})
	m = press(t, m, "g")
	m = runQuery(t, m, "login")
	after := m.View()
	if !strings.Contains(after, th.MatchCurrent.Render("Login")) {
		t.Errorf("current match not styled as MatchCurrent:\n%q", after)
	}
	if !strings.Contains(after, th.Match.Render("LOGIN")) {
		t.Errorf("other matches not styled as Match:\n%q", after)
	}
	detailCheckFits(t, ctx, after)
	// The text is the same once styles are stripped.
	line := highlightLine(th, m.lines[len(m.lines)-1], m.search.hits[2:], 0)
	if ansi.Strip(line) != ansi.Strip(m.lines[len(m.lines)-1]) {
		t.Errorf("highlight changed the text: %q", ansi.Strip(line))
	}
}

func TestMatchCells(t *testing.T) {
	for _, c := range []struct {
		plain, q string
		want     [][2]int
	}{
		{"Login login LOGIN", "login", [][2]int{{0, 5}, {6, 11}, {12, 17}}},
		{"aaaa", "aa", [][2]int{{0, 2}, {2, 4}}}, // not overlapping
		{"日本 login", "LOGIN", [][2]int{{5, 10}}}, // wide runes count two cells
		{"ÉCOLE école", "éc", [][2]int{{0, 2}, {6, 8}}},
		{"short", "longer query", nil},
		{"", "x", nil},
	} {
		got := matchCells(c.plain, foldRunes([]rune(c.q)))
		if len(got) != len(c.want) {
			t.Errorf("matchCells(%q, %q) = %v, want %v", c.plain, c.q, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("matchCells(%q, %q) = %v, want %v", c.plain, c.q, got, c.want)
				break
			}
		}
	}
}

// The search survives a resize: the transcript is laid out again and the
// matches found again.
func TestSearchAfterResize(t *testing.T) {
	m := runQuery(t, press(t, openSearchable(t, 80, 24), "g"), "login")
	m = press(t, m, "n")
	m = m.SetSize(50, 20)
	if cur, n := m.Matches(); n != 4 || cur != 2 {
		t.Errorf("after resize: match %d/%d, want 2/4", cur, n)
	}
	detailCheckFits(t, detailTestCtx(50, 20), m.View())
	for _, size := range [][2]int{{20, 6}, {5, 3}, {1, 2}} {
		m = m.SetSize(size[0], size[1])
		detailCheckFits(t, detailTestCtx(size[0], size[1]), m.View())
	}
}

// The search line takes a line from the viewport: a view at the bottom
// stays there, the newest line on screen.
func TestSearchLineKeepsBottom(t *testing.T) {
	s := detailTestSession()
	var msgs []apiclient.Message
	for i := range 40 {
		txt := "filler line"
		if i == 39 {
			txt = "the very last words"
		}
		msgs = append(msgs, apiclient.Message{Sequence: i + 1, Role: apiclient.RoleUser, CreatedAt: detailTestNow,
			Content: []apiclient.ContentPart{{Type: "text", Text: txt}}})
	}
	m := detailOpen(t, detailTestCtx(80, 24), s, msgs)
	for _, step := range []string{"/", "x", "enter", "esc"} {
		m = press(t, m, step)
		if v := m.View(); !strings.Contains(v, "the very last words") {
			t.Errorf("after %q the last line left the screen:\n%s", step, v)
		}
	}
}
