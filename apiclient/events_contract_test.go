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
// schema its type names (evDataSchemas). TestContractEventDataOneOfIsAmbiguous
// records the defect, and fails once the document fixes it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// evDataSchemas maps the event types the demo server emits to their payload schemas.
var evDataSchemas = map[string]string{
	"turn.started":             "TurnStartedData",
	"turn.completed":           "TurnCompletedData",
	"turn.failed":              "TurnFailedData",
	"turn.cancelled":           "TurnCancelledData",
	"output.message.started":   "OutputMessageStartedData",
	"output.message.delta":     "OutputMessageDeltaData",
	"output.message.completed": "OutputMessageCompletedData",
	"tool.started":             "ToolStartedData",
	"tool.completed":           "ToolCompletedData",
	"session.started":          "SessionStartedData",
	"session.activated":        "SessionActivatedData",
	"session.idled":            "SessionIdledData",
	"session.title_updated":    "SessionTitleUpdatedData",
}

type evContract struct {
	doc       *openapi3.T
	router    routers.Router
	eventData *openapi3.Schema // the document's EventData before it was relaxed
	event     *openapi3.Schema // Event, with data unconstrained

	mu       sync.Mutex
	failures []string
	checked  int
	seen     map[string]bool // event ids checked
	routes   map[string]int  // operations validated
}

func newEvContract(t *testing.T) *evContract {
	t.Helper()
	doc := loadSpec(t)
	ed := doc.Components.Schemas["EventData"].Value
	orig := *ed
	ed.OneOf = nil // see the file comment; every $ref to EventData shares this value
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return &evContract{doc: doc, router: router, eventData: &orig, event: doc.Components.Schemas["Event"].Value}
}

func (v *evContract) fail(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.failures = append(v.failures, fmt.Sprintf(format, args...))
}

// checkEvent validates one event object: envelope, then data by type.
func (v *evContract) checkEvent(raw []byte) error {
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	if err := v.event.VisitJSON(doc, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("envelope: %w", err)
	}
	var e struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}
	_ = json.Unmarshal(raw, &e)
	name, ok := evDataSchemas[e.Type]
	if !ok {
		return fmt.Errorf("type %q has no payload schema in evDataSchemas", e.Type)
	}
	if err := v.doc.Components.Schemas[name].Value.VisitJSON(e.Data, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("%s data as %s: %w", e.Type, name, err)
	}
	return nil
}

// Wrap validates each request; /events responses are buffered and validated
// (with each event), /sse responses pass through as they stream.
func (v *evContract) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/events") && !strings.HasSuffix(r.URL.Path, "/sse") {
			next.ServeHTTP(w, r) // the session endpoints have their own contract test
			return
		}
		ctx := r.Context()
		what := r.Method + " " + r.URL.RequestURI()
		vreq := r.Clone(ctx)
		u, _ := url.Parse(specServer + r.URL.RequestURI())
		vreq.URL, vreq.Host, vreq.RequestURI, vreq.Body = u, u.Host, "", http.NoBody
		opts := &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}
		route, params, err := v.router.FindRoute(vreq)
		var in *openapi3filter.RequestValidationInput
		if err != nil {
			v.fail("%s: no route in spec: %v", what, err)
		} else {
			in = &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				v.fail("%s: request: %v", what, err)
			}
		}
		v.mu.Lock()
		if route != nil {
			if v.routes == nil {
				v.routes = map[string]int{}
			}
			v.routes[route.Method+" "+route.Path]++
		}
		v.checked++
		v.mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/sse") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		res := rec.Result()
		body := rec.Body.Bytes()
		defer func() { // after the checks, as in validator.Wrap
			for k, vals := range res.Header {
				w.Header()[k] = vals
			}
			w.WriteHeader(res.StatusCode)
			_, _ = w.Write(body)
		}()
		if in == nil {
			return
		}
		if err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
			Body: io.NopCloser(bytes.NewReader(body)), Options: opts,
		}); err != nil {
			v.fail("%s: response %d: %v", what, res.StatusCode, err)
		}
		if res.StatusCode == http.StatusOK && strings.HasSuffix(r.URL.Path, "/events") {
			var list struct{ Data []json.RawMessage }
			if err := json.Unmarshal(body, &list); err != nil {
				v.fail("%s: %v", what, err)
			}
			for _, e := range list.Data {
				if !v.firstSight(e) {
					continue // the same event in an overlapping list: checked once (VisitJSON is slow)
				}
				if err := v.checkEvent(e); err != nil {
					v.fail("%s: event: %v", what, err)
				}
			}
		}
	})
}

// firstSight reports whether the event (by id) was not checked before.
func (v *evContract) firstSight(raw []byte) bool {
	var e struct{ ID string }
	_ = json.Unmarshal(raw, &e)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = map[string]bool{}
	}
	if e.ID == "" || !v.seen[e.ID] {
		v.seen[e.ID] = true
		return true
	}
	return false
}

func (v *evContract) report(t *testing.T, minChecked int) {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, f := range v.failures {
		t.Error(f)
	}
	if v.checked < minChecked {
		t.Errorf("only %d exchanges checked, want at least %d", v.checked, minChecked)
	}
}

func TestContractEvents(t *testing.T) {
	v := newEvContract(t)
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
	for typ := range evDataSchemas {
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
			if err := v.checkEvent(ev.Raw); err != nil {
				t.Errorf("stream event %s: %v", ev.Type, err)
			}
			got++
		}
	}
	v.report(t, 13)
	v.mu.Lock()
	routes := maps.Clone(v.routes)
	v.mu.Unlock()
	for _, op := range []string{"GET /v1/sessions/{session_id}/events", "GET /v1/sessions/{session_id}/sse"} {
		if routes[op] == 0 {
			t.Errorf("%s: no exchange validated", op)
		}
	}
}

func TestContractEventsNegativeControls(t *testing.T) {
	v := newEvContract(t)
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
		v.mu.Lock()
		n := len(v.failures)
		v.failures = nil
		v.mu.Unlock()
		if n == 0 {
			t.Errorf("%s: the validator let it through", q)
		}
	}
	good := `{"id":"event_0123456789abcdef0123456789abcdef","type":"turn.failed","ts":"2026-08-01T00:00:00.000Z","session_id":"session_1","context":{},"data":{"turn_id":"t","error":"boom"}}`
	if err := v.checkEvent([]byte(good)); err != nil {
		t.Fatalf("a valid event fails: %v", err)
	}
	for name, bad := range map[string]string{
		"data lacks a required field":  strings.Replace(good, `,"error":"boom"`, "", 1),
		"data field of the wrong type": strings.Replace(good, `"error":"boom"`, `"error":7`, 1),
		"envelope lacks session_id":    strings.Replace(good, `"session_id":"session_1",`, "", 1),
		"type without schema":          strings.Replace(good, `"turn.failed"`, `"made.up"`, 1),
	} {
		if err := v.checkEvent([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The document's EventData rejects valid events because its branches
// overlap. When this fails, the document was fixed: validate data against
// EventData directly and drop the per-type workaround.
func TestContractEventDataOneOfIsAmbiguous(t *testing.T) {
	v := newEvContract(t)
	var data any
	_ = json.Unmarshal([]byte(`{"turn_id":"turn_1"}`), &data) // a session.idled payload
	if err := v.eventData.VisitJSON(data, openapi3.EnableJSONSchema2020()); err == nil {
		t.Fatal("EventData now accepts a session.idled payload: the oneOf workaround can go")
	}
	if err := v.doc.Components.Schemas["SessionIdledData"].Value.VisitJSON(data, openapi3.EnableJSONSchema2020()); err != nil {
		t.Fatalf("SessionIdledData rejects its own payload: %v", err)
	}
}
