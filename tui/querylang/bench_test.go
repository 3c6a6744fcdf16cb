package querylang

// go test -run '^$' -bench . -benchmem ./tui/querylang/

import (
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	benchOnce     sync.Once
	benchSubjects []Subject
)

// benchData is 100,000 synthetic sessions, built once: titles and
// previews from a small vocabulary (a few percent mention refunds), five
// agents, every status, source and a few tags.
func benchData() []Subject {
	benchOnce.Do(func() {
		r := rand.New(rand.NewSource(1))
		topics := []string{"Refund request", "Postgres migration", "Weekly report", "Café POS sync",
			"Invoice dispute", "Onboarding checklist", "Deploy pipeline", "Order status",
			"Password reset", "Data export", "Shipping delay", "Calendar sync", "Tool call stuck",
			"Quarterly forecast", "Support escalation", "Slack digest", "Contract review",
			"Bug triage", "Feature request", "Churn analysis"}
		words := []string{"customer", "asks", "about", "the", "order", "please", "check", "status",
			"table", "deploy", "invoice", "summary", "update", "error", "timeout", "account",
			"shipping", "report", "numbers", "sync", "forecast", "review", "ticket", "escalate"}
		agents := []string{"ops-bot", "ops-reporter", "dev-helper", "support", "billing-agent"}
		// Values with few distinct strings are shared, as a caller
		// should intern them: comparing them then reads no cold memory.
		agentIDs := []string{"agent_00", "agent_01", "agent_02", "agent_03", "agent_04"}
		acts := []string{"running", "failed", "completed", "idle", "paused"}
		stats := []string{"started", "active", "idle", "waitingfortoolresults", "paused"}
		tags := []string{"billing", "urgent", "resolved", "needs-review", "vip"}
		sentence := func(n int) string {
			var b strings.Builder
			for i := range n {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(words[r.Intn(len(words))])
			}
			return b.String()
		}
		now := time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC)
		benchSubjects = make([]Subject, 100_000)
		for i := range benchSubjects {
			a := r.Intn(len(agents))
			title := fmt.Sprintf("%s #%d", topics[r.Intn(len(topics))], 1000+r.Intn(9000))
			text, tl, set := BuildText(title, sentence(12+r.Intn(20)), sentence(8+r.Intn(20)), agents[a])
			var tg []string
			for _, t := range tags {
				if r.Intn(6) == 0 {
					tg = append(tg, t)
				}
			}
			created := now.Add(-time.Duration(r.Int63n(int64(90 * 24 * time.Hour))))
			benchSubjects[i] = Subject{
				ID: fmt.Sprintf("%032x", r.Uint64()), Text: text, TitleLen: tl, TextSet: set,
				AgentID: agentIDs[a], AgentName: agents[a], Tags: tg,
				Status: stats[r.Intn(len(stats))], Activity: acts[r.Intn(len(acts))],
				Source: Sources[r.Intn(len(Sources))], Created: created,
				Updated: created.Add(time.Duration(r.Int63n(int64(time.Hour)))),
				Tokens:  r.Int63n(300_000), Cost: r.Float64() * 2, HasCost: r.Intn(4) > 0,
				Pinned: r.Intn(50) == 0,
			}
		}
	})
	return benchSubjects
}

// BenchmarkMatch runs one compiled query over 100,000 sessions per
// iteration: the work of one keystroke without narrowing.
func BenchmarkMatch(b *testing.B) {
	subs := benchData()
	env := Env{Now: time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC), Agents: []Agent{
		{ID: "agent_00", Name: "ops-bot"}, {ID: "agent_01", Name: "ops-reporter"},
		{ID: "agent_02", Name: "dev-helper"}, {ID: "agent_03", Name: "support"},
		{ID: "agent_04", Name: "billing-agent"}}}
	for _, q := range []string{
		"status:completed agent:ops refnd",
		"refnd",
		"cstmer",
		"3254",
		"status:failed,waiting tag:none updated:>1d",
		"tokens:>100k -#resolved cost:>0.5",
	} {
		m := Compile(Parse(q), env)
		b.Run("q="+q, func(b *testing.B) {
			matched := 0
			b.ReportAllocs()
			for b.Loop() {
				matched = 0
				for i := range subs {
					if ok, _ := m.Match(&subs[i]); ok {
						matched++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(subs)), "ns/row")
			b.ReportMetric(float64(matched), "matches")
		})
	}
}

// BenchmarkParseCompile is the per-keystroke cost before matching.
func BenchmarkParseCompile(b *testing.B) {
	env := Env{Now: time.Now(), KnownTags: map[string]bool{"billing": true}}
	b.ReportAllocs()
	for b.Loop() {
		Compile(Parse(`status:completed,failed agent:ops #billing updated:>1d "for order" refnd`), env)
	}
}
