package tui

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui/sessionlist"
)

func page(offset, n, total int) apiclient.SessionPage {
	p := apiclient.SessionPage{Offset: offset, Total: total, Limit: n}
	for i := range n {
		p.Data = append(p.Data, apiclient.Session{ID: fmt.Sprintf("s%d", offset+i), Status: "idle"})
	}
	return p
}

func TestStorePagesOutOfOrder(t *testing.T) {
	st := newStore()
	st.applyPage(0, page(0, 2, 6))
	st.applyPage(4, page(4, 2, 6))
	if got := len(st.rows()); got != 4 || st.loaded != 4 {
		t.Fatalf("rows %d loaded %d", got, st.loaded)
	}
	st.applyPage(2, page(2, 2, 6))
	var got []string
	for _, r := range st.rows() {
		got = append(got, r.S.ID)
	}
	if !reflect.DeepEqual(got, []string{"s0", "s1", "s2", "s3", "s4", "s5"}) {
		t.Fatalf("order %v", got)
	}
}

func TestStoreMovedSessionKeptOnce(t *testing.T) {
	st := newStore()
	st.applyPage(0, page(0, 3, 3))
	// A new session on top pushes s2 to offset 3 on the next page.
	p := apiclient.SessionPage{Offset: 3, Total: 4, Data: []apiclient.Session{{ID: "s2"}}}
	st.applyPage(3, p)
	if st.loaded != 3 || len(st.rows()) != 3 {
		t.Fatalf("loaded %d rows %d", st.loaded, len(st.rows()))
	}
}

func TestStoreUpsert(t *testing.T) {
	st := newStore()
	st.applyPage(0, page(0, 2, 2))
	if _, isNew := st.upsert(apiclient.Session{ID: "s1", Status: "active"}); isNew {
		t.Fatal("s1 exists")
	}
	if st.get("s1").Status != "active" {
		t.Fatal("upsert did not replace")
	}
	if _, isNew := st.upsert(apiclient.Session{ID: "new"}); !isNew {
		t.Fatal("new is new")
	}
	if st.rows()[0].S.ID != "new" || st.get("s1") == nil || st.get("s0") == nil {
		t.Fatal("new session goes on top and ids stay reachable")
	}
}

func TestFormat(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 999: "999", 1000: "1k", 12345: "12.3k", 4_500_000: "4.5M", 999_999: "1M", 999_949: "999.9k",
		// Past int32: still positive, with the right unit.
		2_147_483_647: "2.1B", 2_147_483_648: "2.1B", 5_000_000_000: "5B", 7_300_000_000_000: "7.3T",
		math.MaxInt64: ">999T", -1: "?", math.MinInt64: "?",
	} {
		if got := compactTokens(n); got != want {
			t.Errorf("compactTokens(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestRowSubjectIsLoweredOnce(t *testing.T) {
	s := apiclient.Session{ID: "Session_AB", AgentID: "Agent_X", Status: "Waiting_For_Tool_Results",
		Activity: "Failed", Source: "API", Tags: []string{"Billing", "vip"}, Title: strp("Café POS — Store 12"),
		Preview: strp("ÜBERSETZUNG der Hilfe"), IsPinned: ptrTo(true)}
	r := sessionlist.NewRow(s)
	sub := r.Subject()
	if sub.ID != "session_ab" || sub.AgentID != "agent_x" || sub.Status != "waiting_for_tool_results" ||
		sub.Activity != "failed" || sub.Source != "api" || !sub.Pinned {
		t.Fatalf("subject %+v", sub)
	}
	if !slices.Equal(sub.Tags, []string{"billing", "vip"}) || !slices.Equal(s.Tags, []string{"Billing", "vip"}) {
		t.Fatalf("tags %v (session's %v)", sub.Tags, s.Tags)
	}
	if r.TitleKey() != "café pos — store 12" || !strings.Contains(sub.Text, "übersetzung der hilfe") {
		t.Fatalf("text %q, title key %q", sub.Text, r.TitleKey())
	}
	if strings.Contains(sub.Text, "session_ab") || strings.Contains(sub.Text, "billing") {
		t.Fatalf("ids and tags are not free text: %q", sub.Text)
	}
	// Already lower-case values are the session's own strings, not copies.
	if unsafe.StringData(sub.Tags[1]) != unsafe.StringData(s.Tags[1]) {
		t.Fatal("a lower-case tag was copied")
	}
}

// Every change to a store gives it a version no store had before, so what
// was derived from another store or an older state is never taken as
// current.
func TestStoreOwnsItsVersion(t *testing.T) {
	a, b := newStore(), newStore()
	if a.version == b.version {
		t.Fatalf("two new stores share version %d", a.version)
	}
	seen := map[int]bool{a.version: true, b.version: true}
	step := func(what string, s *store, change func()) {
		t.Helper()
		change()
		if seen[s.version] {
			t.Fatalf("%s: version %d repeated", what, s.version)
		}
		seen[s.version] = true
	}
	step("page", a, func() { a.applyRows(0, 2, rowsOf([]apiclient.Session{{ID: "s1"}, {ID: "s2"}})) })
	step("upsert", a, func() { a.upsert(apiclient.Session{ID: "s1", Title: new(string)}) })
	v := a.version
	a.applyRows(5, 0, nil) // no rows: nothing changed
	if a.version != v {
		t.Fatalf("an empty page changed the version")
	}
}

// The list follows the store without being told: a change to the store by
// any message is derived again.
func TestListFollowsStore(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	m := unitLoaded(t, srv, 120, 40)
	s := srv.All()[0]
	s.Tags = append(s.Tags, "followed")
	m.st.upsert(s) // as any handler would, without saying so
	m = unitUpdate(t, m, toastExpiredMsg{id: -1})
	found := false
	for _, r := range m.view.rows {
		if r.S.ID == s.ID && r.HasTag("followed") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the derived list did not follow the store")
	}
}

func TestStoreTrimToKeepsTheNewest(t *testing.T) {
	st := newStore()
	st.applyPage(0, page(0, 5, 9))
	st.applyPage(7, page(7, 2, 9)) // a gap at 5, 6: a page still on its way
	st.upsert(apiclient.Session{ID: "new"})
	v := st.version
	st.trimTo(4)
	var got []string
	for _, r := range st.rows() {
		got = append(got, r.S.ID)
	}
	if !reflect.DeepEqual(got, []string{"new", "s0", "s1", "s2"}) || st.loaded != 4 || len(st.byID) != 4 || len(st.slots) != 4 {
		t.Fatalf("kept %v (loaded %d, %d ids, %d slots)", got, st.loaded, len(st.byID), len(st.slots))
	}
	if st.version == v || st.get("s8") != nil || st.get("s2") == nil {
		t.Error("version unchanged, or a dropped id still found")
	}
	st.trimTo(10) // under the bound: nothing moves
	if st.loaded != 4 {
		t.Errorf("loaded %d", st.loaded)
	}
}
