package tui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/sessionlist"
)

// With a million sessions and 1,000 kept, /zebra finds the one session
// whose title has the word, the oldest of all: the server answers, the row
// joins the view marked as found there, and the store keeps its bound.
func TestServerQueryFindsTheOldestOfAMillion(t *testing.T) {
	srv := millionServer(t)
	c := progClient(srv, "")
	ctx := context.Background()
	last, err := c.ListSessions(ctx, apiclient.ListOptions{Offset: 999_999, Limit: 1})
	if err != nil || len(last.Data) != 1 {
		t.Fatalf("oldest session: %v", err)
	}
	oldest := last.Data[0].ID
	if _, err := c.UpdateSession(ctx, oldest, apiclient.UpdateSessionRequest{}.SetTitle("The zebra crossing")); err != nil {
		t.Fatal(err)
	}
	opts := progOptions(listOnlyAPI{noStats{c}})
	opts.MaxRows = 1000
	d := newFaultDriver(t, opts, 160, 30)
	d.waitFor("the bounded load", func(m Model) bool { return m.load.complete && !m.load.active }, progWait)
	if _, in := d.m.st.byID[oldest]; in || !d.m.st.bounded {
		t.Fatalf("the oldest session is loaded (bounded %v)", d.m.st.bounded)
	}
	d.press("/")
	d.typeText("zebra")
	d.waitFor("the oldest session in the view", func(m Model) bool {
		return len(m.view.rows) == 1 && m.view.rows[0].S.ID == oldest
	}, progWait)
	m := d.m
	if !m.st.isOutside(m.view.rows[0]) {
		t.Error("the row is not marked as found on the server")
	}
	screen := d.screen()
	for _, want := range []string{sessionlist.FoundGlyph, "found on server", "zebra crossing"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if _, in := m.st.byID[oldest]; m.st.loaded > 1000 || in {
		t.Errorf("the store holds %d rows (the found one: %v)", m.st.loaded, in)
	}
	searches := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/v1/sessions") && strings.Contains(r.Query, "search=") {
			searches++
			if !strings.Contains(r.Query, "search=zebra") {
				t.Errorf("searched %q, want the whole word typed (debounced)", r.Query)
			}
		}
	}
	if searches != 1 {
		t.Errorf("%d searches sent for one typed word", searches)
	}
}

// searchAPI answers list requests from a fixed page, holding the search
// for "first" until its context ends (then saying so on cancelled).
type searchAPI struct {
	API
	asked     chan apiclient.ListOptions
	cancelled chan apiclient.ListOptions
}

func newSearchAPI() *searchAPI {
	return &searchAPI{asked: make(chan apiclient.ListOptions, 16), cancelled: make(chan apiclient.ListOptions, 16)}
}

func (a *searchAPI) ListSessions(ctx context.Context, o apiclient.ListOptions) (*apiclient.SessionPage, error) {
	a.asked <- o
	if o.Search == "first" {
		<-ctx.Done()
		a.cancelled <- o
		return nil, ctx.Err()
	}
	far := apiclient.Session{ID: "far", Title: ptrTo("the first of the far ones"), Activity: apiclient.ActivityFailed}
	near := page(0, 1, 3).Data[0] // loaded already: shown once
	return &apiclient.SessionPage{Data: []apiclient.Session{near, far}, Total: 2}, nil
}

// typed puts s in the filter input as if typed (the keys' path is the
// program tests'): the query changes and Update runs.
func typed(t *testing.T, m Model, s string) Model {
	t.Helper()
	m.editFilter(func(f *textinput.Model) { f.SetValue(s) })
	m.spec.q = sessionlist.CompileQuery(s, m.qin.env)
	return unitUpdate(t, m, toastExpiredMsg{})
}

// boundedModel is a model whose store holds 3 of 1,000 sessions.
func boundedModel(t *testing.T, api API) Model {
	t.Helper()
	m := New(Options{API: api, MaxRows: 3, Now: progClock})
	m.load.active, m.load.complete = false, true
	m.st.applyPage(0, page(0, 3, 1000))
	m.st.bounded = true
	m.sq.due = func(int) tea.Cmd { return nil } // the tests say when the typing paused
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	return m
}

// The server part of the query goes out once the typing pauses, with the
// search and status parameters; a changed query cancels the request in
// flight and drops its answer; the new answer's rows join the view, those
// already loaded once.
func TestServerQueryParamsCancelAndStaleAnswer(t *testing.T) {
	api := newSearchAPI()
	m := boundedModel(t, api)
	step := func(msg tea.Msg) tea.Cmd {
		t.Helper()
		nm, cmd := m.Update(msg)
		m = nm.(Model)
		return cmd
	}
	m = unitKeys(t, m, "/")
	m = typed(t, m, "status:failed first")
	firstGen := m.sq.gen
	if firstGen == 0 || m.sq.key == "" {
		t.Fatalf("no server query due (gen %d, key %q)", firstGen, m.sq.key)
	}
	ask := step(serverQueryDueMsg{gen: firstGen})
	if ask == nil {
		t.Fatal("the due query asked nothing")
	}
	answered := make(chan tea.Msg, 1)
	go func() { answered <- ask() }()
	o := <-api.asked
	if o.Search != "first" || !slices.Equal(o.Status, []apiclient.Activity{apiclient.ActivityFailed}) {
		t.Fatalf("asked search %q status %v", o.Search, o.Status)
	}
	if v := m.View(); !strings.Contains(v, "searching the server…") {
		t.Errorf("the filter does not say the server is asked:\n%s", v)
	}
	// A tick of an older generation asks nothing.
	if cmd := step(serverQueryDueMsg{gen: firstGen - 1}); cmd != nil || len(api.asked) != 0 {
		t.Error("a stale tick sent a request")
	}

	m = typed(t, m, "status:failed firs") // another search
	if o := <-api.cancelled; o.Search != "first" {
		t.Fatalf("cancelled %q", o.Search)
	}
	if m.sq.gen == firstGen || m.sq.inflight {
		t.Fatalf("gen %d (was %d), in flight %v", m.sq.gen, firstGen, m.sq.inflight)
	}
	// The old answer, whatever it says, is dropped.
	stale := serverQueryAnsweredMsg{gen: firstGen, rows: rowsOf([]apiclient.Session{{ID: "stale", Activity: apiclient.ActivityFailed}})}
	step(<-answered)
	m = unitUpdate(t, m, stale)
	if m.sq.found != nil || slices.Contains(unitRowIDs(m), "stale") {
		t.Fatalf("a stale answer was merged: %v", unitRowIDs(m))
	}

	m = unitUpdate(t, m, serverQueryDueMsg{gen: m.sq.gen})
	if o := <-api.asked; o.Search != "firs" {
		t.Errorf("asked %q after the change", o.Search)
	}
	ids := unitRowIDs(m)
	if !slices.Equal(ids, []string{"far"}) {
		t.Fatalf("rows %v, want the failed session found on the server", ids)
	}
	if !m.st.isOutside(m.view.rows[0]) || m.st.isOutside(m.st.get("s0")) {
		t.Errorf("outside %v: far should be marked, the loaded s0 not", m.st.outsideID)
	}
	if _, in := m.st.byID["far"]; m.st.loaded != 3 || in {
		t.Errorf("the found row went into the store (%d rows)", m.st.loaded)
	}
	if v := m.View(); !strings.Contains(v, "1 more session on the server") {
		t.Errorf("the filter does not count what the server found:\n%s", v)
	}
	if !strings.Contains(m.View(), sessionlist.FoundGlyph) {
		t.Errorf("no %s in the gutter:\n%s", sessionlist.FoundGlyph, m.View())
	}

	// A save of a found session (as onSaved does) updates it where it is:
	// outside the window, still marked; an archive (removal) drops it.
	m.st.upsert(apiclient.Session{ID: "far", Title: ptrTo("first, renamed"), Activity: apiclient.ActivityFailed})
	m = unitUpdate(t, m, toastExpiredMsg{})
	if ids := unitRowIDs(m); !slices.Equal(ids, []string{"far"}) || !m.st.isOutside(m.view.rows[0]) ||
		m.view.rows[0].S.TitleOrEmpty() != "first, renamed" || m.st.loaded != 3 {
		t.Fatalf("after a save: rows %v, outside %v, %d loaded", ids, m.st.outsideID, m.st.loaded)
	}
	m.removeSession("far")
	m = unitUpdate(t, m, toastExpiredMsg{})
	if ids := unitRowIDs(m); len(ids) != 0 || m.st.loaded != 3 {
		t.Fatalf("after removal: rows %v, %d loaded", ids, m.st.loaded)
	}

	// Clearing the query drops the found rows and asks nothing more.
	m = unitKeys(t, m, "esc")
	if m.sq.found != nil || m.sq.key != "" || slices.Contains(unitRowIDs(m), "far") {
		t.Errorf("after esc: found %v, key %q, rows %v", m.sq.found != nil, m.sq.key, unitRowIDs(m))
	}
	if len(api.asked) != 0 {
		t.Errorf("%d more requests", len(api.asked))
	}
}

// Parts the server does not understand are matched on the loaded rows, and
// the filter says so while the list is bounded; a query with no server
// part sends nothing.
func TestServerQueryLocalPartsAreNamed(t *testing.T) {
	api := newSearchAPI()
	m := boundedModel(t, api)
	m = unitKeys(t, m, "/")
	m = typed(t, m, "tokens:>10k is:pinned")
	if m.sq.key != "" {
		t.Errorf("a local-only query has a server part: %q", m.sq.key)
	}
	view := m.View()
	if !strings.Contains(view, "tokens, is:pinned filters apply to the 3 loaded sessions") {
		t.Errorf("no note about the local parts:\n%s", view)
	}
	if len(api.asked) != 0 {
		t.Errorf("%d requests for a local query", len(api.asked))
	}
	// Kept with enter, the filter still says so, on the status line.
	m = unitKeys(t, m, "enter")
	if v := m.View(); m.mode != modeList || !strings.Contains(v, "ⓘ tokens, is:pinned filters apply to the 3 loaded sessions") {
		t.Errorf("kept filter: mode %v\n%s", m.mode, v)
	}
	m = unitKeys(t, m, "/")
	// Everything loaded: the note goes, and words are not sent.
	m.st.bounded = false
	m = typed(t, m, "zeb")
	if m.sq.key != "" || strings.Contains(m.View(), "loaded sessions") {
		t.Errorf("complete list: key %q\n%s", m.sq.key, m.View())
	}
}

func TestServerOptions(t *testing.T) {
	env := sessionlist.QueryEnv(nil, nil, progNow)
	for _, tc := range []struct {
		q, agent string
		ok       bool
		want     string
	}{
		{"zebra", "", true, "search=zebra"},
		{"status:failed,running source:api", "", true, "source=api&status=running%2Cfailed"},
		{"is:archived", "", true, "archived_only=true"},
		{"zebra", "agent_1", true, "agent_id=agent_1&search=zebra"},
		{"tag:x tokens:>10k", "", false, ""},
		{"status:failed status:running", "", false, ""},
		{"", "", false, ""},
	} {
		q := sessionlist.CompileQuery(tc.q, env)
		var o apiclient.ListOptions
		ok := false
		if q.Matcher != nil {
			o, ok = serverOptions(q.Matcher.Server(), tc.agent)
		}
		if ok != tc.ok {
			t.Errorf("%q: ok %v", tc.q, ok)
			continue
		}
		if ok {
			o.Offset = 0
			got := o.Query()
			got.Del("offset")
			if got.Encode() != tc.want {
				t.Errorf("%q: %s, want %s", tc.q, got.Encode(), tc.want)
			}
		}
	}
}
