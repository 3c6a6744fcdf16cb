package apitest

import (
	"fmt"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// The counts a lazy server takes from its base's records are exactly the
// counts of every session generated and counted one by one, after
// changes (patched, deleted, archived, simulated activity, new sessions),
// with every filter the records decide, and with those they do not.
func TestLazyCountsExact(t *testing.T) {
	const n = 40_000
	s := newTest(t, Options{Sessions: n, Lazy: true, Orgs: []OrgSeed{{Sessions: 10}}})
	org := func(method, path, body string) (int, []byte) {
		st, _, b := do(t, s, method, path, body, "X-Org-Id", s.org)
		return st, b
	}
	page := func(off int) listPage {
		_, b := org("GET", fmt.Sprintf("/v1/sessions?offset=%d&limit=3", off), "")
		return decode[listPage](t, b)
	}
	for _, off := range []int{5, 900, 20_000, n - 100} {
		p := page(off)
		if st, b := org("PATCH", "/v1/sessions/"+p.Data[0].ID, `{"title":"zebra","tags":["p1"]}`); st != 200 {
			t.Fatalf("patch: %d %s", st, b)
		}
		if st, _ := org("DELETE", "/v1/sessions/"+p.Data[1].ID, ""); st != 204 {
			t.Fatalf("delete: %d", st)
		}
		if st, _ := org("PUT", "/v1/sessions/"+p.Data[2].ID+"/archive", ""); st != 204 {
			t.Fatalf("archive: %d", st)
		}
	}
	for range 30 {
		s.Tick(fixedNow)
	}
	if len(s.over) == 0 {
		t.Fatal("nothing was materialised")
	}

	agent := s.agents[0].ID
	day := fixedNow.Add(-24 * time.Hour).Format(time.RFC3339Nano)
	old := fixedNow.Add(-10 * 24 * time.Hour).Format(time.RFC3339Nano)
	queries := []string{
		"",
		"agent_id=" + agent,
		"status=failed",
		"status=completed,running&source=api,chat",
		"source=subagent&agent_id=" + agent,
		"created_after=" + url.QueryEscape(day),
		"created_before=" + url.QueryEscape(old) + "&status=idle",
		"created_after=" + url.QueryEscape(old) + "&created_before=" + url.QueryEscape(day),
		"search=zebra", // not from the records: the same path both ways
	}
	sawToday, sawFailedToday := false, false
	for _, q := range queries {
		_, b := org("GET", "/v1/sessions/facets?"+q, "")
		got := decode[apiclient.Facets](t, b)
		vals, _ := url.ParseQuery(q)
		f, err := s.parseFilter(vals, &caller{org: s.org})
		if err != nil {
			t.Fatal(err)
		}
		want := s.countFacets(f, false)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("facets?%s:\n got %+v\nwant %+v", q, got, want)
		}
		if q == "" && (want.Total == 0 || len(want.ByAgent) == 0 || want.P95DurationMS == 0) {
			t.Errorf("facets: nothing counted: %+v", want)
		}
		sawToday = sawToday || want.TokensToday > 0
		sawFailedToday = sawFailedToday || want.FailedToday > 0
	}
	if !sawToday || !sawFailedToday {
		t.Errorf("no query counted tokens today (%v) or failures today (%v)", sawToday, sawFailedToday)
	}

	for _, id := range []string{s.org, s.Orgs()[1].ID} {
		_, _, b := do(t, s, "GET", "/v1/sessions/stats", "", "X-Org-Id", id)
		got := decode[apiclient.Stats](t, b)
		if want := s.countStats(id, false); got != want {
			t.Errorf("stats of %s: got %+v, want %+v", id, got, want)
		}
	}
}

// BenchmarkLazyFacets: facets over a million lazy sessions once the
// records are built (the first call builds them).
func BenchmarkLazyFacets(b *testing.B) {
	s := New(Options{Sessions: 1_000_000, Now: func() time.Time { return fixedNow }})
	f, _ := s.parseFilter(url.Values{}, &caller{org: s.org})
	start := time.Now()
	s.countFacets(f, true)
	first := time.Since(start)
	b.ResetTimer()
	for range b.N {
		s.countFacets(f, true)
	}
	b.ReportMetric(float64(first.Milliseconds()), "ms-first")
}

// BenchmarkLazyFacetsOneByOne: the same without the records, for
// comparison.
func BenchmarkLazyFacetsOneByOne(b *testing.B) {
	s := New(Options{Sessions: 1_000_000, Now: func() time.Time { return fixedNow }})
	f, _ := s.parseFilter(url.Values{}, &caller{org: s.org})
	for range b.N {
		s.countFacets(f, false)
	}
}

// BenchmarkLazyStats: stats over a million lazy sessions, records built.
func BenchmarkLazyStats(b *testing.B) {
	s := New(Options{Sessions: 1_000_000, Now: func() time.Time { return fixedNow }})
	s.countStats(s.org, true)
	b.ResetTimer()
	for range b.N {
		s.countStats(s.org, true)
	}
}
