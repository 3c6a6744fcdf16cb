package querylang

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// terms renders parsed terms as "kind:text" (Term.String) for comparison.
func terms(q Query) []string {
	var out []string
	for _, t := range q.Terms {
		out = append(out, t.Kind.Name()+"|"+t.String())
	}
	return out
}

// problems renders problems as "start-end msg" ("~" marks a hint).
func problems(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		h := ""
		if p.Hint {
			h = "~"
		}
		out = append(out, fmt.Sprintf("%s%d-%d %s", h, p.Start, p.End, p.Msg))
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		in       string
		terms    []string
		problems []string // each a prefix of the rendered problem
	}{
		{in: "", terms: nil},
		{in: "   \t ", terms: nil},
		{in: "refnd", terms: []string{"word|refnd"}},
		{in: "a  b\tc", terms: []string{"word|a", "word|b", "word|c"}},
		{in: "status:failed,running", terms: []string{"status|status:failed,running"}},
		{in: "Status:FAILED", terms: []string{"status|status:FAILED"}},
		{in: "status:waiting,waiting_for_tool_results", terms: []string{"status|status:waiting,waiting_for_tool_results"}},
		{in: "-#resolved -status:idle", terms: []string{"tag|-#resolved", "status|-status:idle"}},
		{in: `"like this" more`, terms: []string{`phrase|"like this"`, "word|more"}},
		{in: `-"say \"hi\""`, terms: []string{`phrase|-"say \"hi\""`}},
		{in: `tag:"needs review",urgent`, terms: []string{`tag|tag:"needs review",urgent`}},
		{in: `tag:"a"b`, terms: []string{`tag|tag:"a"`, "word|b"}},
		{in: "#3254", terms: []string{"tag|#3254"}},
		{in: "#a,b", terms: []string{"tag|#a,b"}},
		{in: "tag:none", terms: []string{"tag|tag:none"}},
		{in: "agent:ops source:api,schedule id:01ab", terms: []string{"agent|agent:ops", "source|source:api,schedule", "id|id:01ab"}},
		{in: "created:<7d updated:>1d12h", terms: []string{"created|created:<7d", "updated|updated:>1d12h"}},
		{in: "created:2026-08-01 updated:>=2026-08-01T10:00:00Z", terms: []string{"created|created:2026-08-01", "updated|updated:>=2026-08-01T10:00:00Z"}},
		{in: "tokens:>100k cost:<=$0.50", terms: []string{"tokens|tokens:>100k", "cost|cost:<=$0.50"}},
		{in: "is:pinned,resolved -is:archived", terms: []string{"is|is:pinned,resolved", "is|-is:archived"}},
		{in: "--x", terms: []string{"word|--x"}},
		{in: "http://example.com", terms: []string{"word|http://example.com"}},
		{in: "12:30", terms: []string{"word|12:30"}},

		// Invalid input: a problem, and the rest still applies.
		{in: `"unterminated`, terms: []string{`phrase|"unterminated"`},
			problems: []string{"0-13 unterminated quote"}},
		{in: `refund "open`, terms: []string{"word|refund", `phrase|"open"`},
			problems: []string{"7-12 unterminated quote"}},
		{in: "tokens:>abc refund", terms: []string{"word|refund"},
			problems: []string{"7-11 tokens: use >100k"}},
		{in: "tokens:100k", problems: []string{"7-11 tokens: use"}},
		{in: "cost:>lots", problems: []string{"5-10 cost: use >0.50"}},
		{in: "foo:bar refund", terms: []string{"word|foo:bar", "word|refund"},
			problems: []string{"~0-4 foo: is not a filter; searched as text"}},
		{in: "status:bogus refund", terms: []string{"word|refund"},
			problems: []string{`7-12 status: use running failed completed idle paused started active waiting`}},
		{in: "status:bogus,failed", terms: []string{"status|status:failed"},
			problems: []string{`7-12 status: use running`}},
		{in: "status:", problems: []string{"0-7 status: use running"}},
		{in: "-tag: x", terms: []string{"word|x"}, problems: []string{"0-5 tag: use a tag, or none"}},
		{in: "status:failed,", terms: []string{"status|status:failed"}, problems: []string{"14-14 status: empty value"}},
		{in: "status:,failed", terms: []string{"status|status:failed"}, problems: []string{"7-8 status: empty value"}},
		{in: `tag:""`, problems: []string{"4-6 tag: empty value"}},
		{in: "-", problems: []string{"0-1 - needs a word or filter after it"}},
		{in: "a - b", terms: []string{"word|a", "word|b"}, problems: []string{"2-3 - needs"}},
		{in: "#", problems: []string{"0-1 # needs a tag name"}},
		{in: `""`, problems: []string{"0-2 empty quotes"}},
		{in: "is:bogus", problems: []string{`3-8 is: use pinned resolved archived`}},
		{in: "source:pigeon", terms: []string{"source|source:pigeon"},
			problems: []string{`~7-13 source: "pigeon" is not a known source`}},
		{in: "updated:1d", problems: []string{"8-10 updated: add < (within) or > (longer ago)"}},
		{in: "updated:>1y", problems: []string{"8-11 updated: use"}},
		{in: "created:>99999999999999d", problems: []string{"8-24 created: use"}},
		{in: "tokens:>1e5 tokens:>inf tokens:>0x10", problems: []string{"7-11 tokens:", "19-23 tokens:", "31-36 tokens:"}},
		{in: "averyveryveryverylongname:x", terms: []string{"word|averyveryveryverylongname:x"},
			problems: []string{`~0-26 averyveryveryvery...: is not a filter`}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q := Parse(tt.in)
			if got := terms(q); !slices.Equal(got, tt.terms) {
				t.Errorf("terms = %q, want %q", got, tt.terms)
			}
			got := problems(q.Problems)
			if len(got) != len(tt.problems) {
				t.Fatalf("problems = %q, want %q", got, tt.problems)
			}
			for _, p := range q.Problems {
				if n := len([]rune(p.Msg)); n > 76 {
					t.Errorf("problem %q is %d columns, want <= 76", p.Msg, n)
				}
			}
			for i, want := range tt.problems {
				if !strings.HasPrefix(got[i], want) {
					t.Errorf("problem %d = %q, want prefix %q", i, got[i], want)
				}
			}
		})
	}
}

// TestParseSpans checks that term spans cover what was typed.
func TestParseSpans(t *testing.T) {
	in := `refund -status:failed  "a b" #x`
	want := []string{"refund", "-status:failed", `"a b"`, "#x"}
	q := Parse(in)
	var got []string
	for _, t := range q.Terms {
		got = append(got, in[t.Start:t.End])
	}
	if !slices.Equal(got, want) {
		t.Errorf("spans = %q, want %q", got, want)
	}
}

// TestStringRoundTrip checks that String writes what Parse reads back.
func TestStringRoundTrip(t *testing.T) {
	for _, in := range []string{
		`refund -"a \\ b" tag:"x,y",z #"two words" status:failed,idle`,
		`"open --x #a,b tag:a"b`,
		`updated:>1d created:2026-08-01 tokens:<=5000 cost:>$0.5 is:pinned id:01`,
	} {
		q := Parse(in)
		back := Parse(q.String())
		if !sameTerms(q, back) {
			t.Errorf("%q: String() = %q, reparsed %q, want %q", in, q.String(), terms(back), terms(q))
		}
	}
}

func sameTerms(a, b Query) bool {
	if len(a.Terms) != len(b.Terms) {
		return false
	}
	for i := range a.Terms {
		x, y := a.Terms[i], b.Terms[i]
		if x.Kind != y.Kind || x.Not != y.Not || x.Hash != y.Hash || !slices.Equal(x.Values, y.Values) {
			return false
		}
	}
	return true
}

func TestSyntaxHelpFits(t *testing.T) {
	for i, line := range strings.Split(SyntaxHelp, "\n") {
		if n := len([]rune(line)); n > 76 {
			t.Errorf("SyntaxHelp line %d is %d columns: %q", i+1, n, line)
		}
	}
	// Every qualifier is documented.
	for _, q := range qualifiers {
		if !strings.Contains(SyntaxHelp, q.name+":") {
			t.Errorf("SyntaxHelp does not mention %s:", q.name)
		}
	}
}
