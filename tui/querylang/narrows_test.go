package querylang

import (
	"testing"
	"time"
)

func TestNarrows(t *testing.T) {
	tests := []struct {
		prev, next string
		want       bool
	}{
		{"refn", "refnd", true},
		{"refnd", "refn", false},
		{"", "refund", true},
		{"refund", "", false},
		{"refnd", "refnd status:failed", true},
		{"status:completed agent:ops refn", "status:completed agent:ops refnd", true},
		{"a b", "b a", true},
		{"32", "325", true},
		{"32", "32a", false}, // digits (substring) to fuzzy
		{"ab", `"abc"`, true},
		{`"ab"`, "abc", false},
		{"-x", "-xy", false},
		{"-xy", "-xy", true},
		{"status:failed,running", "status:failed", true},
		{"status:failed", "status:failed,running", false},
		{"status:failed,", "status:failed,r", true}, // r is invalid and dropped
		{"-status:failed", "-status:failed,running", true},
		{"-status:failed,running", "-status:failed", false},
		{"tag:none,a", "tag:none", true},
		{"tag:a", "tag:none", false},
		{"tokens:>1", "tokens:>100k", true},
		{"tokens:<1", "tokens:<10", false},
		{"cost:>0.5", "cost:>=0.5", false},
		{"cost:>=0.5", "cost:>0.5", true},
		{"id:01", "id:01a", true},
		{"id:01a", "id:01", false},
		{"agent:op", "agent:ops", true},
		{"agent:ops", "agent:op", false},
		{"is:pinned,archived", "is:pinned", true},
		{"is:pinned", "is:pinned,archived", false},
		{"created:>1d", "created:>2d", true},
		{"created:>2d", "created:>1d", false},
		{"updated:2026-08-01,2026-08-02", "updated:2026-08-02", true},
	}
	for _, tt := range tests {
		prev, next := Compile(Parse(tt.prev), testEnv), Compile(Parse(tt.next), testEnv)
		if got := next.Narrows(prev); got != tt.want {
			t.Errorf("Narrows(%q -> %q) = %v, want %v", tt.prev, tt.next, got, tt.want)
		}
	}
}

func TestNarrowsNeedsSameNow(t *testing.T) {
	later := testEnv
	later.Now = testNow.Add(time.Minute)
	a := Compile(Parse("updated:>1d refn"), testEnv)
	if Compile(Parse("updated:>1d refnd"), later).Narrows(a) {
		t.Error("a relative query narrows across a change of Now")
	}
	b := Compile(Parse("refn"), testEnv)
	if !Compile(Parse("refnd"), later).Narrows(b) {
		t.Error("a query without times should narrow whatever Now")
	}
}

// narrowQueries are the queries the property tests pair up.
var narrowQueries = []string{
	"", "r", "re", "ref", "refn", "refnd", "refund", `"ref"`, "3", "32", "325", "3254",
	"ops", "-ops", "o", "status:running", "status:running,failed", "status:failed",
	"-status:running", "status:idle", "status:waiting,idle", "tag:none", "tag:none,urgent",
	"#billing", "-#billing", "tag:billing,report", "agent:o", "agent:ops", "agent:ops-b",
	"-agent:ops", "source:chat", "source:chat,api", "-source:chat", "created:<1d",
	"created:>7d", "created:>1d", "created:2026-08-01", "-created:>7d", "updated:>1d",
	"updated:>2d", "tokens:>1", "tokens:>100k", "tokens:<1k", "cost:>0.1", "cost:>0.5",
	"-cost:>0.5", "is:pinned", "is:pinned,archived", "is:archived", "-is:archived",
	"id:0", "id:01", "id:01a", "status:completed agent:ops refnd", "refund -report",
	"status:idle tag:none updated:>1d",
}

// TestNarrowsSound checks, for every pair of queries, that when one
// narrows the other its matches are among the other's.
func TestNarrowsSound(t *testing.T) {
	ms := make([]*Matcher, len(narrowQueries))
	for i, q := range narrowQueries {
		ms[i] = Compile(Parse(q), testEnv)
	}
	subs := make([]*Subject, len(samples))
	for i, s := range samples {
		subs[i] = s.subject()
	}
	narrowing := 0
	for i, prev := range ms {
		for j, next := range ms {
			if !next.Narrows(prev) {
				continue
			}
			narrowing++
			for _, s := range subs {
				if ok, _ := next.Match(s); ok {
					if ok, _ := prev.Match(s); !ok {
						t.Errorf("%q narrows %q, but %s matches only the first", narrowQueries[j], narrowQueries[i], s.ID)
					}
				}
			}
		}
	}
	if narrowing < 2*len(ms) {
		t.Errorf("only %d narrowing pairs: the test checks little", narrowing)
	}
}
