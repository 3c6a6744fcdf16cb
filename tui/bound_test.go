package tui

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// noStats hides the client's Stats: apitest counts a million lazily
// generated sessions one by one, far slower than a real server; the counts
// are tested on a smaller organisation (TestBoundedCountsAreTheServers).
type noStats struct{ API }

// millionServer is an organisation of a million sessions, generated lazily.
func millionServer(t *testing.T) *apitest.Server {
	t.Helper()
	return progServer(t, apitest.Options{Sessions: 1_000_000})
}

// With a million sessions and MaxRows 1000, the program keeps 1000 rows
// (counted in the store), asks for no more pages than that needs, and the
// header gives the server's total.
func TestMaxRowsBoundsKeptRows(t *testing.T) {
	srv := millionServer(t)
	opts := progOptions(noStats{progClient(srv, "")})
	opts.MaxRows = 1000
	p := startProg(t, srv, opts, 120, 24)
	s := p.waitSettled("bounded load")
	if !strings.Contains(s.view, "newest 1,000 of 1,000,000 loaded") {
		t.Errorf("header does not say the bound:\n%s", s.view)
	}
	m := p.finish()
	if m.st.loaded != 1000 || len(m.st.slots) != 1000 || len(m.st.byID) != 1000 || len(m.all) > 1000 {
		t.Errorf("kept %d rows (%d slots, %d ids, %d listed), want 1000", m.st.loaded, len(m.st.slots), len(m.st.byID), len(m.all))
	}
	if m.st.total != 1_000_000 || !m.st.bounded {
		t.Errorf("total %d bounded %v, want the server's 1,000,000", m.st.total, m.st.bounded)
	}
	lists := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet && r.Path == "/v1/sessions" {
			lists++
		}
	}
	if lists > 1000/100+opts.withDefaults().Concurrency {
		t.Errorf("%d list requests for 1000 rows of 100", lists)
	}
}

// The first page is drawn while the second is still on its way: every
// later page is held by the server until the first rows are on screen
// (ordering, not timing), then released.
func TestFirstPageDrawnBeforeSecond(t *testing.T) {
	srv := millionServer(t)
	gate := make(chan struct{})
	later := apitest.MatchList(1)
	srv.SetFaults(apitest.Faults{Match: func(r *http.Request) bool {
		if later(r) {
			select {
			case <-gate:
			case <-r.Context().Done():
			}
		}
		return false
	}})
	opts := progOptions(noStats{progClient(srv, "")})
	opts.MaxRows = 500
	p := startProg(t, srv, opts, 120, 24)
	s := p.waitFor("first rows", func(s progSnap) bool { return len(s.rows) > 0 })
	if !s.loading || len(s.rows) != 100 {
		t.Fatalf("first rows: loading %v, %d rows; want the first page only, still loading", s.loading, len(s.rows))
	}
	// Mid-load the header says how far the load got, not a total.
	s = p.waitFor("mid-load header", func(s progSnap) bool { return strings.Contains(s.view, "100 of 1,000,000 loaded") })
	if strings.Contains(s.view, "100 total") {
		t.Errorf("mid-load header calls the kept rows a total:\n%s", s.view)
	}
	// Keys are handled while the load goes on.
	p.press("j")
	if s := p.rec.get(); s.cursor != 1 {
		t.Errorf("cursor %d after j during the load", s.cursor)
	}
	close(gate)
	s = p.waitSettled("rest of the load")
	if len(s.rows) != 500 || !strings.Contains(s.view, "newest 500 of 1,000,000 loaded") {
		t.Errorf("%d rows after the load:\n%s", len(s.rows), s.view)
	}
}

// When the bound cuts the list, the header and the tabs count what the
// server has (its stats and facets), not the kept rows; a filter counts its
// matches.
func TestBoundedCountsAreTheServers(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 3000})
	opts := progOptions(progClient(srv, ""))
	opts.MaxRows = 200
	p := startProg(t, srv, opts, 140, 24)
	st, err := progClient(srv, "").Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := p.waitFor("server counts", func(s progSnap) bool {
		return s.settled && strings.Contains(s.view, "All "+thousands(st.Total))
	})
	f, err := progClient(srv, "").Facets(context.Background(), apiclient.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"newest 200 of 3,000 loaded"}
	for _, c := range f.ByActivity {
		if tab := tabOf(c.Value); tab != tabAll {
			want = append(want, tab.String()+" "+thousands(c.Count))
		}
	}
	if len(want) < 4 {
		t.Fatalf("facets by activity %+v", f.ByActivity)
	}
	s = p.waitFor("facet counts", func(s progSnap) bool { return strings.Contains(s.view, want[1]) })
	for _, want := range want {
		if !strings.Contains(s.view, want) {
			t.Errorf("view lacks %q:\n%s", want, s.view)
		}
	}
	if len(s.rows) != 200 {
		t.Errorf("%d rows shown, want the 200 kept", len(s.rows))
	}
}

// Rows that refreshes put on top of a bounded store push the oldest out
// once no load is running: the bound holds for the whole run.
func TestUpdateKeepsTheBoundAfterLoads(t *testing.T) {
	m := New(Options{API: noStats{}, MaxRows: 3, Now: progClock})
	m.load.active = false
	m.st.applyPage(0, page(0, 3, 10))
	m.st.bounded = true
	m.st.upsert(apiclient.Session{ID: "new"}) // as a refresh does
	nm, _ := m.Update(toastExpiredMsg{})
	got := nm.(Model)
	if got.st.loaded != 3 || got.st.get("new") == nil || got.st.get("s2") != nil {
		t.Errorf("loaded %d; new kept %v; oldest dropped %v", got.st.loaded, got.st.get("new") != nil, got.st.get("s2") == nil)
	}
	// While a load runs, its rows are not trimmed under it.
	m.load.active = true
	m.st.upsert(apiclient.Session{ID: "newer"})
	nm, _ = m.Update(toastExpiredMsg{})
	if got := nm.(Model); got.st.loaded != 4 {
		t.Errorf("trimmed during a load: %d", got.st.loaded)
	}
}
