package tui

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
)

// At a million sessions with 1,000 kept, going past the last loaded row
// fetches the next older page and drops as many of the newest rows: the
// store stays within the bound, the cursor stays on its session, and the
// header says which rows are loaded. Going above the first row brings the
// newest back.
func TestScrollPastTheWindowFetchesAndEvicts(t *testing.T) {
	srv := millionServer(t)
	c := progClient(srv, "")
	opts := progOptions(listOnlyAPI{noStats{c}})
	opts.MaxRows = 1000
	d := newFaultDriver(t, opts, 120, 30)
	d.waitFor("the bounded load", func(m Model) bool { return m.load.complete && !m.load.active && len(m.view.rows) == 1000 }, progWait)
	want, err := c.ListSessions(context.Background(), apiclient.ListOptions{Offset: 1000, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	before := len(srv.Requests())
	d.press("G")
	last := d.m.selected().S.ID
	d.waitFor("the next page", func(m Model) bool { return m.st.base > 0 && len(m.view.rows) == 1000 && !m.deriving }, progWait)
	m := d.m
	if m.st.loaded > 1000 || len(m.st.byID) > 1000 || len(m.st.slots) > 1000 {
		t.Fatalf("the store holds %d rows (%d ids, %d slots)", m.st.loaded, len(m.st.byID), len(m.st.slots))
	}
	if got := m.view.rows[len(m.view.rows)-1].S.ID; got != want.Data[99].ID {
		t.Errorf("last row %s, want the server's 1,100th %s", got, want.Data[99].ID)
	}
	if m.selected().S.ID != last || m.list.Cursor != 899 {
		t.Errorf("cursor on %s at %d, want %s at 899", m.selected().S.ID, m.list.Cursor, last)
	}
	if !strings.Contains(d.screen(), "sessions · 101–1,100 of 1,000,000 loaded") {
		t.Errorf("header does not say the window:\n%s", d.screen())
	}
	var asked []string
	for _, r := range srv.Requests()[before:] {
		if strings.HasSuffix(r.Path, "/v1/sessions") {
			q, _ := url.ParseQuery(r.Query)
			asked = append(asked, q.Get("offset"))
		}
	}
	if len(asked) != 1 || asked[0] != "1000" {
		t.Errorf("pages asked %v, want the one at 1000", asked)
	}

	d.press("g")
	d.waitFor("the newest back", func(m Model) bool { return m.st.base == 0 && !m.win.inflight && !m.deriving }, progWait)
	if d.m.st.loaded != 1000 || d.m.st.get(want.Data[99].ID) != nil {
		t.Errorf("after coming back: %d rows, the oldest page still held: %v", d.m.st.loaded, d.m.st.get(want.Data[99].ID) != nil)
	}
	if !strings.Contains(d.screen(), "newest 1,000 of 1,000,000 loaded") {
		t.Errorf("header:\n%s", d.screen())
	}
}

// g far down the window goes back to the newest sessions at once (a load
// of the newest, as at start), not a page per key.
func TestTopKeyReturnsToTheNewest(t *testing.T) {
	srv := millionServer(t)
	opts := progOptions(listOnlyAPI{noStats{progClient(srv, "")}})
	opts.MaxRows = 1000
	d := newFaultDriver(t, opts, 120, 30)
	d.waitFor("the bounded load", func(m Model) bool { return m.load.complete && !m.load.active && len(m.view.rows) == 1000 }, progWait)
	newest := d.m.view.rows[0].S.ID
	for base := 100; base <= 300; base += 100 {
		d.press("G")
		d.waitFor("an older page", func(m Model) bool { return m.st.base == base && !m.win.inflight && !m.deriving }, progWait)
	}
	d.press("g")
	d.waitFor("the newest back", func(m Model) bool {
		return m.load.complete && !m.load.active && m.st.base == 0 && len(m.view.rows) == 1000 && !m.deriving
	}, progWait)
	if got := d.m.view.rows[0].S.ID; got != newest || d.m.list.Cursor != 0 {
		t.Errorf("after g: first row %s at cursor %d, want the newest %s at 0", got, d.m.list.Cursor, newest)
	}
	if !strings.Contains(d.screen(), "newest 1,000 of 1,000,000 loaded") {
		t.Errorf("header:\n%s", d.screen())
	}
}

// A stale page (asked before a reload replaced the store) changes nothing.
func TestWindowDropsAPageForAnotherStore(t *testing.T) {
	m := boundedModel(t, newSearchAPI())
	nm, cmd := m.Update(progKey("G")) // its page is not fetched here
	m = nm.(Model)
	if cmd == nil || !m.win.inflight {
		t.Fatal("G on the last loaded row asked for nothing")
	}
	gen := m.win.gen
	other := newStore()
	nm, _ = m.Update(windowPageMsg{gen: gen, st: other, older: true, limit: 1, rows: rowsOf(page(3, 1, 1000).Data)})
	got := nm.(Model)
	if got.st.get("s3") != nil || got.win.inflight {
		t.Errorf("a page for another store was taken (in flight %v)", got.win.inflight)
	}
}

// store.dropFront and prependRows keep byID, loaded and base in step.
func TestStoreWindowMoves(t *testing.T) {
	st := newStore()
	st.applyPage(0, page(0, 5, 100))
	if n := st.appendRows(rowsOf(page(4, 3, 100).Data)); n != 2 {
		t.Fatalf("appended %d, want 2 (s4 is held)", n)
	}
	st.dropFront(2)
	if st.base != 2 || st.loaded != 5 || st.get("s0") != nil || st.get("s2") == nil || st.byID["s2"] != 0 || st.byID["s6"] != 4 {
		t.Fatalf("after dropFront: base %d loaded %d byID %v", st.base, st.loaded, st.byID)
	}
	if n := st.prependRows(rowsOf(page(0, 3, 100).Data), 0); n != 2 {
		t.Fatalf("prepended %d, want 2", n)
	}
	st.trimTo(5)
	ids := []string{}
	for _, r := range st.rows() {
		ids = append(ids, r.S.ID)
	}
	if strings.Join(ids, ",") != "s0,s1,s2,s3,s4" || st.base != 0 {
		t.Errorf("rows %v base %d", ids, st.base)
	}
	for id, at := range st.byID {
		if st.slots[at].S.ID != id {
			t.Errorf("byID[%s] = %d holds %s", id, at, st.slots[at].S.ID)
		}
	}
}

// A row found on the server that a window page then brings in leaves the
// rows outside: the session is shown once, from the window.
func TestStoreOutsideRowJoinsTheWindow(t *testing.T) {
	st := newStore()
	st.applyPage(0, page(0, 3, 100))
	st.setOutside(rowsOf(append(page(0, 1, 100).Data, page(3, 2, 100).Data...)))
	if len(st.outside) != 2 || st.isOutside(st.get("s0")) {
		t.Fatalf("outside %v: s0 is loaded, s3 and s4 are not", st.outsideID)
	}
	if n := st.appendRows(rowsOf(page(3, 1, 100).Data)); n != 1 {
		t.Fatalf("appended %d", n)
	}
	if st.isOutside(st.get("s3")) || len(st.outside) != 1 || st.outsideID["s4"] != 0 || st.loaded != 4 {
		t.Errorf("after the page: outside %v, loaded %d", st.outsideID, st.loaded)
	}
	ids := []string{}
	for _, r := range append(st.rows(), st.outside...) {
		ids = append(ids, r.S.ID)
	}
	if strings.Join(ids, ",") != "s0,s1,s2,s3,s4" {
		t.Errorf("shown %v", ids)
	}
}
