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
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/apiclient/apitest/contract"
)

const contractSpecPath = "../../apiclient/testdata/everruns-sessions-openapi.json"

// contractProxy forwards to target and checks each exchange with a
// contract.Checker; event streams are relayed line by line, each event
// checked before it is delivered.
type contractProxy struct {
	*contract.Checker
	target    string // scheme://host of the demo server
	transport *http.Transport

	mu       sync.Mutex
	failures []string
	routes   map[string]int
}

func newContractProxy(t *testing.T, target string) *contractProxy {
	t.Helper()
	c, err := contract.Load(contractSpecPath)
	if err != nil {
		t.Fatal(err)
	}
	p := &contractProxy{Checker: c, target: target, transport: &http.Transport{}, routes: map[string]int{}}
	t.Cleanup(p.transport.CloseIdleConnections)
	return p
}

func (p *contractProxy) fail(problems ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failures = append(p.failures, problems...)
}

func (p *contractProxy) takeFailures() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.failures
	p.failures = nil
	return f
}

func (p *contractProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, _ := io.ReadAll(r.Body)
	x, problems := p.Request(ctx, r, body)
	p.fail(problems...)
	if x.Op != "" {
		p.mu.Lock()
		p.routes[x.Op]++
		p.mu.Unlock()
	}

	out, err := http.NewRequestWithContext(ctx, r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		p.fail(fmt.Sprintf("%s: %v", x.What, err))
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		if ctx.Err() == nil {
			p.fail(fmt.Sprintf("%s: demo-server: %v", x.What, err))
		}
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	maps.Copy(w.Header(), resp.Header)
	if resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		w.Header().Del("Content-Length") // the relay may change line endings
		w.WriteHeader(resp.StatusCode)
		p.relayStream(ctx, x.What, w, resp.Body)
		return
	}
	resBody, _ := io.ReadAll(resp.Body)
	// Checked before it is relayed, so that the caller, once answered, sees
	// the failures of its exchange.
	p.fail(p.Response(ctx, x, resp.StatusCode, resp.Header, resBody)...)
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(resBody)
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
				p.fail(fmt.Sprintf("%s: connected event data %q", what, raw))
			}
		case event == "disconnecting":
			var d struct {
				Reason  string `json:"reason"`
				RetryMS *int   `json:"retry_ms"`
			}
			if json.Unmarshal([]byte(raw), &d) != nil || d.Reason == "" || d.RetryMS == nil {
				p.fail(fmt.Sprintf("%s: disconnecting event data %q", what, raw))
			}
		default:
			eid, typ, problems := p.Event([]byte(raw))
			if id == "" || eid != id || typ != event {
				p.fail(fmt.Sprintf("%s: SSE id %q / event %q disagree with the payload's id %q / type %q", what, id, event, eid, typ))
			}
			for _, pr := range problems {
				p.fail(fmt.Sprintf("%s: event: %s", what, pr))
			}
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
		p.fail(fmt.Sprintf("%s: reading the stream: %v", what, err))
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
	ops := p.Operations()
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
	if types := p.EventTypes(); types["session.title_updated"] == 0 || types["turn.cancelled"] == 0 || types["session.idled"] == 0 {
		t.Errorf("only these events were checked: %v", types)
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
}
