package apiclient

import (
	"math"
	"testing"
	"time"
)

func i64(v int64) *int64        { return &v }
func f64(v float64) *float64    { return &v }
func strp(v string) *string     { return &v }
func at(s string) (t time.Time) { t, _ = time.Parse(time.RFC3339, s); return t }

// usageFixture: five sessions whose sums are worked out by hand below.
//
//	s1 08-01 10:15Z  Alpha  m1   chat   in 1000 out 200 cr 3000 cc 500  actual 0.50 (est 0.40)
//	s2 08-01 10:45Z  Alpha  m1   api    in 2000 out 100 (no cache)      estimated 0.25 only
//	s3 08-02 00:00Z  B      -    chat   in 500  out 50  cr 500          no cost
//	s4 08-01 23:59:59+02:00 (21:59:59Z)  Alpha  m2  (no source)  no usage
//	s5 08-02 05:00Z  B      m2   slack  in 100  out 10                  effective 1.00 (est 2.00)
func usageFixture() ([]Session, map[string]string) {
	return []Session{
		{ID: "s1", CreatedAt: at("2026-08-01T10:15:00Z"), AgentID: "agent_a", ModelID: strp("m1"), Source: SourceChat,
			Usage: &TokenUsage{InputTokens: 1000, OutputTokens: 200, CacheReadTokens: i64(3000), CacheCreationTokens: i64(500),
				ActualCostUSD: f64(0.5), EstimatedCostUSD: f64(0.4)}},
		{ID: "s2", CreatedAt: at("2026-08-01T10:45:00Z"), AgentID: "agent_a", ModelID: strp("m1"), Source: SourceAPI,
			Usage: &TokenUsage{InputTokens: 2000, OutputTokens: 100, EstimatedCostUSD: f64(0.25)}},
		{ID: "s3", CreatedAt: at("2026-08-02T00:00:00Z"), AgentID: "agent_b", Source: SourceChat,
			Usage: &TokenUsage{InputTokens: 500, OutputTokens: 50, CacheReadTokens: i64(500)}},
		{ID: "s4", CreatedAt: at("2026-08-01T23:59:59+02:00"), AgentID: "agent_a", ModelID: strp("m2")},
		{ID: "s5", CreatedAt: at("2026-08-02T05:00:00Z"), AgentID: "agent_b", ModelID: strp("m2"), Source: SourceSlack,
			Usage: &TokenUsage{InputTokens: 100, OutputTokens: 10, EffectiveCostUSD: f64(1), EstimatedCostUSD: f64(2)}},
	}, map[string]string{"agent_a": "Alpha"}
}

type wantRow struct {
	key                          string
	sessions                     int
	in, cr, cc, out, prompt, tot int64
	cost, est, share, hit        float64
}

func checkRow(t *testing.T, what string, r UsageRow, w wantRow) {
	t.Helper()
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if r.Key != w.key || r.Sessions != w.sessions || r.InputTokens != w.in || r.CacheReadTokens != w.cr ||
		r.CacheCreationTokens != w.cc || r.OutputTokens != w.out || r.Prompt() != w.prompt || r.Total() != w.tot ||
		!near(r.CostUSD, w.cost) || !near(r.EstimatedCostUSD, w.est) || !near(r.EstimatedShare(), w.share) ||
		!near(r.CacheHitRatio(), w.hit) {
		t.Errorf("%s: got %+v (prompt %d total %d share %v hit %v)\nwant %+v", what, r, r.Prompt(), r.Total(),
			r.EstimatedShare(), r.CacheHitRatio(), w)
	}
}

func TestAggregateUsageByEveryKey(t *testing.T) {
	ss, labels := usageFixture()
	day1 := wantRow{"2026-08-01", 3, 3000, 3000, 500, 300, 6500, 6800, 0.75, 0.25, 1.0 / 3, 3000.0 / 6500}
	day2 := wantRow{"2026-08-02", 2, 600, 500, 0, 60, 1100, 1160, 1, 0, 0, 500.0 / 1100}
	s1 := wantRow{"", 1, 1000, 3000, 500, 200, 4500, 4700, 0.5, 0, 0, 3000.0 / 4500}
	s2 := wantRow{"", 1, 2000, 0, 0, 100, 2000, 2100, 0.25, 0.25, 1, 0}
	s3 := wantRow{"", 1, 500, 500, 0, 50, 1000, 1050, 0, 0, 0, 0.5}
	s4 := wantRow{"", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	s5 := wantRow{"", 1, 100, 0, 0, 10, 100, 110, 1, 0, 0, 0}
	named := func(k string, w wantRow) wantRow { w.key = k; return w }
	sum := func(k string, ws ...wantRow) wantRow {
		out := wantRow{key: k}
		for _, w := range ws {
			out.sessions += w.sessions
			out.in, out.cr, out.cc, out.out = out.in+w.in, out.cr+w.cr, out.cc+w.cc, out.out+w.out
			out.prompt, out.tot, out.cost, out.est = out.prompt+w.prompt, out.tot+w.tot, out.cost+w.cost, out.est+w.est
		}
		if out.cost > 0 {
			out.share = out.est / out.cost
		}
		if out.prompt > 0 {
			out.hit = float64(out.cr) / float64(out.prompt)
		}
		return out
	}
	if got := sum("x", s1, s2, s4); got.tot != day1.tot || got.cost != day1.cost {
		t.Fatalf("fixture arithmetic: %+v vs %+v", got, day1)
	}
	cases := map[UsageKey][]wantRow{
		UsageByDay: {day1, day2},
		UsageByHour: {sum("2026-08-01T10:00:00Z", s1, s2), named("2026-08-01T21:00:00Z", s4),
			named("2026-08-02T00:00:00Z", s3), named("2026-08-02T05:00:00Z", s5)},
		UsageByAgent:   {sum("Alpha", s1, s2, s4), sum("agent_b", s3, s5)},
		UsageByModel:   {sum("m1", s1, s2), named("", s3), sum("m2", s4, s5)},
		UsageBySource:  {sum("chat", s1, s3), named("api", s2), named("slack", s5), named("", s4)},
		UsageBySession: {named("s1", s1), named("s2", s2), named("s3", s3), named("s5", s5), named("s4", s4)},
	}
	total := wantRow{"total", 5, 3600, 3500, 500, 360, 7600, 7960, 1.75, 0.25, 0.25 / 1.75, 3500.0 / 7600}
	for by, want := range cases {
		rep := AggregateUsage(by, ss, labels)
		if rep.By != by || len(rep.Rows) != len(want) {
			t.Fatalf("%s: %d rows, want %d: %+v", by, len(rep.Rows), len(want), rep.Rows)
		}
		for i, w := range want {
			checkRow(t, string(by)+" row "+w.key, rep.Rows[i], w)
		}
		checkRow(t, string(by)+" total", rep.Total, total)
	}
	agents := AggregateUsage(UsageByAgent, ss, labels)
	if agents.Rows[0].ID != "agent_a" || agents.Rows[1].ID != "agent_b" {
		t.Fatalf("agent ids: %q %q", agents.Rows[0].ID, agents.Rows[1].ID)
	}
	if d := AggregateUsage(UsageByDay, ss, nil).Rows[1].Start; !d.Equal(at("2026-08-02T00:00:00Z")) {
		t.Fatalf("day start %v", d)
	}
	if r := AggregateUsage(UsageByDay, ss, nil).Total; r.CostedSessions != 3 || r.EstimatedOnly != 1 {
		t.Fatalf("costed %d, estimated only %d", r.CostedSessions, r.EstimatedOnly)
	}
}

func TestAggregateUsageSaturates(t *testing.T) {
	ss := []Session{
		{ID: "a", Usage: &TokenUsage{InputTokens: math.MaxInt64 - 1, OutputTokens: math.MaxInt64,
			CacheReadTokens: i64(math.MaxInt64), EstimatedCostUSD: f64(math.MaxFloat64)}},
		{ID: "b", Usage: &TokenUsage{InputTokens: 10, OutputTokens: -5, CacheReadTokens: i64(-7),
			CacheCreationTokens: i64(math.MaxInt64), ActualCostUSD: f64(math.MaxFloat64)}},
		{ID: "c", Usage: &TokenUsage{InputTokens: -100, ActualCostUSD: f64(-3)}},
	}
	rep := AggregateUsage(UsageByDay, ss, nil)
	r := rep.Total
	if r.InputTokens != math.MaxInt64 || r.OutputTokens != math.MaxInt64 || r.CacheReadTokens != math.MaxInt64 ||
		r.CacheCreationTokens != math.MaxInt64 || r.Prompt() != math.MaxInt64 || r.Total() != math.MaxInt64 {
		t.Fatalf("not saturated: %+v prompt %d total %d", r, r.Prompt(), r.Total())
	}
	if math.IsInf(r.CostUSD, 0) || r.CostUSD != math.MaxFloat64 || r.EstimatedShare() < 0 || r.EstimatedShare() > 1 {
		t.Fatalf("cost %v share %v", r.CostUSD, r.EstimatedShare())
	}
	c := AggregateUsage(UsageBySession, ss[2:], nil).Rows[0]
	if c.InputTokens != 0 || c.CostUSD != 0 || c.Total() != 0 || c.CacheHitRatio() != 0 {
		t.Fatalf("negative counts leaked: %+v", c)
	}
	var m UsageRow
	m.Merge(&r)
	m.Merge(&r)
	if m.Total() != math.MaxInt64 || m.Sessions != 6 || math.IsInf(m.CostUSD, 0) {
		t.Fatalf("merge: %+v", m)
	}
}

func TestParseUsageKey(t *testing.T) {
	for _, k := range UsageKeys {
		if got, err := ParseUsageKey(" " + string(k) + " "); err != nil || got != k {
			t.Fatalf("%s: %v %v", k, got, err)
		}
	}
	if got, err := ParseUsageKey("DAY"); err != nil || got != UsageByDay {
		t.Fatalf("DAY: %v %v", got, err)
	}
	if _, err := ParseUsageKey("week"); err == nil || err.Error() != `unknown usage key "week"; valid: day, hour, agent, model, source, session` {
		t.Fatalf("week: %v", err)
	}
}

func TestUsageAggregatorStreams(t *testing.T) {
	ss, labels := usageFixture()
	a := NewUsageAggregator(UsageByAgent, labels)
	for i := range ss[:2] {
		a.Add(&ss[i])
	}
	first := a.Report()
	for i := range ss[2:] {
		a.Add(&ss[2+i])
	}
	if first.Total.Sessions != 2 || len(first.Rows) != 1 || first.Rows[0].Sessions != 2 {
		t.Fatalf("first report changed by later adds: %+v", first)
	}
	if whole, all := a.Report(), AggregateUsage(UsageByAgent, ss, labels); whole.Total != all.Total || len(whole.Rows) != len(all.Rows) {
		t.Fatalf("streamed %+v, whole %+v", whole.Total, all.Total)
	}
	if got := AgentLabels([]Agent{{ID: "x", Name: "n"}, {ID: "y", Name: "n2", DisplayName: "D"}}); got["x"] != "n" || got["y"] != "D" {
		t.Fatalf("labels %v", got)
	}
}

// TokenUsage.Add sums bucket by bucket, keeps a cache or cost field present
// on either side, and saturates as every sum does.
func TestTokenUsageAdd(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	f64 := func(v float64) *float64 { return &v }
	var sum TokenUsage
	sum.Add(&TokenUsage{InputTokens: 100, OutputTokens: 10, CacheReadTokens: i64(5)})
	sum.Add(nil)
	sum.Add(&TokenUsage{InputTokens: 50, OutputTokens: 20, CacheCreationTokens: i64(7), EstimatedCostUSD: f64(0.25)})
	sum.Add(&TokenUsage{InputTokens: -40, OutputTokens: 1, ActualCostUSD: f64(1)})
	if sum.InputTokens != 150 || sum.OutputTokens != 31 || sum.CacheRead() != 5 || sum.CacheCreation() != 7 ||
		sum.EstimatedCostUSD == nil || *sum.EstimatedCostUSD != 0.25 || sum.ActualCostUSD == nil || *sum.ActualCostUSD != 1 ||
		sum.EffectiveCostUSD != nil {
		t.Fatalf("sum %+v", sum)
	}
	sum.Add(&TokenUsage{InputTokens: math.MaxInt64, CacheReadTokens: i64(math.MaxInt64)})
	if sum.InputTokens != math.MaxInt64 || sum.CacheRead() != math.MaxInt64 {
		t.Fatalf("did not saturate: %+v", sum)
	}
}
