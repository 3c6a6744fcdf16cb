package tui

import (
	"slices"
	"strings"
)

// sortKey is the order of the list.
type sortKey int

const (
	sortServer  sortKey = iota // the server's order: newest created first
	sortUpdated                // most recently updated first
	sortTokens                 // heaviest first
	sortTitle                  // A to Z
	sortKeys
)

func (k sortKey) String() string {
	return [...]string{"created", "updated", "tokens", "title"}[k]
}

// statusTab is the status filter, cycled with tab / shift+tab or 1..5.
type statusTab int

const (
	tabAll statusTab = iota
	tabActive
	tabIdle
	tabStarted
	tabOther
	statusTabs
)

func (t statusTab) String() string {
	return [...]string{"All", "Active", "Idle", "Started", "Other"}[t]
}

func tabOf(status string) statusTab {
	switch status {
	case "active":
		return tabActive
	case "idle":
		return tabIdle
	case "started":
		return tabStarted
	}
	return tabOther
}

// viewSpec is everything that decides which rows show, and in what order.
type viewSpec struct {
	q       query
	tab     statusTab
	sort    sortKey
	reverse bool
	agent   string // client-side agent filter (the API filter is applied at load)
}

// viewResult is the derived list: computed off the Update path, stamped
// with a generation, and kept to narrow the next keystroke's work.
type viewResult struct {
	gen     int
	version int // store version it was computed from
	spec    viewSpec

	sorted    []*row // every row in sort order (shared while version and sort hold)
	filtered  []*row // rows matching the query, in sort order, before the status tab
	rows      []*row // what the list shows
	tabCounts [statusTabs]int
	statusAll map[string]int // every row by status word, for the header
}

// deriveView computes the visible rows. all is in server order. prev, when
// from the same data, lets it reuse the sort and narrow from the previous
// matches instead of scanning everything.
func deriveView(all []*row, version int, spec viewSpec, prev *viewResult) *viewResult {
	res := &viewResult{version: version, spec: spec}
	sameOrder := prev != nil && prev.version == version &&
		prev.spec.sort == spec.sort && prev.spec.reverse == spec.reverse
	if sameOrder {
		res.sorted = prev.sorted
	} else {
		res.sorted = sortRows(all, spec.sort, spec.reverse)
	}

	if sameOrder && prev.statusAll != nil {
		res.statusAll = prev.statusAll
	} else {
		res.statusAll = make(map[string]int, 6)
		for _, r := range all {
			res.statusAll[r.status]++
		}
	}

	base := res.sorted
	if sameOrder && prev.spec.agent == spec.agent && spec.q.narrows(prev.spec.q) {
		base = prev.filtered
	}
	var scores []int
	if spec.q.empty() && spec.agent == "" {
		res.filtered = base
	} else {
		res.filtered = make([]*row, 0, len(base)/4)
		for _, r := range base {
			if spec.agent != "" && r.s.AgentID != spec.agent {
				continue
			}
			sc, ok := spec.q.matchRow(r)
			if !ok {
				continue
			}
			res.filtered = append(res.filtered, r)
			scores = append(scores, sc)
		}
	}

	ranked := res.filtered
	if len(spec.q.terms) > 0 {
		ranked = rankByScore(res.filtered, scores)
	}
	for _, r := range ranked {
		res.tabCounts[tabOf(r.status)]++
	}
	res.tabCounts[tabAll] = len(ranked)
	if spec.tab == tabAll {
		res.rows = ranked
	} else {
		res.rows = make([]*row, 0, res.tabCounts[spec.tab])
		for _, r := range ranked {
			if tabOf(r.status) == spec.tab {
				res.rows = append(res.rows, r)
			}
		}
	}
	return res
}

// rankByScore orders rows by score, best first, keeping the sort order
// among equals.
func rankByScore(rows []*row, scores []int) []*row {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return scores[b] - scores[a] })
	out := make([]*row, len(rows))
	for i, j := range idx {
		out[i] = rows[j]
	}
	return out
}

func sortRows(all []*row, key sortKey, reverse bool) []*row {
	out := slices.Clone(all)
	var cmp func(a, b *row) int
	switch key {
	case sortServer:
		// all is already in server order.
	case sortUpdated:
		cmp = func(a, b *row) int { return b.s.UpdatedAt.Compare(a.s.UpdatedAt) }
	case sortTokens:
		cmp = func(a, b *row) int {
			switch {
			case a.total > b.total:
				return -1
			case a.total < b.total:
				return 1
			}
			return 0
		}
	case sortTitle:
		cmp = func(a, b *row) int { return strings.Compare(a.titleKey, b.titleKey) }
	}
	if cmp != nil {
		slices.SortStableFunc(out, cmp)
	}
	if reverse {
		slices.Reverse(out)
	}
	return out
}
