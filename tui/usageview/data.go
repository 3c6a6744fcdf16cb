package usageview

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// maxBuckets bounds the time series whatever created_at a server sends
// (year 1 to 9999 would be 80 million hours): the series keeps the newest
// buckets and counts the sessions before them.
const maxBuckets = 50_000

// Step is the width of a time bucket.
type Step int

// Steps of the time series.
const (
	Hourly Step = iota
	Daily
)

func (s Step) String() string {
	if s == Hourly {
		return "hour"
	}
	return "day"
}

func (s Step) floor(t time.Time) time.Time {
	t = t.UTC()
	if s == Hourly {
		return t.Truncate(time.Hour)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (s Step) next(t time.Time) time.Time {
	if s == Hourly {
		return t.Add(time.Hour)
	}
	return t.AddDate(0, 0, 1)
}

// series is the usage per bucket from the first session's bucket to now's,
// empty buckets included.
type series struct {
	step    Step
	start   time.Time // first bucket
	buckets []apiclient.UsageRow
	outside int // sessions before the first bucket (maxBuckets) or after the last
}

func buildSeries(step Step, ss []*apiclient.Session, now time.Time) series {
	if len(ss) == 0 {
		return series{step: step, start: step.floor(now)}
	}
	// The series ends at now: a session stamped later (clock skew, or a
	// lying server's year 9999) is counted outside rather than stretching it.
	last := step.floor(now)
	first := last
	for _, s := range ss {
		if f := step.floor(s.CreatedAt); f.Before(first) {
			first = f
		}
	}
	n := bucketIndex(step, first, last) + 1
	if n > maxBuckets || n <= 0 {
		n = maxBuckets
		if step == Hourly {
			first = last.Add(-time.Duration(n-1) * time.Hour)
		} else {
			first = last.AddDate(0, 0, -(n - 1))
		}
	}
	out := series{step: step, start: first, buckets: make([]apiclient.UsageRow, n)}
	for i := range out.buckets {
		if i == 0 {
			out.buckets[i].Start = first
		} else {
			out.buckets[i].Start = step.next(out.buckets[i-1].Start)
		}
	}
	for _, s := range ss {
		i := bucketIndex(step, first, step.floor(s.CreatedAt))
		if i < 0 || i >= n {
			out.outside++
			continue
		}
		out.buckets[i].Add(s)
	}
	return out
}

// bucketIndex counts whole steps from first to t (both floored).
func bucketIndex(step Step, first, t time.Time) int {
	d := t.Sub(first) // saturates at ±290 years; maxBuckets is far below
	if step == Hourly {
		return int(d / time.Hour)
	}
	return int((d + 12*time.Hour) / (24 * time.Hour)) // UTC days are 24 h
}

// Column of a breakdown table.
type Column int

// Breakdown columns, in display order.
const (
	ColName Column = iota
	ColSessions
	ColPrompt
	ColOutput
	ColCacheHit
	ColCost
	ColShare
	numColumns
)

var columnNames = [numColumns]string{"name", "sessions", "prompt", "output", "cache hit", "cost", "share"}

func (c Column) String() string { return columnNames[c] }

// Metric is what the chart, the top sessions and the share column measure.
type Metric int

// Metrics.
const (
	Tokens Metric = iota
	Cost
)

func (m Metric) String() string {
	if m == Cost {
		return "cost"
	}
	return "tokens"
}

// breakdown is one table: usage rows by agent, model or source.
type breakdown struct {
	by     apiclient.UsageKey
	rows   []apiclient.UsageRow
	labels []string // sanitised, "(none)" for an empty key
	order  []int    // rows in display order
	sortBy Column
	asc    bool
	cursor int // index into order
	off    int // first row shown
}

func newBreakdown(by apiclient.UsageKey, rep apiclient.UsageReport) breakdown {
	b := breakdown{by: by, rows: rep.Rows, sortBy: ColShare, labels: make([]string, len(rep.Rows))}
	for i := range rep.Rows {
		b.labels[i] = label(rep.Rows[i].Key)
	}
	b.order = make([]int, len(b.rows))
	for i := range b.order {
		b.order[i] = i
	}
	return b
}

// sort orders the rows by the chosen column (share follows the metric),
// ties by name, keeping the row under the cursor under it.
func (b *breakdown) sort(metric Metric) {
	var at int = -1
	if b.cursor < len(b.order) {
		at = b.order[b.cursor]
	}
	key := func(i int) float64 {
		r := &b.rows[i]
		switch b.sortBy {
		case ColSessions:
			return float64(r.Sessions)
		case ColPrompt:
			return float64(r.Prompt())
		case ColOutput:
			return float64(r.OutputTokens)
		case ColCacheHit:
			return r.CacheHitRatio()
		case ColCost:
			return r.CostUSD
		case ColShare:
			if metric == Cost {
				return r.CostUSD
			}
			return float64(r.Total())
		}
		return 0
	}
	slices.SortStableFunc(b.order, func(x, y int) int {
		c := 0
		if b.sortBy == ColName {
			c = strings.Compare(strings.ToLower(b.labels[x]), strings.ToLower(b.labels[y]))
		} else {
			c = cmp.Compare(key(x), key(y))
		}
		if !b.asc {
			c = -c
		}
		if c == 0 {
			c = strings.Compare(b.labels[x], b.labels[y])
		}
		return c
	})
	if at >= 0 {
		b.cursor = slices.Index(b.order, at)
	}
}

// topEntry is one session of the top list.
type topEntry struct {
	s         *apiclient.Session
	tokens    int64
	cost      float64
	estimated bool // the cost is an estimate
}

// tops are the sessions with usage, heaviest first, by tokens and by cost.
type tops struct {
	entries        []topEntry
	byTokens       []int32
	byCost         []int32
	cursor, offset int
}

func buildTops(ss []*apiclient.Session) tops {
	t := tops{entries: make([]topEntry, 0, len(ss))}
	var nTok, nCost int
	for _, s := range ss {
		var row apiclient.UsageRow
		row.Add(s) // the one arithmetic: saturating totals, costs checked
		e := topEntry{s: s, tokens: row.Total(), cost: row.CostUSD, estimated: row.EstimatedOnly > 0}
		if e.tokens > 0 || e.cost > 0 {
			t.entries = append(t.entries, e)
			nTok += min(int(e.tokens), 1)
			if e.cost > 0 {
				nCost++
			}
		}
	}
	t.byTokens, t.byCost = make([]int32, 0, nTok), make([]int32, 0, nCost)
	for i, e := range t.entries {
		if e.tokens > 0 {
			t.byTokens = append(t.byTokens, int32(i))
		}
		if e.cost > 0 {
			t.byCost = append(t.byCost, int32(i))
		}
	}
	// Heaviest first; ties in the sessions' order, so the list is stable.
	slices.SortFunc(t.byTokens, func(x, y int32) int {
		return cmp.Or(cmp.Compare(t.entries[y].tokens, t.entries[x].tokens), cmp.Compare(x, y))
	})
	slices.SortFunc(t.byCost, func(x, y int32) int {
		return cmp.Or(cmp.Compare(t.entries[y].cost, t.entries[x].cost), cmp.Compare(x, y))
	})
	return t
}

func (t *tops) list(m Metric) []int32 {
	if m == Cost {
		return t.byCost
	}
	return t.byTokens
}

func (e *topEntry) value(m Metric) float64 {
	if m == Cost {
		return e.cost
	}
	return float64(e.tokens)
}
