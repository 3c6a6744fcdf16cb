package querylang

import (
	"slices"
	"strings"
)

// canonKey is the term in a canonical form: equal keys, equal terms.
func (t Term) canonKey() string {
	var b strings.Builder
	b.WriteByte(byte('A' + t.Kind))
	if t.Not {
		b.WriteByte('-')
	}
	if t.Hash {
		b.WriteByte('#')
	}
	for _, v := range t.Values {
		b.WriteByte(0)
		if v.Quoted {
			b.WriteByte('"')
		}
		b.WriteString(strings.ToLower(v.Text))
	}
	return b.String()
}

// Narrows reports whether every session m matches is also matched by prev,
// so that m need only be run on prev's matches: true when m only adds
// terms to prev, extends a word (refn → refnd), or tightens a qualifier
// (status:failed,running → status:failed, tokens:>1 → tokens:>100k). Both
// must come from the same Env (a later Now counts only when no term is
// relative to it).
func (m *Matcher) Narrows(prev *Matcher) bool {
	if prev == nil || ((m.relative || prev.relative) && !m.now.Equal(prev.now)) {
		return false
	}
	for _, group := range [][]cterm{prev.terms, prev.words, prev.notWords} {
		for i := range group {
			if !m.implies(&group[i]) {
				return false
			}
		}
	}
	return true
}

// implies reports whether some term of m implies p.
func (m *Matcher) implies(p *cterm) bool {
	for _, group := range [][]cterm{m.terms, m.words, m.notWords} {
		for i := range group {
			if group[i].implies(p) {
				return true
			}
		}
	}
	return false
}

// implies reports whether every session matching q matches p.
func (q *cterm) implies(p *cterm) bool {
	if q.key == p.key {
		return true
	}
	text := func(k Kind) bool { return k == KindWord || k == KindPhrase }
	if text(q.kind) && text(p.kind) {
		// A longer word matches a subset (see fuzzyGap); a substring
		// match is also a fuzzy one.
		return !q.not && !p.not && strings.HasPrefix(q.word, p.word) && (q.substr || !p.substr)
	}
	if q.kind != p.kind || q.not != p.not {
		return false
	}
	if q.not {
		// Excluding more implies excluding less.
		return subset(p.vals, q.vals) && subset(p.activity, q.activity) && subset(p.status, q.status) &&
			(!p.none || q.none) && (!p.pinned || q.pinned) && (!p.resolved || q.resolved) &&
			(!p.archived || q.archived) && len(p.times) == 0 && len(p.ranges) == 0 && p.kind != KindAgent && p.kind != KindID
	}
	switch q.kind {
	case KindTag, KindSource, KindModel:
		return subset(q.vals, p.vals) && (!q.none || p.none)
	case KindStatus:
		return subset(q.activity, p.activity) && subset(q.status, p.status)
	case KindIs:
		return (!q.pinned || p.pinned) && (!q.resolved || p.resolved) && (!q.archived || p.archived)
	case KindAgent, KindID:
		if !subset(q.agentIDs, p.agentIDs) {
			return false
		}
		for _, v := range q.vals {
			if !slices.ContainsFunc(p.vals, func(pv string) bool { return strings.HasPrefix(v, pv) }) {
				return false
			}
		}
		return true
	case KindCreated, KindUpdated:
		for _, r := range q.times {
			if !slices.ContainsFunc(p.times, func(o trange) bool { return r.lo >= o.lo && r.hi <= o.hi }) {
				return false
			}
		}
		return true
	case KindTokens, KindCost:
		for _, r := range q.ranges {
			if !slices.ContainsFunc(p.ranges, r.within) {
				return false
			}
		}
		return true
	}
	return false
}

func subset(a, b []string) bool {
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}
