package apitest

import (
	"fmt"
	"testing"

	"github.com/everruns/sessions/apiclient"
)

type listPage struct {
	Data  []apiclient.Session
	Total int
}

func TestLazyIDs(t *testing.T) {
	z := newLazyBase(1_000_000, 7, fixedNow, "org", SeedAgents(7))
	for _, i := range []int{0, 1, 2, 999, 123_456, 999_999} {
		id := z.id(i)
		if !ValidSessionID(id) {
			t.Errorf("id %q is not a valid session id", id)
		}
		if j, ok := z.index(id); !ok || j != i {
			t.Errorf("index(id(%d)) = %d, %v", i, j, ok)
		}
		if z.created(i+1).Compare(z.created(i)) >= 0 {
			t.Errorf("created(%d) is not before created(%d)", i+1, i)
		}
	}
	other := newLazyBase(1_000_000, 8, fixedNow, "org", SeedAgents(8))
	for _, id := range []string{other.id(5), newID("session_", 1), z.id(999_999)[:40] + "0", "session_x"} {
		if _, ok := z.index(id); ok {
			t.Errorf("index accepted %q", id)
		}
	}
	small := newLazyBase(10, 7, fixedNow, "org", SeedAgents(7))
	if _, ok := small.index(z.id(10)); ok {
		t.Error("an index past n was accepted")
	}
}

// A million sessions: pages anywhere in the list, in order, the same every
// time, and nothing held but what changed.
func TestLazyMillionPages(t *testing.T) {
	s := newTest(t, Options{Sessions: 1_000_000})
	if s.lazy == nil || s.Len() != 1_000_000 || len(s.order) != 0 {
		t.Fatalf("lazy %v, Len %d, held %d", s.lazy != nil, s.Len(), len(s.order))
	}
	var prev *apiclient.Session
	for _, off := range []int{0, 100, 500_000, 999_900} {
		_, _, b := do(t, s, "GET", fmt.Sprintf("/v1/sessions?offset=%d&limit=100", off), "")
		p := decode[listPage](t, b)
		if p.Total != 1_000_000 || len(p.Data) != 100 {
			t.Fatalf("offset %d: total %d, %d rows", off, p.Total, len(p.Data))
		}
		for i := range p.Data {
			x := &p.Data[i]
			if prev != nil && !x.CreatedAt.Before(prev.CreatedAt) {
				t.Fatalf("offset %d row %d not older than the one before", off, i)
			}
			prev = x
		}
		_, _, again := do(t, s, "GET", fmt.Sprintf("/v1/sessions?offset=%d&limit=100", off), "")
		if string(again) != string(b) {
			t.Fatalf("offset %d: two answers differ", off)
		}
		prev = nil
	}
	_, _, b := do(t, s, "GET", "/v1/sessions?offset=999999&limit=100", "")
	if p := decode[listPage](t, b); len(p.Data) != 1 {
		t.Fatalf("last page: %d rows", len(p.Data))
	}
	if len(s.order) != 0 || len(s.over) != 0 {
		t.Errorf("listing materialised %d sessions", len(s.order))
	}
}

// Changes stick: a patched session keeps its place with its new title, a
// deleted one is gone, an archived one leaves the default list.
func TestLazyChanges(t *testing.T) {
	s := newTest(t, Options{Sessions: 1000, Lazy: true})
	page := func(off int) listPage {
		_, _, b := do(t, s, "GET", fmt.Sprintf("/v1/sessions?offset=%d&limit=3", off), "")
		return decode[listPage](t, b)
	}
	p := page(500)
	id := p.Data[1].ID
	if st, _, b := do(t, s, "PATCH", "/v1/sessions/"+id, `{"title":"zebra"}`); st != 200 {
		t.Fatalf("patch: %d %s", st, b)
	}
	if q := page(500); q.Data[1].ID != id || q.Data[1].TitleOrEmpty() != "zebra" || q.Total != 1000 {
		t.Fatalf("after patch: %+v", q.Data[1])
	}
	if len(s.order) != 1 {
		t.Errorf("%d sessions held after one patch", len(s.order))
	}
	_, _, b := do(t, s, "GET", "/v1/sessions?search=zebra&limit=100", "")
	if q := decode[listPage](t, b); q.Total != 1 || q.Data[0].ID != id {
		t.Errorf("search: %d rows", q.Total)
	}
	gone := p.Data[0].ID
	if st, _, _ := do(t, s, "DELETE", "/v1/sessions/"+gone, ""); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	if st, _, _ := do(t, s, "GET", "/v1/sessions/"+gone, ""); st != 404 {
		t.Errorf("deleted session: %d", st)
	}
	if q := page(500); q.Total != 999 || q.Data[0].ID != id {
		t.Errorf("after delete: total %d, first %s", q.Total, q.Data[0].ID)
	}
	arch := p.Data[2].ID
	if st, _, _ := do(t, s, "PUT", "/v1/sessions/"+arch+"/archive", ""); st != 204 {
		t.Fatalf("archive: %d", st)
	}
	if q := page(0); q.Total != 998 {
		t.Errorf("after archive: total %d", q.Total)
	}
	_, _, b = do(t, s, "GET", "/v1/sessions?archived_only=true", "")
	if q := decode[listPage](t, b); q.Total != 1 || q.Data[0].ID != arch {
		t.Errorf("archived_only: %+v", q)
	}
}

// Filters and facets answer over every session, generated as they pass.
func TestLazyFiltersAndFacets(t *testing.T) {
	s := newTest(t, Options{Sessions: 3000, Lazy: true})
	failed, agent0 := 0, 0
	for _, x := range s.All() {
		if x.Activity == apiclient.ActivityFailed {
			failed++
		}
		if x.AgentID == s.agents[0].ID {
			agent0++
		}
	}
	if failed == 0 || agent0 == 0 {
		t.Fatal("the generated sessions have no failed run or no session of the first agent")
	}
	_, _, b := do(t, s, "GET", "/v1/sessions?status=failed&limit=100&offset=0", "")
	if p := decode[listPage](t, b); p.Total != failed {
		t.Errorf("status=failed: total %d, want %d", p.Total, failed)
	}
	_, _, b = do(t, s, "GET", "/v1/sessions/facets", "")
	f := decode[apiclient.Facets](t, b)
	if f.Total != 3000 {
		t.Errorf("facets total %d", f.Total)
	}
	_, _, b = do(t, s, "GET", "/v1/sessions?agent_id="+s.agents[0].ID+"&order=last_activity&limit=100", "")
	p := decode[listPage](t, b)
	if p.Total != agent0 {
		t.Errorf("agent filter: %d, want %d", p.Total, agent0)
	}
	for i := 1; i < len(p.Data); i++ {
		if p.Data[i].UpdatedAt.After(p.Data[i-1].UpdatedAt) {
			t.Fatalf("order=last_activity: row %d newer than row %d", i, i-1)
		}
	}
	if len(s.order) != 0 {
		t.Errorf("filters materialised %d sessions", len(s.order))
	}
}

// Simulated activity changes the newest sessions, which it materialises,
// and adds new ones at the top.
func TestLazyActivity(t *testing.T) {
	s := newTest(t, Options{Sessions: 500_000})
	for k := 0; k < 20; k++ {
		s.Tick(fixedNow)
	}
	if n := len(s.order); n == 0 || n > activeWindow+20 {
		t.Errorf("%d sessions materialised by 20 ticks", n)
	}
	if s.Len() < 500_000 {
		t.Errorf("Len %d", s.Len())
	}
}

// The generated sessions belong to the primary organisation: a caller in
// another one sees only that one's sessions, filtered or not.
func TestLazyOrgs(t *testing.T) {
	s := newTest(t, Options{Sessions: 1000, Lazy: true, Orgs: []OrgSeed{{Sessions: 10}}})
	other := s.Orgs()[1].ID
	for _, q := range []string{"", "&status=failed,completed,idle,running,paused"} {
		_, _, b := do(t, s, "GET", "/v1/sessions?limit=100"+q, "", "X-Org-Id", other)
		p := decode[listPage](t, b)
		for _, x := range p.Data {
			if x.OrganizationID != other {
				t.Fatalf("query %q: a session of %s listed for %s", q, x.OrganizationID, other)
			}
		}
		if p.Total > 10 || p.Total == 0 {
			t.Errorf("query %q: total %d for an organisation of 10", q, p.Total)
		}
	}
	_, _, b := do(t, s, "GET", "/v1/sessions?limit=1", "", "X-Org-Id", s.Org())
	if p := decode[listPage](t, b); p.Total != 1000 {
		t.Errorf("primary: total %d", p.Total)
	}
}
