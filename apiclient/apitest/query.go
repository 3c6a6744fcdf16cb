package apitest

import (
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// maxLimit is the largest page; larger limits are clamped, not refused.
const maxLimit = 100

// filter is the parsed predicate of GET /v1/sessions and /facets.
type filter struct {
	agent, search            string // search is lower-cased
	activities               map[apiclient.Activity]bool
	sources                  map[apiclient.Source]bool
	mine                     bool
	principal                string
	after, before            time.Time
	order                    string
	archived, archivedOnly   bool
	skipActivity, skipSource bool // facets: count a dimension without its own selection
	skipAgent                bool
	inOrg                    func(*apiclient.Session) bool // the caller's organisation (orgs.go)
}

// parseFilter reads the filters of q; an unknown value is an error (400).
func (s *Server) parseFilter(q url.Values, c *caller) (filter, error) {
	f := filter{agent: q.Get("agent_id"), search: strings.ToLower(q.Get("search")), principal: principalID(c.principal)}
	f.inOrg = func(x *apiclient.Session) bool { return s.inOrg(x, c.org) }
	if v := q.Get("status"); v != "" {
		f.activities = map[apiclient.Activity]bool{}
		for _, x := range strings.Split(v, ",") {
			a := apiclient.Activity(strings.TrimSpace(x))
			if !a.Known() {
				return f, fmt.Errorf("Invalid status %q: expected one of running, paused, failed, completed, idle", x)
			}
			f.activities[a] = true
		}
	}
	if v := q.Get("source"); v != "" {
		f.sources = map[apiclient.Source]bool{}
		for _, x := range strings.Split(v, ",") {
			src := apiclient.Source(strings.TrimSpace(x))
			if !src.Known() {
				return f, fmt.Errorf("Invalid source %q", x)
			}
			f.sources[src] = true
		}
	}
	var err error
	boolParam := func(name string, dst *bool) {
		if v := q.Get(name); v != "" && err == nil {
			b, perr := strconv.ParseBool(v)
			if perr != nil || (v != "true" && v != "false") {
				err = fmt.Errorf("Invalid %s: must be true or false", name)
			}
			*dst = b
		}
	}
	boolParam("mine", &f.mine)
	boolParam("include_archived", &f.archived)
	boolParam("archived_only", &f.archivedOnly)
	timeParam := func(name string, dst *time.Time) {
		if v := q.Get(name); v != "" && err == nil {
			t, perr := time.Parse(time.RFC3339Nano, v)
			if perr != nil {
				err = fmt.Errorf("Invalid %s: must be an RFC 3339 date-time", name)
			}
			*dst = t
		}
	}
	timeParam("created_after", &f.after)
	timeParam("created_before", &f.before)
	switch f.order = q.Get("order"); f.order {
	case "", "created_at", "last_activity":
	default:
		err = fmt.Errorf("Invalid order %q: expected created_at or last_activity", f.order)
	}
	return f, err
}

// match is the one predicate behind the list and the facets.
func (f *filter) match(e *entry) bool {
	x := &e.s
	switch {
	case f.inOrg != nil && !f.inOrg(x):
		return false
	case f.archivedOnly && !e.archived, !f.archivedOnly && !f.archived && e.archived:
		return false
	case f.agent != "" && !f.skipAgent && x.AgentID != f.agent:
		return false
	case f.activities != nil && !f.skipActivity && !f.activities[x.Activity]:
		return false
	case f.sources != nil && !f.skipSource && !f.sources[x.Source]:
		return false
	case f.mine && x.OwnerPrincipalID != f.principal:
		return false
	case !f.after.IsZero() && x.CreatedAt.Before(f.after):
		return false
	case !f.before.IsZero() && !x.CreatedAt.Before(f.before):
		return false
	case f.search != "" && !strings.Contains(strings.ToLower(x.TitleOrEmpty()), f.search):
		return false
	}
	return true
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	offset, err := intParam(q.Get("offset"), 0)
	if err != nil || offset < 0 {
		writeError(w, http.StatusBadRequest, "Invalid offset: must be a non-negative integer")
		return
	}
	limit, err := intParam(q.Get("limit"), 20)
	if err != nil || limit < 1 {
		writeError(w, http.StatusBadRequest, "Invalid limit: must be a positive integer")
		return
	}
	limit = min(limit, maxLimit)
	f, err := s.parseFilter(q, c)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	page := wirePage{Data: []wireSession{}, Offset: offset, Limit: limit}
	s.mu.RLock()
	c.pins = s.pins[c.ident]
	var src iter.Seq[ref] = s.refsLocked()
	if f.order == "last_activity" {
		src = slices.Values(s.byActivityLocked())
	}
	trivial := f.trivial()
	// A base session not materialised is not archived and belongs to the
	// primary organisation: without other filters that decides whether it
	// matches, and it is generated only when it falls in the page.
	baseVisible := !f.archivedOnly && (len(s.orgs) == 1 || c.org == s.org)
	// A title search no generated title can contain needs only the
	// materialised sessions (see mayTitle).
	skipBase := s.lazy != nil && !s.lazy.mayTitle(f.search)
	for r := range src {
		var e *entry
		if skipBase && r.e == nil {
			continue
		}
		if trivial && r.e == nil {
			if !baseVisible {
				continue
			}
		} else if e = s.entryOf(r); !f.match(e) {
			continue
		}
		if page.Total >= offset && page.Total < offset+limit {
			if e == nil {
				e = s.entryOf(r)
			}
			page.Data = append(page.Data, wireOf(&e.s, c))
		}
		page.Total++
	}
	// Encode while holding the read lock: wire values share the stored pointers.
	b, err := json.Marshal(withLinks(page, r, c))
	s.mu.RUnlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeRaw(w, http.StatusOK, "application/json", b)
}

// trivial reports whether f selects on nothing but the archive switches.
func (f *filter) trivial() bool {
	return f.agent == "" && f.search == "" && f.activities == nil && f.sources == nil && !f.mine &&
		f.after.IsZero() && f.before.IsZero()
}

// withLinks adds next_url (absent on the last page) and prev_url (absent on the first).
func withLinks(p wirePage, r *http.Request, c *caller) wirePage {
	link := func(off int) string {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		q.Set("limit", strconv.Itoa(p.Limit))
		return c.apiBase + "/v1/sessions?" + q.Encode()
	}
	if p.Offset+p.Limit < p.Total {
		p.NextURL = link(p.Offset + p.Limit)
	}
	if p.Offset > 0 {
		p.PrevURL = link(max(p.Offset-p.Limit, 0))
	}
	return p
}

func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n > 1<<31-1 {
		return 0, fmt.Errorf("not an int32: %q", v)
	}
	return n, nil
}

func (s *Server) facets(w http.ResponseWriter, r *http.Request, c *caller) {
	f, err := s.parseFilter(r.URL.Query(), c)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f.archived, f.archivedOnly = false, false // not parameters of /facets
	writeJSON(w, http.StatusOK, s.countFacets(f))
}

// countFacets computes the facet counts for f with the list's predicate.
func (s *Server) countFacets(f filter) apiclient.Facets {
	now := s.now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	byAct, bySrc, byAgent := map[string]int64{}, map[string]int64{}, map[string]int64{}
	var out apiclient.Facets
	var durations []int64
	s.mu.RLock()
	for e := range s.entriesLocked() {
		x := &e.s
		all := f.match(e)
		if all {
			out.Total++
			if x.Status.Running() {
				out.ActiveNow++
			}
			if x.Activity == apiclient.ActivityFailed && !x.UpdatedAt.Before(today) {
				out.FailedToday++
			}
			if !x.CreatedAt.Before(today) {
				out.TokensToday += x.Usage.Total()
			}
			if x.StartedAt != nil {
				end := x.UpdatedAt
				if x.FinishedAt != nil {
					end = *x.FinishedAt
				}
				durations = append(durations, end.Sub(*x.StartedAt).Milliseconds())
			}
		}
		if g := f; true {
			g.skipActivity = true
			if all || g.match(e) {
				byAct[string(x.Activity)]++
			}
			g = f
			g.skipSource = true
			if all || g.match(e) {
				bySrc[string(x.Source)]++
			}
			g = f
			g.skipAgent = true
			if x.AgentID != "" && (all || g.match(e)) {
				byAgent[x.AgentID]++
			}
		}
	}
	s.mu.RUnlock()
	out.ByActivity, out.BySource, out.ByAgent = counts(byAct), counts(bySrc), counts(byAgent)
	if len(durations) > 0 {
		sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
		out.P95DurationMS = max(durations[(len(durations)*95+99)/100-1], 0)
	}
	return out
}

// counts sorts buckets by count, then value.
func counts(m map[string]int64) []apiclient.FacetCount {
	out := make([]apiclient.FacetCount, 0, len(m))
	for v, n := range m {
		out = append(out, apiclient.FacetCount{Value: v, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}

func (s *Server) stats(w http.ResponseWriter, c *caller) {
	var st apiclient.Stats
	s.mu.RLock()
	for e := range s.entriesLocked() {
		if e.archived || !s.inOrg(&e.s, c.org) {
			continue
		}
		st.Total++
		switch e.s.Status.Normal() {
		case apiclient.StatusActive:
			st.Active++
		case apiclient.StatusIdle:
			st.Idle++
		case apiclient.StatusStarted:
			st.Started++
		case apiclient.StatusWaitingForToolResults:
			st.WaitingForToolResults++
		}
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, st)
}
