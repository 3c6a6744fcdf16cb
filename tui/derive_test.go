package tui

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/querylang"
	"github.com/everruns/sessions/tui/safetext"
	"github.com/everruns/sessions/tui/sessionlist"
)

func strp(s string) *string { return &s }

// testNow is the time test queries compile against.
var testNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// testQuery compiles s as the filter input does, with no known tags (every
// #x is a tag) and no agents.
func testQuery(s string) query { return sessionlist.CompileQuery(s, querylang.Env{Now: testNow}) }

func testRows() []*row {
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	mk := func(i int, status, title string, tags []string, tokens int64) *row {
		s := apiclient.Session{
			ID: fmt.Sprintf("session_%032x", i), AgentID: "agent_a", Status: apiclient.Status(status),
			Tags: tags, CreatedAt: base.Add(-time.Duration(i) * time.Hour),
			UpdatedAt: base.Add(-time.Duration(10-i) * time.Minute),
			Usage:     &apiclient.TokenUsage{InputTokens: tokens},
		}
		if title != "" {
			s.Title = strp(title)
		} else {
			s.Preview = strp("refund for the order please")
		}
		return sessionlist.NewRow(s)
	}
	return []*row{
		mk(0, "active", "Refund request from ACME", []string{"billing", "resolved"}, 500),
		mk(1, "idle", "Login broken", []string{"bug"}, 9000),
		mk(2, "started", "", nil, 10),
		mk(3, "waiting_for_tool_results", "Deploy stuck", []string{"ops"}, 100),
		mk(4, "idle", "Billing question", []string{"billing"}, 0),
	}
}

func ids(rows []*row) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		fmt.Sscanf(r.S.ID, "session_%x", &out[i])
	}
	return out
}

func TestDeriveFilterTabsSort(t *testing.T) {
	all := testRows()
	cases := []struct {
		name string
		spec viewSpec
		want []int
	}{
		{"server order", viewSpec{}, []int{0, 1, 2, 3, 4}},
		{"running tab: active and waiting", viewSpec{tab: tabRunning}, []int{0, 3}},
		{"idle tab: idle and started without activity", viewSpec{tab: tabIdle}, []int{1, 2, 4}},
		{"failed tab empty without activity", viewSpec{tab: tabFailed}, []int{}},
		{"tag filter", viewSpec{q: testQuery("#billing")}, []int{0, 4}},
		{"tag exclusion", viewSpec{q: testQuery("#billing -#resolved")}, []int{4}},
		{"words match untitled preview", viewSpec{q: testQuery("refund")}, []int{0, 2}},
		{"sort tokens", viewSpec{sort: sortTokens}, []int{1, 0, 3, 2, 4}},
		{"sort tokens reversed", viewSpec{sort: sortTokens, reverse: true}, []int{4, 2, 3, 0, 1}},
		{"sort title", viewSpec{sort: sortTitle}, []int{4, 3, 1, 2, 0}},
		{"sort updated", viewSpec{sort: sortUpdated}, []int{4, 3, 2, 1, 0}},
		{"no match", viewSpec{q: testQuery("zzzz")}, []int{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ids(deriveView(all, 1, c.spec, nil).rows)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestDeriveTabCountsFollowQuery(t *testing.T) {
	res := deriveView(testRows(), 1, viewSpec{q: testQuery("#billing"), tab: tabIdle}, nil)
	if res.tabCounts[tabAll] != 2 || res.tabCounts[tabRunning] != 1 || res.tabCounts[tabIdle] != 1 {
		t.Fatalf("tab counts %v", res.tabCounts)
	}
	if res.statusAll["idle"] != 3 || res.statusAll["running"] != 2 {
		t.Fatalf("status counts %v", res.statusAll)
	}
}

func TestDeriveNarrowsFromPrevious(t *testing.T) {
	all := testRows()
	prev := deriveView(all, 1, viewSpec{q: testQuery("refu")}, nil)
	// Narrowing reuses prev.filtered: drop a row from it and check the
	// next result cannot contain that row even though it matches.
	prev.filtered = prev.filtered[:1]
	next := deriveView(all, 1, viewSpec{q: testQuery("refun")}, prev)
	if len(next.rows) != 1 {
		t.Fatalf("narrowed result should come from prev.filtered, got %v", ids(next.rows))
	}
	// A different data version must not narrow.
	full := deriveView(all, 2, viewSpec{q: testQuery("refun")}, prev)
	if len(full.rows) != 2 {
		t.Fatalf("new version must rescan, got %v", ids(full.rows))
	}
}

func TestQueryNarrows(t *testing.T) {
	cases := []struct {
		prev, next string
		want       bool
	}{
		{"ref", "refu", true},
		{"ref", "ref und", true},
		{"refu", "ref", false},
		{"ref #a", "refu #a", true},
		{"ref #a", "refu #ab", false},
		{"", "x", true},
		{"status:failed,running", "status:failed", true},
		{"status:failed", "status:failed,running", false},
		{"tokens:>1", "tokens:>100k ref", true},
	}
	for _, c := range cases {
		if got := testQuery(c.next).Narrows(testQuery(c.prev)); got != c.want {
			t.Errorf("%q after %q: narrows=%v, want %v", c.next, c.prev, got, c.want)
		}
	}
}

func TestMatchPositions(t *testing.T) {
	q := testQuery("log")
	if got := q.MatchPositions("Login broken"); !reflect.DeepEqual(got, []int{0, 1, 2}) {
		t.Fatalf("positions %v", got)
	}
}

func TestTitleMatchesRankFirst(t *testing.T) {
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	preview := sessionlist.NewRow(apiclient.Session{ID: "session_1", Status: "idle", Title: strp("Order status"),
		Preview: strp("a refund is needed"), CreatedAt: base, UpdatedAt: base})
	title := sessionlist.NewRow(apiclient.Session{ID: "session_2", Status: "idle", Title: strp("Refund"),
		CreatedAt: base, UpdatedAt: base})
	// The preview match comes first in server order.
	got := deriveView([]*row{preview, title}, 1, viewSpec{q: testQuery("refund")}, nil).rows
	if len(got) != 2 || got[0] != title {
		t.Fatalf("title match should rank first, got %v", got)
	}
}

// Words search titles, previews and agents, never tags nor ids: tags have
// their own syntax, and digits scattered in hex ids matched by accident.
func TestWordsSkipTagsAndIDs(t *testing.T) {
	all := testRows()
	if got := ids(deriveView(all, 1, viewSpec{q: testQuery("billing")}, nil).rows); !reflect.DeepEqual(got, []int{4}) {
		t.Fatalf("billing as a word: %v, want only the title match", got)
	}
	if got := ids(deriveView(all, 1, viewSpec{q: testQuery("session")}, nil).rows); len(got) != 0 {
		t.Fatalf("a word matched inside ids: %v", got)
	}
}

// With words typed, matches rank by relevance in the default order, and
// follow the sort the user picked otherwise.
func TestExplicitSortBeatsRanking(t *testing.T) {
	all := testRows()
	spec := viewSpec{q: testQuery("refund"), sort: sortTokens}
	got := ids(deriveView(all, 1, spec, nil).rows)
	if len(got) != 2 || got[0] != 0 { // row 0 has more tokens than row 2
		t.Fatalf("sorted by tokens: got %v", got)
	}
	if spec.sortLabel() != "tokens" || (viewSpec{q: testQuery("refund")}).sortLabel() != "relevance" {
		t.Fatal("sort label")
	}
}

// The server's activity wins over the status; failed and waiting read in
// words (and a glyph) that fit the status column.
func TestActivityOfRow(t *testing.T) {
	cases := []struct {
		status   apiclient.Status
		activity apiclient.Activity
		act      string
		cell     string
	}{
		{"idle", "failed", "failed", "✗ failed"},
		{"idle", "completed", "completed", "completed"},
		{"waiting_for_tool_results", "", "running", "waiting"},
		{"waitingfortoolresults", "running", "running", "waiting"},
		{"active", "", "running", "running"},
		{"paused", "", "paused", "paused"},
		{"started", "", "idle", "idle"},
		{"weird", "", "weird", "weird"},
		{"idle", "exploded", "exploded", "exploded"},
	}
	for _, c := range cases {
		r := sessionlist.NewRow(apiclient.Session{ID: "s", Status: c.status, Activity: c.activity})
		if r.Act != c.act || r.Cell != c.cell {
			t.Errorf("%s/%s: act %q cell %q, want %q %q", c.status, c.activity, r.Act, r.Cell, c.act, c.cell)
		}
		if w := safetext.Width(r.Cell); w > sessionlist.LayoutColumns(80).Width(sessionlist.ColStatus) {
			t.Errorf("%q is %d cells, wider than the column", r.Cell, w)
		}
	}
	if tabOf("exploded") != tabAll {
		t.Error("an unknown activity shows under All only")
	}
}

func TestDerivePinnedFirstInDefaultOrder(t *testing.T) {
	all := testRows()
	all[3].Pinned, all[4].Pinned = true, true
	for _, c := range []struct {
		spec viewSpec
		want []int
	}{
		{viewSpec{}, []int{3, 4, 0, 1, 2}},
		{viewSpec{reverse: true}, []int{4, 3, 2, 1, 0}},
		{viewSpec{sort: sortTokens}, []int{1, 0, 3, 2, 4}}, // an order the user picked is kept
	} {
		if got := ids(deriveView(all, 1, c.spec, nil).rows); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: got %v, want %v", c.spec, got, c.want)
		}
	}
}
