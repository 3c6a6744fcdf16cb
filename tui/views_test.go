package tui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui/sessionlist"
)

func TestDefaultViewsAreValid(t *testing.T) {
	vs := DefaultViews()
	if len(vs) != 3 || vs[0].Name != "Needs attention" || vs[1].Name != "Untagged idle" || vs[2].Name != "Mine" {
		t.Fatalf("defaults %v", vs)
	}
	for _, v := range vs {
		if err := CheckView(v); err != nil {
			t.Errorf("default %q: %v", v.Name, err)
		}
	}
	vs[0].Query = "changed"
	if DefaultViews()[0].Query != "status:failed,waiting" {
		t.Fatal("DefaultViews hands out its own slice")
	}
}

func TestMergeViews(t *testing.T) {
	names := func(vs []View) string {
		var out []string
		for _, v := range vs {
			out = append(out, v.Name+"="+v.Query)
		}
		return strings.Join(out, "; ")
	}
	for _, tc := range []struct {
		name string
		user []View
		want string
	}{
		{"none", nil, "Needs attention=status:failed,waiting; Untagged idle=status:idle tag:none updated:>1d; Mine=is:pinned"},
		{"override keeps the slot, any case", []View{{"needs ATTENTION", "status:failed"}},
			"Needs attention=status:failed; Untagged idle=status:idle tag:none updated:>1d; Mine=is:pinned"},
		{"empty query removes", []View{{"Mine", ""}, {"Untagged idle", "  "}}, "Needs attention=status:failed,waiting"},
		{"new ones after, in order", []View{{"Zeta", "#zeta"}, {"Alpha", "agent:ops tokens:>100k"}},
			"Needs attention=status:failed,waiting; Untagged idle=status:idle tag:none updated:>1d; Mine=is:pinned; Zeta=#zeta; Alpha=agent:ops tokens:>100k"},
		{"name trimmed", []View{{"  Big  ", "cost:>1"}},
			"Needs attention=status:failed,waiting; Untagged idle=status:idle tag:none updated:>1d; Mine=is:pinned; Big=cost:>1"},
	} {
		got, err := MergeViews(DefaultViews(), tc.user)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if names(got) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, names(got), tc.want)
		}
	}
}

func TestMergeViewsRefusesBadViews(t *testing.T) {
	for _, tc := range []struct {
		name string
		user []View
		want []string // in the error
	}{
		{"bad qualifier value", []View{{"Broken", "status:"}}, []string{`views: "Broken"`, "status:", "column 1"}},
		{"mistyped qualifier", []View{{"Typo", "stauts:failed"}}, []string{`"Typo"`, "is not a filter"}},
		{"bad duration", []View{{"Old", "status:idle updated:1x"}}, []string{`"Old"`, "updated:", "column 21"}},
		{"override made invalid", []View{{"mine", "is:nothing"}}, []string{`"Mine"`, "is:"}},
		{"empty name", []View{{" ", "is:pinned"}}, []string{"needs a name"}},
		{"control characters", []View{{"a\x1b[31mb", "is:pinned"}}, []string{"control or invisible"}},
		{"long name", []View{{strings.Repeat("n", 41), "is:pinned"}}, []string{"longer than 40"}},
		{"empty query, no such default", []View{{"Nothing", ""}}, []string{`"Nothing"`, "empty query"}},
		{"filters nothing", []View{{"Blank", `""`}}, []string{`"Blank"`}},
	} {
		_, err := MergeViews(DefaultViews(), tc.user)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
		if strings.ContainsRune(err.Error(), '\x1b') {
			t.Errorf("%s: error carries an escape: %q", tc.name, err)
		}
	}
}

// unitRowsOK checks every visible row with ok.
func unitRowsOK(t *testing.T, m Model, what string, ok func(r *row) bool) {
	t.Helper()
	if len(m.view.rows) == 0 {
		t.Fatalf("%s: no rows", what)
	}
	for _, r := range m.view.rows {
		if !ok(r) {
			t.Fatalf("%s: row %s (%s, tags %v) does not belong", what, r.S.ID, r.Cell, r.S.Tags)
		}
	}
}

func TestUpdateSpaceMarksWithoutMoving(t *testing.T) {
	m, _ := unitModel(t)
	m = unitKeys(t, m, "down", "down")
	id := m.selected().S.ID
	m = unitKeys(t, m, "space")
	if m.list.Cursor != 2 || m.selected().S.ID != id {
		t.Fatalf("space moved the cursor to %d", m.list.Cursor)
	}
	if !m.marked[id] || len(m.marked) != 1 {
		t.Fatalf("marked %v, want %s", m.marked, id)
	}
	m = unitKeys(t, m, "space")
	if len(m.marked) != 0 || m.list.Cursor != 2 {
		t.Fatalf("second space: marked %v, cursor %d", m.marked, m.list.Cursor)
	}
}

func TestUpdateHideResolved(t *testing.T) {
	m, _ := unitModel(t)
	resolved := 0
	for _, r := range m.st.rows() {
		if r.Resolved() {
			resolved++
		}
	}
	if resolved == 0 || resolved == progSessions {
		t.Fatalf("precondition: %d resolved of %d", resolved, progSessions)
	}
	if !strings.Contains(m.View(), sessionlist.ResolvedGlyph+" ") {
		t.Fatalf("no resolved marker in the list:\n%s", m.View())
	}
	m = unitKeys(t, m, "R")
	if len(m.view.rows) != progSessions-resolved {
		t.Fatalf("R shows %d rows, want %d", len(m.view.rows), progSessions-resolved)
	}
	unitRowsOK(t, m, "resolved hidden", func(r *row) bool { return !r.Resolved() })
	v := m.View()
	if !strings.Contains(strings.SplitN(v, "\n", 2)[0], "resolved hidden") {
		t.Fatalf("header does not say resolved are hidden:\n%s", v)
	}
	if !strings.Contains(v, "[All "+progItoa(progSessions-resolved)+"]") {
		t.Fatalf("tab count does not follow:\n%s", v)
	}
	// It composes with the filter and the tabs.
	m = unitKeys(t, m, "/", "#", "b", "u", "g", "enter")
	unitRowsOK(t, m, "#bug, resolved hidden", func(r *row) bool { return !r.Resolved() && r.HasTag("bug") })
	m = unitKeys(t, m, "esc", "R")
	if len(m.view.rows) != progSessions || strings.Contains(m.View(), "resolved hidden") {
		t.Fatalf("R again: %d rows", len(m.view.rows))
	}
}

// unitPinnedModel is unitModel with sessions 3 and 7 pinned on the server.
func unitPinnedModel(t *testing.T) (Model, []string) {
	t.Helper()
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	ids := progPin(t, srv, 3, 7)
	return unitLoaded(t, srv, 120, 40), ids
}

// progPin pins the sessions at list positions at, before the program starts.
func progPin(t *testing.T, srv *apitest.Server, at ...int) []string {
	t.Helper()
	var ids []string
	for _, i := range at {
		id := progPick(t, srv, i).ID
		if err := progClient(srv, "").Pin(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestUpdateViewKeys(t *testing.T) {
	m, pinned := unitPinnedModel(t)
	m = unitKeys(t, m, "down", "down", "down")
	m = unitUpdate(t, m, tea.KeyMsg{Type: tea.KeyF1})
	if m.spec.q.Raw != "status:failed,waiting" || m.filter.Value() != "status:failed,waiting" {
		t.Fatalf("F1 set %q (input %q)", m.spec.q.Raw, m.filter.Value())
	}
	if m.list.Cursor != 0 {
		t.Fatalf("cursor at %d after a view, want the first row", m.list.Cursor)
	}
	unitRowsOK(t, m, "Needs attention", func(r *row) bool { return r.Act == "failed" || r.Cell == "waiting" })
	if n := len(m.view.rows); n == 0 || n == progSessions {
		t.Fatalf("F1 shows %d rows", n)
	}
	v := m.View()
	if !strings.Contains(strings.SplitN(v, "\n", 2)[0], "view Needs attention") {
		t.Fatalf("header does not name the view:\n%s", v)
	}
	if !strings.Contains(v, "filter status:failed,waiting") {
		t.Fatalf("the query does not show as the filter:\n%s", v)
	}
	// Kept in history, as if typed.
	if got := m.qin.history; len(got) != 1 || got[0] != "status:failed,waiting" {
		t.Fatalf("history %v", got)
	}
	// F3: Mine.
	m = unitUpdate(t, m, tea.KeyMsg{Type: tea.KeyF3})
	if !slices.Equal(unitSorted(unitRowIDs(m)...), unitSorted(pinned...)) {
		t.Fatalf("Mine shows %v, want the pinned %v", unitRowIDs(m), pinned)
	}
	// Editing the filter leaves the view: the header stops naming it.
	m = unitKeys(t, m, "/", "x")
	if m.currentView() != "" || strings.Contains(m.View(), "view Mine") {
		t.Fatalf("still the view Mine after editing: %q", m.spec.q.Raw)
	}
	m = unitKeys(t, m, "esc")
	// A key without a view says so.
	m = unitUpdate(t, m, tea.KeyMsg{Type: tea.KeyF7})
	if m.status.kind != statusError || !strings.Contains(m.status.text, "no view on F7") || m.spec.q.Raw != "" {
		t.Fatalf("F7: status %+v, query %q", m.status, m.spec.q.Raw)
	}
}

func TestUpdateViewsFromOptions(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	views, err := MergeViews(DefaultViews(), []View{{"Mine", ""}, {"Bugs", "#bug"}})
	if err != nil {
		t.Fatal(err)
	}
	opts := progOptions(progClient(srv, ""))
	opts.Views = views
	m := New(opts)
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = unitDrive(t, m, m.initLoad)
	m = unitUpdate(t, m, tea.KeyMsg{Type: tea.KeyF3}) // Mine was removed: Bugs moved up
	if m.spec.q.Raw != "#bug" || m.currentView() != "Bugs" {
		t.Fatalf("F3 → %q (%q)", m.spec.q.Raw, m.currentView())
	}
	unitRowsOK(t, m, "Bugs", func(r *row) bool { return r.HasTag("bug") })
}

func TestUpdateViewsPicker(t *testing.T) {
	m, _ := unitModel(t)
	m = unitKeys(t, m, "v")
	if m.mode != modeViews || m.pickViews == nil {
		t.Fatalf("v → mode %v", m.mode)
	}
	v := m.View()
	for _, want := range []string{"Saved views", "› ", "F1", "Needs attention", "status:failed,waiting", "Mine", "apply view", "esc back"} {
		if !strings.Contains(v, want) {
			t.Fatalf("picker lacks %q:\n%s", want, v)
		}
	}
	// g/G and the arrows move while nothing is typed.
	m = unitKeys(t, m, "G")
	if m.pickViews.win.Cursor != 2 {
		t.Fatalf("G → cursor %d", m.pickViews.win.Cursor)
	}
	m = unitKeys(t, m, "g", "down")
	if m.pickViews.win.Cursor != 1 {
		t.Fatalf("g down → cursor %d", m.pickViews.win.Cursor)
	}
	m = unitKeys(t, m, "pgdown")
	if m.pickViews.win.Cursor != 2 {
		t.Fatalf("pgdn → cursor %d", m.pickViews.win.Cursor)
	}
	// Typing filters by name or query, and then g is a letter.
	m = unitKeys(t, m, "t", "a", "g")
	if got := len(m.pickViews.shown); got != 1 || m.pickViews.query != "tag" {
		t.Fatalf("typing tag: %d shown, query %q", got, m.pickViews.query)
	}
	if v, ok := m.pickViews.chosen(); !ok || v.Name != "Untagged idle" {
		t.Fatalf("chosen %v", v)
	}
	m = unitKeys(t, m, "enter")
	if m.mode != modeList || m.spec.q.Raw != "status:idle tag:none updated:>1d" || m.currentView() != "Untagged idle" {
		t.Fatalf("enter → mode %v, query %q, view %q", m.mode, m.spec.q.Raw, m.currentView())
	}
	// Reopened, the view in force is checked and under the cursor; esc leaves it.
	m = unitKeys(t, m, "v")
	if c, _ := m.pickViews.chosen(); c.Name != "Untagged idle" || !strings.Contains(m.View(), "✓") {
		t.Fatalf("reopened on %q", c.Name)
	}
	m = unitKeys(t, m, "x", "y", "z")
	if !strings.Contains(m.View(), "no view matches") {
		t.Fatalf("no match not said:\n%s", m.View())
	}
	m = unitKeys(t, m, "enter", "esc")
	if m.mode != modeList || m.spec.q.Raw != "status:idle tag:none updated:>1d" {
		t.Fatalf("esc → mode %v, query %q", m.mode, m.spec.q.Raw)
	}
}

func TestActivityFrame(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for i := range len(sessionlist.ActivityFrames) {
		f := sessionlist.ActivityFrame(base.Add(time.Duration(i) * sessionlist.ActivityPeriod))
		if f != sessionlist.ActivityFrame(base.Add(time.Duration(i)*sessionlist.ActivityPeriod+sessionlist.ActivityPeriod/2)) {
			t.Fatalf("frame %d changes within its period", i)
		}
		seen[f] = true
	}
	if len(seen) != len(sessionlist.ActivityFrames) {
		t.Fatalf("%d distinct frames over a cycle, want %d", len(seen), len(sessionlist.ActivityFrames))
	}
	if sessionlist.ActivityFrame(time.Unix(-1, 0)) == "" {
		t.Fatal("no frame before 1970")
	}
}

// Running rows lead with the frame of the clock; others never.
func TestListShowsActivityOfRunningRows(t *testing.T) {
	m, _ := unitModel(t)
	frame := sessionlist.ActivityFrame(m.ctx.Now())
	running := 0
	for _, r := range m.view.rows[:m.list.Height] {
		cell := r.Cell
		if r.Act == "running" {
			cell = frame + " " + cell
			running++
		}
		if !strings.Contains(m.View(), cell) {
			t.Fatalf("row %s: no status cell %q", r.S.ID, cell)
		}
	}
	for _, l := range strings.Split(m.View(), "\n")[3:] {
		if rs := []rune(l); len(rs) > 15 && strings.TrimSpace(string(rs[sessionlist.GutterWidth:sessionlist.GutterWidth+10])) == "running" {
			t.Fatalf("running row without indicator: %q", l)
		}
	}
	if running == 0 {
		t.Fatalf("no running row shows %q:\n%s", frame, m.View())
	}
	// The frame follows the clock: a later View draws the next one.
	later := m.ctx.Now().Add(sessionlist.ActivityPeriod)
	m.ctx.Now = func() time.Time { return later }
	if next := sessionlist.ActivityFrame(later); next == frame || !strings.Contains(m.View(), next+" running") {
		t.Fatalf("the frame did not move with the clock")
	}
	if slices.Contains(sessionlist.ActivityFrames[:], sessionlist.FailedGlyph) {
		t.Fatal("a frame looks like the failed glyph")
	}
}

// ---- Program tests (80x24 goldens).

func TestProgramViewF1(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	p.sendWait(tea.KeyMsg{Type: tea.KeyF1})
	s := p.waitView("view Needs attention", "filter status:failed,waiting")
	var want []string
	for _, x := range progSeed(srv) {
		if x.Activity == "failed" || x.Status.Normal() == "waitingfortoolresults" {
			want = append(want, x.ID)
		}
	}
	if len(want) == 0 || len(want) == progSessions || !progSameSet(s.rows, want) {
		t.Fatalf("rows %v, want %v", s.rows, want)
	}
	p.golden()
}

func TestProgramViewsPicker(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	pinned := progPin(t, srv, 3, 7)
	p := progStartList(t, srv, 80, 24)
	p.press("v")
	p.waitFor("views picker", func(s progSnap) bool { return s.mode == modeViews })
	p.typeText("mine")
	p.waitFor("filtered picker", func(s progSnap) bool {
		return strings.Contains(s.view, "filter: mine") && !strings.Contains(s.view, "Needs attention")
	})
	p.press("enter")
	s := p.waitView("view Mine", "filter is:pinned")
	if !progSameSet(s.rows, pinned) {
		t.Fatalf("rows %v, want the pinned %v", s.rows, pinned)
	}
	p.golden()
}

// The picker itself: title, filter, the cursor's "›" without colour, the
// F-keys, and its own footer.
func TestProgramViewsPickerOpen(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	p.press("v", "down")
	p.waitFor("views picker", func(s progSnap) bool { return s.mode == modeViews && strings.Contains(s.view, "› ") })
	p.golden()
}

func TestProgramHideResolved(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	var want []string
	for _, x := range progSeed(srv) {
		if !x.HasTag("resolved") {
			want = append(want, x.ID)
		}
	}
	if len(want) == progSessions {
		t.Fatal("precondition: no resolved session")
	}
	p.press("R")
	s := p.waitView("resolved hidden", "[All "+progItoa(len(want))+"]")
	if !progSameSet(s.rows, want) {
		t.Fatalf("rows %v, want %v", s.rows, want)
	}
	p.golden()
}
