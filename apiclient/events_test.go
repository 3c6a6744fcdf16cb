package apiclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

func int64p(v int64) *int64 { return &v }

func TestListEventsFilters(t *testing.T) {
	srv, id := sseServer(t, apitest.SSEOptions{})
	var all []apiclient.Event
	for _, typ := range []string{"turn.started", "output.message.delta", "output.message.delta", "tool.started", "tool.completed", "session.idled"} {
		ev, err := srv.AppendEvent(id, typ, map[string]any{"turn_id": "turn_1"})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ev)
	}
	c := sseClient(srv.URL())
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts apiclient.EventsOptions
		want []apiclient.Event
	}{
		{"all", apiclient.EventsOptions{}, all},
		{"last two", apiclient.EventsOptions{Limit: 2}, all[4:]},
		{"after sequence 2", apiclient.EventsOptions{AfterSequence: int64p(2)}, all[2:]},
		{"before sequence 3", apiclient.EventsOptions{BeforeSequence: int64p(3)}, all[:2]},
		{"since id", apiclient.EventsOptions{SinceID: all[3].ID}, all[4:]},
		{"types", apiclient.EventsOptions{Types: []string{"tool.started", "tool.completed"}}, all[3:5]},
		{"exclude", apiclient.EventsOptions{Exclude: []string{"output.message.delta"}}, []apiclient.Event{all[0], all[3], all[4], all[5]}},
		{"types then exclude", apiclient.EventsOptions{Types: []string{"tool.started", "session.idled"}, Exclude: []string{"session.idled"}}, all[3:4]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.ListEvents(ctx, id, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			sseSame(t, "ids", sseIDs(got), sseIDs(tc.want))
			for i := range got {
				if got[i].Sequence == nil || *got[i].Sequence != *tc.want[i].Sequence || got[i].Type != tc.want[i].Type {
					t.Fatalf("event %d: %+v", i, got[i])
				}
			}
		})
	}
	if evs, err := c.ListEvents(ctx, srv.All()[1].ID, apiclient.EventsOptions{}); err != nil || evs == nil || len(evs) != 0 {
		t.Fatalf("a session without events: %v, %v", evs, err)
	}
}

func TestListEventsErrors(t *testing.T) {
	srv, id := sseServer(t, apitest.SSEOptions{})
	c := sseClient(srv.URL())
	ctx := context.Background()
	before := srv.RequestCount()
	if _, err := c.ListEvents(ctx, id, apiclient.EventsOptions{Limit: 1001}); !errors.Is(err, apiclient.ErrInvalidConfig) {
		t.Fatalf("limit 1001: %v", err)
	}
	if srv.RequestCount() != before {
		t.Fatal("an invalid limit was sent")
	}
	var apiErr *apiclient.APIError
	if _, err := c.ListEvents(ctx, id, apiclient.EventsOptions{Types: []string{"no.such.type"}}); !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		t.Fatalf("unknown type: %v", err)
	}
	if _, err := c.ListEvents(ctx, "session_"+"00000000000000000000000000000000", apiclient.EventsOptions{}); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Fatalf("unknown session: %v", err)
	}
}

func decodeEvent(t *testing.T, s string) apiclient.Event {
	t.Helper()
	var ev apiclient.Event
	if err := json.Unmarshal([]byte(s), &ev); err != nil {
		t.Fatal(err)
	}
	if string(ev.Raw) != s {
		t.Fatalf("Raw %q", ev.Raw)
	}
	return ev
}

func TestEventAccessors(t *testing.T) {
	ev := func(typ, data string) apiclient.Event {
		return decodeEvent(t, `{"id":"event_1","type":"`+typ+`","ts":"2026-08-01T10:00:00.123Z","session_id":"s","context":{"turn_id":"turn_1"},"data":`+data+`,"extra":true}`)
	}
	check := func(name string, got string, ok bool, want string, wantOK bool) {
		t.Helper()
		if got != want || ok != wantOK {
			t.Errorf("%s = %q, %v; want %q, %v", name, got, ok, want, wantOK)
		}
	}
	d := ev("output.message.delta", `{"turn_id":"t","message_id":"m","delta":"Hel","accumulated":"Hel"}`)
	s, ok := d.MessageDelta()
	check("MessageDelta", s, ok, "Hel", true)
	s, ok = d.MessageText()
	check("MessageText of a delta", s, ok, "", false)

	m := ev("output.message.completed", `{"message":{"id":"m","role":"agent","created_at":"x","content":[{"type":"text","text":"one"},{"type":"image","url":"u"},{"type":"text","text":"two"}]}}`)
	s, ok = m.MessageText()
	check("MessageText", s, ok, "one\ntwo", true)

	ts := ev("tool.started", `{"tool_call":{"id":"c","name":"run_sql","arguments":{}}}`)
	s, ok = ts.ToolName()
	check("ToolName started", s, ok, "run_sql", true)
	tc := ev("tool.completed", `{"tool_call_id":"c","tool_name":"run_sql","display_name":"Run SQL","success":false,"status":"timeout","error":"30s"}`)
	s, ok = tc.ToolName()
	check("ToolName completed", s, ok, "Run SQL", true)
	s, ok = tc.ToolFailed()
	check("ToolFailed", s, ok, "30s", true)
	s, ok = ev("tool.completed", `{"tool_call_id":"c","tool_name":"x","success":true,"status":"success"}`).ToolFailed()
	check("ToolFailed on success", s, ok, "", false)

	s, ok = ev("turn.failed", `{"turn_id":"t","error":"overloaded"}`).TurnError()
	check("TurnError", s, ok, "overloaded", true)
	s, ok = ev("turn.completed", `{"turn_id":"t","error":"no"}`).TurnError()
	check("TurnError of another type", s, ok, "", false)

	for _, typ := range []string{"session.title_updated", "session.title.updated"} {
		s, ok = ev(typ, `{"title":"New","previous_title":null}`).Title()
		check("Title "+typ, s, ok, "New", true)
	}
	s, ok = ev("session.title_updated", `{"title":null}`).Title()
	check("Title null", s, ok, "", false)

	if !ev("session.idled", `{"turn_id":"t"}`).IsIdled() || ev("turn.completed", `{}`).IsIdled() {
		t.Error("IsIdled")
	}
	for typ, want := range map[string]apiclient.Status{"session.activated": apiclient.StatusActive, "turn.started": apiclient.StatusActive, "session.idled": apiclient.StatusIdle, "tool.started": ""} {
		st, ok := ev(typ, `{}`).StatusChange()
		if st != want || ok != (want != "") {
			t.Errorf("StatusChange(%s) = %q, %v", typ, st, ok)
		}
	}
	// A payload of the wrong shape gives not-ok, never a panic.
	s, ok = ev("output.message.delta", `"text"`).MessageDelta()
	check("MessageDelta of a string", s, ok, "", false)
	s, ok = ev("output.message.completed", `{"message":{"content":"oops"}}`).MessageText()
	check("MessageText of a bad content", s, ok, "", false)

	when, ok := d.Time()
	if !ok || when.Nanosecond() != 123000000 {
		t.Errorf("Time = %v, %v", when, ok)
	}
	if d.Context.TurnID == nil || *d.Context.TurnID != "turn_1" {
		t.Errorf("context %+v", d.Context)
	}
}
