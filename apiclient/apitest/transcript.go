package apitest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// Transcript returns the deterministic messages of s: the user's question
// (its preview), an agent message with a tool call, the tool result and, once
// the turn is done, the agent's answer (its output preview). A started session
// has only the user message; a running one ends with the tool result (after an
// earlier answer and a follow-up question when it has an output preview).
func Transcript(s apiclient.Session) []apiclient.Message {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s.ID))
	base := h.Sum64()
	span := s.UpdatedAt.Sub(s.CreatedAt)
	if span <= 0 {
		span = 4 * time.Second
	}
	var msgs []apiclient.Message
	add := func(role apiclient.MessageRole, parts ...apiclient.ContentPart) {
		n := len(msgs)
		msgs = append(msgs, apiclient.Message{
			ID: newID("message_", base+uint64(n)), SessionID: s.ID, Sequence: n + 1, Role: role,
			Content: parts, CreatedAt: s.CreatedAt.Add(span * time.Duration(n) / 6).UTC(),
		})
	}
	ask := s.PreviewOrEmpty()
	if ask == "" {
		ask = "Hello"
	}
	add(apiclient.RoleUser, apiclient.ContentPart{Type: apiclient.PartText, Text: ask})
	if s.Status == apiclient.StatusStarted {
		return msgs
	}
	answer := s.OutputPreviewOrEmpty()
	if answer != "" && running(s.Status) { // the answer is from an earlier turn
		add(apiclient.RoleAgent, apiclient.ContentPart{Type: apiclient.PartText, Text: answer})
		add(apiclient.RoleUser, apiclient.ContentPart{Type: apiclient.PartText, Text: "Thanks. Can you double-check that?"})
	}
	tool := toolFor(s)
	callID := fmt.Sprintf("call_%016x", base)
	args, _ := json.Marshal(map[string]any{"query": firstWords(ask, 8), "limit": 5})
	add(apiclient.RoleAgent,
		apiclient.ContentPart{Type: apiclient.PartText, Text: "Let me look that up."},
		apiclient.ContentPart{Type: apiclient.PartToolCall, ID: callID, Name: tool, Arguments: args})
	result, _ := json.Marshal(map[string]any{"ok": true, "items": []string{"record-1", "record-2"}, "took_ms": 40 + base%400})
	add(apiclient.RoleToolResult, apiclient.ContentPart{Type: apiclient.PartToolResult, ToolCallID: callID, Result: result})
	if answer != "" && !running(s.Status) {
		add(apiclient.RoleAgent, apiclient.ContentPart{Type: apiclient.PartText, Text: answer})
	}
	return msgs
}

func toolFor(s apiclient.Session) string {
	for _, t := range topics {
		if s.Preview != nil && samePrefix(*s.Preview, t.ask) {
			return t.tool
		}
	}
	return "search.query"
}

// samePrefix compares the text before the first verb in the template.
func samePrefix(text, tmpl string) bool {
	i := 0
	for i < len(tmpl) && i < len(text) && tmpl[i] != '%' && tmpl[i] == text[i] {
		i++
	}
	return i > 10 && i < len(tmpl) && tmpl[i] == '%'
}

func firstWords(s string, n int) string {
	words, start := 0, 0
	for i, r := range s {
		if r == ' ' {
			words++
			if words == n {
				return s[start:i]
			}
		}
	}
	return s
}
