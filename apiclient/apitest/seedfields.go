package apitest

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/everruns/sessions/apiclient"
)

// mix is a small deterministic generator (splitmix64) for the fields added
// by the August 2026 contract: cheap to create per session, unlike math/rand.
type mix struct{ x uint64 }

func newMix(key string) *mix {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return &mix{x: h.Sum64()}
}

func (m *mix) next() uint64 {
	m.x += 0x9e3779b97f4a7c15
	z := m.x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (m *mix) intn(n int) int { return int(m.next() % uint64(n)) }

// mixID is prefix + 32 hex digits from m (cheaper than newID).
func mixID(prefix string, m *mix) string {
	return fmt.Sprintf("%s%016x%016x", prefix, m.next(), m.next())
}

// Principals: the first is the user behind Options.APIKey, the others the
// users of Options.MoreKeys, in order.
var principalNames = []string{"p0", "p1", "p2", "p3"}

// principals and their users' ids, made once: newID seeds a math/rand
// source, too slow to call per generated session.
var principals, userUUIDs = func() (p, u []string) {
	for i := range principalNames {
		p = append(p, newID("principal_", uint64(0x9a1+i)))
		h := newID("", uint64(0x5eb+i))
		u = append(u, h[:8]+"-"+h[8:12]+"-4"+h[13:16]+"-8"+h[17:20]+"-"+h[20:32])
	}
	return p, u
}()

var defaultHarness = newID("harness_", 0xdef)

func principalID(i int) string { return principals[i%len(principals)] }

// PrincipalID is the owner id of the user behind the i-th key: 0 for
// Options.APIKey (and for everyone on a server without keys), then MoreKeys.
func PrincipalID(i int) string { return principalID(i) }

func userUUID(i int) string { return userUUIDs[i%len(userUUIDs)] }

// sourceWeights: chat and api dominate, as in the console.
var sourceWeights = []struct {
	src apiclient.Source
	w   int
}{
	{apiclient.SourceChat, 34}, {apiclient.SourceAPI, 24}, {apiclient.SourceSlack, 12},
	{apiclient.SourceSchedule, 10}, {apiclient.SourceWebhook, 6}, {apiclient.SourceSubagent, 5},
	{apiclient.SourceAGUI, 3}, {apiclient.SourceEval, 2}, {apiclient.SourceA2A, 2},
	{apiclient.SourceFCP, 1}, {apiclient.SourceUnknown, 1},
}

func pickSource(m *mix) apiclient.Source {
	r := m.intn(100)
	for _, sw := range sourceWeights {
		if r < sw.w {
			return sw.src
		}
		r -= sw.w
	}
	return apiclient.SourceChat
}

var failures = []string{
	"Error: tool billing.lookup_invoice timed out after 30s; the turn was aborted.",
	"Error: the model returned an invalid tool call (missing 'query'); giving up after 3 repairs.",
	"Error: budget exceeded (max_iterations 50) before the task was done.",
	"Error: upstream 503 from the provider; retries exhausted.",
}

var failedSummaries = []string{
	"Ran the nightly report and failed posting it to Slack: channel_not_found.",
	"Tried to sync the store's orders and failed: the POS token had expired.",
	"Started the data migration and failed at batch 3: a foreign key violation.",
}

var doneSummaries = []string{
	"Answered the customer's question and closed the ticket.",
	"Investigated the alert, found the cause and applied the fix.",
	"Reviewed the pull request and left two comments.",
	"Produced the weekly usage report and posted it to the channel.",
}

var goals = []string{
	"Investigate the queue latency regression",
	"Resolve the customer's billing question",
	"Keep the nightly report green",
	"Migrate the legacy tables without downtime",
}

var locales = []string{"en-US", "en-GB", "de-DE", "uk-UA", "ja-JP", "zh-CN"}

// modelPrice is USD per million input, output and cache-read tokens.
var modelPrice = [][3]float64{{3, 15, 0.3}, {0.8, 4, 0.08}, {15, 75, 1.5}, {2.5, 10, 1.25}, {0.15, 0.6, 0.075}, {1, 5, 0.1}}

// PlatformChatTag marks the console's own chat threads, which the server
// protects: their title and tags cannot change, and they cannot be
// archived, unpinned or deleted.
const PlatformChatTag = "platform-chat-starter"

// decorate fills the August 2026 fields of a generated session.
func decorate(s *apiclient.Session, m *mix, i int, agents []Agent) {
	agent := agents[0]
	for k := range agents {
		if agents[k].ID == s.AgentID {
			agent = agents[k]
		}
	}
	fillRequired(s, s.AgentID)
	s.HarnessID = agent.HarnessID
	owner := 0
	if r := m.intn(10); r >= 4 {
		owner = 1 + r%3
	}
	setOwner(s, owner)
	s.Source = pickSource(m)
	if m.intn(5) == 0 {
		s.Goal = ptr(goals[m.intn(len(goals))])
	}
	if m.intn(3) == 0 {
		s.Locale = ptr(locales[m.intn(len(locales))])
	}
	if m.intn(4) == 0 {
		s.More().Features = []string{"file_system"}
		if m.intn(2) == 0 {
			s.Details.Features = append(s.Details.Features, "secrets")
		}
	}
	switch s.Source {
	case apiclient.SourceSubagent:
		s.ParentSessionID = ptr(mixID("session_", m))
	case apiclient.SourceSchedule:
		s.More().ActiveScheduleCount = ptr(int64(1))
	}
	if m.intn(50) == 0 {
		s.More().ForkedFromSessionID = ptr(mixID("session_", m))
		s.Details.ForkedFromSequence = ptr(int64(2 + m.intn(40)))
	}
	if i >= 200 && m.intn(400) == 0 { // old console threads, beyond what small tests load
		s.Source = apiclient.SourceChat
		s.Tags = append(s.Tags, PlatformChatTag)
	}
	s.Activity = deriveActivity(s.Status, m)
	if s.Activity == apiclient.ActivityFailed {
		if s.Source != apiclient.SourceChat && m.intn(2) == 0 {
			s.RunSummary = ptr(failedSummaries[m.intn(len(failedSummaries))])
		} else {
			s.OutputPreview = ptr(failures[m.intn(len(failures))])
		}
	} else if s.Activity == apiclient.ActivityCompleted && s.Source != apiclient.SourceChat && m.intn(10) < 7 {
		s.RunSummary = ptr(doneSummaries[m.intn(len(doneSummaries))])
	}
	addCost(s.Usage, m, modelIndex(s, agents))
}

// fillRequired sets the fields the contract requires of every session.
func fillRequired(s *apiclient.Session, agentID string) {
	if s.WorkspaceID == "" {
		s.WorkspaceID = "wsp_" + strings.TrimPrefix(s.ID, "session_")
	}
	if s.HarnessID == "" {
		s.HarnessID = defaultHarness
	}
	if s.OwnerPrincipalID == "" {
		setOwner(s, 0)
	}
	if s.Source == "" {
		s.Source = apiclient.SourceAPI
	}
	if s.Activity == "" {
		s.Activity = activityOf(s.Status, s.OutputPreview != nil)
	}
	_ = agentID
}

func setOwner(s *apiclient.Session, p int) {
	s.OwnerPrincipalID = principalID(p)
	u := userUUID(p)
	s.Owner = &apiclient.PrincipalSummary{ID: s.OwnerPrincipalID, Kind: "user", SubjectID: &u}
	s.ResolvedOwnerUserID = &u
}

// activityOf is the activity a status implies when nothing says a turn failed.
func activityOf(st apiclient.Status, answered bool) apiclient.Activity {
	switch {
	case st.Running():
		return apiclient.ActivityRunning
	case st.Is(apiclient.StatusPaused):
		return apiclient.ActivityPaused
	case st.Is(apiclient.StatusIdle) && answered:
		return apiclient.ActivityCompleted
	}
	return apiclient.ActivityIdle
}

func deriveActivity(st apiclient.Status, m *mix) apiclient.Activity {
	a := activityOf(st, true)
	if a == apiclient.ActivityCompleted {
		switch r := m.intn(100); {
		case r < 14:
			return apiclient.ActivityFailed
		case r < 18:
			return apiclient.ActivityIdle
		}
	}
	return a
}

func modelIndex(s *apiclient.Session, agents []Agent) int {
	if s.ModelID != nil {
		for k := range agents {
			if agents[k].ModelID == *s.ModelID {
				return k
			}
		}
	}
	return 0
}

// addCost prices usage: most sessions have actual and estimated costs, some
// an estimate only, a few none.
func addCost(u *apiclient.TokenUsage, m *mix, model int) {
	if u == nil {
		return
	}
	p := modelPrice[model%len(modelPrice)]
	est := (float64(u.InputTokens+u.CacheCreation())*p[0] + float64(u.OutputTokens)*p[1] + float64(u.CacheRead())*p[2]) / 1e6
	est = float64(int64(est*1e6)) / 1e6
	switch r := m.intn(10); {
	case r < 7:
		act := float64(int64(est*(0.9+float64(m.intn(20))/100)*1e6)) / 1e6
		u.EstimatedCostUSD, u.ActualCostUSD = &est, &act
	case r < 9:
		u.EstimatedCostUSD = &est
	}
}

// describe is for test failure messages.
func describe(s *apiclient.Session) string {
	return fmt.Sprintf("%s %s/%s %s", s.ID, s.Status, s.Activity, s.Source)
}
