package sessionlist

import (
	"slices"
	"strings"
	"time"

	"github.com/everruns/sessions/tui/querylang"
)

// Query is the filter text compiled by querylang: the raw text as typed,
// the matcher, and its problems for display under the input.
type Query struct {
	Raw     string
	Matcher *querylang.Matcher
	words   []string // positive words, for highlighting
	Masks   []querylang.ByteSet
}

// CompileQuery parses s and binds it to env. Parsing never fails: what it
// cannot read is a problem and the rest applies.
func CompileQuery(s string, env querylang.Env) Query {
	q := Query{Raw: s}
	if strings.TrimSpace(s) == "" {
		return q
	}
	q.Matcher = querylang.Compile(querylang.Parse(s), env)
	q.words = q.Matcher.Words()
	for _, w := range q.words {
		q.Masks = append(q.Masks, querylang.SetOf(w))
	}
	return q
}

func (q Query) Empty() bool { return q.Matcher == nil || q.Matcher.Empty() }

// Ranked reports whether scores mean anything: there are words.
func (q Query) Ranked() bool { return q.Matcher != nil && q.Matcher.Ranked() }

// Problems are the parse problems and hints, in input order.
func (q Query) Problems() []querylang.Problem {
	if q.Matcher == nil {
		return nil
	}
	return q.Matcher.Problems()
}

// Narrows reports whether q can be run on prev's matches alone.
func (q Query) Narrows(prev Query) bool {
	if prev.Empty() {
		return true
	}
	return q.Matcher != nil && q.Matcher.Narrows(prev.Matcher)
}

// MatchRow reports whether r matches q, and a score (higher is better).
func (q Query) MatchRow(r *Row) (int, bool) {
	if q.Matcher == nil {
		return 0, true
	}
	if q.Matcher.WordsOnly() {
		// The common query: the row's text alone decides, without
		// assembling (and reading the session for) the whole subject.
		ok, sc := q.Matcher.MatchText(r.Text, int(r.titleLen), r.TextSet)
		return sc, ok
	}
	sub := r.Subject()
	ok, sc := q.Matcher.Match(&sub)
	return sc, ok
}

// QueryEnv is what queries typed now compile against: the time (fixed
// while the user types, so keystrokes narrow), the tags the loaded rows
// have, and the agents: the directory's, then the others the rows name.
func QueryEnv(rows []*Row, directory []querylang.Agent, now time.Time) querylang.Env {
	env := querylang.Env{Now: now, KnownTags: map[string]bool{}, Agents: slices.Clone(directory)}
	seen := map[string]bool{}
	for _, a := range directory {
		seen[strings.ToLower(a.ID)] = true
	}
	for _, r := range rows {
		sub := r.Subject()
		for _, t := range sub.Tags {
			env.KnownTags[t] = true
		}
		if id := sub.AgentID; id != "" && !seen[id] {
			seen[id] = true
			env.Agents = append(env.Agents, querylang.Agent{ID: r.S.AgentID, Name: sub.AgentName})
		}
	}
	return env
}

// MatchPositions returns the byte offsets in s (a display string) of the
// characters matched by the query's words, for highlighting. Case-folding
// is ASCII-only here; it only drives emphasis, never filtering.
func (q Query) MatchPositions(s string) []int {
	if len(q.words) == 0 {
		return nil
	}
	lower := strings.ToLower(s)
	if len(lower) != len(s) {
		return nil // case-folding changed byte offsets; skip emphasis
	}
	var pos []int
	for _, t := range q.words {
		if t == "" {
			continue
		}
		if i := strings.Index(lower, t); i >= 0 {
			for k := 0; k < len(t); k++ {
				pos = append(pos, i+k)
			}
			continue
		}
		start, ok := windowStart(lower, t)
		if !ok {
			continue
		}
		at := start
		for j := 0; j < len(t); j++ {
			k := strings.IndexByte(lower[at:], t[j])
			pos = append(pos, at+k)
			at += k + 1
		}
	}
	return pos
}

// highlightGap is how far apart highlighted letters may be, as querylang's
// fuzzy window (len(word)+4): emphasis only, never filtering.
const highlightGap = 4

// windowStart finds where word's letters first occur in order within a
// window of len(word)+highlightGap bytes.
func windowStart(hay, pat string) (int, bool) {
	limit := len(pat) + highlightGap
	for from := 0; from < len(hay); {
		k := strings.IndexByte(hay[from:], pat[0])
		if k < 0 {
			return 0, false
		}
		s := from + k
		stop := min(len(hay), s+limit)
		pos, matched := s+1, true
		for j := 1; j < len(pat); j++ {
			kk := strings.IndexByte(hay[pos:stop], pat[j])
			if kk < 0 {
				matched = false
				break
			}
			pos += kk + 1
		}
		if matched {
			return s, true
		}
		from = s + 1
	}
	return 0, false
}
