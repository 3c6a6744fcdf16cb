package querylang

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Env is what a query is compiled against.
type Env struct {
	// Now anchors durations (updated:>1d); dates are days in Now's
	// location. Keep it fixed while the user types, so that successive
	// matchers can narrow (see Narrows).
	Now time.Time
	// KnownTags holds the lower-cased tags some session has. A #x whose
	// tag is not in it is searched as text instead, with a hint. Nil
	// means unknown: every #x is a tag.
	KnownTags map[string]bool
	// Agents resolves agent: values (prefix of the name, display name or
	// id, case-insensitive), and gives the server an agent_id when one
	// agent matches.
	Agents []Agent
}

// Agent is an agent as agent: values resolve against.
type Agent struct {
	ID, Name, DisplayName string
}

// Subject is one session as the matcher sees it. Every string is lower
// case (strings.ToLower); the caller builds it once per row, when the row
// arrives, not per keystroke.
type Subject struct {
	ID string
	// Text is what free words search: title, previews and agent name,
	// from BuildText, with TitleLen and TextSet. A zero TextSet disables
	// the byte-set precheck.
	Text     string
	TitleLen int
	TextSet  ByteSet
	// AgentID and AgentName (name or display name) are for agent:.
	AgentID, AgentName string
	Tags               []string
	// Status is the wire status (started, active, idle,
	// waitingfortoolresults or waiting_for_tool_results, paused),
	// Activity the outcome (running, failed, completed, idle, paused).
	Status, Activity string
	Source           string
	Model            string // the model id
	Created, Updated time.Time
	Tokens           int64 // total tokens
	Cost             float64
	HasCost          bool
	Pinned, Archived bool
}

// Matcher is a compiled query. It is immutable and safe for concurrent
// use; Match does not allocate.
type Matcher struct {
	terms    []cterm // qualifiers, cheapest first
	words    []cterm // positive words and phrases
	notWords []cterm // negated words and phrases
	masks    []ByteSet
	problems []Problem
	server   ServerParams
	now      time.Time
	relative bool // some term depends on now
}

// cterm is a compiled term.
type cterm struct {
	kind Kind
	not  bool
	key  string // canonical form, for Narrows

	// Words and phrases: the lower-cased text, matched as a substring when
	// substr (phrases, digits), fuzzily otherwise.
	word   string
	substr bool

	vals []string // lower-cased alternatives (tags, sources, ids, agents)
	none bool     // tag:none

	// status: activity and execution status alternatives.
	activity, status []string
	// agent: the ids the values resolved to (Env.Agents).
	agentIDs []string
	// is: flags.
	pinned, resolved, archived bool
	// created/updated and tokens/cost alternatives.
	times  []trange
	ranges []rng
}

// trange is the time interval [lo, hi) in Unix nanoseconds.
type trange struct{ lo, hi int64 }

func (r trange) has(v int64) bool { return v >= r.lo && v < r.hi }

// nanos is t in Unix nanoseconds, saturated where UnixNano overflows.
func nanos(t time.Time) int64 {
	switch sec := t.Unix(); {
	case sec <= math.MinInt64/1_000_000_000+1:
		return math.MinInt64
	case sec >= math.MaxInt64/1_000_000_000-1:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// rng is the interval [lo, hi] of numbers, where loX/hiX make a bound
// exclusive.
type rng struct {
	lo, hi   float64
	loX, hiX bool
}

func (r rng) has(v float64) bool {
	return (v > r.lo || (!r.loX && v == r.lo)) && (v < r.hi || (!r.hiX && v == r.hi))
}

// within reports whether r lies inside o.
func (r rng) within(o rng) bool {
	loOK := r.lo > o.lo || (r.lo == o.lo && (r.loX || !o.loX))
	hiOK := r.hi < o.hi || (r.hi == o.hi && (r.hiX || !o.hiX))
	return loOK && hiOK
}

// Compile prepares q for matching against env.
func Compile(q Query, env Env) *Matcher {
	m := &Matcher{now: env.Now, problems: slices.Clone(q.Problems)}
	loc := env.Now.Location()
	for _, t := range q.Terms {
		c := cterm{kind: t.Kind, not: t.Not, key: t.canonKey()}
		switch t.Kind {
		case KindWord, KindPhrase:
			m.addWord(c, t.Values[0].Text, t.Kind == KindPhrase)
			continue
		case KindTag:
			if t.Hash && env.KnownTags != nil && !env.KnownTags[strings.ToLower(t.Values[0].Text)] {
				m.problems = append(m.problems, Problem{Start: t.Start, End: t.End, Hint: true,
					Msg: `no session has tag "` + clip(t.Values[0].Text) + `"; searched as text`})
				c.kind = KindWord
				m.addWord(c, t.Values[0].Text, t.Values[0].Quoted)
				continue
			}
			unknown := ""
			for _, v := range t.Values {
				if !v.Quoted && !t.Hash && strings.EqualFold(v.Text, "none") {
					c.none = true
					continue
				}
				lv := strings.ToLower(v.Text)
				c.vals = append(c.vals, lv)
				if env.KnownTags != nil && !env.KnownTags[lv] && unknown == "" {
					unknown = v.Text
				}
			}
			if unknown != "" {
				m.problems = append(m.problems, Problem{Start: t.Start, End: t.End, Hint: true,
					Msg: `no session has tag "` + clip(unknown) + `"`})
			}
		case KindStatus:
			for _, v := range t.Values {
				canon, act, _ := statusValue(v.Text)
				if act {
					c.activity = append(c.activity, canon)
				} else {
					c.status = append(c.status, canon)
				}
			}
		case KindAgent:
			for _, v := range t.Values {
				lv := strings.ToLower(v.Text)
				c.vals = append(c.vals, lv)
				for _, a := range env.Agents {
					if prefixFold(a.ID, lv) || prefixFold(a.Name, lv) || prefixFold(a.DisplayName, lv) {
						if id := strings.ToLower(a.ID); !slices.Contains(c.agentIDs, id) {
							c.agentIDs = append(c.agentIDs, id)
						}
					}
				}
			}
		case KindSource, KindID, KindModel:
			for _, v := range t.Values {
				c.vals = append(c.vals, strings.ToLower(v.Text))
			}
		case KindIs:
			for _, v := range t.Values {
				switch strings.ToLower(v.Text) {
				case "pinned":
					c.pinned = true
				case "resolved":
					c.resolved = true
				case "archived":
					c.archived = true
				}
			}
		case KindCreated, KindUpdated:
			for _, v := range t.Values {
				w, _ := parseWhen(v.Text, loc)
				if w.kind == whenAgo {
					m.relative = true
				}
				c.times = append(c.times, w.rangeAt(env.Now))
			}
		case KindTokens, KindCost:
			for _, v := range t.Values {
				op, rest := cutOp(v.Text)
				n, _ := parseNumber(rest, t.Kind == KindCost)
				c.ranges = append(c.ranges, numRange(op, n))
			}
		}
		m.terms = append(m.terms, c)
	}
	m.server = m.serverParams() // before sorting: LocalOnly is in query order
	// Cheap tests first: they reject most rows before any text is read.
	slices.SortStableFunc(m.terms, func(a, b cterm) int { return costOf(a.kind) - costOf(b.kind) })
	return m
}

func costOf(k Kind) int {
	switch k {
	case KindIs, KindTokens, KindCost, KindCreated, KindUpdated:
		return 0
	case KindStatus, KindSource, KindModel:
		return 1
	}
	return 2
}

func prefixFold(s, lowerPrefix string) bool {
	return len(s) >= len(lowerPrefix) && strings.EqualFold(s[:len(lowerPrefix)], lowerPrefix)
}

// isDigits reports whether s is all ASCII digits: such words (order
// numbers, ids) match as substrings, never scattered.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (m *Matcher) addWord(c cterm, text string, phrase bool) {
	c.word = strings.ToLower(text)
	c.substr = phrase || isDigits(c.word)
	if c.not {
		m.notWords = append(m.notWords, c)
		return
	}
	m.words = append(m.words, c)
	m.masks = append(m.masks, SetOf(c.word))
}

// rangeAt turns a created:/updated: value into an interval.
func (w when) rangeAt(now time.Time) trange {
	r := trange{lo: math.MinInt64, hi: math.MaxInt64}
	switch w.kind {
	case whenAgo:
		// The comparison is on age: >1d is older than a day ago.
		edge := nanos(now.Add(-w.ago))
		switch w.op {
		case ">":
			r.hi = edge
		case ">=":
			r.hi = sat(edge, 1)
		case "<":
			r.lo = sat(edge, 1)
		case "<=":
			r.lo = edge
		}
	case whenDate:
		day, next := nanos(w.at), nanos(w.at.AddDate(0, 0, 1))
		switch w.op {
		case ">":
			r.lo = next
		case ">=":
			r.lo = day
		case "<":
			r.hi = day
		case "<=":
			r.hi = next
		default:
			r.lo, r.hi = day, next
		}
	case whenInstant:
		at := nanos(w.at)
		switch w.op {
		case ">":
			r.lo = sat(at, 1)
		case ">=":
			r.lo = at
		case "<":
			r.hi = at
		case "<=":
			r.hi = sat(at, 1)
		}
	}
	return r
}

// sat is a+d without overflow.
func sat(a, d int64) int64 {
	if a > math.MaxInt64-d {
		return math.MaxInt64
	}
	return a + d
}

func numRange(op string, n float64) rng {
	r := rng{lo: math.Inf(-1), hi: math.Inf(1)}
	switch op {
	case ">":
		r.lo, r.loX = n, true
	case ">=":
		r.lo = n
	case "<":
		r.hi, r.hiX = n, true
	case "<=":
		r.hi = n
	}
	return r
}

// Problems lists the parse problems and the hints of compiling (tags
// searched as text), in input order.
func (m *Matcher) Problems() []Problem {
	out := slices.Clone(m.problems)
	slices.SortStableFunc(out, func(a, b Problem) int { return a.Start - b.Start })
	return out
}

// Empty reports whether the matcher matches every session.
func (m *Matcher) Empty() bool {
	return len(m.terms) == 0 && len(m.words) == 0 && len(m.notWords) == 0
}

// Ranked reports whether scores mean anything: there are words to match.
func (m *Matcher) Ranked() bool { return len(m.words) > 0 }

// Words returns the lower-cased positive words and phrases, for
// highlighting matches.
func (m *Matcher) Words() []string {
	out := make([]string, len(m.words))
	for i, w := range m.words {
		out[i] = w.word
	}
	return out
}

// Match reports whether s matches, and a score (higher is better; only
// words score, title matches above all others).
func (m *Matcher) Match(s *Subject) (bool, int) {
	if m.Rejects(s.TextSet) {
		return false, 0
	}
	for i := range m.terms {
		if m.terms[i].test(s) == m.terms[i].not {
			return false, 0
		}
	}
	return m.matchText(s.Text, s.TitleLen)
}

// WordsOnly reports whether the query is free words alone (no qualifier):
// MatchText then decides as Match would.
func (m *Matcher) WordsOnly() bool { return len(m.terms) == 0 }

// MatchText is Match for a WordsOnly query, given only the subject's text,
// title length and text byte set: the caller need not assemble a whole
// Subject.
func (m *Matcher) MatchText(text string, titleLen int, set ByteSet) (bool, int) {
	if !m.WordsOnly() {
		panic("querylang: MatchText on a query with qualifiers")
	}
	if m.Rejects(set) {
		return false, 0
	}
	return m.matchText(text, titleLen)
}

// matchText matches the free words (and negated words) against text.
func (m *Matcher) matchText(text string, titleLen int) (bool, int) {
	score := 0
	for i := range m.words {
		w := &m.words[i]
		sc, ok := matchWord(text, titleLen, w.word, w.substr)
		if !ok {
			return false, 0
		}
		score += sc
	}
	for i := range m.notWords {
		// A negated word drops only rows that contain it: a fuzzy NOT
		// would drop rows for letters scattered across a preview.
		if strings.Contains(text, m.notWords[i].word) {
			return false, 0
		}
	}
	return true, score
}

// Rejects reports whether no subject whose text holds only the bytes of set
// can match (a zero set says nothing): Match's first, cheapest check, for a
// caller that can make it before assembling the subject.
func (m *Matcher) Rejects(set ByteSet) bool {
	if set == (ByteSet{}) {
		return false
	}
	for _, mk := range m.masks {
		if !mk.Within(set) {
			return true
		}
	}
	return false
}

// test reports whether s matches one of the term's alternatives (before
// negation).
func (c *cterm) test(s *Subject) bool {
	switch c.kind {
	case KindTag:
		if c.none && len(s.Tags) == 0 {
			return true
		}
		for _, t := range s.Tags {
			if slices.Contains(c.vals, t) {
				return true
			}
		}
		return false
	case KindStatus:
		if slices.Contains(c.status, s.Status) {
			return true
		}
		if s.Status == "waiting_for_tool_results" && slices.Contains(c.status, "waitingfortoolresults") {
			return true
		}
		act := s.Activity
		if act == "" {
			// A server without activity: idle and paused are statuses too.
			act = s.Status
		}
		return slices.Contains(c.activity, act)
	case KindAgent:
		if slices.Contains(c.agentIDs, s.AgentID) {
			return true
		}
		for _, v := range c.vals {
			if strings.HasPrefix(s.AgentID, v) || strings.HasPrefix(s.AgentName, v) {
				return true
			}
		}
		return false
	case KindSource:
		return slices.Contains(c.vals, s.Source)
	case KindModel:
		return slices.Contains(c.vals, s.Model)
	case KindID:
		for _, v := range c.vals {
			if strings.HasPrefix(s.ID, v) {
				return true
			}
		}
		return false
	case KindIs:
		return (c.pinned && s.Pinned) || (c.archived && s.Archived) ||
			(c.resolved && slices.Contains(s.Tags, "resolved"))
	case KindCreated, KindUpdated:
		t := s.Created
		if c.kind == KindUpdated {
			t = s.Updated
		}
		v := nanos(t)
		for _, r := range c.times {
			if r.has(v) {
				return true
			}
		}
		return false
	case KindTokens, KindCost:
		v := float64(s.Tokens)
		if c.kind == KindCost {
			if !s.HasCost {
				return false // unknown cost compares to nothing
			}
			v = s.Cost
		}
		for _, r := range c.ranges {
			if r.has(v) {
				return true
			}
		}
		return false
	}
	return false
}
