package tui

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/everruns/sessions/tui/querylang"
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

// statusTab is the activity filter, cycled with tab / shift+tab or 1..6.
type statusTab int

const (
	tabAll statusTab = iota
	tabRunning
	tabFailed
	tabCompleted
	tabIdle
	tabPaused
	statusTabs
)

func (t statusTab) String() string {
	return [...]string{"All", "Running", "Failed", "Completed", "Idle", "Paused"}[t]
}

// activity is the wire value of the tab's activity ("" for All).
func (t statusTab) activity() string {
	return [...]string{"", "running", "failed", "completed", "idle", "paused"}[t]
}

// tabOf is the tab of an activity; an activity the contract does not know
// shows under All only.
func tabOf(act string) statusTab {
	switch act {
	case "running":
		return tabRunning
	case "failed":
		return tabFailed
	case "completed":
		return tabCompleted
	case "idle":
		return tabIdle
	case "paused":
		return tabPaused
	}
	return tabAll
}

// viewSpec is everything that decides which rows show, and in what order.
type viewSpec struct {
	q       query
	tab     statusTab
	sort    sortKey
	reverse bool
	// hideResolved drops the sessions tagged resolved (R; see views.go).
	hideResolved bool
	// held: with the updated order, the rows a refresh changed sort by the
	// time they had until the user moves (see heldOrder); heldGen changes
	// with it. Never changed in place.
	held    map[string]time.Time
	heldGen int
}

// ranked reports whether matches are ordered by relevance: when words are
// typed and the order is the server's default, not reversed.
func (s viewSpec) ranked() bool { return s.q.Ranked() && s.sort == sortServer && !s.reverse }

// sortLabel names the order in force, for the header.
func (s viewSpec) sortLabel() string {
	if s.ranked() {
		return "relevance"
	}
	return s.sort.String()
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
	// The byte sets of sorted's and filtered's rows, in the same order, kept
	// when there are words to match: a word is first checked against these
	// flat arrays, and only rows that have all its bytes are visited.
	sortedSets, filteredSets []querylang.ByteSet
	statusAll                map[string]int // every row by activity, for the header
}

// deriveView computes the visible rows. all is in server order. prev, when
// from the same data, lets it reuse the sort and narrow from the previous
// matches instead of scanning everything.
func deriveView(all []*row, version int, spec viewSpec, prev *viewResult) *viewResult {
	res := &viewResult{version: version, spec: spec}
	sameOrder := prev != nil && prev.version == version &&
		prev.spec.sort == spec.sort && prev.spec.reverse == spec.reverse && prev.spec.heldGen == spec.heldGen
	if sameOrder {
		res.sorted = prev.sorted
	} else {
		res.sorted = sortRowsHeld(all, spec.sort, spec.reverse, spec.held)
	}

	if sameOrder && prev.statusAll != nil {
		res.statusAll = prev.statusAll
	} else {
		res.statusAll = make(map[string]int, 6)
		for _, r := range all {
			res.statusAll[r.Act]++
		}
	}

	needSets := len(spec.q.Masks) > 0
	if needSets {
		if sameOrder && prev.sortedSets != nil {
			res.sortedSets = prev.sortedSets
		} else {
			res.sortedSets = setsOf(res.sorted)
		}
	}
	base, baseSets := res.sorted, res.sortedSets
	if sameOrder && spec.q.Narrows(prev.spec.q) {
		base, baseSets = prev.filtered, prev.filteredSets
		if needSets && len(baseSets) != len(base) {
			baseSets = setsOf(base)
		}
	}
	var scores []int
	if spec.q.Empty() {
		res.filtered, res.filteredSets = base, baseSets
	} else {
		res.filtered, scores, res.filteredSets = matchRows(base, baseSets, spec)
	}

	// Words rank by relevance unless the user picked an order: then the
	// list keeps the order the header names.
	ranked := res.filtered
	if spec.ranked() {
		ranked = rankByScore(res.filtered, scores)
	}
	if spec.hideResolved {
		ranked = withoutResolved(ranked)
	}
	for _, r := range ranked {
		res.tabCounts[tabOf(r.Act)]++
	}
	res.tabCounts[tabAll] = len(ranked)
	if spec.tab == tabAll {
		res.rows = ranked
	} else {
		res.rows = make([]*row, 0, res.tabCounts[spec.tab])
		for _, r := range ranked {
			if tabOf(r.Act) == spec.tab {
				res.rows = append(res.rows, r)
			}
		}
	}
	return res
}

// parallelMin is the number of rows from which matching is split across
// the CPUs.
const parallelMin = 16384

// matchRows keeps the rows of base that match spec's query, in
// order, with their scores. Big inputs are split into contiguous chunks
// matched in parallel and joined in order, so the result is the same.
func matchRows(base []*row, sets []querylang.ByteSet, spec viewSpec) ([]*row, []int, []querylang.ByteSet) {
	workers := min(runtime.GOMAXPROCS(0), 8)
	if len(base) < parallelMin || workers < 2 {
		return matchChunk(base, sets, spec)
	}
	type part struct {
		rows   []*row
		scores []int
		sets   []querylang.ByteSet
	}
	parts := make([]part, workers)
	size := (len(base) + workers - 1) / workers
	var (
		wg     sync.WaitGroup
		caught atomic.Pointer[goroutinePanicMsg]
	)
	for w := range parts {
		lo, hi := min(w*size, len(base)), min((w+1)*size, len(base))
		var chunkSets []querylang.ByteSet
		if sets != nil {
			chunkSets = sets[lo:hi]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer catchPanic(func(p goroutinePanicMsg) { caught.CompareAndSwap(nil, &p) })
			p := &parts[w]
			p.rows, p.scores, p.sets = matchChunk(base[lo:hi], chunkSets, spec)
		}()
	}
	wg.Wait()
	if p := caught.Load(); p != nil {
		panic(p.String()) // on the Cmd's goroutine, where Bubble Tea recovers it
	}
	n := 0
	for _, p := range parts {
		n += len(p.rows)
	}
	rows := make([]*row, 0, n)
	var scores []int
	var outSets []querylang.ByteSet
	if spec.q.Ranked() {
		scores = make([]int, 0, n)
	}
	if sets != nil {
		outSets = make([]querylang.ByteSet, 0, n)
	}
	for _, p := range parts {
		rows = append(rows, p.rows...)
		scores = append(scores, p.scores...)
		outSets = append(outSets, p.sets...)
	}
	return rows, scores, outSets
}

// matchChunk matches base (with sets, its rows' byte sets, when not nil).
func matchChunk(base []*row, sets []querylang.ByteSet, spec viewSpec) ([]*row, []int, []querylang.ByteSet) {
	rows := make([]*row, 0, len(base)/4)
	var scores []int
	var outSets []querylang.ByteSet
	if spec.q.Ranked() {
		scores = make([]int, 0, len(base)/4)
	}
	if sets != nil {
		outSets = make([]querylang.ByteSet, 0, len(base)/4)
	}
	masks := spec.q.Masks
rowLoop:
	for i, r := range base {
		if sets != nil {
			for _, m := range masks {
				if !m.Within(sets[i]) {
					continue rowLoop
				}
			}
		}
		sc, ok := spec.q.MatchRow(r)
		if !ok {
			continue
		}
		rows = append(rows, r)
		if scores != nil {
			scores = append(scores, sc)
		}
		if sets != nil {
			outSets = append(outSets, sets[i])
		}
	}
	return rows, scores, outSets
}

// setsOf collects the rows' byte sets.
func setsOf(rows []*row) []querylang.ByteSet {
	out := make([]querylang.ByteSet, len(rows))
	for i, r := range rows {
		if r.Measured && r.TextSet != (querylang.ByteSet{}) {
			out[i] = r.TextSet
		} else {
			out[i] = querylang.ByteSet{^uint64(0), ^uint64(0)} // unknown: never rejects
		}
	}
	return out
}

// rankByScore orders rows by score, best first, keeping the sort order
// among equals. It sorts (score, index) pairs packed in one integer, which
// is the stable order without a stable sort.
func rankByScore(rows []*row, scores []int) []*row {
	keys := make([]uint64, len(rows))
	for i, sc := range scores[:len(rows)] {
		sc = min(max(sc, 0), math.MaxUint32)
		keys[i] = uint64(math.MaxUint32-uint32(sc))<<32 | uint64(i)
	}
	slices.Sort(keys)
	out := make([]*row, len(rows))
	for i, k := range keys {
		out[i] = rows[uint32(k)]
	}
	return out
}

func sortRows(all []*row, key sortKey, reverse bool) []*row {
	return sortRowsHeld(all, key, reverse, nil)
}

// sortRowsHeld sorts like sortRows; with the updated order, the rows in
// held sort by the time held gives them.
func sortRowsHeld(all []*row, key sortKey, reverse bool, held map[string]time.Time) []*row {
	out := slices.Clone(all)
	var cmp func(a, b *row) int
	switch key {
	case sortServer:
		// all is already in server order.
	case sortUpdated:
		at := func(r *row) time.Time {
			if t, ok := held[r.S.ID]; ok {
				return t
			}
			return r.S.UpdatedAt
		}
		cmp = func(a, b *row) int { return at(b).Compare(at(a)) }
		if len(held) == 0 {
			cmp = func(a, b *row) int { return b.S.UpdatedAt.Compare(a.S.UpdatedAt) }
		}
	case sortTokens:
		cmp = func(a, b *row) int {
			switch {
			case a.Total > b.Total:
				return -1
			case a.Total < b.Total:
				return 1
			}
			return 0
		}
	case sortTitle:
		cmp = func(a, b *row) int { return strings.Compare(a.TitleKey(), b.TitleKey()) }
	}
	if cmp != nil {
		slices.SortStableFunc(out, cmp)
	}
	if reverse {
		slices.Reverse(out)
	}
	if key == sortServer {
		// The default order puts the user's pinned sessions first.
		slices.SortStableFunc(out, func(a, b *row) int {
			switch {
			case a.Pinned == b.Pinned:
				return 0
			case a.Pinned:
				return -1
			}
			return 1
		})
	}
	return out
}
