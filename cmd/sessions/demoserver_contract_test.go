package main

// Issue 9, build item 4: "demo-server passes a kin-openapi check of every
// endpoint". The demo-server command itself (simulated activity on, several
// organisations, a PAT key, hostile text; and once with more sessions than
// it stores, generated on demand) runs behind a validating proxy;
// the client and the CLI drive every operation of the document through it,
// and every request, every answer (errors included) and every streamed
// event is checked against apiclient/testdata/everruns-sessions-openapi.json.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
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

const (
	contractSpecPath   = "../../apiclient/testdata/everruns-sessions-openapi.json"
	contractSpecServer = "https://app.everruns.com"
)

// contractProxy forwards to target and validates each exchange.
type contractProxy struct {
	target    string // scheme://host of the demo server
	doc       *openapi3.T
	router    routers.Router
	errSch    *openapi3.Schema
	eventSch  *openapi3.Schema // Event, with EventData's ambiguous oneOf relaxed
	transport *http.Transport

	mu       sync.Mutex
	failures []string
	routes   map[string]int
	events   map[string]bool // event ids checked
	types    map[string]bool // event types checked
}

func newContractProxy(t *testing.T, target string) *contractProxy {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(contractSpecPath)
	if err != nil {
		t.Fatal(err)
	}
	// As in apiclient's contract tests: the cut document names security
	// schemes it does not define, its examples do not all match their
	// patterns, and its EventData is a oneOf whose branches overlap (each
	// event's data is checked against the schema its type names instead).
	doc.Components.SecuritySchemes = openapi3.SecuritySchemes{
		"bearerAuth": &openapi3.SecuritySchemeRef{Value: openapi3.NewJWTSecurityScheme()},
		"cookieAuth": &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{Type: "apiKey", In: "cookie", Name: "session"}},
	}
	if err := doc.Validate(loader.Context, openapi3.DisableExamplesValidation()); err != nil {
		t.Fatal(err)
	}
	doc.Components.Schemas["EventData"].Value.OneOf = nil
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		t.Fatal(err)
	}
	p := &contractProxy{target: target, doc: doc, router: router,
		errSch: doc.Components.Schemas["ErrorResponse"].Value, eventSch: doc.Components.Schemas["Event"].Value,
		transport: &http.Transport{}, routes: map[string]int{}, events: map[string]bool{}, types: map[string]bool{}}
	t.Cleanup(p.transport.CloseIdleConnections)
	return p
}

func (p *contractProxy) fail(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failures = append(p.failures, fmt.Sprintf(format, args...))
}

func (p *contractProxy) takeFailures() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.failures
	p.failures = nil
	return f
}

// eventDataSchema names the payload schema of an event type:
// session.title_updated is SessionTitleUpdatedData.
func eventDataSchema(typ string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(typ, func(r rune) bool { return r == '.' || r == '_' }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String() + "Data"
}

// checkEvent validates a stored event: the envelope, then data by type.
func (p *contractProxy) checkEvent(what string, raw []byte) {
	var doc any
	var e struct {
		ID, Type string
		Data     any
	}
	if err := json.Unmarshal(raw, &doc); err != nil || json.Unmarshal(raw, &e) != nil {
		p.fail("%s: event %.200q is not JSON", what, raw)
		return
	}
	p.mu.Lock()
	seen := p.events[e.ID]
	p.events[e.ID], p.types[e.Type] = true, true
	p.mu.Unlock()
	if seen && e.ID != "" {
		return // VisitJSON is slow; an event is the same every time
	}
	if err := p.eventSch.VisitJSON(doc, openapi3.EnableJSONSchema2020()); err != nil {
		p.fail("%s: event envelope: %v", what, err)
	}
	sch := p.doc.Components.Schemas[eventDataSchema(e.Type)]
	if sch == nil {
		p.fail("%s: event type %q has no payload schema %s in the document", what, e.Type, eventDataSchema(e.Type))
		return
	}
	if err := sch.Value.VisitJSON(e.Data, openapi3.EnableJSONSchema2020()); err != nil {
		p.fail("%s: %s data: %v", what, e.Type, err)
	}
}

func (p *contractProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	what := r.Method + " " + r.URL.RequestURI()
	body, _ := io.ReadAll(r.Body)

	vreq := r.Clone(ctx)
	u, _ := url.Parse(contractSpecServer + r.URL.RequestURI())
	vreq.URL, vreq.Host, vreq.RequestURI, vreq.Body = u, u.Host, "", io.NopCloser(bytes.NewReader(body))
	opts := &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			if tok, ok := strings.CutPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer "); !ok || tok == "" {
				return errors.New("no Bearer token")
			}
			return nil
		}}
	var in *openapi3filter.RequestValidationInput
	if route, params, err := p.router.FindRoute(vreq); err != nil {
		p.fail("%s: no route in the document: %v", what, err)
	} else {
		p.mu.Lock()
		p.routes[route.Method+" "+route.Path]++
		p.mu.Unlock()
		in = &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			p.fail("%s: request: %v", what, err)
		}
	}

	out, err := http.NewRequestWithContext(ctx, r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		p.fail("%s: %v", what, err)
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		if ctx.Err() == nil {
			p.fail("%s: demo-server: %v", what, err)
		}
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	maps.Copy(w.Header(), resp.Header)
	if resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		w.Header().Del("Content-Length") // the relay may change line endings
		w.WriteHeader(resp.StatusCode)
		p.relayStream(ctx, what, w, resp.Body)
		return
	}
	resBody, _ := io.ReadAll(resp.Body)
	// Checked before it is relayed, so that the caller, once answered, sees
	// the failures of its exchange.
	defer func() {
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(resBody)
	}()
	if in != nil {
		hdr := resp.Header
		if resp.StatusCode >= 400 && hdr.Get("Content-Type") == "application/problem+json" {
			hdr = hdr.Clone() // the document says application/json for ErrorResponse
			hdr.Set("Content-Type", "application/json")
		}
		err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: resp.StatusCode, Header: hdr,
			Body: io.NopCloser(bytes.NewReader(resBody)), Options: opts,
		})
		// Error statuses the document does not list (the README's 400/401/404
		// on every path) are checked for their body below.
		if err != nil && !(resp.StatusCode >= 400 && strings.Contains(err.Error(), "status is not supported")) {
			p.fail("%s: response %d: %v", what, resp.StatusCode, err)
		}
	}
	if resp.StatusCode >= 400 {
		var doc any
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			p.fail("%s: error %d with Content-Type %q", what, resp.StatusCode, ct)
		} else if err := json.Unmarshal(resBody, &doc); err != nil {
			p.fail("%s: error %d body is not JSON", what, resp.StatusCode)
		} else if err := p.errSch.VisitJSON(doc); err != nil {
			p.fail("%s: error %d body is not an ErrorResponse: %v", what, resp.StatusCode, err)
		}
	}
	if resp.StatusCode == http.StatusOK && strings.HasSuffix(r.URL.Path, "/events") {
		var list struct{ Data []json.RawMessage }
		_ = json.Unmarshal(resBody, &list)
		for _, e := range list.Data {
			p.checkEvent(what, e)
		}
	}
}

// relayStream copies an event stream line by line, flushing each, and checks
// each event: connected and disconnecting carry the documented small
// objects, every other event is a stored Event.
func (p *contractProxy) relayStream(ctx context.Context, what string, w http.ResponseWriter, body io.Reader) {
	fl, _ := w.(http.Flusher)
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var event, id string
	var data []string
	for sc.Scan() {
		line := sc.Text()
		if line != "" {
			if _, err := io.WriteString(w, line+"\n"); err != nil {
				return
			}
			name, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch name {
			case "event":
				event = value
			case "id":
				id = value
			case "data":
				data = append(data, value)
			}
			continue
		}
		raw := strings.Join(data, "\n")
		switch {
		case data == nil: // a heartbeat comment, or nothing
		case event == "connected":
			if raw != `{"status":"connected"}` {
				p.fail("%s: connected event data %q", what, raw)
			}
		case event == "disconnecting":
			var d struct {
				Reason  string `json:"reason"`
				RetryMS *int   `json:"retry_ms"`
			}
			if json.Unmarshal([]byte(raw), &d) != nil || d.Reason == "" || d.RetryMS == nil {
				p.fail("%s: disconnecting event data %q", what, raw)
			}
		default:
			var e struct{ ID, Type string }
			_ = json.Unmarshal([]byte(raw), &e)
			if id == "" || e.ID != id || e.Type != event {
				p.fail("%s: SSE id %q / event %q disagree with the payload's id %q / type %q", what, id, event, e.ID, e.Type)
			}
			p.checkEvent(what, []byte(raw))
		}
		event, id, data = "", "", nil
		// The blank line delivers the event: only after it was checked, so
		// that a test reading the failures after the event sees its own.
		if _, err := io.WriteString(w, "\n"); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		p.fail("%s: reading the stream: %v", what, err)
	}
}

// startDemoServerCmd runs the demo-server command until the test ends and
// returns its base URL and everything it printed so far.
func startDemoServerCmd(t *testing.T, args ...string) (base string, out *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	var errb syncBuffer
	done := make(chan int, 1)
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "HOME": t.TempDir()}
	go func() {
		done <- run(ctx, append([]string{"demo-server", "--addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, out, &errb)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("demo-server exit %d: %s", code, errb.String())
			}
		case <-time.After(10 * time.Second):
			t.Error("demo-server did not stop")
		}
	})
	re := regexp.MustCompile(`http://127\.0\.0\.1:\d+/api`)
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); {
		base = re.FindString(out.String())
		time.Sleep(5 * time.Millisecond)
	}
	if base == "" {
		t.Fatalf("no base URL printed: %q %q", out.String(), errb.String())
	}
	return base, out
}

func TestDemoServerPassesContract(t *testing.T) {
	for _, tc := range []struct {
		name           string
		sessions, orgs int
	}{
		{"stored sessions, two organisations", 150, 2},
		// One organisation: a second would hold half as many, stored.
		{"sessions generated on demand", apitest.LazyThreshold + 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) { checkDemoServer(t, tc.sessions, tc.orgs) })
	}
}

func checkDemoServer(t *testing.T, sessions, nOrgs int) {
	key := "evr_pat_" + strings.Repeat("d3", 32)
	lean := sessions > apitest.LazyThreshold
	args := []string{"--key", key, "--orgs", fmt.Sprint(nOrgs), "--hostile", "--sessions", fmt.Sprint(sessions)}
	if lean {
		args = append(args, "--activity=false") // the stored case checks the simulated turns
	}
	base, _ := startDemoServerCmd(t, args...)
	p := newContractProxy(t, strings.TrimSuffix(base, "/api"))
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	proxy := ts.URL + "/api"
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	wantStatus := func(what string, err error, status int) {
		t.Helper()
		var ae *apiclient.APIError
		if !errors.As(err, &ae) || ae.Status != status {
			t.Errorf("%s: %v, want HTTP %d", what, err, status)
		}
	}

	// Organisations: the PAT belongs to two, so the server wants X-Org-Id.
	anon := apiclient.New(apiclient.Config{APIKey: key, BaseURL: proxy, MaxRetries: -1})
	orgs, err := anon.ListOrgs(ctx)
	must("orgs", err)
	if len(orgs) != nOrgs {
		t.Fatalf("orgs: %+v", orgs)
	}
	if nOrgs > 1 {
		_, err = anon.ListSessions(ctx, apiclient.ListOptions{})
		wantStatus("list without X-Org-Id", err, 400)
	}
	c := apiclient.New(apiclient.Config{APIKey: key, BaseURL: proxy, OrgID: orgs[0].ID, MaxRetries: -1})

	// The list with its filters, facets and stats.
	var all []apiclient.Session
	if !lean {
		list, err := c.ListAll(ctx, apiclient.ListOptions{Limit: 100}, 2, nil)
		must("list all", err)
		all = list
	} else {
		for off := 0; off < 300; off += 100 { // a few pages of the generated ones
			page, err := c.ListSessions(ctx, apiclient.ListOptions{Offset: off, Limit: 100})
			must("list", err)
			all = append(all, page.Data...)
			if off == 0 && page.Total < sessions {
				t.Errorf("total %d, want at least %d", page.Total, sessions)
			}
		}
	}
	if len(all) < 100 {
		t.Fatalf("list: %d sessions", len(all))
	}
	// Each count (an agent's session_count, a facet) walks every generated
	// session: with them, the agents and all but one filter are left to the
	// stored case.
	filters := []apiclient.ListOptions{{Status: []apiclient.Activity{apiclient.ActivityFailed, apiclient.ActivityCompleted}}}
	if !lean {
		agents, err := c.ListAgents(ctx, "")
		must("agents", err)
		if len(agents) == 0 {
			t.Fatal("no agents")
		}
		_, err = c.GetAgent(ctx, agents[0].ID)
		must("agent", err)
		_, err = c.GetAgent(ctx, "agent_"+strings.Repeat("0", 32))
		wantStatus("unknown agent", err, 404)
		filters = append(filters,
			apiclient.ListOptions{IncludeArchived: true, Offset: 20, Limit: 7},
			apiclient.ListOptions{Source: apiclient.Sources, Order: apiclient.OrderLastActivity, Mine: true},
			apiclient.ListOptions{AgentID: agents[0].ID, Search: "a", CreatedAfter: time.Now().Add(-30 * 24 * time.Hour), CreatedBefore: time.Now()},
			apiclient.ListOptions{ArchivedOnly: true})
	}
	for _, o := range filters {
		_, err := c.ListSessions(ctx, o)
		must(fmt.Sprintf("list %+v", o), err)
		_, err = c.Facets(ctx, o)
		must(fmt.Sprintf("facets %+v", o), err)
	}
	_, err = c.ListSessions(ctx, apiclient.ListOptions{Status: []apiclient.Activity{"exploded"}})
	wantStatus("unknown status", err, 400)
	_, err = c.Stats(ctx)
	must("stats", err)

	// Per session: get, transcript, export, resolve, events.
	var active, idle string
	for i := range all {
		switch {
		case all[i].Status == apiclient.StatusActive && active == "":
			active = all[i].ID
		case all[i].Status == apiclient.StatusIdle && idle == "":
			idle = all[i].ID
		}
	}
	if active == "" || idle == "" {
		t.Fatalf("no active (%q) or idle (%q) session in the demo data", active, idle)
	}
	step := 5
	if lean {
		step = 50
	}
	for i := 0; i < len(all); i += step { // every content kind and status, hostile text included
		_, err := c.GetSession(ctx, all[i].ID)
		must("get", err)
		_, err = c.ListMessages(ctx, all[i].ID)
		must("messages", err)
		_, err = c.ListEvents(ctx, all[i].ID, apiclient.EventsOptions{})
		must("events", err)
	}
	for _, f := range []apiclient.ExportFormat{apiclient.ExportJSONL, apiclient.ExportATIF} {
		_, err := c.Export(ctx, idle, f, io.Discard)
		must("export "+string(f), err)
	}
	ro, err := anon.ResolveOrg(ctx, idle)
	must("resolve-org", err)
	if ro.OrgID != orgs[0].ID {
		t.Errorf("resolve-org: %+v", ro)
	}
	_, err = c.GetSession(ctx, "session_"+strings.Repeat("0", 32))
	wantStatus("unknown session", err, 404)
	_, err = c.GetSession(ctx, "session_NOT_HEX")
	wantStatus("malformed id", err, 400)

	// The stream: connected, then the event a rename records.
	st := c.Stream(ctx, idle, apiclient.StreamOptions{})
	defer st.Close()
	waitItem := func(match func(apiclient.StreamItem) bool) {
		t.Helper()
		timeout := time.After(20 * time.Second) // turns a hang into a failure
		for {
			select {
			case it, ok := <-st.Items():
				if !ok {
					t.Fatalf("stream ended: %v", st.Err())
				}
				if match(it) {
					return
				}
			case <-timeout:
				t.Fatal("stream: nothing within 20s")
			}
		}
	}
	waitItem(func(it apiclient.StreamItem) bool { _, ok := it.(apiclient.StreamConnected); return ok })
	_, err = c.UpdateSession(ctx, idle, apiclient.UpdateSessionRequest{}.SetTitle("Audited").SetTags([]string{"audit"}).SetGoal("g").SetLocale("fr-FR"))
	must("patch", err)
	waitItem(func(it apiclient.StreamItem) bool {
		ev, ok := it.(apiclient.Event)
		return ok && ev.Type == "session.title_updated"
	})
	_ = st.Close()
	_, err = c.ListEvents(ctx, idle, apiclient.EventsOptions{Limit: 5, Types: []string{"session.title_updated"}})
	must("events filtered", err)
	// A cancel records turn.cancelled and session.idled (the simulated
	// turns add more when the ticker happens to run; TestContractEvents
	// checks every kind the simulation emits).
	cancelled := ""
	for i := range all { // the ticker may end a turn first: the next active one then
		if all[i].Status != apiclient.StatusActive {
			continue
		}
		cr, err := c.Cancel(ctx, all[i].ID)
		must("cancel", err)
		if cr.Cancelled() {
			cancelled = all[i].ID
			break
		}
	}
	if cancelled == "" {
		t.Fatal("no turn was cancelled")
	}
	_, err = c.ListEvents(ctx, cancelled, apiclient.EventsOptions{Exclude: []string{"output.message.delta"}})
	must("events after cancel", err)

	// The actions, through the CLI as a user runs them.
	env := map[string]string{apiclient.EnvAPIKey: key, apiclient.EnvAPIURL: proxy, apiclient.EnvOrgID: orgs[0].ID}
	cli := [][]string{
		{"pin", idle}, {"unpin", idle}, {"archive", idle}, {"unarchive", idle},
		{"cancel", active, idle},
		{"list", "--csv", "--archived"},
		{"export", idle, "--format", "atif"},
		{"delete", "--yes", all[len(all)-1].ID},
	}
	if !lean {
		// "waiting" is a status, finer than the activity the server filters
		// by: the CLI pages every running session to find them.
		cli = append(cli, []string{"list", "--json", "--status", "failed,waiting", "--source", "slack,api", "--since", "30d", "--mine", "--limit", "5"},
			[]string{"agents", "--json"})
	}
	for _, args := range cli {
		r := runCLI(t, env, args...)
		wantCode(t, r, 0)
		if strings.Contains(r.stdout+r.stderr, key) {
			t.Fatalf("%v: the key was printed", args)
		}
	}
	wantCode(t, runCLI(t, env, "pin", "session_"+strings.Repeat("0", 32)), 1)

	for _, f := range p.takeFailures() {
		t.Errorf("contract: %s", f)
	}
	var ops []string
	for path, item := range p.doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(ops) != 19 {
		t.Errorf("%d operations in the document: %v", len(ops), ops)
	}
	for _, op := range ops {
		if lean && strings.HasPrefix(op, "GET /v1/agents") {
			continue
		}
		if p.routes[op] == 0 {
			t.Errorf("%s: not exercised against demo-server", op)
		}
	}
	if !p.types["session.title_updated"] || !p.types["turn.cancelled"] || !p.types["session.idled"] {
		t.Errorf("only %d events (%v) checked", len(p.events), p.types)
	}
}

// The proxy is not a no-op: it catches a broken answer, a broken error and a
// broken streamed event.
func TestDemoContractProxyNegativeControls(t *testing.T) {
	session := `{"id":"session_1","organization_id":"org_1","harness_id":"h","owner_principal_id":"p","status":"idle",` +
		`"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","self_url":"u","view_url":"u","ui_link":"u"}` // no workspace_id
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/sse"):
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "event: connected\ndata: {\"status\":\"connected\"}\n\n"+
				"event: turn.failed\nid: event_1\ndata: {\"id\":\"event_1\",\"type\":\"turn.failed\",\"ts\":\"2026-01-01T00:00:00Z\","+
				"\"session_id\":\"session_1\",\"context\":{},\"data\":{\"turn_id\":\"t\"}}\n\n")
		case strings.HasSuffix(r.URL.Path, "/pin"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"not found"}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, session)
		}
	}))
	t.Cleanup(bad.Close)
	p := newContractProxy(t, bad.URL)
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	id := "session_" + strings.Repeat("1", 32)
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/api/v1/sessions/" + id, "missing property 'workspace_id'"},
		{"PUT", "/api/v1/sessions/" + id + "/pin", `error 404 with Content-Type "application/json"`},
		{"GET", "/api/v1/sessions/" + id + "/sse", "turn.failed data"},
		{"GET", "/api/v1/sessions?limit=500", `parameter "limit" in query has an error`},
	} {
		req, _ := http.NewRequest(c.method, ts.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if f := strings.Join(p.takeFailures(), "\n"); !strings.Contains(f, c.want) {
			t.Errorf("%s %s: the proxy missed it (want %q): %q", c.method, c.path, c.want, f)
		}
	}
	if eventDataSchema("session.title_updated") != "SessionTitleUpdatedData" || eventDataSchema("output.message.delta") != "OutputMessageDeltaData" {
		t.Error("eventDataSchema")
	}
}
