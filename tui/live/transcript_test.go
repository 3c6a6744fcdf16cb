package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
)

var evSeq int

// ev builds an event as the server sends it (decoded from JSON like the stream does).
func ev(t *testing.T, typ string, data any) apiclient.Event {
	t.Helper()
	evSeq++
	return evWithID(t, fmt.Sprintf("event_%032x", evSeq), typ, "turn_1", data)
}

func evWithID(t *testing.T, id, typ, turn string, data any) apiclient.Event {
	t.Helper()
	raw, err := json.Marshal(map[string]any{
		"id": id, "type": typ, "ts": "2026-08-01T12:00:00.000Z", "session_id": "session_1",
		"context": map[string]any{"turn_id": turn}, "data": data,
	})
	if err != nil {
		t.Fatal(err)
	}
	var e apiclient.Event
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func completedEv(t *testing.T, msgID, text string, usage map[string]any) apiclient.Event {
	d := map[string]any{"message": map[string]any{
		"id": msgID, "role": "agent", "created_at": "2026-08-01T12:00:01Z",
		"content": []any{map[string]any{"type": "text", "text": text}}}}
	if usage != nil {
		d["usage"] = usage
	}
	return ev(t, apiclient.EventMessageCompleted, d)
}

func deltaEv(t *testing.T, msgID, delta, acc string) apiclient.Event {
	return ev(t, apiclient.EventMessageDelta, map[string]any{"turn_id": "turn_1", "message_id": msgID, "delta": delta, "accumulated": acc})
}

func ptr[T any](v T) *T { return &v }

func session() apiclient.Session {
	return apiclient.Session{ID: "session_1", Title: ptr("Old title"), Status: apiclient.StatusIdle, Activity: apiclient.ActivityCompleted}
}

func stored() []apiclient.Message {
	return []apiclient.Message{
		{ID: "message_u1", Sequence: 1, Role: apiclient.RoleUser, Content: []apiclient.ContentPart{{Type: apiclient.PartText, Text: "What broke?"}}},
		{ID: "message_a1", Sequence: 2, Role: apiclient.RoleAgent, Content: []apiclient.ContentPart{
			{Type: apiclient.PartText, Text: "Let me look."},
			{Type: apiclient.PartToolCall, ID: "call_1", Name: "search_logs", Arguments: json.RawMessage(`{}`)}}},
		{ID: "message_r1", Sequence: 3, Role: apiclient.RoleToolResult, Content: []apiclient.ContentPart{
			{Type: apiclient.PartToolResult, ToolCallID: "call_1", Result: json.RawMessage(`{"ok":true}`)}}},
	}
}

// plain renders the transcript without styles, one string.
func plain(tr *Transcript, width int) string {
	th := theme.New(theme.Dark, true)
	var b strings.Builder
	for _, l := range tr.Lines(th, width) {
		if w := ansi.StringWidth(l); w > width {
			panic(fmt.Sprintf("line %q is %d cells, width %d", l, w, width))
		}
		b.WriteString(ansi.Strip(l))
		b.WriteByte('\n')
	}
	return b.String()
}

func agentTexts(tr *Transcript) []string {
	var out []string
	for _, it := range tr.Items() {
		if it.Kind == KindMessage && it.Role == apiclient.RoleAgent {
			for _, p := range it.Parts {
				if p.Kind == PartText {
					out = append(out, p.Text)
				}
			}
		}
	}
	return out
}

func TestNewKeepsStoredMessagesAndSession(t *testing.T) {
	tr := New(session(), stored())
	if n := len(tr.Items()); n != 3 {
		t.Fatalf("%d items", n)
	}
	if tr.Title() != "Old title" || tr.Status() != apiclient.StatusIdle || tr.Activity() != apiclient.ActivityCompleted {
		t.Fatalf("title %q status %q activity %q", tr.Title(), tr.Status(), tr.Activity())
	}
	// A stored call with a stored result counts as done.
	if c := tr.Items()[1].Parts[1].Call; c.State != ToolDone || c.Name != "search_logs" {
		t.Fatalf("call %+v", c)
	}
	out := plain(tr, 60)
	for _, want := range []string{"user  #1", "What broke?", "✓ search_logs", `↳ result: {"ok":true}`} {
		if !strings.Contains(out, want) {
			t.Fatalf("missing %q in\n%s", want, out)
		}
	}
}

func TestDeltasGrowPendingThenCompletedReplacesIt(t *testing.T) {
	tr := New(session(), stored())
	if !tr.Apply(ev(t, apiclient.EventMessageStarted, map[string]any{"turn_id": "turn_1", "message_id": "message_a2"})) {
		t.Fatal("started changed nothing")
	}
	if txt, ok := tr.Pending(); !ok || txt != "" {
		t.Fatalf("pending %q %v", txt, ok)
	}
	if !strings.Contains(plain(tr, 60), "… thinking") {
		t.Fatalf("no thinking marker:\n%s", plain(tr, 60))
	}
	tr.Apply(deltaEv(t, "message_a2", "The error ", "The error "))
	tr.Apply(deltaEv(t, "message_a2", "rate is ", "The error rate is "))
	if txt, _ := tr.Pending(); txt != "The error rate is " {
		t.Fatalf("pending %q", txt)
	}
	if out := plain(tr, 60); !strings.Contains(out, "The error rate is") || !strings.Contains(out, "▍ streaming") {
		t.Fatalf("streamed text not shown:\n%s", out)
	}
	if !tr.Apply(completedEv(t, "message_a2", "The error rate is normal.", nil)) {
		t.Fatal("completed changed nothing")
	}
	if _, ok := tr.Pending(); ok {
		t.Fatal("pending left after completion")
	}
	got := agentTexts(tr)
	if got[len(got)-1] != "The error rate is normal." || strings.Count(plain(tr, 60), "The error rate is") != 1 {
		t.Fatalf("agent texts %q\n%s", got, plain(tr, 60))
	}
}

func TestCompletedAlreadyStoredIsNotAddedTwice(t *testing.T) {
	msgs := append(stored(), apiclient.Message{ID: "message_a2", Sequence: 4, Role: apiclient.RoleAgent,
		Content: []apiclient.ContentPart{{Type: apiclient.PartText, Text: "All good."}}})
	tr := New(session(), msgs)
	// A replay after a reconnect: deltas and the completion of a stored message.
	tr.Apply(deltaEv(t, "message_a2", "All ", "All "))
	tr.Apply(completedEv(t, "message_a2", "All good.", nil))
	if n := strings.Count(plain(tr, 60), "All good."); n != 1 {
		t.Fatalf("%d copies:\n%s", n, plain(tr, 60))
	}
	if _, ok := tr.Pending(); ok {
		t.Fatal("a pending copy of a stored message")
	}
	// The same completion again, and the same event id again, change nothing.
	c := completedEv(t, "message_a3", "Second.", nil)
	if !tr.Apply(c) || tr.Apply(c) || tr.Apply(completedEv(t, "message_a3", "Second.", nil)) {
		t.Fatal("a replayed completion changed the transcript")
	}
	if n := len(agentTexts(tr)); n != 3 {
		t.Fatalf("agent texts %q", agentTexts(tr))
	}
}

func TestDeltaAfterGapResyncsFromAccumulated(t *testing.T) {
	tr := New(session(), nil)
	// Opened mid-message: the first delta seen is not the first sent.
	tr.Apply(deltaEv(t, "message_x", "world", "hello world"))
	if txt, _ := tr.Pending(); txt != "hello world" {
		t.Fatalf("pending %q", txt)
	}
	// An accumulated text that does not add up (shorter) is not trusted.
	tr.Apply(deltaEv(t, "message_x", "!", ""))
	if txt, _ := tr.Pending(); txt != "hello world!" {
		t.Fatalf("pending %q", txt)
	}
}

func TestToolEvents(t *testing.T) {
	tr := New(session(), stored())
	started := ev(t, apiclient.EventToolStarted, map[string]any{"tool_call": map[string]any{"id": "call_9", "name": "run_sql", "arguments": map[string]any{}}})
	if !tr.Apply(started) || !strings.Contains(plain(tr, 60), "⋯ run_sql running") {
		t.Fatalf("running tool not shown:\n%s", plain(tr, 60))
	}
	tr.Apply(ev(t, apiclient.EventToolCompleted, map[string]any{"tool_call_id": "call_9", "tool_name": "run_sql", "success": true, "status": "success", "duration_ms": 1500}))
	out := plain(tr, 60)
	if !strings.Contains(out, "✓ run_sql 1.5s") || strings.Contains(out, "running") {
		t.Fatalf("done tool:\n%s", out)
	}
	tr.Apply(ev(t, apiclient.EventToolStarted, map[string]any{"display_name": "Send email", "tool_call": map[string]any{"id": "call_10", "name": "send_email"}}))
	tr.Apply(ev(t, apiclient.EventToolCompleted, map[string]any{"tool_call_id": "call_10", "tool_name": "send_email", "success": false, "status": "error", "error": "SMTP \x1b[31mrefused"}))
	out = plain(tr, 60)
	if !strings.Contains(out, "✗ Send email failed: SMTP [31mrefused") && !strings.Contains(out, "✗ Send email failed: SMTP refused") {
		t.Fatalf("failed tool:\n%s", out)
	}
	if strings.Contains(out, "\x1b") {
		t.Fatal("escape reached the output")
	}
	// A tool call of a completed message is updated in place, not repeated.
	tr.Apply(ev(t, apiclient.EventMessageCompleted, map[string]any{"message": map[string]any{"id": "message_t", "role": "agent",
		"content": []any{map[string]any{"type": "tool_call", "id": "call_11", "name": "read_file", "arguments": map[string]any{}}}}}))
	tr.Apply(ev(t, apiclient.EventToolStarted, map[string]any{"tool_call": map[string]any{"id": "call_11", "name": "read_file"}}))
	if out = plain(tr, 60); strings.Count(out, "read_file") != 1 || !strings.Contains(out, "⋯ read_file running") {
		t.Fatalf("tool of a message:\n%s", out)
	}
	// tool.completed without a start still shows.
	tr.Apply(ev(t, apiclient.EventToolCompleted, map[string]any{"tool_call_id": "call_12", "tool_name": "http_request", "success": true, "status": "success"}))
	if !strings.Contains(plain(tr, 60), "✓ http_request") {
		t.Fatal("orphan completion not shown")
	}
}

func TestTurnFailedCancelledAndStatus(t *testing.T) {
	tr := New(session(), nil)
	tr.Apply(ev(t, apiclient.EventTurnStarted, map[string]any{"turn_id": "turn_1"}))
	if tr.Status() != apiclient.StatusActive || tr.Activity() != apiclient.ActivityRunning {
		t.Fatalf("after turn.started: %q %q", tr.Status(), tr.Activity())
	}
	tr.Apply(deltaEv(t, "message_p", "partial answ", "partial answ"))
	tr.Apply(ev(t, apiclient.EventTurnFailed, map[string]any{"turn_id": "turn_1", "error": "provider overloaded"}))
	tr.Apply(ev(t, apiclient.EventSessionIdled, map[string]any{"turn_id": "turn_1"}))
	if tr.Status() != apiclient.StatusIdle || tr.Activity() != apiclient.ActivityFailed || tr.TurnError() != "provider overloaded" {
		t.Fatalf("after failure: %q %q %q", tr.Status(), tr.Activity(), tr.TurnError())
	}
	out := plain(tr, 60)
	if !strings.Contains(out, "✗ turn failed: provider overloaded") || !strings.Contains(out, "partial answ") || !strings.Contains(out, "(incomplete)") {
		t.Fatalf("failure not shown:\n%s", out)
	}
	tr.Apply(ev(t, apiclient.EventSessionActivated, map[string]any{"turn_id": "turn_2", "input_message_id": "message_i"}))
	tr.Apply(ev(t, apiclient.EventTurnCancelled, map[string]any{"turn_id": "turn_2", "reason": "Cancelled by user"}))
	tr.Apply(ev(t, apiclient.EventSessionIdled, map[string]any{"turn_id": "turn_2"}))
	if tr.Activity() != apiclient.ActivityIdle || !strings.Contains(plain(tr, 60), "— turn cancelled: Cancelled by user") {
		t.Fatalf("cancel: %q\n%s", tr.Activity(), plain(tr, 60))
	}
	tr.Apply(ev(t, apiclient.EventTurnStarted, map[string]any{"turn_id": "turn_3"}))
	tr.Apply(ev(t, apiclient.EventTurnCompleted, map[string]any{"turn_id": "turn_3", "iterations": 1}))
	tr.Apply(ev(t, apiclient.EventSessionIdled, map[string]any{"turn_id": "turn_3"}))
	if tr.Activity() != apiclient.ActivityCompleted {
		t.Fatalf("completed turn: %q", tr.Activity())
	}
	if !RefreshWorthy(ev(t, apiclient.EventSessionIdled, nil)) || RefreshWorthy(ev(t, apiclient.EventMessageDelta, nil)) {
		t.Fatal("RefreshWorthy")
	}
}

func TestTitleUpdatedBothSpellingsSanitised(t *testing.T) {
	tr := New(session(), nil)
	if !tr.Apply(ev(t, apiclient.EventSessionTitleUpdated, map[string]any{"title": "New\x1b]52;c;aGk=\x07 title\n"})) {
		t.Fatal("title change ignored")
	}
	if tr.Title() != "New title" {
		t.Fatalf("title %q", tr.Title())
	}
	tr.Apply(ev(t, apiclient.EventSessionTitleUpdatedDot, map[string]any{"title": "Dotted"}))
	if tr.Title() != "Dotted" {
		t.Fatalf("title %q", tr.Title())
	}
	if tr.Apply(ev(t, apiclient.EventSessionTitleUpdated, map[string]any{"title": "Dotted"})) {
		t.Fatal("same title reported a change")
	}
}

func TestUsageOfLiveTurnsAddsToSession(t *testing.T) {
	s := session()
	s.Usage = &apiclient.TokenUsage{InputTokens: 100, OutputTokens: 10, ActualCostUSD: ptr(0.5)}
	tr := New(s, nil)
	// A turn that was running before the view opened is in the session's usage already.
	tr.Apply(evWithID(t, "event_old", apiclient.EventTurnCompleted, "turn_0", map[string]any{"turn_id": "turn_0", "iterations": 1,
		"usage": map[string]any{"input_tokens": 999, "output_tokens": 999}}))
	if u := tr.Usage(); u.Total() != 110 {
		t.Fatalf("usage %+v", u)
	}
	tr.Apply(evWithID(t, "event_a", apiclient.EventTurnStarted, "turn_1", map[string]any{"turn_id": "turn_1"}))
	tr.Apply(evWithID(t, "event_b", apiclient.EventMessageCompleted, "turn_1", map[string]any{
		"message": map[string]any{"id": "message_1", "role": "agent", "content": []any{map[string]any{"type": "text", "text": "hi"}}},
		"usage":   map[string]any{"input_tokens": 20, "output_tokens": 5, "cache_read_tokens": 5, "actual_cost_usd": 0.25}}))
	if u := tr.Usage(); u.Total() != 140 || *u.ActualCostUSD != 0.75 {
		t.Fatalf("usage after a message %+v", u)
	}
	// The turn's own usage supersedes its messages' (same calls, counted whole).
	tr.Apply(evWithID(t, "event_c", apiclient.EventSessionIdled, "turn_1", map[string]any{"turn_id": "turn_1",
		"usage": map[string]any{"input_tokens": 40, "output_tokens": 10, "estimated_cost_usd": 0.1}}))
	u := tr.Usage()
	if u.Total() != 160 || *u.ActualCostUSD != 0.5 || *u.EstimatedCostUSD != 0.1 {
		t.Fatalf("usage after idle %+v", u)
	}
	// A refetched session replaces what was counted live.
	s.Usage = &apiclient.TokenUsage{InputTokens: 150, OutputTokens: 20}
	tr.SetSession(s)
	if tr.Usage().Total() != 170 {
		t.Fatalf("usage after SetSession %+v", tr.Usage())
	}
}

func TestPendingCappedAtMaxMessageBytes(t *testing.T) {
	tr := New(session(), nil)
	chunk := strings.Repeat("a", 64<<10)
	acc := 0
	for i := 0; i < 20; i++ { // 1.25 MiB sent
		acc += len(chunk)
		d := map[string]any{"turn_id": "turn_1", "message_id": "message_big", "delta": chunk}
		tr.Apply(ev(t, apiclient.EventMessageDelta, d))
	}
	txt, _ := tr.Pending()
	if len(txt) > MaxMessageBytes || len(txt) < MaxMessageBytes-8 {
		t.Fatalf("pending is %d bytes (cap %d)", len(txt), MaxMessageBytes)
	}
	// Drawing it stays bounded: the tail only.
	if n := len(tr.Lines(theme.New(theme.Dark, true), 80)); n > renderMaxLines+4 {
		t.Fatalf("%d lines drawn for a capped message", n)
	}
	if out := plain(tr, 80); !strings.Contains(out, "message too long, cut") || !strings.Contains(out, "earlier text hidden") {
		t.Fatalf("no cut markers:\n%.300s", out)
	}
}

func TestItemsCapped(t *testing.T) {
	tr := New(session(), stored())
	for i := 0; i < MaxItems+100; i++ {
		tr.Apply(ev(t, apiclient.EventToolCompleted, map[string]any{"tool_call_id": fmt.Sprintf("call_%d", i), "tool_name": "t", "success": true, "status": "success"}))
	}
	if n := len(tr.Items()); n > MaxItems || n < MaxItems*8/10 {
		t.Fatalf("%d items kept", n)
	}
	if tr.Dropped() == 0 || len(tr.calls) > MaxItems || len(tr.cache) > MaxItems {
		t.Fatalf("dropped %d, calls %d, cache %d", tr.Dropped(), len(tr.calls), len(tr.cache))
	}
	out := plain(tr, 80)
	if !strings.HasPrefix(out, fmt.Sprintf("… %d earlier items not kept", tr.Dropped())) {
		t.Fatalf("no dropped marker: %.100s", out)
	}
	// The last call is still known: its replayed start changes nothing.
	last := fmt.Sprintf("call_%d", MaxItems+99)
	if tr.Apply(ev(t, apiclient.EventToolStarted, map[string]any{"tool_call": map[string]any{"id": last, "name": "t"}})) {
		t.Fatal("a replayed start of a done call changed the transcript")
	}
}

func TestConnectionStates(t *testing.T) {
	tr := New(session(), nil)
	if tr.StatusLabel() != "○ connecting" {
		t.Fatal(tr.StatusLabel())
	}
	cases := []struct {
		item apiclient.StreamItem
		want string
	}{
		{apiclient.StreamConnected{Attempt: 1}, "● live"},
		{apiclient.StreamReconnecting{Err: fmt.Errorf("read: %w", io.ErrUnexpectedEOF), Wait: 2 * time.Second, Failures: 1}, "↻ reconnecting in 2s (connection dropped)"},
		{apiclient.StreamReconnecting{Reason: "connection_cycle", Wait: 100 * time.Millisecond}, "↻ reconnecting in 100ms (server cycled the connection)"},
		{apiclient.StreamReconnecting{Err: &apiclient.APIError{Status: 503}, Wait: 1500 * time.Millisecond, Failures: 2}, "↻ reconnecting in 2s (server error (HTTP 503))"},
		{apiclient.StreamConnected{Attempt: 3}, "● live"},
		{apiclient.StreamStopped{Err: &apiclient.APIError{Status: 404, Message: "Session not found"}}, "■ stopped: not found (HTTP 404)"},
	}
	for _, c := range cases {
		if !tr.ApplyItem(c.item) {
			t.Fatalf("%T changed nothing", c.item)
		}
		if got := tr.StatusLabel(); got != c.want {
			t.Fatalf("after %T: %q, want %q", c.item, got, c.want)
		}
	}
	tr.ApplyItem(apiclient.StreamStopped{Err: fmt.Errorf("x: %w", errors.New("boom"))})
	if got := tr.StatusLabel(); got != "■ stopped: x: boom" {
		t.Fatalf("stopped label %q", got)
	}
}

func TestStoppedByCloseSaysNoError(t *testing.T) {
	tr := New(session(), nil)
	tr.ApplyItem(apiclient.StreamStopped{Err: fmt.Errorf("stream: %w", context.Canceled)})
	if got := tr.StatusLabel(); got != "■ stopped" {
		t.Fatalf("label %q", got)
	}
}

func TestFollow(t *testing.T) {
	var f Follow
	if !f.Following() {
		t.Fatal("not following at start")
	}
	f.Arrived(3)
	if f.Unseen() != 0 {
		t.Fatal("unseen while following")
	}
	f.Scrolled(true, false)
	if f.Following() {
		t.Fatal("scrolling up did not pause")
	}
	f.Arrived(5)
	f.Scrolled(false, false) // down, not yet at the bottom
	if f.Following() || f.Unseen() != 5 {
		t.Fatalf("following %v unseen %d", f.Following(), f.Unseen())
	}
	f.Resume() // G
	if !f.Following() || f.Unseen() != 0 {
		t.Fatal("G did not resume")
	}
	f.Scrolled(true, false)
	f.Scrolled(false, true) // back at the bottom
	if !f.Following() {
		t.Fatal("reaching the bottom did not resume")
	}
}

func TestLinesFitWidthAndSanitise(t *testing.T) {
	msgs := []apiclient.Message{{ID: "message_h", Role: "weird\x1b[2Jrole", Content: []apiclient.ContentPart{
		{Type: apiclient.PartText, Text: "evil \x1b]8;;http://x\x07link\x1b]8;;\x07 " + strings.Repeat("wide 漢字 ", 40)},
		{Type: "mystery"},
	}}}
	tr := New(session(), msgs)
	tr.Apply(deltaEv(t, "message_s", "\u009b31m streamed \u202e text", "\u009b31m streamed \u202e text"))
	for _, w := range []int{1, 5, 20, 80} {
		out := plain(tr, w) // panics on an over-wide line
		if strings.ContainsAny(out, "\x1b\u009b\u202e\a") {
			t.Fatalf("control reached output at width %d: %q", w, out)
		}
	}
	out := plain(tr, 80)
	if !strings.Contains(out, "weird[2Jrole") && !strings.Contains(out, "weirdrole") {
		t.Fatalf("role:\n%s", out)
	}
	if !strings.Contains(out, "[mystery]") || !strings.Contains(out, "streamed") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestReplacedDiscardsStreamedText(t *testing.T) {
	tr := New(session(), nil)
	tr.Apply(deltaEv(t, "message_g", "leaked system prompt", "leaked system prompt"))
	if !tr.Apply(ev(t, "output.message.replaced", map[string]any{"turn_id": "turn_1", "message_id": "message_g", "replacement": "I can't share that."})) {
		t.Fatal("replacement ignored")
	}
	if txt, _ := tr.Pending(); txt != "I can't share that." {
		t.Fatalf("pending %q", txt)
	}
	tr.Apply(completedEv(t, "message_g", "I can't share that.", nil))
	if out := plain(tr, 60); strings.Contains(out, "leaked") || strings.Count(out, "I can't share that.") != 1 {
		t.Fatalf("after replacement:\n%s", out)
	}
}

func TestLiveTurnsBounded(t *testing.T) {
	s := session()
	s.Usage = &apiclient.TokenUsage{InputTokens: 1}
	tr := New(s, nil)
	for i := 0; i < 3*maxLiveTurns; i++ {
		turn := fmt.Sprintf("turn_%d", i)
		tr.Apply(evWithID(t, fmt.Sprintf("event_s%d", i), apiclient.EventTurnStarted, turn, map[string]any{"turn_id": turn}))
		tr.Apply(evWithID(t, fmt.Sprintf("event_i%d", i), apiclient.EventSessionIdled, turn, map[string]any{"turn_id": turn,
			"usage": map[string]any{"input_tokens": 1, "output_tokens": 1}}))
	}
	if len(tr.liveTurns) > maxLiveTurns || len(tr.turnOrder) > maxLiveTurns {
		t.Fatalf("%d turns tracked", len(tr.liveTurns))
	}
	if got := tr.Usage().Total(); got != 1+2*3*maxLiveTurns {
		t.Fatalf("usage total %d", got)
	}
}
