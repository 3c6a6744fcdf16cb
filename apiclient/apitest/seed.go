package apitest

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// Agent is a seeded agent: Name is its slug (unique per org), DisplayName
// what a UI shows.
type Agent struct {
	ID          string
	Name        string
	DisplayName string
	ModelID     string // the agent's usual model (format model_{32-hex})
	HarnessID   string
}

var agentNames = []string{"Support Triage", "Billing Assistant", "Ops On-call", "Code Reviewer", "Data Migrator", "Onboarding Guide"}

// SeedAgents returns the six agents of seed.
func SeedAgents(seed int64) []Agent {
	rng := rand.New(rand.NewSource(seed ^ 0x5eed_a9e7))
	out := make([]Agent, len(agentNames))
	for i, n := range agentNames {
		out[i] = Agent{ID: newID("agent_", rng.Uint64()), Name: strings.ToLower(strings.ReplaceAll(n, " ", "-")),
			DisplayName: n, ModelID: newID("model_", rng.Uint64())}
		out[i].HarnessID = newID("harness_", uint64(seed)^uint64(i+1)*0x9e37)
	}
	return out
}

// SeedOrg returns the organization id of seed.
func SeedOrg(seed int64) string {
	return newID("org_", rand.New(rand.NewSource(seed^0x0e9)).Uint64())
}

// newID is prefix + 32 lowercase hex digits derived from v.
func newID(prefix string, v uint64) string {
	r := rand.New(rand.NewSource(int64(v)))
	return fmt.Sprintf("%s%016x%016x", prefix, r.Uint64()^v, r.Uint64())
}

// topic is a themed conversation: a title, first user message and last answer.
type topic struct {
	title, ask, answer string
	tool               string
}

var topics = []topic{
	{"Refund request for order #%d", "Hi, I was charged twice for order #%d last week and I'd like a refund for the duplicate charge. Can you look into it?", "I found the duplicate charge on order #%d and issued a refund of the second payment. It should appear on your statement within 5-7 business days.", "billing.lookup_invoice"},
	{"Investigate 502s on api-gateway (%d)", "We're seeing intermittent 502s from api-gateway since the deploy at 14:00 UTC, roughly %d per minute. Can you check what changed?", "The 502s come from pod restarts after the memory limit was lowered in the last deploy. I rolled the limit back; errors dropped to zero within %d seconds.", "k8s.get_events"},
	{"Login fails with SSO for tenant %d", "Users of tenant %d can't log in through SSO since this morning; they get 'invalid assertion' after the IdP redirect.", "The IdP rotated its signing certificate. I updated the stored certificate for tenant %d and a test login now succeeds.", "auth.fetch_saml_metadata"},
	{"Review PR #%d: pagination for exports", "Please review PR #%d. It adds cursor pagination to the CSV export endpoint and removes the old offset code path.", "PR #%d looks good overall. Two issues: the cursor is not URL-encoded, and the empty-page case returns 500 instead of an empty list.", "github.get_pull_request"},
	{"数据库迁移 batch %d", "我们需要把第 %d 批客户数据从旧的 MySQL 集群迁移到新的 Postgres 集群，请先检查外键约束。", "第 %d 批迁移已完成：共迁移 12,408 行，外键约束全部通过校验，没有发现孤立记录。", "db.run_query"},
	{"Café POS sync broken (store %d)", "The point-of-sale sync for Café store %d stopped at midnight; orders are not showing up in the dashboard.", "Store %d's sync token had expired. I refreshed it and replayed the queued orders; the dashboard is now up to date.", "pos.sync_status"},
	{"Onboarding checklist for new hire #%d", "Can you prepare the onboarding checklist for new hire #%d on the platform team, including laptop, accounts and on-call shadowing?", "The checklist for new hire #%d is ready: accounts requested, laptop ordered, and on-call shadowing scheduled for week 3.", "hr.create_checklist"},
	{"Disk usage alert on db-replica-%d", "PagerDuty fired a disk usage alert for db-replica-%d at 91%%. Is it safe to clean up old WAL files?", "db-replica-%d was holding WAL for a stale replication slot. I dropped the slot after confirming it was unused; disk is back to 54%%.", "shell.run"},
	{"Quarterly invoice discrepancy — account %d 🚀", "Our Q3 invoice for account %d shows 40 seats but we only have 32 active users. Can you reconcile this?", "Account %d had 8 deactivated users still counted as seats. I corrected the seat count and issued a credit note for the difference.", "billing.list_seats"},
	{"Flaky test in checkout suite (run %d)", "The checkout integration suite failed again in run %d with a timeout in TestApplyCoupon. It passes locally.", "Run %d timed out because the coupon service mock started after the test. I added a readiness wait; 50 reruns passed.", "ci.get_logs"},
	{"Customer asks about GDPR data export (ticket %d)", "Ticket %d: the customer wants a full export of their personal data under GDPR article 15. What do we need to send?", "For ticket %d I generated the export archive and drafted the reply with the retention summary. It needs legal sign-off before sending.", "privacy.export_user"},
	{"Slow dashboard queries after index change %d", "After migration %d the analytics dashboard takes 30 seconds to load. Did we drop an index by mistake?", "Migration %d replaced a composite index with two single-column ones. I restored the composite index; the dashboard loads in 800 ms.", "db.explain"},
	{"A very long title about investigating the intermittent websocket disconnects that only happen for customers behind corporate proxies in the EU region, case %d", "Customers behind corporate proxies in the EU keep losing their websocket connection every few minutes (case %d). Can you find a pattern?", "Case %d: the proxies drop idle connections after 60 s. I lowered the heartbeat interval to 25 s and disconnects stopped in the test tenant.", "logs.search"},
	{"Rotate API keys for integration %d", "Please rotate the API keys for integration %d; the old key was pasted in a public channel.", "Integration %d now uses a new key, the leaked one is revoked, and no requests with it were seen after revocation.", "secrets.rotate"},
	{"Übersetzung der Hilfeseiten (Teil %d)", "Kannst du Teil %d der Hilfeseiten ins Deutsche übersetzen und die Fachbegriffe einheitlich halten?", "Teil %d ist übersetzt; ich habe ein Glossar mit 34 Fachbegriffen angelegt, damit die Begriffe einheitlich bleiben.", "docs.fetch_page"},
	{"Upgrade Postgres to 17 on cluster %d", "Plan the upgrade of cluster %d from Postgres 15 to 17 with less than five minutes of downtime.", "The plan for cluster %d uses logical replication to a new 17 cluster and a DNS switch; expected downtime is about 90 seconds.", "db.run_query"},
}

var tagVocab = []string{"billing", "urgent", "bug", "customer:acme", "customer:globex", "p1", "p2", "p3",
	"onboarding", "needs-review", "ops", "security", "docs", "feature-request", "follow-up", "escalated"}

var capabilityRefs = []string{"web_search", "code_interpreter", "file_system", "current_time", "github"}

// Generate returns n deterministic sessions, newest first, for seed, with
// timestamps before now. Every status (including unknown-to-spec ones), null
// usage, untitled sessions and cache-token usage appear once n >= 10.
func Generate(n int, seed int64, now time.Time) []apiclient.Session {
	if n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewSource(seed))
	agents := SeedAgents(seed)
	org := SeedOrg(seed)
	now = now.UTC().Truncate(time.Millisecond)
	out := make([]apiclient.Session, n)
	created := now.Add(-time.Duration(rng.Intn(120)) * time.Second)
	for i := range out {
		gap := pace(i, created, time.Duration(30+rng.Intn(40*60))*time.Second) // seedspread.go
		created = created.Add(-gap).Add(-time.Duration(rng.Intn(1000)) * time.Millisecond)
		out[i] = genSession(rng, i, agents, org, created, now)
	}
	return out
}

func genSession(rng *rand.Rand, i int, agents []Agent, org string, created, now time.Time) apiclient.Session {
	return genSessionID(rng, i, agents, org, created, now, func(v uint64) string { return newID("session_", v) })
}

// genSessionID is genSession with the id made by id from the generator's
// next number (newID seeds a math/rand source: too slow for lazy.go).
func genSessionID(rng *rand.Rand, i int, agents []Agent, org string, created, now time.Time, id func(uint64) string) (s apiclient.Session) {
	ag := agents[rng.Intn(len(agents))]
	tp := topics[rng.Intn(len(topics))]
	num := 100 + rng.Intn(9900)
	s = apiclient.Session{
		ID: id(rng.Uint64()), OrganizationID: org, AgentID: ag.ID,
		CreatedAt: created, UpdatedAt: created,
	}
	// The fields of the August 2026 contract come from a second generator
	// keyed by the session, so the older fields keep their values.
	side := newMix(s.ID)
	defer decorate(&s, side, i, agents)
	if r := side.intn(10); r < 4 { // a few agents do most of the work
		ag = agents[0]
		s.AgentID = ag.ID
	} else if r < 6 {
		ag = agents[1]
		s.AgentID = ag.ID
	}
	s.Status = pickStatus(rng, i)
	if i != 0 && rng.Intn(5) != 0 { // ~20% untitled; the newest is always titled
		s.Title = ptr(fmt.Sprintf(tp.title, num))
	}
	s.Preview = ptr(fmt.Sprintf(tp.ask, num))
	if rng.Intn(10) < 7 {
		m := ag.ModelID
		if rng.Intn(4) == 0 {
			m = agents[rng.Intn(len(agents))].ModelID
		}
		s.ModelID = &m
	}
	s.Tags = pickTags(rng)
	if rng.Intn(7) == 0 {
		s.Capabilities = []apiclient.CapabilityConfig{{Ref: capabilityRefs[rng.Intn(len(capabilityRefs))]}}
		if rng.Intn(2) == 0 {
			s.Capabilities[0].Config = json.RawMessage(`{"max_results":5}`)
		}
	}
	if s.Status == apiclient.StatusStarted {
		return s // no turn yet: no usage, no output, no start time
	}
	started := created.Add(time.Duration(200+rng.Intn(3000)) * time.Millisecond)
	s.StartedAt = &started
	s.Usage = genUsage(rng, i)
	turns := 1 + rng.Intn(6)
	updated := started.Add(time.Duration(turns*(5+rng.Intn(120))) * time.Second)
	if updated.After(now) {
		updated = now
	}
	s.UpdatedAt = updated
	if s.Status != apiclient.StatusActive || rng.Intn(2) == 0 {
		s.OutputPreview = ptr(fmt.Sprintf(tp.answer, num))
	}
	if s.Status == apiclient.StatusIdle {
		s.FinishedAt = &updated
	}
	return s
}

func pickStatus(rng *rand.Rand, i int) apiclient.Status {
	switch i { // make sure small sets show every status
	case 1:
		return apiclient.StatusActive
	case 2:
		return apiclient.StatusStarted
	case 4:
		return apiclient.StatusWaitingForToolResults
	case 7:
		return apiclient.StatusPaused
	}
	switch r := rng.Intn(100); {
	case r < 80 || i > 200 && r < 97: // old sessions are mostly idle
		return apiclient.StatusIdle
	case r < 89:
		return apiclient.StatusActive
	case r < 96:
		return apiclient.StatusStarted
	case r < 98:
		return apiclient.StatusWaitingForToolResults
	default:
		return apiclient.StatusPaused
	}
}

func genUsage(rng *rand.Rand, i int) *apiclient.TokenUsage {
	if i == 3 || rng.Intn(25) == 0 {
		return nil // some servers report no usage even after a turn
	}
	u := &apiclient.TokenUsage{InputTokens: int64(500 + rng.Intn(200_000)), OutputTokens: int64(100 + rng.Intn(20_000))}
	if i == 0 || rng.Intn(2) == 0 {
		u.CacheReadTokens = ptr(int64(rng.Intn(int(u.InputTokens))))
		if rng.Intn(3) == 0 {
			u.CacheCreationTokens = ptr(int64(rng.Intn(5000)))
		}
	}
	return u
}

func pickTags(rng *rand.Rand) []string {
	var tags []string
	for k := rng.Intn(4); k > 0; k-- {
		t := tagVocab[rng.Intn(len(tagVocab))]
		if !contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if rng.Intn(4) == 0 {
		tags = append(tags, "resolved")
	}
	if tags == nil {
		tags = []string{}
	}
	return tags
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }

// HostileSessions returns sessions whose text is built to break terminals:
// CSI colours, OSC 52 clipboard writes, OSC 8 links, DCS, an unterminated OSC,
// C0 and C1 controls, bidi overrides, wide CJK, emoji with VS16 and flags, and
// a 1 MB preview. They are dated just after now so they sort first.
func HostileSessions(now time.Time, org, agentID string) []apiclient.Session {
	texts := []struct{ title, preview string }{
		{"\x1b[31mRED\x1b[0m title \x1b[2J\x1b[H cleared?", "CSI colours \x1b[1;33mbold yellow\x1b[0m and cursor moves \x1b[10A up"},
		{"clipboard \x1b]52;c;ZXZpbA==\x07 write", "OSC 52 \x1b]52;c;ZXZpbA==\x1b\\ with ST terminator"},
		{"link \x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\ here", "DCS \x1bP1$r0m\x1b\\ and an unterminated OSC \x1b]0;pwned title"},
		{"C0: cr\rback\bbell\a tab\tnul-free", "C1 CSI \u009b31m and NEL \u0085 and ST \u009c"},
		{"bidi \u202eevil.exe\u202c and isolate \u2066txt\u2069", "RLO \u202egnp.exe\u202c inside a preview"},
		{"宽字符标题：数据库迁移与回滚计划 ❤️ 🇯🇵 👩‍💻", "Wide: 日本語のプレビュー ❤️ ✔️ 🇺🇸🇩🇪 👨‍👩‍👧 emoji with VS16 and ZWJ"},
		{"huge preview", strings.Repeat("1 MB of preview text. ", 1<<20/22+1)[:1<<20]},
	}
	out := make([]apiclient.Session, len(texts))
	for i, t := range texts {
		at := now.UTC().Truncate(time.Millisecond).Add(time.Duration(len(texts)-i) * time.Millisecond)
		out[i] = apiclient.Session{
			ID: newID("session_", uint64(0xbad0+i)), OrganizationID: org, AgentID: agentID,
			Status: apiclient.StatusIdle, Title: ptr(t.title), Preview: ptr(t.preview),
			OutputPreview: ptr("answer with \x1b]52;c;ZXZpbA==\x07 and \x1b[5mblink\x1b[0m " + t.title),
			Tags:          []string{"hostile", "\x1b[31mred-tag\x1b[0m", "bidi-\u202eevil", "タグ"},
			CreatedAt:     at, UpdatedAt: at, StartedAt: &at, FinishedAt: &at,
			Usage: &apiclient.TokenUsage{InputTokens: 1, OutputTokens: 1},
		}
		fillRequired(&out[i], agentID)
	}
	return out
}
