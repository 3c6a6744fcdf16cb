package querylang

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC)

// sample is a session as a test writes it; subject lowers it as a caller
// would.
type sample struct {
	id, title, preview, output, agentID, agentName string
	tags                                           []string
	status, activity, source                       string
	created, updated                               time.Time
	tokens                                         int64
	cost                                           float64
	hasCost, pinned, archived                      bool
}

func (s sample) subject() *Subject {
	text, titleLen, set := BuildText(s.title, s.preview, s.output, s.agentName)
	var tags []string
	for _, t := range s.tags {
		tags = append(tags, strings.ToLower(t))
	}
	return &Subject{
		ID: strings.ToLower(s.id), Text: text, TitleLen: titleLen, TextSet: set,
		AgentID: strings.ToLower(s.agentID), AgentName: strings.ToLower(s.agentName),
		Tags: tags, Status: s.status, Activity: s.activity, Source: s.source,
		Created: s.created, Updated: s.updated, Tokens: s.tokens,
		Cost: s.cost, HasCost: s.hasCost, Pinned: s.pinned, Archived: s.archived,
	}
}

var samples = []sample{
	{id: "01aa1111", title: "Refund for order #3254", preview: "Customer asks for a refund",
		output: "Refund issued", agentID: "agent_ops1", agentName: "ops-bot", tags: []string{"Billing"},
		status: "idle", activity: "completed", source: "api",
		created: testNow.Add(-10 * 24 * time.Hour), updated: testNow.Add(-2 * 24 * time.Hour),
		tokens: 150_000, cost: 0.80, hasCost: true},
	{id: "01ab3254", title: "Postgres migration", preview: "move tables 3x2y5z4",
		agentID: "agent_dev1", agentName: "dev-helper", status: "active", activity: "running", source: "chat",
		created: testNow.Add(-time.Hour), updated: testNow.Add(-5 * time.Minute), tokens: 2000, pinned: true},
	{id: "02cc", title: "Weekly report", preview: "summarise refunds this week",
		agentID: "agent_ops2", agentName: "ops-reporter", tags: []string{"resolved", "report"},
		status: "idle", activity: "failed", source: "schedule",
		created: testNow.Add(-40 * 24 * time.Hour), updated: testNow.Add(-39 * 24 * time.Hour),
		tokens: 90_000, cost: 0.2, hasCost: true, archived: true},
	{id: "03dd", title: "Tool call stuck", preview: "waiting on tool", agentID: "agent_dev1", agentName: "dev-helper",
		tags: []string{"urgent"}, status: "waiting_for_tool_results", activity: "running", source: "webhook",
		created: testNow.Add(-3 * time.Hour), updated: testNow.Add(-2 * time.Hour), tokens: 500, cost: 0.01, hasCost: true},
	// An older server: no activity.
	{id: "04ee", title: "Idle chat", agentID: "agent_x", status: "idle", source: "chat",
		created: time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC), updated: testNow.Add(-3 * 24 * time.Hour)},
}

var testEnv = Env{
	Now:       testNow,
	KnownTags: map[string]bool{"billing": true, "resolved": true, "report": true, "urgent": true},
	Agents: []Agent{
		{ID: "agent_ops1", Name: "ops-bot", DisplayName: "Ops Bot"},
		{ID: "agent_ops2", Name: "ops-reporter", DisplayName: "Reporter"},
		{ID: "agent_dev1", Name: "dev-helper", DisplayName: "Dev Helper"},
	},
}

func matchIDs(m *Matcher) []string {
	var ids []string
	for _, s := range samples {
		if ok, _ := m.Match(s.subject()); ok {
			ids = append(ids, s.id)
		}
	}
	return ids
}

func TestMatch(t *testing.T) {
	all := []string{"01aa1111", "01ab3254", "02cc", "03dd", "04ee"}
	tests := []struct {
		q    string
		want []string
	}{
		{"", all},
		{"refnd", []string{"01aa1111", "02cc"}},
		{"REFUND", []string{"01aa1111", "02cc"}},
		{"pstgres", []string{"01ab3254"}},
		// Digits match as written: not inside ids, not scattered.
		{"3254", []string{"01aa1111"}},
		{"#3254", []string{"01aa1111"}}, // no such tag: searched as text
		{"#billing", []string{"01aa1111"}},
		{"-#billing", []string{"01ab3254", "02cc", "03dd", "04ee"}},
		{"tag:none", []string{"01ab3254", "04ee"}},
		{"-tag:none", []string{"01aa1111", "02cc", "03dd"}},
		{"tag:urgent,billing", []string{"01aa1111", "03dd"}},
		{`tag:"none"`, nil},
		{"tag:none,urgent", []string{"01ab3254", "03dd", "04ee"}},
		{"status:failed,running", []string{"01ab3254", "02cc", "03dd"}},
		{"status:waiting", []string{"03dd"}},
		{"status:waitingfortoolresults", []string{"03dd"}},
		{"status:completed", []string{"01aa1111"}},
		{"status:idle", []string{"04ee"}}, // activity idle; no activity: the status
		{"status:active", []string{"01ab3254"}},
		{"-status:running", []string{"01aa1111", "02cc", "04ee"}},
		{"status:bogus refund", []string{"01aa1111", "02cc"}}, // the bad part is left out
		{"agent:ops", []string{"01aa1111", "02cc"}},
		{"agent:AGENT_DEV", []string{"01ab3254", "03dd"}},
		{`agent:"ops bot"`, []string{"01aa1111"}}, // display name, via Env.Agents
		{"agent:reporter", []string{"02cc"}},
		{"-agent:ops", []string{"01ab3254", "03dd", "04ee"}},
		{"source:chat,webhook", []string{"01ab3254", "03dd", "04ee"}},
		{"created:<1d", []string{"01ab3254", "03dd"}},
		{"created:>7d", []string{"01aa1111", "02cc", "04ee"}},
		{"created:2026-08-01", []string{"04ee"}},
		{"created:>=2026-08-01T10:00:00Z created:<=2026-08-01T10:00:00Z", []string{"04ee"}},
		{"created:>2026-08-01T10:00:00Z created:<2026-08-02", nil},
		{"updated:>1d", []string{"01aa1111", "02cc", "04ee"}},
		{"updated:<1h", []string{"01ab3254"}},
		{"updated:>1w", []string{"02cc"}},
		{"tokens:>100k", []string{"01aa1111"}},
		{"tokens:<1k", []string{"03dd", "04ee"}},
		{"tokens:>=2000 tokens:<=2000", []string{"01ab3254"}},
		{"cost:>0.50", []string{"01aa1111"}},
		{"cost:<$0.5", []string{"02cc", "03dd"}}, // no cost compares to nothing
		{"-cost:>0.5", []string{"01ab3254", "02cc", "03dd", "04ee"}},
		{"is:pinned", []string{"01ab3254"}},
		{"is:resolved", []string{"02cc"}},
		{"is:archived", []string{"02cc"}},
		{"is:pinned,archived", []string{"01ab3254", "02cc"}},
		{"-is:resolved", []string{"01aa1111", "01ab3254", "03dd", "04ee"}},
		{"id:01a", []string{"01aa1111", "01ab3254"}},
		{"id:01AB", []string{"01ab3254"}},
		{`"for order"`, []string{"01aa1111"}},
		{`"order for"`, nil},
		{`"report summarise"`, nil}, // a phrase never spans two fields
		{"-refund", []string{"01ab3254", "03dd", "04ee"}},
		{"-rfnd", all}, // a negated word is a substring, never fuzzy
		{"refund -report", []string{"01aa1111"}},
		{"ops", []string{"01aa1111", "02cc"}}, // the agent's name
		{"agent_ops1", nil},                   // never inside ids
		{"foo:bar", nil},                      // searched as text
		{"status:completed agent:ops refnd", []string{"01aa1111"}},
		{"status:idle tag:none updated:>1d", []string{"04ee"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			m := Compile(Parse(tt.q), testEnv)
			if got := matchIDs(m); !slices.Equal(got, tt.want) {
				t.Errorf("matches %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHashTagWithoutKnownTags(t *testing.T) {
	env := testEnv
	env.KnownTags = nil // unknown: #x is always a tag
	m := Compile(Parse("#3254"), env)
	if got := matchIDs(m); got != nil {
		t.Errorf("matches %q, want none", got)
	}
	if len(m.Problems()) != 0 {
		t.Errorf("problems %q, want none", problems(m.Problems()))
	}

	m = Compile(Parse("refund #3254 tag:none,billing,reso"), testEnv)
	want := []string{`~7-12 no session has tag "3254"; searched as text`, `~13-34 no session has tag "reso"`}
	if got := problems(m.Problems()); !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
}

func TestMatchScoreRanksTitleFirst(t *testing.T) {
	m := Compile(Parse("refund"), testEnv)
	_, inTitle := m.Match(samples[0].subject())   // "Refund for order"
	_, inPreview := m.Match(samples[2].subject()) // "summarise refunds"
	if inTitle <= inPreview {
		t.Errorf("title score %d <= preview score %d", inTitle, inPreview)
	}
	_, contiguous := m.Match(samples[0].subject())
	_, fuzzy := Compile(Parse("refnd"), testEnv).Match(samples[0].subject())
	if fuzzy >= contiguous {
		t.Errorf("fuzzy score %d >= contiguous %d", fuzzy, contiguous)
	}
	if !m.Ranked() || Compile(Parse("status:idle"), testEnv).Ranked() {
		t.Error("Ranked should be true with words only")
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	m := Compile(Parse(`status:completed,failed agent:ops -tag:none created:>1d tokens:>1k cost:>0.1 refnd "for order" -zzz id:01 is:pinned,resolved,archived`), testEnv)
	subs := make([]*Subject, len(samples))
	for i, s := range samples {
		subs[i] = s.subject()
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, s := range subs {
			m.Match(s)
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocates %v times per run", allocs)
	}
}

// TestByteSetPrecheckIsExact checks that a Subject without a byte set
// matches the same as one with it.
func TestByteSetPrecheckIsExact(t *testing.T) {
	for _, q := range []string{"refnd", "3254", `"for order"`, "ops zz", "é"} {
		m := Compile(Parse(q), testEnv)
		for _, s := range samples {
			with := s.subject()
			without := *with
			without.TextSet = ByteSet{}
			a, sa := m.Match(with)
			b, sb := m.Match(&without)
			if a != b || sa != sb {
				t.Errorf("%q on %s: with set %v/%d, without %v/%d", q, s.id, a, sa, b, sb)
			}
		}
	}
}

func TestBuildText(t *testing.T) {
	text, titleLen, set := BuildText("Ünïcode TITLE", "Preview", "", "Ops")
	if text != "ünïcode title\npreview\n\nops" || text[:titleLen] != "ünïcode title" {
		t.Errorf("BuildText = %q (title %q)", text, text[:titleLen])
	}
	// The separators are left out: nothing typed may match across them.
	if set != SetOf(strings.ReplaceAll(text, "\n", "")) {
		t.Errorf("set differs from the bytes of the fields")
	}
}

// TestMatchConcurrent runs one matcher from several goroutines, as the
// list does over chunks of rows (the race detector checks it).
func TestMatchConcurrent(t *testing.T) {
	m := Compile(Parse("status:completed,failed refund -tag:none"), testEnv)
	want := matchIDs(m)
	done := make(chan []string)
	for range 4 {
		go func() { done <- matchIDs(m) }()
	}
	for range 4 {
		if got := <-done; !slices.Equal(got, want) {
			t.Errorf("concurrent matches %q, want %q", got, want)
		}
	}
}

// model: matches the model id exactly, in any case; it stays local.
func TestMatchModel(t *testing.T) {
	q := Parse(`model:Claude-X,gpt-5 -model:gpt-5`)
	if len(q.Problems) != 0 {
		t.Fatalf("problems: %v", q.Problems)
	}
	m := Compile(q, Env{Now: time.Unix(0, 0)})
	for _, c := range []struct {
		model string
		want  bool
	}{{"claude-x", true}, {"gpt-5", false}, {"claude-x-2", false}, {"", false}} {
		if ok, _ := m.Match(&Subject{Model: c.model}); ok != c.want {
			t.Errorf("model %q: match %v, want %v", c.model, ok, c.want)
		}
	}
	if p := m.Server(); !slices.Contains(p.LocalOnly, "model") {
		t.Errorf("model: should stay local, LocalOnly = %v", p.LocalOnly)
	}
}

// A query of free words alone is WordsOnly, and MatchText on the text
// decides exactly as Match on the whole subject; any qualifier makes it
// not WordsOnly.
func TestMatchTextIsMatchForWords(t *testing.T) {
	for _, q := range []string{"refnd", "3254", `"for order"`, "ops -weekly", "é", "re po", "-refund"} {
		m := Compile(Parse(q), testEnv)
		if !m.WordsOnly() {
			t.Fatalf("%q is words only", q)
		}
		for _, s := range samples {
			sub := s.subject()
			a, sa := m.Match(sub)
			b, sb := m.MatchText(sub.Text, sub.TitleLen, sub.TextSet)
			if a != b || sa != sb {
				t.Errorf("%q on %s: Match %v/%d, MatchText %v/%d", q, s.id, a, sa, b, sb)
			}
		}
	}
	for _, q := range []string{"refund tag:billing", "status:failed", "is:pinned x", "#billing"} {
		if Compile(Parse(q), testEnv).WordsOnly() {
			t.Errorf("%q has a qualifier, yet is words only", q)
		}
	}
}
