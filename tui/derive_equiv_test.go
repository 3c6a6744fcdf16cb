package tui

import (
	"slices"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui/sessionlist"
)

// deriveSlow is the plain derivation: every row scanned, no byte-set
// rejection, no parallel split, a stable sort by score.
func deriveSlow(all []*row, spec viewSpec) []*row {
	sorted := sortRows(all, spec.sort, spec.reverse)
	var rows []*row
	var scores []int
	for _, r := range sorted {
		q := spec.q
		q.Masks = nil
		sc, ok := q.MatchRow(r)
		if !ok {
			continue
		}
		rows = append(rows, r)
		scores = append(scores, sc)
	}
	if spec.ranked() {
		idx := make([]int, len(rows))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return scores[b] - scores[a] })
		out := make([]*row, len(rows))
		for i, j := range idx {
			out[i] = rows[j]
		}
		rows = out
	}
	if spec.tab != tabAll {
		var kept []*row
		for _, r := range rows {
			if tabOf(r.Act) == spec.tab {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	return rows
}

func TestDeriveMatchesPlainDerivation(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	sessions := append(apitest.HostileSessions(now, "org", "agent"), apitest.Generate(parallelMin+5000, 7, now)...)
	all := make([]*row, len(sessions))
	for i, s := range sessions {
		all[i] = sessionlist.NewRow(s)
	}
	typing := []string{"c", "ca", "caf", "café", "caf", "r", "re", "ref", "refund", "refund #p1", "refund #p1 -#urgent", "数", "数据", "zz", "", "e o", "ORDER 12"}
	var prev *viewResult
	for _, srt := range []sortKey{sortServer, sortTitle} {
		for _, tab := range []statusTab{tabAll, tabIdle} {
			for _, q := range typing {
				spec := viewSpec{q: testQuery(q), tab: tab, sort: srt}
				res := deriveView(all, 1, spec, prev)
				prev = res
				want := deriveSlow(all, spec)
				if len(res.rows) != len(want) {
					t.Fatalf("sort %v tab %v %q: %d rows, want %d", srt, tab, q, len(res.rows), len(want))
				}
				for i := range want {
					if res.rows[i] != want[i] {
						t.Fatalf("sort %v tab %v %q: row %d differs", srt, tab, q, i)
					}
				}
			}
		}
	}
}
