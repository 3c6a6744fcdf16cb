package apitest

import (
	"fmt"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// fullActivityOrder is order=last_activity by its definition, as the server
// computed it before streaming: every session in list order, stable-sorted
// by updated_at desc.
func fullActivityOrder(s *Server) []*entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []*entry
	for e := range s.entriesLocked() {
		all = append(all, e)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].s.UpdatedAt.After(all[j].s.UpdatedAt) })
	return all
}

// streamedOrder is every session as activityLocked yields it.
func streamedOrder(s *Server) []*entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	if s.lazy != nil {
		n = s.lazy.n
	}
	var out []*entry
	for r := range s.activityLocked(true, 0, n) {
		out = append(out, s.entryOf(r))
	}
	return out
}

func sameOrder(t *testing.T, what string, got, want []*entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d sessions, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i].s.ID != want[i].s.ID {
			t.Fatalf("%s: position %d is %s (updated %s), want %s (updated %s)", what, i,
				got[i].s.ID, got[i].s.UpdatedAt, want[i].s.ID, want[i].s.UpdatedAt)
		}
	}
}

// The bound the stream relies on holds for generated sessions, and is
// reached (nearly): a change to genSessionID's timings fails here.
func TestMaxGenSpan(t *testing.T) {
	z := newLazyBase(1_000_000, 3, fixedNow, "org", SeedAgents(3))
	var most time.Duration
	for i := 0; i < 1_000_000; i += 33 { // ~30k sessions across the range
		x := z.gen(i)
		d := x.UpdatedAt.Sub(x.CreatedAt)
		if d < 0 || d > maxGenSpan {
			t.Fatalf("session %d: updated %s after creation, outside [0, %s]", i, d, maxGenSpan)
		}
		most = max(most, d)
	}
	if most < maxGenSpan-5*time.Second {
		t.Errorf("longest span %s: maxGenSpan %s is looser than the generator", most, maxGenSpan)
	}
}

// A top page reads only a few sessions ahead of what it emits.
func TestActivityStreamReadsAhead(t *testing.T) {
	z := newLazyBase(1_000_000, 1, fixedNow, "org", SeedAgents(1))
	st := &genStream{z: z, next: 0, end: z.n}
	prev := time.Time{}
	for k := range 100 {
		g, ok := st.pop()
		if !ok {
			t.Fatal("stream ended")
		}
		if k > 0 && g.e.s.UpdatedAt.After(prev) {
			t.Fatalf("pop %d is newer than the one before", k)
		}
		prev = g.e.s.UpdatedAt
	}
	if st.next > 200 {
		t.Errorf("100 sessions emitted after reading %d", st.next)
	}
}

// The streamed order is the full sort's, ties included, on a lazy server
// before and after changes: activity, edits, archives, deletes, and
// sessions put with the updated_at (and created_at) of generated ones.
func TestActivityOrderMatchesFullSort(t *testing.T) {
	const n = 50_000
	s := newTest(t, Options{Sessions: n, Lazy: true})
	sameOrder(t, "untouched", streamedOrder(s), fullActivityOrder(s))

	for range 10 {
		s.Tick(fixedNow)
	}
	for _, i := range []int{3, 500, 7000, 30_000, 49_999} {
		if st, _, b := do(t, s, "PATCH", "/v1/sessions/"+s.lazy.id(i), `{"title":"edited"}`); st != 200 {
			t.Fatalf("patch %d: %d %s", i, st, b)
		}
	}
	for _, i := range []int{10, 800, 20_000} {
		if st, _, b := do(t, s, "PUT", "/v1/sessions/"+s.lazy.id(i)+"/archive", ""); st != 204 {
			t.Fatalf("archive %d: %d %s", i, st, b)
		}
	}
	for _, i := range []int{11, 12_000} {
		if st, _, b := do(t, s, "DELETE", "/v1/sessions/"+s.lazy.id(i), ""); st != 204 {
			t.Fatalf("delete %d: %d %s", i, st, b)
		}
	}
	// Ties with base sessions left in the base: as old and as new as 1234
	// (list order puts the put one first), and as new but a moment older
	// than 4321 (after it).
	for k, c := range map[int]time.Duration{1234: 0, 4321: -time.Millisecond} {
		x := s.lazy.gen(k)
		x.ID = newID("session_", uint64(k))
		x.CreatedAt = x.CreatedAt.Add(c)
		s.Put(x)
	}

	want := fullActivityOrder(s)
	mixedTies := 0
	for i := 1; i < len(want); i++ {
		a, b := want[i-1], want[i]
		if a.s.UpdatedAt.Equal(b.s.UpdatedAt) && (s.byID[a.s.ID] == a) != (s.byID[b.s.ID] == b) {
			mixedTies++
		}
	}
	if mixedTies < 2 {
		t.Fatalf("%d ties between a changed and a generated session: the test needs some", mixedTies)
	}
	sameOrder(t, "changed", streamedOrder(s), want)

	// Through the handler, filters and all.
	agent := s.agents[0].ID
	cut := s.lazy.created(25_000)
	queries := []struct {
		q    string
		keep func(e *entry) bool
		offs []int
	}{
		{"", func(e *entry) bool { return !e.archived }, []int{0, 100, 200, 20_000, n - 50}},
		{"include_archived=true", func(e *entry) bool { return true }, []int{0, 300, 40_000}},
		{"archived_only=true", func(e *entry) bool { return e.archived }, []int{0}},
		{"agent_id=" + agent, func(e *entry) bool { return !e.archived && e.s.AgentID == agent }, []int{0, 5000}},
		{"status=failed,running", func(e *entry) bool {
			return !e.archived && (e.s.Activity == apiclient.ActivityFailed || e.s.Activity == apiclient.ActivityRunning)
		}, []int{0}},
		{"created_before=" + url.QueryEscape(cut.Format(time.RFC3339Nano)),
			func(e *entry) bool { return !e.archived && e.s.CreatedAt.Before(cut) }, []int{0, 100}},
	}
	for _, q := range queries {
		var exp []*entry
		for _, e := range want {
			if q.keep(e) {
				exp = append(exp, e)
			}
		}
		for _, off := range q.offs {
			path := fmt.Sprintf("/v1/sessions?order=last_activity&limit=100&offset=%d&%s", off, q.q)
			_, _, b := do(t, s, "GET", path, "")
			p := decode[listPage](t, b)
			if p.Total != len(exp) {
				t.Fatalf("%s: total %d, want %d", path, p.Total, len(exp))
			}
			page := exp[min(off, len(exp)):min(off+100, len(exp))]
			if len(p.Data) != len(page) {
				t.Fatalf("%s: %d rows, want %d", path, len(p.Data), len(page))
			}
			for i := range page {
				if p.Data[i].ID != page[i].s.ID {
					t.Fatalf("%s: row %d is %s, want %s", path, i, p.Data[i].ID, page[i].s.ID)
				}
			}
		}
	}
}

// An ordinary server holds every session: the stream is its sort.
func TestActivityOrderOrdinaryServer(t *testing.T) {
	s := newTest(t, Options{Sessions: 2000, Hostile: true, Orgs: []OrgSeed{{Sessions: 20}}})
	for range 5 {
		s.Tick(fixedNow)
	}
	sameOrder(t, "ordinary", streamedOrder(s), fullActivityOrder(s))
}

// Another organisation's caller sees none of the generated sessions, in
// this order as in the other.
func TestActivityOrderOtherOrg(t *testing.T) {
	s := newTest(t, Options{Sessions: 1000, Lazy: true, Orgs: []OrgSeed{{Sessions: 10}}})
	other := s.Orgs()[1].ID
	var want []string
	for _, e := range fullActivityOrder(s) {
		if e.s.OrganizationID == other {
			want = append(want, e.s.ID)
		}
	}
	for _, q := range []string{"", "&status=failed,completed,idle,running,paused"} {
		_, _, b := do(t, s, "GET", "/v1/sessions?order=last_activity&limit=100"+q, "", "X-Org-Id", other)
		p := decode[listPage](t, b)
		if p.Total != len(want) || len(p.Data) != len(want) {
			t.Fatalf("query %q: total %d, %d rows, want %d", q, p.Total, len(p.Data), len(want))
		}
		for i, x := range p.Data {
			if x.ID != want[i] {
				t.Fatalf("query %q: row %d is %s, want %s", q, i, x.ID, want[i])
			}
		}
	}
	_, _, b := do(t, s, "GET", "/v1/sessions?order=last_activity&limit=1", "", "X-Org-Id", s.Org())
	if p := decode[listPage](t, b); p.Total != 1000 {
		t.Errorf("primary: total %d", p.Total)
	}
}
