package querylang

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics, that problems point inside the
// input, that String reads back to the same terms, and that compiling,
// matching and the server parameters cope with whatever was parsed.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "-", "#", `"`, `""`, `"a\"b\\`, "refnd", "3254", "#3254",
		"status:failed,running", "status:", "status:,", "status:bogus,idle",
		`tag:"needs review",none -#x`, "foo:bar", "--x", "-\"x", `#"a b"c`,
		"created:>2026-08-01T10:00:00+02:00 updated:<1d12h", "created:2026-02-30",
		"tokens:>1.5k cost:<=$0.50 tokens:>abc", "is:pinned,archived,resolved -is:x",
		"agent:ops id:01 source:api,pigeon", "a\u00a0b\u2003c", "\xff\xfe:x",
		"updated:>99999999999w", "tokens:>999999999999999999m",
	} {
		f.Add(s)
	}
	subs := make([]*Subject, len(samples))
	for i, s := range samples {
		subs[i] = s.subject()
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Parse(s)
		for _, p := range q.Problems {
			if p.Start < 0 || p.Start > p.End || p.End > len(s) {
				t.Fatalf("problem %+v outside the input (%d bytes)", p, len(s))
			}
			if p.Msg == "" {
				t.Fatalf("problem %+v without a message", p)
			}
		}
		for _, term := range q.Terms {
			if term.Start < 0 || term.Start >= term.End || term.End > len(s) {
				t.Fatalf("term %+v outside the input (%d bytes)", term, len(s))
			}
			if len(term.Values) == 0 {
				t.Fatalf("term %+v without values", term)
			}
		}
		back := Parse(q.String())
		if !sameTerms(q, back) {
			t.Fatalf("String() = %q reads back as %q, want %q", q.String(), terms(back), terms(q))
		}
		for _, p := range back.Problems {
			if !p.Hint {
				t.Fatalf("String() = %q has problem %+v", q.String(), p)
			}
		}
		m := Compile(q, testEnv)
		mb := Compile(back, testEnv)
		for _, sub := range subs {
			ok, sc := m.Match(sub)
			okb, scb := mb.Match(sub)
			if ok != okb || sc != scb {
				t.Fatalf("%q and its String() %q match %s differently", s, q.String(), sub.ID)
			}
		}
		if !m.Narrows(m) || !mb.Narrows(m) {
			t.Fatalf("%q does not narrow itself", s)
		}
		p := m.Server()
		if utf8.ValidString(s) && !utf8.ValidString(p.Search) {
			t.Fatalf("Search %q is not UTF-8", p.Search)
		}
		if p.Search != "" && !strings.Contains(strings.ToLower(s), p.Search) && !strings.Contains(s, `\`) {
			t.Fatalf("Search %q is not from the input %q", p.Search, s)
		}
		for _, pr := range m.Problems() {
			if pr.Start < 0 || pr.Start > pr.End || pr.End > len(s) {
				t.Fatalf("compile problem %+v outside the input", pr)
			}
		}
	})
}
