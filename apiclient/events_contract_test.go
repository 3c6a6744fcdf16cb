package apiclient_test

// Contract tests of the events endpoints: every request the client sends to
// GET /events and GET /sse, every /events response, and every event the
// stream delivers are validated against the August 2026 document.
//
// The document's EventData is a oneOf of ~50 payload schemas with no
// discriminator, whose branches overlap ({"turn_id": …} matches both
// SessionIdledData and TurnCancelledData), so no real event validates against
// it. Its description says "the schema depends on the event type field", so
// the tests check the envelope with data unconstrained, then data against the
// schema its type names (contract.Checker.Event).
// TestContractEventDataOneOfIsAmbiguous records the defect, and fails once
// the document fixes it.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// evTypes are the event types the demo server emits: the simulation must
// produce each, or its payload schema goes unchecked.
var evTypes = []string{
	"turn.started", "turn.completed", "turn.failed", "turn.cancelled",
	"output.message.started", "output.message.delta", "output.message.completed",
	"tool.started", "tool.completed",
	"session.started", "session.activated", "session.idled", "session.title_updated",
}

func TestContractEvents(t *testing.T) {
	v := newValidator(t)
	srv := apitest.New(apitest.Options{Sessions: 40, Seed: 11, APIKey: sseKey, Now: func() time.Time { return contractNow }})
	at := contractNow
	for i := 0; i < 60; i++ { // simulated turns: every kind of event the server emits
		srv.Tick(at.Add(time.Duration(i) * time.Second))
	}
	ts := httptest.NewServer(v.Wrap(srv.Handler()))
	t.Cleanup(ts.Close)
	t.Cleanup(srv.CloseStreams)
	c := sseClient(ts.URL + "/api")
	ctx := context.Background()

	busiest, most := "", 0
	types := map[string]bool{}
	for _, x := range srv.All() {
		evs := srv.Events(x.ID)
		for _, e := range evs {
			types[e.Type] = true
		}
		if len(evs) > most {
			busiest, most = x.ID, len(evs)
		}
	}
	if _, err := c.UpdateSession(ctx, busiest, apiclient.UpdateSessionRequest{}.SetTitle("Renamed for the contract")); err != nil {
		t.Fatal(err)
	}
	types["session.title_updated"] = true
	for _, typ := range evTypes {
		if !types[typ] && typ != "turn.cancelled" {
			t.Errorf("the simulation emitted no %s: it goes unchecked", typ)
		}
	}

	all, err := c.ListEvents(ctx, busiest, apiclient.EventsOptions{})
	if err != nil || len(all) < 10 {
		t.Fatalf("list: %d events, %v", len(all), err)
	}
	mid := *all[len(all)/2].Sequence
	for _, o := range []apiclient.EventsOptions{
		{Limit: 5}, {Limit: apiclient.MaxEventsLimit}, {AfterSequence: &mid}, {BeforeSequence: &mid, Limit: 3},
		{SinceID: all[3].ID}, {Types: []string{"turn.started", "session.idled"}},
		{Exclude: []string{"output.message.delta", "tool.started"}},
	} {
		if _, err := c.ListEvents(ctx, busiest, o); err != nil {
			t.Errorf("list %+v: %v", o, err)
		}
	}
	if _, err := c.ListEvents(ctx, busiest, apiclient.EventsOptions{Types: []string{"bogus.type"}}); err == nil {
		t.Error("an unknown type was accepted")
	}
	if _, err := c.ListEvents(ctx, "session_"+strings.Repeat("0", 32), apiclient.EventsOptions{}); err == nil {
		t.Error("an unknown session was found")
	}

	// The stream: resume inside the log, follow a cycle, check every event.
	srv.SetSSE(apitest.SSEOptions{CycleAfterEvents: 4, CycleRetry: time.Millisecond})
	s := sseStart(t, c, busiest, apiclient.StreamOptions{SinceID: all[len(all)-10].ID, Exclude: []string{"reason.thinking.delta"}})
	got := 0
	for got < 9 {
		if ev, ok := sseNext(t, s).(apiclient.Event); ok {
			if _, _, problems := v.Event(ev.Raw); len(problems) != 0 {
				t.Errorf("stream event %s: %q", ev.Type, problems)
			}
			got++
		}
	}
	reportContract(t, v, 13)
	routes := v.Routes()
	for _, op := range []string{"GET /v1/sessions/{session_id}/events", "GET /v1/sessions/{session_id}/sse"} {
		if routes[op] == 0 {
			t.Errorf("%s: no exchange validated", op)
		}
	}
}

func TestContractEventsNegativeControls(t *testing.T) {
	v := newValidator(t)
	srv := apitest.New(apitest.Options{Sessions: 2, Seed: 11})
	ts := httptest.NewServer(v.Wrap(srv.Handler()))
	t.Cleanup(ts.Close)
	id := srv.All()[0].ID
	for _, q := range []string{"limit=1001", "since_id=event_XYZ", "before_sequence=abc"} {
		resp, err := http.Get(ts.URL + "/api/v1/sessions/" + id + "/events?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if len(v.Failures()) == 0 {
			t.Errorf("%s: the validator let it through", q)
		}
	}
	good := `{"id":"event_0123456789abcdef0123456789abcdef","type":"turn.failed","ts":"2026-08-01T00:00:00.000Z","session_id":"session_1","context":{},"data":{"turn_id":"t","error":"boom"}}`
	if _, _, problems := v.Event([]byte(good)); len(problems) != 0 {
		t.Fatalf("a valid event fails: %q", problems)
	}
	for name, bad := range map[string]string{
		"data lacks a required field":  strings.Replace(good, `,"error":"boom"`, "", 1),
		"data field of the wrong type": strings.Replace(good, `"error":"boom"`, `"error":7`, 1),
		"envelope lacks session_id":    strings.Replace(good, `"session_id":"session_1",`, "", 1),
		"type without schema":          strings.Replace(good, `"turn.failed"`, `"made.up"`, 1),
	} {
		if _, _, problems := v.Event([]byte(bad)); len(problems) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The document's EventData rejects valid events because its branches
// overlap. When this fails, the document was fixed: validate data against
// EventData directly and drop the per-type workaround.
func TestContractEventDataOneOfIsAmbiguous(t *testing.T) {
	doc := loadSpec(t) // as written: contract.Load relaxes EventData
	var data any
	_ = json.Unmarshal([]byte(`{"turn_id":"turn_1"}`), &data) // a session.idled payload
	if len(doc.Components.Schemas["EventData"].Value.OneOf) == 0 {
		t.Fatal("EventData has no oneOf")
	}
	if err := doc.Components.Schemas["EventData"].Value.VisitJSON(data, openapi3.EnableJSONSchema2020()); err == nil {
		t.Fatal("EventData now accepts a session.idled payload: the oneOf workaround can go")
	}
	if err := doc.Components.Schemas["SessionIdledData"].Value.VisitJSON(data, openapi3.EnableJSONSchema2020()); err != nil {
		t.Fatalf("SessionIdledData rejects its own payload: %v", err)
	}
}
