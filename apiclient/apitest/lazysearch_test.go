package apitest

import (
	"strings"
	"testing"
)

// mayTitle never rules out a word a generated title has: every digit-free
// word of the titles of a few thousand generated sessions passes it, and a
// word in none of them does not.
func TestLazyMayTitleIsSound(t *testing.T) {
	z := newLazyBase(1_000_000, 3, fixedNow, "org", SeedAgents(3))
	checked := 0
	for i := 0; i < 3000; i++ {
		x := z.gen(i * 331)
		title := strings.ToLower(x.TitleOrEmpty())
		for _, w := range strings.Fields(title) {
			for _, probe := range []string{w, w[:len(w)/2], title} {
				if probe == "" || strings.ContainsAny(probe, "0123456789") {
					continue
				}
				checked++
				if !z.mayTitle(probe) {
					t.Fatalf("mayTitle(%q) is false, but session %d's title is %q", probe, i*331, title)
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d probes", checked)
	}
	if z.mayTitle("zebra") {
		t.Error("zebra is in no generated title, yet mayTitle lets it through")
	}
}

// A search for a word only a changed session has finds it among a million
// without generating the others.
func TestLazySearchFindsTheChangedSession(t *testing.T) {
	s := newTest(t, Options{Sessions: 1_000_000})
	_, _, b := do(t, s, "GET", "/v1/sessions?offset=999999&limit=1", "")
	id := decode[listPage](t, b).Data[0].ID
	if st, _, b := do(t, s, "PATCH", "/v1/sessions/"+id, `{"title":"the zebra crossing"}`); st != 200 {
		t.Fatalf("patch: %d %s", st, b)
	}
	_, _, b = do(t, s, "GET", "/v1/sessions?search=ZEBRA&limit=100", "")
	p := decode[listPage](t, b)
	if p.Total != 1 || len(p.Data) != 1 || p.Data[0].ID != id {
		t.Fatalf("search: total %d, %d rows", p.Total, len(p.Data))
	}
}
