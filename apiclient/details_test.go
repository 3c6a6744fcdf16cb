package apiclient

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// A session carrying every rarely present member, in the contract's order.
const detailedSession = `{"id":"s1","organization_id":"org_1","agent_identity_id":"ai_1","agent_version_id":"av_1",` +
	`"blueprint_id":"bp_1","status":"idle","system_prompt":"Be brief.","features":["file_system","secrets"],` +
	`"max_iterations":7,"parallel_tool_calls":true,"active_schedule_count":2,` +
	`"created_at":"2026-08-01T10:00:00Z","updated_at":"2026-08-01T10:05:00Z",` +
	`"forked_from_session_id":"s0","forked_from_sequence":3,"effective_owner":{"id":"p2","kind":"agent_identity"},` +
	`"blueprint_config":{"a":1},"hints":null,"initial_files":[],"mcpServers":{},"network_access":{"mode":"none"},"tools":[{"name":"x"}]}`

// The rare members live in Details, and the JSON is the same as sent, in
// the same order, whether they are there or not.
func TestSessionDetailsRoundTrip(t *testing.T) {
	var s Session
	if err := json.Unmarshal([]byte(detailedSession), &s); err != nil {
		t.Fatal(err)
	}
	d := s.Details
	if d == nil || *d.AgentIdentityID != "ai_1" || *d.SystemPrompt != "Be brief." || !slices.Equal(d.Features, []string{"file_system", "secrets"}) ||
		*d.MaxIterations != 7 || !*d.ParallelToolCalls || *d.ActiveScheduleCount != 2 || *d.ForkedFromSequence != 3 ||
		d.EffectiveOwner.Kind != "agent_identity" || d.Hints != "null" || d.Tools != `[{"name":"x"}]` || s.Extra != nil {
		t.Fatalf("details %+v, extra %v", d, s.Extra)
	}
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != detailedSession {
		t.Errorf("round trip:\n got %s\nwant %s", out, detailedSession)
	}

	plain := `{"id":"s2","organization_id":"org_1","status":"idle","created_at":"2026-08-01T10:00:00Z","updated_at":"2026-08-01T10:00:00Z"}`
	var p Session
	if err := json.Unmarshal([]byte(plain), &p); err != nil || p.Details != nil {
		t.Fatalf("a session without them has Details %+v (%v)", p.Details, err)
	}
	if out, _ := json.Marshal(p); string(out) != plain {
		t.Errorf("round trip: %s", out)
	}
	// Every member of the contract is a key --fields accepts.
	keys := SessionKeys()
	for _, k := range []string{"id", "agent_identity_id", "features", "tools", "ui_link"} {
		if !slices.Contains(keys, k) {
			t.Errorf("SessionKeys lacks %q: %v", k, keys)
		}
	}
}

// A page's sessions share their tag and feature lists when equal; a list
// changed on one (replaced, or appended to) does not change the other.
func TestPageSharesLists(t *testing.T) {
	item := func(id string) string {
		return `{"id":"` + id + `","organization_id":"o","status":"idle","tags":["a","b","c"],"features":["f"],` +
			`"created_at":"2026-08-01T10:00:00Z","updated_at":"2026-08-01T10:00:00Z"}`
	}
	var body bytes.Buffer
	body.WriteString(`{"data":[` + item("s1") + `,` + item("s2") + `],"total":2}`)
	p, err := DecodeSessionPage(body.Bytes())
	if err != nil || len(p.Data) != 2 {
		t.Fatalf("%v, %d", err, len(p.Data))
	}
	a, b := &p.Data[0], &p.Data[1]
	if &a.Tags[0] != &b.Tags[0] || &a.Details.Features[0] != &b.Details.Features[0] {
		t.Fatal("equal lists are not shared")
	}
	a.Tags = append(a.Tags, "x")
	b.Tags = append(b.Tags, "y")
	if !slices.Equal(a.Tags, []string{"a", "b", "c", "x"}) || !slices.Equal(b.Tags, []string{"a", "b", "c", "y"}) {
		t.Errorf("appending to one session's tags changed the other's: %v, %v", a.Tags, b.Tags)
	}
}
