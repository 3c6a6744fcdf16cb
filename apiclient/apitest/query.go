package apitest

import (
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
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
	trivial := f.trivial()
	// A base session not materialised is not archived and belongs to the
	// primary organisation: without other filters that decides whether it
	// matches, and it is generated only when it falls in the page.
	baseVisible := !f.archivedOnly && (len(s.orgs) == 1 || c.org == s.org)
	// A title search no generated title can contain needs only the
	// materialised sessions (see mayTitle).
	skipBase := s.lazy != nil && !s.lazy.mayTitle(f.search)
	var src iter.Seq[ref] = s.refsLocked()
	if f.order == "last_activity" {
		// Streamed (activityorder.go): only the base sessions that can
		// match, those of the creation range, are generated, and only as
		// far as the walk goes.
		lo, hi := 0, 0
		if s.lazy != nil {
			lo, hi = s.lazy.baseRange(&f)
		}
		src = s.activityLocked(baseVisible && !skipBase, lo, hi)
	}
	// Then the total is known without passing every session (a million on
	// a lazy server, for every page): the page's walk stops at its end.
	known := -1
	if trivial {
		known = 0
		for _, e := range s.order {
			if f.match(e) {
				known++
			}
		}
		if s.lazy != nil && baseVisible {
			known += s.lazy.n - len(s.over)
		}
	}
	for r := range src {
		if known >= 0 && page.Total >= offset+limit {
			break
		}
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
	if known >= 0 {
		page.Total = known
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
	writeJSON(w, http.StatusOK, s.countFacets(f, true))
}

// countFacets computes the facet counts for f with the list's predicate.
// With fast, the base sessions of a lazy server are counted from their
// records (lazycount.go) when f allows it; otherwise every session is
// generated and counted, which the tests compare with.
func (s *Server) countFacets(f filter, fast bool) apiclient.Facets {
	now := s.now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	fc := facetCounter{f: f, today: today, byAct: map[string]int64{}, bySrc: map[string]int64{}, byAgent: map[string]int64{}}
	// The records are built (once) before the lock: a writer waiting
	// behind a long read would stall every other request.
	sum, ok := s.lazyFast(&f, fast)
	s.mu.RLock()
	if ok {
		for _, e := range s.order {
			fc.add(e)
		}
		if s.baseVisibleTo(&f) {
			s.countBase(&fc, sum)
		}
	} else {
		for e := range s.entriesLocked() {
			fc.add(e)
		}
	}
	s.mu.RUnlock()
	out := fc.out
	out.ByActivity, out.BySource, out.ByAgent = counts(fc.byAct), counts(fc.bySrc), counts(fc.byAgent)
	if len(fc.durations) > 0 {
		k := (len(fc.durations)*95+99)/100 - 1
		out.P95DurationMS = max(nth(fc.durations, k), 0)
	}
	return out
}

// facetCounter accumulates the facets of the sessions f matches.
type facetCounter struct {
	f                     filter
	today                 time.Time
	out                   apiclient.Facets
	byAct, bySrc, byAgent map[string]int64
	durations             []int64
}

// add counts one session.
func (fc *facetCounter) add(e *entry) {
	f, x := fc.f, &e.s
	all := f.match(e)
	if all {
		fc.out.Total++
		if x.Status.Running() {
			fc.out.ActiveNow++
		}
		if x.Activity == apiclient.ActivityFailed && !x.UpdatedAt.Before(fc.today) {
			fc.out.FailedToday++
		}
		if !x.CreatedAt.Before(fc.today) {
			fc.out.TokensToday += x.Usage.Total()
		}
		if d, ok := duration(x); ok {
			fc.durations = append(fc.durations, d)
		}
	}
	g := f
	g.skipActivity = true
	if all || g.match(e) {
		fc.byAct[string(x.Activity)]++
	}
	g = f
	g.skipSource = true
	if all || g.match(e) {
		fc.bySrc[string(x.Source)]++
	}
	g = f
	g.skipAgent = true
	if x.AgentID != "" && (all || g.match(e)) {
		fc.byAgent[x.AgentID]++
	}
}

// countBase adds the base sessions not materialised from their records,
// as add would count them: f has no search nor mine (lazyFast), the base is
// in the caller's organisation and never archived.
func (s *Server) countBase(fc *facetCounter, sum *lazySummary) {
	f := &fc.f
	lo, hi := s.lazy.baseRange(f)
	over := s.overSet()
	// Which table values each part of f accepts.
	agentOK := make([]bool, len(sum.agents))
	for i, v := range sum.agents {
		agentOK[i] = f.agent == "" || v == f.agent
	}
	actOK := make([]bool, len(sum.acts))
	for i, v := range sum.acts {
		actOK[i] = f.activities == nil || f.activities[apiclient.Activity(v)]
	}
	srcOK := make([]bool, len(sum.srcs))
	for i, v := range sum.srcs {
		srcOK[i] = f.sources == nil || f.sources[apiclient.Source(v)]
	}
	running := make([]bool, len(sum.statuses))
	for i, v := range sum.statuses {
		running[i] = apiclient.Status(v).Running()
	}
	failed := -1
	for i, v := range sum.acts {
		if v == string(apiclient.ActivityFailed) {
			failed = i
		}
	}
	todayDay := int32(unixDay(fc.today))
	var byAct, bySrc, byAgent [256]int64
	for i := lo; i < hi; i++ {
		if isSet(over, i) {
			continue
		}
		r := &sum.recs[i]
		ag, ac, sr := agentOK[r.agent], actOK[r.act], srcOK[r.src]
		if ag && sr {
			byAct[r.act]++
		}
		if ag && ac {
			bySrc[r.src]++
		}
		if ac && sr {
			byAgent[r.agent]++
		}
		if !(ag && ac && sr) {
			continue
		}
		fc.out.Total++
		if running[r.status] {
			fc.out.ActiveNow++
		}
		if int(r.act) == failed && r.updDay >= todayDay {
			fc.out.FailedToday++
		}
		if r.dur >= 0 {
			fc.durations = append(fc.durations, int64(r.dur))
		}
	}
	for i, n := range byAct[:len(sum.acts)] {
		if n > 0 {
			fc.byAct[sum.acts[i]] += n
		}
	}
	for i, n := range bySrc[:len(sum.srcs)] {
		if n > 0 {
			fc.bySrc[sum.srcs[i]] += n
		}
	}
	for i, n := range byAgent[:len(sum.agents)] {
		if n > 0 && sum.agents[i] != "" {
			fc.byAgent[sum.agents[i]] += n
		}
	}
	// Tokens count for sessions created today: the newest few, generated.
	for i := lo; i < min(hi, s.lazy.firstBefore(fc.today)); i++ {
		r := &sum.recs[i]
		if isSet(over, i) || !agentOK[r.agent] || !actOK[r.act] || !srcOK[r.src] {
			continue
		}
		x := s.lazy.gen(i)
		fc.out.TokensToday += x.Usage.Total()
	}
}

// nth is the k-th smallest of v (0-based), reordering v: quickselect.
func nth(v []int64, k int) int64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		// Median of three as the pivot keeps sorted input linear.
		m := lo + (hi-lo)/2
		if v[m] < v[lo] {
			v[m], v[lo] = v[lo], v[m]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[m] {
			v[hi], v[m] = v[m], v[hi]
		}
		p := v[m]
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
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
	writeJSON(w, http.StatusOK, s.countStats(c.org, true))
}

// countStats counts the unarchived sessions of org by status; fast as for
// countFacets.
func (s *Server) countStats(org string, fast bool) apiclient.Stats {
	var st apiclient.Stats
	count := func(status apiclient.Status, n int64) {
		st.Total += n
		switch status.Normal() {
		case apiclient.StatusActive:
			st.Active += n
		case apiclient.StatusIdle:
			st.Idle += n
		case apiclient.StatusStarted:
			st.Started += n
		case apiclient.StatusWaitingForToolResults:
			st.WaitingForToolResults += n
		}
	}
	visible := func(e *entry) bool { return !e.archived && s.inOrg(&e.s, org) }
	sum, ok := s.lazyFast(&filter{}, fast) // before the lock, as in countFacets
	s.mu.RLock()
	if ok {
		// The base's records by status, then the materialised sessions.
		for _, e := range s.order {
			if visible(e) {
				count(e.s.Status, 1)
			}
		}
		if s.inOrg(&apiclient.Session{OrganizationID: s.lazy.org}, org) {
			var by [256]int64
			for i := range sum.recs {
				by[sum.recs[i].status]++
			}
			for i := range s.over {
				by[sum.recs[i].status]--
			}
			for i, v := range sum.statuses {
				count(apiclient.Status(v), by[i])
			}
		}
	} else {
		for e := range s.entriesLocked() {
			if visible(e) {
				count(e.s.Status, 1)
			}
		}
	}
	s.mu.RUnlock()
	return st
}
