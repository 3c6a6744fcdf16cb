package querylang

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Archived is which sessions the server lists as to archiving.
type Archived uint8

const (
	ArchivedExclude Archived = iota // the server's default: not archived
	ArchivedInclude                 // include_archived=true
	ArchivedOnly                    // archived_only=true
)

// ServerParams are the parts of a query the server's list (and facets)
// understand, for finding sessions beyond the loaded ones.
//
// Every field but Search is a necessary condition: each session that
// matches the whole query satisfies it, so the server's answer holds every
// match. Search is a probe: the server only searches titles, for a
// substring, while words match titles, previews and agent names, fuzzily.
// A session found by it contains the word in its title, so it matches the
// word here too. The caller merges the server's rows with the loaded ones
// and runs the Matcher on them as on any row, so the parts not sent still
// apply.
type ServerParams struct {
	// Search is the longest positive word or phrase (a title substring).
	Search string
	// Statuses are activity values, for the status parameter.
	Statuses []string
	Sources  []string
	// AgentID is set when agent: resolves to exactly one of Env.Agents.
	AgentID string
	// CreatedAfter (inclusive) and CreatedBefore (exclusive) bound
	// created_at; zero means unbounded.
	CreatedAfter, CreatedBefore time.Time
	Archived                    Archived
	// None is set when no session can match (status:failed
	// status:running): there is nothing to ask the server.
	None bool
	// LocalOnly names the parts not sent: "words" first when there are
	// words other than Search (or negated ones), then qualifier names in
	// query order ("tag", "updated", "is:pinned"...). They apply to the loaded rows (and the server's rows)
	// only: "tag filters apply to the 100,000 loaded sessions".
	LocalOnly []string
}

// Server returns the parts of the query for the server.
func (m *Matcher) Server() ServerParams {
	p := m.server
	p.Statuses = slices.Clone(p.Statuses)
	p.Sources = slices.Clone(p.Sources)
	p.LocalOnly = slices.Clone(p.LocalOnly)
	return p
}

func (m *Matcher) serverParams() ServerParams {
	var p ServerParams
	local := func(name string) {
		if !slices.Contains(p.LocalOnly, name) {
			p.LocalOnly = append(p.LocalOnly, name)
		}
	}
	for _, w := range m.words {
		if len(w.word) > len(p.Search) {
			p.Search = w.word
		}
	}
	if len(m.words) > 1 || len(m.notWords) > 0 {
		local("words")
	}
	var statuses, sources []string // nil: no constraint
	statusSet, sourceSet := false, false
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	var only, include, exclude bool
	for i := range m.terms {
		c := &m.terms[i]
		switch c.kind {
		case KindStatus:
			if len(c.status) > 0 {
				local("status") // execution statuses: no server filter
				break
			}
			statuses, statusSet = restrict(statuses, statusSet, c.activity, c.not, activities), true
		case KindSource:
			if !allKnown(c.vals, Sources) {
				local("source")
				break
			}
			sources, sourceSet = restrict(sources, sourceSet, c.vals, c.not, Sources), true
		case KindAgent:
			if c.not || len(c.agentIDs) != 1 || p.AgentID != "" {
				local("agent")
				break
			}
			p.AgentID = c.agentIDs[0]
		case KindCreated:
			r, ok := hull(c.times, c.not)
			if !ok {
				local("created")
				break
			}
			lo, hi = max(lo, r.lo), min(hi, r.hi)
		case KindIs:
			switch {
			case c.archived && c.not:
				exclude = true
			case c.archived && !c.pinned && !c.resolved:
				only = true
			case c.archived:
				include = true
			}
			if c.pinned {
				local("is:pinned")
			}
			if c.resolved {
				local("is:resolved")
			}
		default:
			local(c.kind.Name())
		}
	}
	p.Statuses, p.Sources = statuses, sources
	if (statusSet && len(statuses) == 0) || (sourceSet && len(sources) == 0) || lo >= hi || (only && exclude) {
		p.None = true
	}
	if lo != math.MinInt64 {
		p.CreatedAfter = time.Unix(0, lo).UTC()
	}
	if hi != math.MaxInt64 {
		p.CreatedBefore = time.Unix(0, hi).UTC()
	}
	switch {
	case exclude:
		p.Archived = ArchivedExclude
	case only:
		p.Archived = ArchivedOnly
	case include:
		p.Archived = ArchivedInclude
	}
	return p
}

// restrict intersects the allowed values cur (all of universe when !set)
// with a term's values, or with their complement for a negated term.
func restrict(cur []string, set bool, vals []string, not bool, universe []string) []string {
	if !set {
		cur = universe
	}
	var out []string
	for _, v := range cur {
		if slices.Contains(vals, v) != not {
			out = append(out, v)
		}
	}
	if out == nil {
		out = []string{} // set, and empty: nothing matches
	}
	return out
}

func allKnown(vals, known []string) bool {
	for _, v := range vals {
		if !slices.Contains(known, strings.ToLower(v)) {
			return false
		}
	}
	return true
}

// hull is one interval holding every time a created: term accepts: the
// span of its alternatives, or for a negated single bound the other side.
func hull(rs []trange, not bool) (trange, bool) {
	if not {
		if len(rs) != 1 {
			return trange{}, false
		}
		r := rs[0]
		switch {
		case r.lo == math.MinInt64 && r.hi != math.MaxInt64:
			return trange{lo: r.hi, hi: math.MaxInt64}, true
		case r.hi == math.MaxInt64 && r.lo != math.MinInt64:
			return trange{lo: math.MinInt64, hi: r.lo}, true
		}
		return trange{}, false
	}
	h := trange{lo: math.MaxInt64, hi: math.MinInt64}
	for _, r := range rs {
		h.lo, h.hi = min(h.lo, r.lo), max(h.hi, r.hi)
	}
	return h, true
}
