package tui

import (
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/live"
)

// searchTarget is the seeded session whose transcript, as the detail lays
// it out at width w, holds word most often (any case), and that count.
func searchTarget(t *testing.T, srv *apitest.Server, word string, w int) (apiclient.Session, int) {
	t.Helper()
	th := theme.New(theme.Dark, true)
	var best apiclient.Session
	most := 0
	for _, s := range progSeed(srv) {
		n := 0
		for _, l := range live.New(s, apitest.Transcript(s)).Lines(th, w) {
			n += strings.Count(strings.ToLower(ansi.Strip(l)), word)
		}
		if n > most {
			best, most = s, n
		}
	}
	if most < 2 {
		t.Fatalf("no transcript has %q twice", word)
	}
	return best, most
}

// / in the detail view searches the transcript: the input at the bottom,
// enter finds the matches ("match 1/N"), n and N walk them, esc clears the
// search and a second esc leaves the view.
func TestProgramDetailSearch(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	target, n := searchTarget(t, srv, "the", 80)
	total := "/" + strconv.Itoa(n)
	p.moveTo(target.ID)
	p.press("enter")
	p.waitFor("transcript", func(s progSnap) bool {
		return s.mode == modeDetail && strings.Contains(s.view, "● live")
	})
	p.press("/")
	s := p.waitFor("search input", func(s progSnap) bool { return strings.Contains(s.view, "search the transcript") })
	if !strings.Contains(s.view, "enter search") || !strings.Contains(s.view, "esc cancel search") {
		t.Errorf("footer does not say how to search:\n%s", s.view)
	}
	p.typeText("THE") // q, e and the like go to the input, not to the root
	p.press("g")      // as a letter of the query: no match…
	p.press("enter")
	p.waitView("/THEg  no match")
	p.press("/")
	p.typeText("THE")
	p.press("enter")
	s = p.waitFor("matches", func(s progSnap) bool { return strings.Contains(s.view, "match ") })
	first := matchNumber(t, s.view, total)
	p.press("n")
	s = p.waitFor("next match", func(s progSnap) bool { return strings.Contains(s.view, "match ") })
	if got := matchNumber(t, s.view, total); got != first%n+1 {
		t.Errorf("n: match %d after %d of %d", got, first, n)
	}
	p.press("N")
	s = p.waitFor("previous match", func(s progSnap) bool { return strings.Contains(s.view, "match ") })
	if got := matchNumber(t, s.view, total); got != first {
		t.Errorf("N: match %d, want %d", got, first)
	}
	if s.mode != modeDetail {
		t.Fatalf("search left the detail: mode %v", s.mode)
	}
	// The golden: 80x24 at the last match (N from the first wraps there).
	p.press("g", "/")
	p.typeText("the")
	p.press("enter", "N")
	p.waitView("match " + strconv.Itoa(n) + total)
	m := p.golden()
	if m.mode != modeDetail || !m.detail.SearchActive() {
		t.Fatalf("golden not in a search: mode %v", m.mode)
	}
}

// esc clears a search before it leaves the detail view.
func TestUpdateDetailEscClearsSearchFirst(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	m := unitLoaded(t, srv, 80, 24)
	m = unitKeys(t, m, "enter", "/", "l", "o", "o", "k", "enter")
	if m.mode != modeDetail || !m.detail.SearchActive() {
		t.Fatalf("after a search: mode %v, active %v", m.mode, m.detail.SearchActive())
	}
	if m = unitKeys(t, m, "esc"); m.mode != modeDetail || m.detail.SearchActive() {
		t.Fatalf("first esc: mode %v, search active %v", m.mode, m.detail.SearchActive())
	}
	if m = unitKeys(t, m, "esc"); m.mode != modeList {
		t.Fatalf("second esc: mode %v", m.mode)
	}
	// Typing a query, q is a letter, not quit; O is not the org picker.
	m = unitKeys(t, m, "enter", "/", "q", "O", ":")
	if m.quitting || m.mode != modeDetail || !m.detail.Searching() {
		t.Fatalf("keys escaped the search input: quitting %v, mode %v", m.quitting, m.mode)
	}
}

// matchNumber reads the current match of "match k/N" in the view.
func matchNumber(t *testing.T, view, total string) int {
	t.Helper()
	i := strings.Index(view, "match ")
	j := strings.Index(view[i:], total)
	if j < 0 {
		t.Fatalf("no %q after match in:\n%s", total, view)
	}
	k, err := strconv.Atoi(view[i+len("match ") : i+j])
	if err != nil {
		t.Fatalf("match count in %q: %v", view[i:i+j+len(total)], err)
	}
	return k
}

// ] and [ in the detail view open the next and previous session of the list
// as shown: the new session's title on screen, the list's cursor on it, the
// old stream closed; at the ends they say so and stay.
func TestProgramDetailNextSession(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	p, _ := startLiveProg(t, srv, 80, 24)
	rows := p.rec.get().rows
	titles := p.rec.get().titles
	p.press("g")
	shows := func(i int) func(progSnap) bool {
		return func(s progSnap) bool {
			return s.mode == modeDetail && s.selID == rows[i] && strings.Contains(s.view, rows[i]) &&
				strings.Contains(s.view, titles[rows[i]]) && strings.Contains(s.view, "● live")
		}
	}
	p.openLive()
	p.waitFor("first session", shows(0))
	p.press("[")
	if s := p.waitFor("at the top", func(s progSnap) bool { return strings.Contains(s.view, "no previous session") }); !shows(0)(s) {
		t.Errorf("[ on the first row left it:\n%s", s.view)
	}
	p.press("]")
	p.waitFor("second session", shows(1))
	p.press("]")
	p.waitFor("third session", shows(2))
	p.press("[")
	s := p.waitFor("second session again", shows(1))
	if titles[rows[1]] == "" || !strings.Contains(s.view, titles[rows[1]]) {
		t.Errorf("title %q of the second row not on screen:\n%s", titles[rows[1]], s.view)
	}
	// One stream: each step closed the one before.
	p.waitFor("one stream open", func(progSnap) bool { return srv.OpenStreams() == 1 })
	p.press("esc")
	if s := p.waitFor("list", func(s progSnap) bool { return s.mode == modeList }); s.selID != rows[1] {
		t.Errorf("back in the list on %s, want %s", s.selID, rows[1])
	}
}

// ? in the detail view lists the search keys and ] / [, reachable by
// scrolling at 80x24.
func TestUpdateDetailHelpListsNewKeys(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	m := unitLoaded(t, srv, 80, 24)
	m = unitKeys(t, m, "enter", "?")
	if m.mode != modeHelp || m.back != modeDetail {
		t.Fatalf("? in the detail: mode %v back %v", m.mode, m.back)
	}
	seen := ""
	for range 30 {
		v := m.View()
		progCheckFrame(t, v, 80, 24)
		seen += ansi.Strip(v)
		m = unitKeys(t, m, "j")
	}
	seen = strings.Join(strings.Fields(seen), " ") // the key column's padding
	k := m.ctx.Keys
	for _, b := range []struct{ key, desc string }{
		{k.Search.Help().Key, k.Search.Help().Desc}, {k.SearchNext.Help().Key, k.SearchNext.Help().Desc},
		{k.SearchPrev.Help().Key, k.SearchPrev.Help().Desc}, {k.NextSession.Help().Key, k.NextSession.Help().Desc},
		{k.PrevSession.Help().Key, k.PrevSession.Help().Desc},
	} {
		if !strings.Contains(seen, b.key+" "+b.desc) {
			t.Errorf("help of the detail view lacks %q %q", b.key, b.desc)
		}
	}
}
