package querylang

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestServer(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		q    string
		want ServerParams
	}{
		{q: "", want: ServerParams{}},
		{q: "refund status:failed,running source:api",
			want: ServerParams{Search: "refund", Statuses: []string{"running", "failed"}, Sources: []string{"api"}}},
		// The longest word is the probe; the others apply to its rows here.
		{q: "refund Postgres", want: ServerParams{Search: "postgres", LocalOnly: []string{"words"}}},
		{q: `"for order" -x`, want: ServerParams{Search: "for order", LocalOnly: []string{"words"}}},
		{q: "-refund", want: ServerParams{LocalOnly: []string{"words"}}},
		{q: "#3254", want: ServerParams{Search: "3254"}}, // no such tag: text
		{q: "#billing", want: ServerParams{LocalOnly: []string{"tag"}}},
		// Execution statuses have no server filter.
		{q: "status:failed,waiting", want: ServerParams{LocalOnly: []string{"status"}}},
		{q: "-status:running", want: ServerParams{Statuses: []string{"failed", "completed", "idle", "paused"}}},
		{q: "status:failed,running status:running,idle", want: ServerParams{Statuses: []string{"running"}}},
		{q: "status:failed status:running", want: ServerParams{Statuses: []string{}, None: true}},
		{q: "source:chat -source:chat", want: ServerParams{Sources: []string{}, None: true}},
		{q: "-source:chat,api", want: ServerParams{Sources: []string{"slack", "ag_ui", "fcp", "schedule",
			"webhook", "a2a", "eval", "subagent", "unknown"}}},
		{q: "source:api,pigeon", want: ServerParams{LocalOnly: []string{"source"}}},
		// agent_id only when one agent matches.
		{q: "agent:ops", want: ServerParams{LocalOnly: []string{"agent"}}},
		{q: "agent:ops-b", want: ServerParams{AgentID: "agent_ops1"}},
		{q: `agent:"dev helper"`, want: ServerParams{AgentID: "agent_dev1"}},
		{q: "-agent:ops-b", want: ServerParams{LocalOnly: []string{"agent"}}},
		{q: "agent:nobody", want: ServerParams{LocalOnly: []string{"agent"}}},
		{q: "created:<7d", want: ServerParams{CreatedAfter: testNow.Add(-7*day + 1)}},
		{q: "created:>7d", want: ServerParams{CreatedBefore: testNow.Add(-7 * day)}},
		{q: "created:2026-08-01", want: ServerParams{
			CreatedAfter:  time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC),
			CreatedBefore: time.Date(2026, 8, 2, 0, 0, 0, 0, time.UTC)}},
		{q: "created:2026-08-01,2026-08-05", want: ServerParams{
			CreatedAfter:  time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC),
			CreatedBefore: time.Date(2026, 8, 6, 0, 0, 0, 0, time.UTC)}},
		{q: "-created:>7d", want: ServerParams{CreatedAfter: testNow.Add(-7 * day)}},
		{q: "-created:2026-08-01", want: ServerParams{LocalOnly: []string{"created"}}},
		{q: "created:>1d created:<1d", want: ServerParams{
			CreatedAfter: testNow.Add(-day + 1), CreatedBefore: testNow.Add(-day), None: true}},
		{q: "is:archived", want: ServerParams{Archived: ArchivedOnly}},
		{q: "is:archived,pinned", want: ServerParams{Archived: ArchivedInclude, LocalOnly: []string{"is:pinned"}}},
		{q: "-is:archived", want: ServerParams{}},
		{q: "is:archived -is:archived", want: ServerParams{None: true}},
		{q: "#billing tokens:>1k updated:>1d id:01 is:resolved cost:>1 -#urgent",
			want: ServerParams{LocalOnly: []string{"tag", "tokens", "updated", "id", "is:resolved", "cost"}}},
		{q: "status:idle tag:none updated:>1d",
			want: ServerParams{Statuses: []string{"idle"}, LocalOnly: []string{"tag", "updated"}}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := Compile(Parse(tt.q), testEnv).Server()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Server() =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

// TestServerIsNecessary checks on the samples that every row the query
// matches satisfies the server parameters (all but Search, a probe).
func TestServerIsNecessary(t *testing.T) {
	for _, q := range narrowQueries {
		m := Compile(Parse(q), testEnv)
		p := m.Server()
		for _, s := range samples {
			sub := s.subject()
			if ok, _ := m.Match(sub); !ok {
				continue
			}
			act := sub.Activity
			switch {
			case p.None:
				t.Errorf("%q: None, but %s matches", q, s.id)
			case p.Statuses != nil && act != "" && !contains(p.Statuses, act):
				t.Errorf("%q: %s matches with activity %s, not in %q", q, s.id, act, p.Statuses)
			case p.Sources != nil && !contains(p.Sources, sub.Source):
				t.Errorf("%q: %s matches with source %s, not in %q", q, s.id, sub.Source, p.Sources)
			case p.AgentID != "" && p.AgentID != sub.AgentID:
				t.Errorf("%q: %s matches with agent %s, not %s", q, s.id, sub.AgentID, p.AgentID)
			case !p.CreatedAfter.IsZero() && sub.Created.Before(p.CreatedAfter),
				!p.CreatedBefore.IsZero() && !sub.Created.Before(p.CreatedBefore):
				t.Errorf("%q: %s matches, created %v outside [%v, %v)", q, s.id, sub.Created, p.CreatedAfter, p.CreatedBefore)
			case p.Archived == ArchivedExclude && sub.Archived && !strings.Contains(q, "archived"):
				// Loaded rows are what the server lists by default.
			case p.Archived == ArchivedExclude && sub.Archived,
				p.Archived == ArchivedOnly && !sub.Archived:
				t.Errorf("%q: %s matches, archived=%v, server %v", q, s.id, sub.Archived, p.Archived)
			}
		}
	}
}
