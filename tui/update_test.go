package tui

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui/live"
	"github.com/everruns/sessions/tui/sessionlist"
)

// Update() unit tests: no program, the model is driven directly and its
// commands run in the test (see unitDrive).

func unitModel(t *testing.T) (Model, *apitest.Server) {
	t.Helper()
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	return unitLoaded(t, srv, 120, 40), srv
}

func TestUpdateModeTransitions(t *testing.T) {
	m, _ := unitModel(t)
	if m.mode != modeList {
		t.Fatalf("starts in mode %v", m.mode)
	}

	// list → filter → list (esc clears the filter).
	m = unitKeys(t, m, "/")
	if m.mode != modeFilter || !m.filter.Focused() {
		t.Fatalf("/ → mode %v", m.mode)
	}
	m = unitKeys(t, m, "c", "a", "f", "é")
	if m.spec.q.Raw != "café" || len(m.view.rows) == len(m.st.rows()) {
		t.Fatalf("typing did not filter: %q, %d rows", m.spec.q.Raw, len(m.view.rows))
	}
	m = unitKeys(t, m, "esc")
	if m.mode != modeList || m.spec.q.Raw != "" || len(m.view.rows) != progSessions {
		t.Fatalf("esc → mode %v, query %q, %d rows", m.mode, m.spec.q.Raw, len(m.view.rows))
	}

	// enter keeps the filter.
	m = unitKeys(t, m, "/", "c", "a", "f", "é", "enter")
	if m.mode != modeList || m.spec.q.Raw != "café" || m.filter.Focused() {
		t.Fatalf("enter → mode %v, query %q", m.mode, m.spec.q.Raw)
	}
	m = unitKeys(t, m, "esc") // esc in the list clears a kept filter
	if m.spec.q.Raw != "" || len(m.view.rows) != progSessions {
		t.Fatalf("esc in the list kept %q", m.spec.q.Raw)
	}

	// list → detail → edit → detail → list.
	id := m.selected().S.ID
	m = unitKeys(t, m, "enter")
	if m.mode != modeDetail || m.detail.ID() != id {
		t.Fatalf("enter → mode %v on %s", m.mode, m.detail.ID())
	}
	if m.detail.Loading() || m.detail.Transcript() == nil || len(m.detail.Transcript().Items()) == 0 {
		t.Fatalf("transcript not loaded: loading %v", m.detail.Loading())
	}
	m = unitKeys(t, m, "e")
	if m.mode != modeEdit || m.back != modeDetail || m.form.SessionID() != id {
		t.Fatalf("e → mode %v back %v on %s", m.mode, m.back, m.form.SessionID())
	}
	m = unitKeys(t, m, "esc") // clean form: closes at once
	if m.mode != modeDetail {
		t.Fatalf("esc from a clean form → mode %v", m.mode)
	}
	m = unitKeys(t, m, "esc")
	if m.mode != modeList {
		t.Fatalf("esc from detail → mode %v", m.mode)
	}

	// help toggles, and goes back where it came from.
	m = unitKeys(t, m, "?")
	if m.mode != modeHelp {
		t.Fatalf("? → mode %v", m.mode)
	}
	m = unitKeys(t, m, "?")
	if m.mode != modeList {
		t.Fatalf("? again → mode %v", m.mode)
	}
	m = unitKeys(t, m, "enter", "?")
	if m.mode != modeHelp || m.back != modeDetail {
		t.Fatalf("? from detail → mode %v back %v", m.mode, m.back)
	}
	m = unitKeys(t, m, "esc")
	if m.mode != modeDetail {
		t.Fatalf("esc from help → mode %v, want detail", m.mode)
	}

	// Usage and back.
	m = unitKeys(t, m, "esc", "T")
	if m.mode != modeUsage {
		t.Fatalf("T → mode %v", m.mode)
	}
	m = unitKeys(t, m, "esc")
	if m.mode != modeList {
		t.Fatalf("esc from usage → mode %v", m.mode)
	}
}

func TestUpdateStaleViewDerivedDropped(t *testing.T) {
	m, _ := unitModel(t)
	before := unitRowIDs(m)
	old := &viewResult{gen: m.view.gen - 1, version: m.st.version, spec: m.spec}
	nm, _ := m.Update(viewDerivedMsg{res: old})
	m = nm.(Model)
	if got := unitRowIDs(m); !slices.Equal(got, before) || m.view == old {
		t.Fatalf("a stale derive replaced the list: %d rows", len(got))
	}
}

func TestUpdateStalePageDropped(t *testing.T) {
	m, _ := unitModel(t)
	n := m.st.loaded
	ch := make(chan tea.Msg)
	close(ch)
	stale := pageLoadedMsg{gen: m.load.gen - 1, ch: ch, ev: apiclient.PageEvent{
		Page: apiclient.SessionPage{Data: []apiclient.Session{{ID: "session_stale000000000000000000000000", Status: "idle"}}, Offset: 0, Total: 1},
	}}
	nm, cmd := m.Update(stale)
	m = nm.(Model)
	if m.st.get("session_stale000000000000000000000000") != nil || m.st.loaded != n {
		t.Fatalf("a page of an old load was applied")
	}
	if cmd == nil {
		t.Fatalf("a stale page must still drain its channel")
	}
	if nm, _ := m.Update(loadFinishedMsg{gen: m.load.gen - 1, err: errStale}); nm.(Model).status.kind == statusError {
		t.Fatalf("an old load's failure was shown")
	}
}

var errStale = &apiclient.APIError{Status: 500, Message: "stale"}

func TestUpdateStaleMessagesDropped(t *testing.T) {
	m, srv := unitModel(t)
	m = unitKeys(t, m, "enter")
	id := m.detail.ID()
	want := len(apitest.Transcript(progPick(t, srv, 0)))
	count := func(m Model) int {
		if m.detail.Transcript() == nil {
			return -1
		}
		return len(m.detail.Transcript().Items())
	}
	if count(m) != want {
		t.Fatalf("transcript has %d items, want %d", count(m), want)
	}
	other := progPick(t, srv, 5)
	foreign := []apiclient.Message{{ID: "message_x", SessionID: other.ID, Role: apiclient.RoleUser}}
	for _, msg := range []live.SubscribedMsg{
		{ID: other.ID, Gen: m.detail.Gen(), Messages: foreign}, // another session
		{ID: id, Gen: m.detail.Gen() - 1, Messages: foreign},   // an older request
	} {
		nm, _ := m.Update(msg)
		got := nm.(Model)
		if got.detail.ID() != id || count(got) != want {
			t.Errorf("%+v replaced the transcript: %d items", msg, count(got))
		}
	}
	// Back in the list, a late transcript is ignored.
	gen := m.detail.Gen()
	m = unitKeys(t, m, "esc")
	nm, _ := m.Update(live.SubscribedMsg{ID: id, Gen: gen, Messages: foreign})
	if nm.(Model).mode != modeList || count(nm.(Model)) == 1 {
		t.Errorf("a late transcript was applied")
	}
}

func TestUpdateCursorMoves(t *testing.T) {
	m, _ := unitModel(t)
	n := len(m.view.rows)
	h := m.list.Height
	if h <= 0 || h >= n {
		t.Fatalf("list height %d with %d rows: want a list taller than the window", h, n)
	}
	at := func(m Model, want int, after string) {
		t.Helper()
		if m.list.Cursor != want {
			t.Fatalf("after %s the cursor is at %d, want %d", after, m.list.Cursor, want)
		}
		if m.list.Cursor < m.list.Offset || m.list.Cursor >= m.list.Offset+m.list.Height {
			t.Fatalf("after %s the cursor %d is off screen (offset %d, height %d)", after, m.list.Cursor, m.list.Offset, m.list.Height)
		}
		if m.selected() == nil || m.list.SelectedID != m.selected().S.ID {
			t.Fatalf("after %s the selected id is %q", after, m.list.SelectedID)
		}
	}
	m = unitKeys(t, m, "up")
	at(m, 0, "up at the top")
	m = unitKeys(t, m, "k", "k")
	at(m, 0, "k at the top")
	m = unitKeys(t, m, "down", "j")
	at(m, 2, "down, j")
	m = unitKeys(t, m, "G")
	at(m, n-1, "G")
	if m.list.Offset != n-h {
		t.Errorf("G: offset %d, want %d", m.list.Offset, n-h)
	}
	m = unitKeys(t, m, "down", "j", "pgdown")
	at(m, n-1, "down at the bottom")
	m = unitKeys(t, m, "g")
	at(m, 0, "g")
	m = unitKeys(t, m, "pgdown")
	at(m, h, "pgdown")
	m = unitKeys(t, m, "pgdown")
	at(m, n-1, "pgdown past the end")
	m = unitKeys(t, m, "pgup")
	at(m, n-1-h, "pgup")
	m = unitKeys(t, m, "pgup", "pgup")
	at(m, 0, "pgup past the top")
	m = unitKeys(t, m, "end")
	at(m, n-1, "end")
	m = unitKeys(t, m, "home")
	at(m, 0, "home")

	// Another status tab starts at its first row.
	m = unitKeys(t, m, "G", "2")
	at(m, 0, "G then the Active tab")
}

func TestUpdateMarks(t *testing.T) {
	m, _ := unitModel(t)
	ids := unitRowIDs(m)
	m = unitKeys(t, m, "space", "down", "space") // space marks; the cursor stays
	if !slices.Equal(unitMarked(m), unitSorted(ids[0], ids[1])) || m.list.Cursor != 1 {
		t.Fatalf("space down space: marked %v, cursor %d", unitMarked(m), m.list.Cursor)
	}
	m = unitKeys(t, m, "space") // unmark the second
	if !slices.Equal(unitMarked(m), []string{ids[0]}) {
		t.Fatalf("space on a marked row: marked %v", unitMarked(m))
	}
	m = unitKeys(t, m, "G", "space") // the last: the cursor stays
	if len(m.marked) != 2 || !m.marked[ids[len(ids)-1]] || m.list.Cursor != len(ids)-1 {
		t.Fatalf("space on the last row: marked %v, cursor %d", unitMarked(m), m.list.Cursor)
	}
	m = unitKeys(t, m, "esc")
	if len(m.marked) != 0 {
		t.Fatalf("esc kept marks %v", unitMarked(m))
	}
	// V marks what is shown: the Idle tab only.
	m = unitKeys(t, m, "3", "V")
	if len(m.marked) != len(m.view.rows) {
		t.Fatalf("V marked %d of %d shown", len(m.marked), len(m.view.rows))
	}
	for id := range m.marked {
		if r := m.st.get(id); r == nil || r.Status != "idle" {
			t.Errorf("V marked %s, which is not shown", id)
		}
	}
	if v := m.View(); !strings.Contains(v, "● "+progItoa(len(m.marked))+" marked") {
		t.Errorf("header does not count marks")
	}
}

func TestUpdateStatusTabs(t *testing.T) {
	m, srv := unitModel(t)
	want := [statusTabs]int{}
	for _, s := range srv.All() {
		want[tabOf(sessionlist.NewRow(s).Act)]++
	}
	want[tabAll] = progSessions
	if m.view.tabCounts != want {
		t.Fatalf("tab counts %v, want %v", m.view.tabCounts, want)
	}
	check := func(m Model, tab statusTab, after string) {
		t.Helper()
		if m.spec.tab != tab {
			t.Fatalf("after %s the tab is %v, want %v", after, m.spec.tab, tab)
		}
		if len(m.view.rows) != want[tab] {
			t.Fatalf("after %s: %d rows, want %d", after, len(m.view.rows), want[tab])
		}
		for _, r := range m.view.rows {
			if tab != tabAll && tabOf(r.Act) != tab {
				t.Fatalf("after %s: row %s has activity %s", after, r.S.ID, r.Act)
			}
		}
		if m.view.tabCounts != want {
			t.Fatalf("after %s: counts %v changed", after, m.view.tabCounts)
		}
	}
	for i := 1; i <= int(statusTabs); i++ {
		m = unitKeys(t, m, "tab")
		check(m, statusTab(i%int(statusTabs)), "tab ×"+progItoa(i))
	}
	m = unitKeys(t, m, "shift+tab")
	check(m, tabPaused, "shift+tab from All")
	m = unitKeys(t, m, "shift+tab")
	check(m, tabIdle, "shift+tab")
	for k, tab := range map[string]statusTab{"1": tabAll, "2": tabRunning, "3": tabFailed, "4": tabCompleted, "5": tabIdle, "6": tabPaused} {
		m = unitKeys(t, m, k)
		check(m, tab, "key "+k)
	}
	// The counts follow the filter.
	m = unitKeys(t, m, "1", "/", "c", "a", "f", "é", "enter")
	if m.view.tabCounts[tabAll] != len(m.view.rows) || m.view.tabCounts[tabAll] >= progSessions {
		t.Fatalf("filtered counts %v with %d rows", m.view.tabCounts, len(m.view.rows))
	}
}

func TestUpdateSortKeys(t *testing.T) {
	m, _ := unitModel(t)
	m = unitKeys(t, m, "s")
	if m.spec.sort != sortUpdated {
		t.Fatalf("s → %v", m.spec.sort)
	}
	for i := 1; i < len(m.view.rows); i++ {
		if m.view.rows[i].S.UpdatedAt.After(m.view.rows[i-1].S.UpdatedAt) {
			t.Fatalf("row %d updated after row %d", i, i-1)
		}
	}
	m = unitKeys(t, m, "s")
	if m.spec.sort != sortTokens || m.list.Offset != 0 {
		t.Fatalf("s s → %v, offset %d (the top of a new order must show)", m.spec.sort, m.list.Offset)
	}
	top := m.view.rows[0].S.ID
	m = unitKeys(t, m, "S")
	if !m.spec.reverse || m.view.rows[len(m.view.rows)-1].S.ID != top {
		t.Fatalf("S did not reverse the order")
	}
	m = unitKeys(t, m, "s", "s")
	if m.spec.sort != sortServer || m.spec.reverse {
		t.Fatalf("sort did not cycle back: %v reverse %v", m.spec.sort, m.spec.reverse)
	}
}

// Typing a filter puts the cursor on the best match, however fast it is
// typed (the derived list arrives asynchronously).
func TestUpdateFilterCursorOnBestMatch(t *testing.T) {
	m, _ := unitModel(t)
	m = unitKeys(t, m, "j", "j", "j")
	// All keys at once: only the last derive's result counts.
	var cmds []tea.Cmd
	for _, k := range []string{"/", "c", "a", "f", "é"} {
		nm, cmd := m.Update(progKey(k))
		m = nm.(Model)
		cmds = append(cmds, cmd)
	}
	m = unitDrive(t, m, tea.Batch(cmds...))
	if m.spec.q.Raw != "café" || len(m.view.rows) == 0 {
		t.Fatalf("query %q, %d rows", m.spec.q.Raw, len(m.view.rows))
	}
	if m.list.Cursor != 0 || m.selected() != m.view.rows[0] {
		t.Fatalf("cursor at %d, want the best match", m.list.Cursor)
	}
}

// ---- helpers

func unitMarked(m Model) []string {
	out := make([]string, 0, len(m.marked))
	for id := range m.marked {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func unitSorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
