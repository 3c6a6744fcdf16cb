package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const fullSession = `{
  "id": "session_1", "organization_id": "org_1", "workspace_id": "wsp_1", "harness_id": "harness_1",
  "owner_principal_id": "principal_1", "agent_id": "agent_1", "agent_identity_id": "identity_1",
  "agent_version_id": "agentver_1", "blueprint_id": "bp_1", "model_id": "model_1",
  "status": "waitingfortoolresults", "activity": "failed", "source": "schedule", "is_pinned": true,
  "title": "T", "goal": "G", "locale": "uk-UA", "tags": ["a"], "preview": "P", "output_preview": "O",
  "run_summary": "Ran and failed.", "system_prompt": "S",
  "capabilities": [{"ref": "web_search", "config": {"k": 1}}], "features": ["file_system"],
  "max_iterations": 50, "parallel_tool_calls": false, "active_schedule_count": 2,
  "created_at": "2026-08-01T10:00:00Z", "started_at": "2026-08-01T10:00:01Z",
  "finished_at": "2026-08-01T10:05:00Z", "updated_at": "2026-08-01T10:05:00Z",
  "usage": {"input_tokens": 100, "output_tokens": 20, "cache_read_tokens": 300, "cache_creation_tokens": 50,
            "actual_cost_usd": 0.5, "estimated_cost_usd": 0.6, "effective_cost_usd": 0.55},
  "parent_session_id": "session_0", "forked_from_session_id": "session_f", "forked_from_sequence": 42,
  "owner": {"id": "principal_1", "kind": "user", "subject_id": "u-1", "metadata": {"x": [1, 2]}},
  "effective_owner": {"id": "principal_2", "kind": "agent_identity"},
  "resolved_owner_user_id": "u-1",
  "blueprint_config": {"target_repo": "acme/everruns"}, "hints": {"rich_media": true},
  "initial_files": [{"path": "/a"}], "mcpServers": {"gh": {"url": "https://x"}},
  "network_access": {"allowed": ["*.example.com"]}, "tools": [{"name": "t"}],
  "allowed_actions": [{"rel": "cancel", "method": "POST", "href": "https://x/cancel", "hint": "h"}],
  "self_url": "https://x/s", "view_url": "https://x/v", "ui_link": "https://x/v",
  "future_field": {"nested": ["a", {"b": "}\"{"}]}, "another\u00e9": 7, "Zeta": null
}`

// TestSessionRoundTrip: every contract field is mapped, and fields the
// contract does not name survive a decode and encode unchanged.
func TestSessionRoundTrip(t *testing.T) {
	var s Session
	if err := json.Unmarshal([]byte(fullSession), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Extra) != 3 || string(s.Extra["future_field"]) != `{"nested": ["a", {"b": "}\"{"}]}` ||
		string(s.Extra["anotheré"]) != "7" || string(s.Extra["Zeta"]) != "null" {
		t.Fatalf("extra = %q", s.Extra)
	}
	if s.Activity != ActivityFailed || s.Source != SourceSchedule || !s.Pinned() || s.RunSummary == nil ||
		!s.Can("cancel") || s.Can("pin") || s.Details == nil || *s.Details.ForkedFromSequence != 42 || s.Owner.Kind != "user" || s.ViewURL == "" {
		t.Fatalf("fields: %+v", s)
	}
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var in, back map[string]any
	_ = json.Unmarshal([]byte(fullSession), &in)
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !reflect.DeepEqual(in, back) {
		for k := range in {
			if !reflect.DeepEqual(in[k], back[k]) {
				t.Errorf("%s: %v became %v", k, in[k], back[k])
			}
		}
		for k := range back {
			if _, ok := in[k]; !ok {
				t.Errorf("%s appeared", k)
			}
		}
	}
	// Pointer marshalling and a session without extras take the same path.
	var plain Session
	_ = json.Unmarshal([]byte(`{"id":"s","status":"idle","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`), &plain)
	if plain.Extra != nil || plain.AgentID != "" {
		t.Fatalf("plain: %+v", plain)
	}
	// A known field in another case is a field, not an extra (encoding/json folds case).
	var folded Session
	_ = json.Unmarshal([]byte(`{"ID":"s","Title":"x"}`), &folded)
	if folded.Extra != nil || folded.ID != "s" {
		t.Fatalf("folded: %+v", folded)
	}
	// Decoding into a reused value forgets the old extras.
	_ = json.Unmarshal([]byte(`{"id":"s2"}`), &s)
	if s.Extra != nil {
		t.Fatalf("stale extras: %q", s.Extra)
	}
}

func TestSessionDecodeErrors(t *testing.T) {
	for _, in := range []string{`{"id":5}`, `[1]`, `{"id":"x"`, `{"created_at":"yesterday"}`} {
		var s Session
		if err := json.Unmarshal([]byte(in), &s); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
	// A page keeps each item's unknown members too (its fast path, without
	// Session.UnmarshalJSON), whatever the spacing and escapes around them.
	page, err := DecodeSessionPage([]byte(`{"data":[ {"id":"b","status":"idle"} ,` + "\n" +
		`{"id":"a","x":{"y":"]},\""},"t\u0069tle":"T"}],"total":2,"next_url":"u"}`))
	if err != nil || len(page.Data) != 2 || page.Data[0].Extra != nil || string(page.Data[1].Extra["x"]) != `{"y":"]},\""}` ||
		len(page.Data[1].Extra) != 1 || page.Data[1].TitleOrEmpty() != "T" || page.NextURL != "u" {
		t.Fatalf("page: %v %+v", err, page)
	}
}

func TestStatusSpellings(t *testing.T) {
	if !StatusWaitingForToolResultsLegacy.Is(StatusWaitingForToolResults) || StatusWaitingForToolResultsLegacy.Normal() != StatusWaitingForToolResults {
		t.Error("legacy spelling is not the same status")
	}
	if !Status("Waiting_For_Tool_Results").Known() || Status("exploded").Known() || StatusIdle.Is(StatusActive) {
		t.Error("Known/Is")
	}
	if !StatusWaitingForToolResultsLegacy.Running() || !StatusActive.Running() || StatusPaused.Running() {
		t.Error("Running")
	}
	if Status("odd_new").Normal() != "oddnew" || len(Statuses) != 5 {
		t.Error("Normal of an unknown status")
	}
	if !ActivityFailed.Known() || Activity("exploded").Known() || !SourceAGUI.Known() || Source("x").Known() {
		t.Error("activity/source Known")
	}
}

func TestTokenArithmetic(t *testing.T) {
	u := &TokenUsage{InputTokens: 100, OutputTokens: 20, CacheReadTokens: ptrTo(int64(300)), CacheCreationTokens: ptrTo(int64(100))}
	if u.Prompt() != 500 || u.Total() != 520 || u.CacheHitRatio() != 0.6 {
		t.Fatalf("prompt %d total %d ratio %v", u.Prompt(), u.Total(), u.CacheHitRatio())
	}
	var none *TokenUsage
	if none.Prompt() != 0 || none.Total() != 0 || none.CacheHitRatio() != 0 {
		t.Fatal("nil usage")
	}
	if (&TokenUsage{OutputTokens: 5}).CacheHitRatio() != 0 || CacheHitRatio(5, 0) != 0 || CacheHitRatio(9, 3) != 1 {
		t.Fatal("zero prompt / clamped ratio")
	}
	if PromptTokens(1, 2, 3) != 6 || TotalTokens(1, 4, 2, 3) != 10 {
		t.Fatal("free functions")
	}
	// A lying server: sums clamp instead of wrapping, negatives count as 0.
	const big = math.MaxInt64 - 1
	if PromptTokens(big, big, 1) != math.MaxInt64 || TotalTokens(-5, 7, -1, 3) != 10 {
		t.Fatalf("saturation: %d %d", PromptTokens(big, big, 1), TotalTokens(-5, 7, -1, 3))
	}
	if u := (&TokenUsage{InputTokens: big, OutputTokens: big}); u.Total() != math.MaxInt64 {
		t.Fatalf("usage total %d", u.Total())
	}
}

func TestCost(t *testing.T) {
	a, e, f := 0.5, 0.6, 0.55
	for _, c := range []struct {
		u    *TokenUsage
		usd  float64
		kind CostKind
		ok   bool
	}{
		{nil, 0, "", false},
		{&TokenUsage{}, 0, "", false},
		{&TokenUsage{EstimatedCostUSD: &e}, e, CostEstimated, true},
		{&TokenUsage{EstimatedCostUSD: &e, ActualCostUSD: &a}, a, CostActual, true},
		{&TokenUsage{EstimatedCostUSD: &e, ActualCostUSD: &a, EffectiveCostUSD: &f}, f, CostEffective, true},
	} {
		s := Session{Usage: c.u}
		usd, kind, ok := s.Cost()
		if usd != c.usd || kind != c.kind || ok != c.ok {
			t.Errorf("%+v: %v %v %v", c.u, usd, kind, ok)
		}
	}
}

func TestListOptionsQuery(t *testing.T) {
	after := time.Date(2026, 8, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))
	o := ListOptions{Offset: 5, Limit: 50, AgentID: "agent_1", Search: "refund & co", Status: []Activity{ActivityFailed, "", ActivityRunning},
		Source: []Source{SourceSlack}, Mine: true, CreatedAfter: after, CreatedBefore: after.Add(time.Hour),
		Order: OrderLastActivity, IncludeArchived: true, ArchivedOnly: true}
	want := "agent_id=agent_1&archived_only=true&created_after=2026-07-31T23%3A00%3A00Z&created_before=2026-08-01T00%3A00%3A00Z" +
		"&include_archived=true&limit=50&mine=true&offset=5&order=last_activity&search=refund+%26+co&source=slack&status=failed%2Crunning"
	if got := o.Query().Encode(); got != want {
		t.Errorf("query\n got %s\nwant %s", got, want)
	}
	if got := o.FilterQuery(); got.Has("offset") || got.Has("limit") || got.Has("include_archived") || got.Get("status") != "failed,running" {
		t.Errorf("filter query %v", got)
	}
	if got := (ListOptions{}).Query().Encode(); got != "offset=0" {
		t.Errorf("zero options: %s", got)
	}
}

// TestListAgentsBounded: a server that ignores offset, or claims a huge
// total, cannot make ListAgents loop or allocate.
func TestListAgentsBounded(t *testing.T) {
	agent := func(i int) map[string]any {
		return map[string]any{"id": fmt.Sprintf("agent_%d", i), "name": fmt.Sprintf("a%d", i)}
	}
	page := func(from, n int) []map[string]any {
		out := []map[string]any{}
		for i := from; i < from+n; i++ {
			out = append(out, agent(i))
		}
		return out
	}
	var calls atomic.Int32
	for name, c := range map[string]struct {
		h     func(off int) []map[string]any
		want  int
		calls int32
	}{
		"repeated page": {func(int) []map[string]any { return page(0, 100) }, 100, 2},
		"short page":    {func(off int) []map[string]any { return page(off, min(100, 130-off)) }, 130, 2},
		"empty page":    {func(off int) []map[string]any { return page(off, min(100, max(200-off, 0))) }, 200, 3},
	} {
		t.Run(name, func(t *testing.T) {
			calls.Store(0)
			c2, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				var off int
				fmt.Sscan(r.URL.Query().Get("offset"), &off)
				writeJSON(w, 200, map[string]any{"data": c.h(off), "total": 1 << 31, "offset": off, "limit": 100})
			}, Config{})
			got, err := c2.ListAgents(context.Background(), "")
			if err != nil || len(got) != c.want || calls.Load() != c.calls {
				t.Fatalf("%d agents, %d calls, %v", len(got), calls.Load(), err)
			}
		})
	}
}

// TestExportStreams: bytes reach the writer before the server has finished,
// a body over the cap fails, and errors are APIErrors.
func TestExportStreams(t *testing.T) {
	release := make(chan struct{})
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("format") != "atif" || !strings.HasSuffix(r.URL.Path, "/v1/sessions/s1/export") {
			writeJSON(w, 400, map[string]any{"title": "Bad Request", "status": 400, "detail": "bad"})
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		_, _ = io.WriteString(w, "{\"first\":1}\n")
		w.(http.Flusher).Flush()
		<-release // the rest only after the client wrote the first line
		_, _ = io.WriteString(w, "{\"second\":2}\n")
	}, Config{})
	w := &notifyWriter{first: release}
	n, err := c.Export(context.Background(), "s1", ExportATIF, w)
	if err != nil || n != int64(w.buf.Len()) || w.buf.String() != "{\"first\":1}\n{\"second\":2}\n" {
		t.Fatalf("%d %v %q", n, err, w.buf.String())
	}
	_, err = c.Export(context.Background(), "s1", ExportJSONL, io.Discard)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Message != "bad" {
		t.Fatalf("error answer: %v", err)
	}
	if _, err := c.Export(context.Background(), "s1", "pdf", io.Discard); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("bad format: %v", err)
	}

	old := exportCap
	exportCap = 1000
	defer func() { exportCap = old }()
	big, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, strings.Repeat("x", 5000))
	}, Config{MaxBodyBytes: 100})
	var buf bytes.Buffer
	n, err = big.Export(context.Background(), "s1", "", &buf)
	if !errors.Is(err, ErrResponseTooLarge) || n != 1000 {
		t.Fatalf("over the cap: %d %v", n, err)
	}
}

type notifyWriter struct {
	buf   bytes.Buffer
	first chan struct{}
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	if w.first != nil {
		close(w.first)
		w.first = nil
	}
	return w.buf.Write(p)
}

func TestCancelTyped(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			t.Errorf("method %s", r.Method)
		}
		writeJSON(w, 200, map[string]any{"status": "no_op", "message": "No active turn"})
	}, Config{})
	r, err := c.Cancel(context.Background(), "s1")
	if err != nil || r.Status != CancelNoOp || r.Cancelled() {
		t.Fatalf("%+v %v", r, err)
	}
}

func ptrTo[T any](v T) *T { return &v }
