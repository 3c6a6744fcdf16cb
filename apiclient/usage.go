package apiclient

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Usage aggregation: the one place where sessions' token usage and cost are
// summed into rows, for the CLI's `usage` command and the TUI's usage view.
// Sums saturate: a lying server's counts clamp at math.MaxInt64 rather than
// wrapping into negatives, and negative counts or costs count as 0.

// UsageKey is what usage rows are grouped by.
type UsageKey string

// Usage keys. Day and hour are UTC buckets of created_at.
const (
	UsageByDay     UsageKey = "day"
	UsageByHour    UsageKey = "hour"
	UsageByAgent   UsageKey = "agent"
	UsageByModel   UsageKey = "model"
	UsageBySource  UsageKey = "source"
	UsageBySession UsageKey = "session"
)

// UsageKeys are the keys, in the order help texts list them.
var UsageKeys = []UsageKey{UsageByDay, UsageByHour, UsageByAgent, UsageByModel, UsageBySource, UsageBySession}

// ParseUsageKey reads a key, in any case.
func ParseUsageKey(s string) (UsageKey, error) {
	k := UsageKey(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(UsageKeys, k) {
		return k, nil
	}
	names := make([]string, len(UsageKeys))
	for i, u := range UsageKeys {
		names[i] = string(u)
	}
	return "", fmt.Errorf("unknown usage key %q; valid: %s", s, strings.Join(names, ", "))
}

// Timed reports whether the key buckets time (day, hour).
func (k UsageKey) Timed() bool { return k == UsageByDay || k == UsageByHour }

// UsageRow is the usage of the sessions sharing one key.
type UsageRow struct {
	// Key is what the row is for, as shown: the day (2026-08-01) or hour
	// (2026-08-01T14:00:00Z) in UTC, the agent's display name (else its
	// id), the model id, the source or the session id. "" when the
	// sessions have no agent, model or source.
	Key string
	// ID is the raw value grouped by: the agent id for agents, else Key.
	ID string
	// Start is the bucket's first instant for day and hour rows.
	Start time.Time

	Sessions            int
	InputTokens         int64
	CacheReadTokens     int64
	CacheCreationTokens int64
	OutputTokens        int64

	CostUSD          float64 // effective, else actual, else estimated, per session
	EstimatedCostUSD float64 // the part of CostUSD that came from estimates
	CostedSessions   int     // sessions that carried any cost
	EstimatedOnly    int     // sessions whose cost was an estimate
}

// addSat adds non-negative b to a >= 0 without wrapping.

// addCost adds a finite, non-negative cost; sums stay finite.
func addCost(a, b float64) float64 {
	if !(b > 0) || math.IsInf(b, 0) {
		return a
	}
	return min(a+b, math.MaxFloat64)
}

// Prompt is input + cache read + cache creation tokens, saturating.
func (r *UsageRow) Prompt() int64 {
	return PromptTokens(r.InputTokens, r.CacheReadTokens, r.CacheCreationTokens)
}

// Total is prompt + output tokens, saturating.
func (r *UsageRow) Total() int64 {
	return TotalTokens(r.InputTokens, r.OutputTokens, r.CacheReadTokens, r.CacheCreationTokens)
}

// CacheHitRatio is cache read / prompt tokens, in [0, 1].
func (r *UsageRow) CacheHitRatio() float64 { return CacheHitRatio(r.CacheReadTokens, r.Prompt()) }

// EstimatedShare is the share of CostUSD that came from estimates, in
// [0, 1]; 0 when there is no cost.
func (r *UsageRow) EstimatedShare() float64 {
	if r.CostUSD <= 0 {
		return 0
	}
	return min(r.EstimatedCostUSD/r.CostUSD, 1)
}

// Add counts one session into the row.
func (r *UsageRow) Add(s *Session) {
	r.Sessions++
	u := s.Usage
	if u == nil {
		return
	}
	r.InputTokens = addSat(r.InputTokens, u.InputTokens)
	r.CacheReadTokens = addSat(r.CacheReadTokens, u.CacheRead())
	r.CacheCreationTokens = addSat(r.CacheCreationTokens, u.CacheCreation())
	r.OutputTokens = addSat(r.OutputTokens, u.OutputTokens)
	usd, kind, ok := u.Cost()
	if !ok {
		return
	}
	r.CostedSessions++
	r.CostUSD = addCost(r.CostUSD, usd)
	if kind == CostEstimated {
		r.EstimatedOnly++
		r.EstimatedCostUSD = addCost(r.EstimatedCostUSD, usd)
	}
}

// Merge adds another row's sums into r (Key, ID and Start stay r's).
func (r *UsageRow) Merge(o *UsageRow) {
	r.Sessions += o.Sessions
	r.InputTokens = addSat(r.InputTokens, o.InputTokens)
	r.CacheReadTokens = addSat(r.CacheReadTokens, o.CacheReadTokens)
	r.CacheCreationTokens = addSat(r.CacheCreationTokens, o.CacheCreationTokens)
	r.OutputTokens = addSat(r.OutputTokens, o.OutputTokens)
	r.CostUSD = addCost(r.CostUSD, o.CostUSD)
	r.EstimatedCostUSD = addCost(r.EstimatedCostUSD, o.EstimatedCostUSD)
	r.CostedSessions += o.CostedSessions
	r.EstimatedOnly += o.EstimatedOnly
}

// UsageReport is the rows of one grouping and their total.
type UsageReport struct {
	By    UsageKey
	Rows  []UsageRow // day and hour ascending; otherwise total tokens descending, then key
	Total UsageRow   // Key "total"
}

// UsageAggregator sums sessions into rows as they come (a list may be
// streamed page by page). The zero value is not usable; see NewUsageAggregator.
type UsageAggregator struct {
	by     UsageKey
	labels map[string]string
	index  map[string]int
	rows   []UsageRow
	total  UsageRow
}

// NewUsageAggregator groups by by; agentLabels maps agent ids to the names
// rows show (display name, else name); an agent not in it shows its id.
func NewUsageAggregator(by UsageKey, agentLabels map[string]string) *UsageAggregator {
	return &UsageAggregator{by: by, labels: agentLabels, index: map[string]int{}, total: UsageRow{Key: "total", ID: "total"}}
}

// key is the raw grouping value of s and the bucket start for timed keys.
func (a *UsageAggregator) key(s *Session) (string, time.Time) {
	switch a.by {
	case UsageByDay:
		t := s.CreatedAt.UTC()
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return d.Format(time.DateOnly), d
	case UsageByHour:
		h := s.CreatedAt.UTC().Truncate(time.Hour)
		return h.Format(time.RFC3339), h
	case UsageByAgent:
		return s.AgentID, time.Time{}
	case UsageByModel:
		if s.ModelID == nil {
			return "", time.Time{}
		}
		return *s.ModelID, time.Time{}
	case UsageBySource:
		return string(s.Source), time.Time{}
	}
	return s.ID, time.Time{}
}

// Add counts s into its row and the total.
func (a *UsageAggregator) Add(s *Session) {
	id, start := a.key(s)
	i, ok := a.index[id]
	if !ok {
		i = len(a.rows)
		a.index[id] = i
		label := id
		if a.by == UsageByAgent {
			if l := a.labels[id]; l != "" {
				label = l
			}
		}
		a.rows = append(a.rows, UsageRow{Key: label, ID: id, Start: start})
	}
	a.rows[i].Add(s)
	a.total.Add(s)
}

// Report returns the rows in their order and the total. The aggregator can
// take more sessions afterwards.
func (a *UsageAggregator) Report() UsageReport {
	rows := slices.Clone(a.rows)
	if a.by.Timed() {
		slices.SortFunc(rows, func(x, y UsageRow) int { return x.Start.Compare(y.Start) })
	} else {
		slices.SortStableFunc(rows, func(x, y UsageRow) int {
			if tx, ty := x.Total(), y.Total(); tx != ty {
				if tx > ty {
					return -1
				}
				return 1
			}
			return strings.Compare(x.Key+"\x00"+x.ID, y.Key+"\x00"+y.ID)
		})
	}
	return UsageReport{By: a.by, Rows: rows, Total: a.total}
}

// AggregateUsage groups sessions by by (see NewUsageAggregator).
func AggregateUsage(by UsageKey, sessions []Session, agentLabels map[string]string) UsageReport {
	a := NewUsageAggregator(by, agentLabels)
	for i := range sessions {
		a.Add(&sessions[i])
	}
	return a.Report()
}

// AgentLabels maps agent ids to their labels (display name, else name).
func AgentLabels(agents []Agent) map[string]string {
	out := make(map[string]string, len(agents))
	for i := range agents {
		out[agents[i].ID] = agents[i].Label()
	}
	return out
}
