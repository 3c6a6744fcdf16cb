package apiclient_test

// Contract tests: every request the client sends and every response the
// in-memory server gives is validated against the OpenAPI 3.1 document in
// testdata (kin-openapi, JSON Schema 2020-12 mode). Negative controls prove
// the validator does catch bad requests and responses.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/apiclient/apitest/contract"
)

const specPath = "testdata/everruns-sessions-openapi.json"

var contractNow = time.Date(2026, 8, 24, 12, 0, 0, 0, time.UTC)

// contractKey is a personal access token: evr_pat_ + 64 hex.
const contractKey = "evr_pat_c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

// validator is a middleware checking each exchange with a contract.Checker
// and recording what it found.
type validator struct {
	*contract.Checker

	mu       sync.Mutex
	failures []string
	checked  int
	routes   map[string]int // operations validated: "GET /v1/sessions/{session_id}"
}

// loadSpec loads and validates a fresh copy of the contract as written
// (callers may change their copy).
func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := contract.LoadDocument(specPath)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func newValidator(t testing.TB) *validator {
	t.Helper()
	c, err := contract.Load(specPath)
	if err != nil {
		t.Fatal(err)
	}
	return &validator{Checker: c}
}

// request keeps the problems of a request and the operation it matched.
func (v *validator) request(x *contract.Exchange, problems []string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.failures = append(v.failures, problems...)
	if x.Op != "" {
		if v.routes == nil {
			v.routes = map[string]int{}
		}
		v.routes[x.Op]++
	}
}

// done keeps the problems of an answer and counts the exchange checked.
func (v *validator) done(problems []string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.failures = append(v.failures, problems...)
	v.checked++
}

// Failures returns the failures so far and forgets them.
func (v *validator) Failures() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	f := v.failures
	v.failures = nil
	return f
}

// Routes returns how often each operation was validated.
func (v *validator) Routes() map[string]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return maps.Clone(v.routes)
}

func (v *validator) Checked() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.checked
}

// Wrap checks each request, and each answer before relaying it. An event
// stream goes straight through (TestContractEvents checks the events the
// client reads from it); an error answer to /sse is checked like any other.
func (v *validator) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		x, problems := v.Request(ctx, r, body)
		v.request(x, problems)

		a := &answer{w: w, rec: httptest.NewRecorder()}
		next.ServeHTTP(a, r)
		if a.stream {
			v.done(nil)
			return
		}
		res := a.rec.Result()
		resBody := a.rec.Body.Bytes()
		// Relayed after the checks, so that a caller, once answered, sees
		// the failures of its own exchange.
		defer func() {
			for k, vals := range res.Header {
				w.Header()[k] = vals
			}
			w.WriteHeader(res.StatusCode)
			_, _ = w.Write(resBody)
		}()
		v.done(v.Response(ctx, x, res.StatusCode, res.Header, resBody))
	})
}

// answer keeps an answer to be checked, unless it is an event stream: that
// goes straight through, flushed as the handler flushes it.
type answer struct {
	w      http.ResponseWriter
	rec    *httptest.ResponseRecorder
	wrote  bool
	stream bool
}

func (a *answer) Header() http.Header {
	if a.stream {
		return a.w.Header()
	}
	return a.rec.Header()
}

func (a *answer) WriteHeader(status int) {
	if a.wrote {
		return
	}
	a.wrote = true
	if status == http.StatusOK && strings.HasPrefix(a.rec.Header().Get("Content-Type"), "text/event-stream") {
		maps.Copy(a.w.Header(), a.rec.Header())
		a.stream = true
		a.w.WriteHeader(status)
		return
	}
	a.rec.WriteHeader(status)
}

func (a *answer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	if a.stream {
		return a.w.Write(b)
	}
	return a.rec.Write(b)
}

// FlushError serves http.ResponseController.Flush.
func (a *answer) FlushError() error {
	if a.stream {
		return http.NewResponseController(a.w).Flush()
	}
	return nil
}

// contractServer starts apitest behind the validator, with the real
// server's org rules.
func contractServer(t *testing.T, opts apitest.Options) (*apitest.Server, *validator, string) {
	t.Helper()
	opts.Now = func() time.Time { return contractNow }
	opts.StrictOrg = true
	srv := apitest.New(opts)
	v := newValidator(t)
	ts := httptest.NewServer(v.Wrap(srv.Handler()))
	t.Cleanup(ts.Close)
	return srv, v, ts.URL + "/api"
}

func rawDo(t *testing.T, method, u, body string, hdr ...string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func firstWithStatus(srv *apitest.Server, st apiclient.Status) string {
	for _, s := range srv.All() {
		if s.Status == st {
			return s.ID
		}
	}
	return ""
}

func firstWithActivity(srv *apitest.Server, a apiclient.Activity) string {
	for _, s := range srv.All() {
		if s.Activity == a {
			return s.ID
		}
	}
	return ""
}

// TestContractClient drives every client call against apitest behind the
// validator: every request the client sends and every answer it gets,
// including the error answers, must match the contract.
func TestContractClient(t *testing.T) {
	srv, v, base := contractServer(t, apitest.Options{Sessions: 250, Seed: 3, APIKey: contractKey, Hostile: true})
	c := apiclient.New(apiclient.Config{APIKey: contractKey, BaseURL: base, OrgID: srv.Org(), MaxRetries: -1})
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	wantStatus := func(what string, err error, status int) {
		t.Helper()
		var ae *apiclient.APIError
		if !asAPIError(err, &ae) || ae.Status != status {
			t.Errorf("%s: got %v, want HTTP %d", what, err, status)
		}
	}

	// The list, with every filter.
	page, err := c.ListSessions(ctx, apiclient.ListOptions{})
	check("list default", err)
	if page != nil && (page.Total != srv.Len() || len(page.Data) != 20 || page.NextURL == "" || page.PrevURL != "") {
		t.Errorf("list default: total %d, %d rows, next %q prev %q", page.Total, len(page.Data), page.NextURL, page.PrevURL)
	}
	agent := srv.Agents()[1].ID
	for name, o := range map[string]apiclient.ListOptions{
		"offset/limit":  {Offset: 40, Limit: 100},
		"agent":         {Limit: 1, AgentID: agent},
		"past the end":  {Offset: 10_000, Limit: 5},
		"search":        {Search: "REFUND"},
		"status":        {Status: []apiclient.Activity{apiclient.ActivityFailed, apiclient.ActivityRunning}},
		"source":        {Source: []apiclient.Source{apiclient.SourceSlack, apiclient.SourceSchedule}},
		"mine":          {Mine: true},
		"created":       {CreatedAfter: contractNow.Add(-48 * time.Hour), CreatedBefore: contractNow.Add(-time.Hour)},
		"order":         {Order: apiclient.OrderLastActivity},
		"archived":      {IncludeArchived: true},
		"archived only": {ArchivedOnly: true},
		"everything": {Offset: 1, Limit: 10, AgentID: agent, Search: "a", Status: apiclient.Activities,
			Source: apiclient.Sources, Mine: true, CreatedAfter: contractNow.Add(-30 * 24 * time.Hour),
			CreatedBefore: contractNow, Order: apiclient.OrderCreatedAt, IncludeArchived: true},
	} {
		_, err := c.ListSessions(ctx, o)
		check("list "+name, err)
		_, err = c.Facets(ctx, o)
		check("facets "+name, err)
	}
	_, err = c.ListSessions(ctx, apiclient.ListOptions{Status: []apiclient.Activity{"exploded"}})
	wantStatus("list unknown status", err, 400)
	_, err = c.Facets(ctx, apiclient.ListOptions{Source: []apiclient.Source{"carrier-pigeon"}})
	wantStatus("facets unknown source", err, 400)
	all, err := c.ListAll(ctx, apiclient.ListOptions{Limit: 50}, 4, nil)
	check("list all", err)
	if len(all) != srv.Len() {
		t.Errorf("ListAll: %d of %d", len(all), srv.Len())
	}
	st, err := c.Stats(ctx)
	check("stats", err)
	if st != nil && st.Total != int64(srv.Len()) {
		t.Errorf("stats total %d of %d", st.Total, srv.Len())
	}

	// One session, its transcript and export.
	id := srv.All()[10].ID
	_, err = c.GetSession(ctx, id)
	check("get", err)
	s, err := c.UpdateSession(ctx, id, apiclient.UpdateSessionRequest{}.SetTitle("Renamed ✓"))
	check("patch title", err)
	if s != nil && s.TitleOrEmpty() != "Renamed ✓" {
		t.Errorf("patch title: %q", s.TitleOrEmpty())
	}
	_, err = c.UpdateSession(ctx, id, apiclient.UpdateSessionRequest{}.SetTags([]string{"billing", "p1"}))
	check("patch tags", err)
	_, err = c.UpdateSession(ctx, id, apiclient.UpdateSessionRequest{}.SetTitle("Both").SetTags([]string{"resolved"}).
		SetGoal("Close the ticket").SetLocale("uk-UA"))
	check("patch all", err)
	s, err = c.UpdateSession(ctx, id, apiclient.UpdateSessionRequest{}.SetTags(nil))
	check("patch empty tags", err)
	if s != nil && (len(s.Tags) != 0 || s.TitleOrEmpty() != "Both" || s.Locale == nil || *s.Locale != "uk-UA") {
		t.Errorf("patch empty tags: %+v", s)
	}
	_, err = c.UpdateSession(ctx, id, apiclient.UpdateSessionRequest{}.SetTags([]string{"app:x"}))
	wantStatus("patch reserved tag", err, 400)
	_, err = c.UpdateSession(ctx, id, apiclient.UpdateSessionRequest{}.SetLocale("not a locale"))
	wantStatus("patch bad locale", err, 400)
	for _, sid := range []string{id, firstWithStatus(srv, apiclient.StatusStarted), firstWithStatus(srv, apiclient.StatusActive), srv.All()[0].ID} {
		_, err = c.ListMessages(ctx, sid)
		check("messages "+sid, err)
	}
	for _, f := range []apiclient.ExportFormat{apiclient.ExportJSONL, apiclient.ExportATIF} {
		var buf bytes.Buffer
		n, err := c.Export(ctx, id, f, &buf)
		check("export "+string(f), err)
		if n == 0 || int64(buf.Len()) != n {
			t.Errorf("export %s: %d bytes, wrote %d", f, n, buf.Len())
		}
	}

	// Actions.
	r, err := c.Cancel(ctx, firstWithStatus(srv, apiclient.StatusActive))
	check("cancel active", err)
	if !r.Cancelled() {
		t.Errorf("cancel active: %+v", r)
	}
	r, err = c.Cancel(ctx, id)
	check("cancel idle", err)
	if r.Status != apiclient.CancelNoOp {
		t.Errorf("cancel idle: %+v", r)
	}
	check("pin", c.Pin(ctx, id))
	check("unpin", c.Unpin(ctx, id))
	check("archive", c.Archive(ctx, id))
	check("unarchive", c.Unarchive(ctx, id))
	chat := srv.All()[20]
	chat.Tags = append(chat.Tags, apitest.PlatformChatTag)
	srv.Put(chat)
	wantStatus("archive platform chat", c.Archive(ctx, chat.ID), 400)
	wantStatus("unpin platform chat", c.Unpin(ctx, chat.ID), 400)
	wantStatus("delete platform chat", c.Delete(ctx, chat.ID), 400)
	check("delete", c.Delete(ctx, id))

	// Agents and organisations.
	agents, err := c.ListAgents(ctx, "")
	check("agents", err)
	if len(agents) != len(srv.Agents()) || agents[0].Name == "" || agents[0].DisplayName == "" {
		t.Errorf("agents: %+v", agents)
	}
	_, err = c.ListAgents(ctx, "billing")
	check("agents search", err)
	_, err = c.GetAgent(ctx, agent)
	check("agent", err)
	_, err = c.GetAgent(ctx, "agent_"+strings.Repeat("0", 32))
	wantStatus("agent unknown", err, 404)
	orgs, err := c.ListOrgs(ctx)
	check("orgs", err)
	if len(orgs) != 1 || orgs[0].ID != srv.Org() {
		t.Errorf("orgs: %+v", orgs)
	}
	ro, err := c.ResolveOrg(ctx, chat.ID)
	check("resolve org", err)
	if ro != nil && ro.OrgID != srv.Org() {
		t.Errorf("resolve org: %+v", ro)
	}
	_, err = c.ResolveOrg(ctx, "session_"+strings.Repeat("0", 32))
	wantStatus("resolve foreign", err, 404)

	// Every per-session call with a malformed and an unknown id.
	bad, unknown := "session_NOT_HEX", "session_"+strings.Repeat("0", 32)
	for _, sid := range []string{bad, unknown} {
		want := map[string]int{bad: 400, unknown: 404}[sid]
		_, err = c.GetSession(ctx, sid)
		wantStatus("get "+sid, err, want)
		_, err = c.UpdateSession(ctx, sid, apiclient.UpdateSessionRequest{}.SetTitle("x"))
		wantStatus("patch "+sid, err, want)
		_, err = c.ListMessages(ctx, sid)
		wantStatus("messages "+sid, err, want)
		_, err = c.Cancel(ctx, sid)
		wantStatus("cancel "+sid, err, want)
		wantStatus("delete "+sid, c.Delete(ctx, sid), want)
		wantStatus("pin "+sid, c.Pin(ctx, sid), want)
		wantStatus("unpin "+sid, c.Unpin(ctx, sid), want)
		wantStatus("archive "+sid, c.Archive(ctx, sid), want)
		wantStatus("unarchive "+sid, c.Unarchive(ctx, sid), want)
		_, err = c.Export(ctx, sid, apiclient.ExportJSONL, io.Discard)
		wantStatus("export "+sid, err, want)
	}
	wantStatus("get deleted", func() error { _, err := c.GetSession(ctx, id); return err }(), 404)

	// Every request so far carried Bearer auth and the org header.
	for _, rq := range srv.Requests() {
		if rq.Header.Get("Authorization") != "[redacted]" || rq.Header.Get("X-Org-Id") != srv.Org() {
			t.Errorf("%s %s: auth/org headers %v", rq.Method, rq.Path, rq.Header)
		}
	}

	// Wrong credentials and organisations.
	for name, cfg := range map[string]apiclient.Config{
		"bad key":     {APIKey: "evr_pat_" + strings.Repeat("1", 64)},
		"foreign org": {APIKey: contractKey, OrgID: "org_" + strings.Repeat("e", 32)},
		"bad org":     {APIKey: contractKey, OrgID: "acme"},
	} {
		cfg.BaseURL, cfg.MaxRetries = base, -1
		_, err := apiclient.New(cfg).ListSessions(ctx, apiclient.ListOptions{})
		wantStatus(name, err, map[string]int{"bad key": 401, "foreign org": 404, "bad org": 401}[name])
	}

	reportContract(t, v, 80)
	// Every operation of the document but the two event endpoints
	// (TestContractEvents) was validated at least once.
	wantOperations(t, v.Routes(), "GET /v1/sessions/{session_id}/events", "GET /v1/sessions/{session_id}/sse")
}

// specOperations lists the document's operations as "METHOD /path".
func specOperations(t testing.TB) []string {
	t.Helper()
	return newValidator(t).Operations()
}

// wantOperations fails for each operation of the document that was not
// validated, except those named in elsewhere (checked by another test).
func wantOperations(t *testing.T, seen map[string]int, elsewhere ...string) {
	t.Helper()
	ops := specOperations(t)
	if len(ops) != 19 {
		t.Errorf("the document has %d operations, the client was written for 19: %v", len(ops), ops)
	}
	for _, op := range ops {
		if seen[op] == 0 && !slices.Contains(elsewhere, op) {
			t.Errorf("%s: no exchange validated", op)
		}
	}
}

// TestContractServerRaw sends requests the client never sends (nulls,
// clamped limits, odd parameters) straight to the server.
func TestContractServerRaw(t *testing.T) {
	srv, v, base := contractServer(t, apitest.Options{Sessions: 40})
	agent := srv.Agents()[0].ID
	id := srv.All()[5].ID
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/v1/sessions?offset=0&limit=100", "", 200},
		{"GET", "/v1/sessions?limit=100&order=last_activity&include_archived=true", "", 200},
		{"GET", "/v1/sessions?agent_id=" + agent + "&limit=3&offset=1", "", 200},
		{"GET", "/v1/sessions?status=running,failed&source=chat,api&mine=false", "", 200},
		{"GET", "/v1/sessions?status=waiting", "", 400},
		{"GET", "/v1/sessions?order=title", "", 400},
		{"GET", "/v1/sessions?created_after=yesterday", "", 400},
		{"GET", "/v1/sessions/facets?status=failed&source=schedule", "", 200},
		{"GET", "/v1/sessions/facets?status=exploded", "", 400},
		{"GET", "/v1/sessions/stats", "", 200},
		{"GET", "/v1/sessions/" + id, "", 200},
		{"PATCH", "/v1/sessions/" + id, `{"title":"T","tags":["a","b"],"goal":"G","locale":"de-DE"}`, 200},
		{"PATCH", "/v1/sessions/" + id, `{"title":null,"tags":null,"goal":null,"locale":null}`, 200},
		{"PATCH", "/v1/sessions/" + id, `{"tags":[]}`, 200},
		{"PATCH", "/v1/sessions/" + id, `{}`, 200},
		{"PATCH", "/v1/sessions/" + id, `{"tags":["platform-chat-starter"]}`, 400},
		{"GET", "/v1/sessions/" + id + "/messages", "", 200},
		{"GET", "/v1/sessions/" + id + "/export", "", 200},
		{"GET", "/v1/sessions/" + id + "/export?format=atif", "", 200},
		{"GET", "/v1/sessions/" + id + "/export?format=pdf", "", 400},
		{"PUT", "/v1/sessions/" + id + "/pin", "", 204},
		{"GET", "/v1/sessions/" + id, "", 200}, // is_pinned true, unpin offered
		{"DELETE", "/v1/sessions/" + id + "/pin", "", 204},
		{"PUT", "/v1/sessions/" + id + "/archive", "", 204},
		{"DELETE", "/v1/sessions/" + id + "/archive", "", 204},
		{"POST", "/v1/sessions/" + id + "/cancel", "", 200},
		{"GET", "/v1/sessions/session_x", "", 400},
		{"GET", "/v1/sessions/session_" + strings.Repeat("a", 32) + "/messages", "", 404},
		{"GET", "/v1/agents", "", 200},
		{"GET", "/v1/agents?search=ops&limit=1&offset=0", "", 200},
		{"GET", "/v1/agents/" + agent, "", 200},
		{"GET", "/v1/agents/agent_x", "", 400},
		{"GET", "/v1/orgs", "", 200},
		{"GET", "/v1/resolve-org?id=" + agent, "", 200},
		{"GET", "/v1/resolve-org?id=nothing", "", 404},
		{"DELETE", "/v1/sessions/" + id, "", 204},
		{"DELETE", "/v1/sessions/" + id, "", 404},
	} {
		if st, b := rawDo(t, c.method, base+c.path, c.body, "Authorization", "Bearer "+contractKey); st != c.want {
			t.Errorf("%s %s: %d, want %d: %.200s", c.method, c.path, st, c.want, b)
		}
	}
	// Every transcript validates (all content part kinds, every status).
	for _, s := range srv.All() {
		rawDo(t, "GET", base+"/v1/sessions/"+s.ID+"/messages", "")
	}
	reportContract(t, v, 70)
}

func reportContract(t *testing.T, v *validator, minChecked int) {
	t.Helper()
	for _, f := range v.Failures() {
		t.Errorf("contract: %s", f)
	}
	if n := v.Checked(); n < minChecked {
		t.Errorf("only %d exchanges validated, want >= %d", n, minChecked)
	}
}

// TestContractNegativeControls proves the validator is not a no-op: each
// case is a request or answer that breaks the contract in one way.
func TestContractNegativeControls(t *testing.T) {
	v := newValidator(t)
	session := `{"id":"session_1","organization_id":"org_1","workspace_id":"wsp_1","harness_id":"harness_1",` +
		`"owner_principal_id":"principal_1","status":"idle","created_at":"2026-01-01T00:00:00Z",` +
		`"updated_at":"2026-01-01T00:00:00Z","self_url":"u","view_url":"u","ui_link":"u"`
	bad := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		p := r.URL.Path
		switch {
		case strings.HasSuffix(p, "/messages"):
			_, _ = io.WriteString(w, `{"data":[{"id":"message_1","session_id":"s","sequence":1,"role":"agent",`+
				`"created_at":"yesterday","content":[{"type":"tool_call","id":"c1","name":"x"}]}]}`)
		case strings.HasSuffix(p, "/cancel"):
			_, _ = io.WriteString(w, `{"status":"maybe","message":"x"}`)
		case strings.HasSuffix(p, "/facets"):
			_, _ = io.WriteString(w, `{"by_activity":[],"by_source":[],"by_agent":[],"active_now":0,"failed_today":0,"p95_duration_ms":0,"tokens_today":0}`)
		case strings.HasSuffix(p, "/stats"):
			_, _ = io.WriteString(w, `{"total":1,"active":-1,"idle":0,"started":0,"waiting_for_tool_results":0}`)
		case strings.HasSuffix(p, "/pin"):
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"not found"}`) // the old shape, not an ErrorResponse
		case strings.Contains(p, "/v1/agents"):
			_, _ = io.WriteString(w, `{"data":[{"id":"agent_1","system_prompt":"x","harness_id":"h","status":"active",`+
				`"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","session_count":1,"app_count":0,`+
				`"effective_harness":{"source":"explicit","status":"active"},"self_url":"u","view_url":"u","ui_link":"u"}],"total":1,"offset":0,"limit":20}`)
		case strings.HasSuffix(p, "/v1/orgs"):
			_, _ = io.WriteString(w, `{"data":[{"id":"org_1","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","default_provider_per_service":{}}]}`)
		case strings.Contains(p, "/v1/sessions/session_created"):
			w.WriteHeader(http.StatusCreated) // a success status the document does not list
			_, _ = io.WriteString(w, session+"}")
		case strings.Contains(p, "/v1/sessions/session_old"):
			_, _ = io.WriteString(w, session+`,"status":"waiting_for_tool_results"}`)
		case strings.Contains(p, "/v1/sessions/session_null"):
			_, _ = io.WriteString(w, session+`,"harness_id":null}`)
		case strings.Contains(p, "/v1/sessions/session_act"):
			_, _ = io.WriteString(w, session+`,"activity":"exploded"}`)
		case strings.Contains(p, "/v1/sessions/"):
			// A session missing workspace_id.
			_, _ = io.WriteString(w, strings.Replace(session, `"workspace_id":"wsp_1",`, "", 1)+"}")
		default:
			_, _ = io.WriteString(w, `{"data":[],"total":"many","offset":0,"limit":20}`)
		}
	})
	ts := httptest.NewServer(v.Wrap(bad))
	defer ts.Close()
	base := ts.URL + "/api"
	id := "session_" + strings.Repeat("1", 32)

	cases := []struct {
		name, method, path, body, want string
	}{
		{"session missing workspace_id", "GET", "/v1/sessions/" + id, "", "missing property 'workspace_id'"},
		{"undocumented success status", "GET", "/v1/sessions/session_created", "", "status is not supported"},
		{"legacy status spelling", "GET", "/v1/sessions/session_old", "", "value must be one of 'started', 'active', 'idle', 'waitingfortoolresults', 'paused'"},
		{"null instead of omitted", "GET", "/v1/sessions/session_null", "", "got null, want string"},
		{"activity outside enum", "GET", "/v1/sessions/session_act", "", "value must be one of 'running', 'paused', 'failed', 'completed', 'idle'"},
		{"total not an integer", "GET", "/v1/sessions", "", "got string, want integer at /total"},
		{"tool_call without arguments", "GET", "/v1/sessions/" + id + "/messages", "", "missing property 'arguments'"},
		{"created_at not a date-time", "GET", "/v1/sessions/" + id + "/messages", "", "is not valid date-time"},
		{"cancel status outside enum", "POST", "/v1/sessions/" + id + "/cancel", "", `allowed values ["cancelled","no_op"]`},
		{"facets without total", "GET", "/v1/sessions/facets", "", `property "total" is missing`},
		{"stats negative", "GET", "/v1/sessions/stats", "", "minimum: got -1, want 0"},
		{"error not a problem", "PUT", "/v1/sessions/" + id + "/pin", "", "is not an ErrorResponse"},
		{"agent without name", "GET", "/v1/agents", "", "missing property 'name' at /data/0"},
		{"org without name", "GET", "/v1/orgs", "", "missing property 'name' at /data/0"},
		{"orgs without Bearer", "GET", "/v1/orgs", "", "no Bearer token"},
		{"limit above maximum", "GET", "/v1/sessions?limit=500", "", `parameter "limit" in query has an error`},
		{"offset negative", "GET", "/v1/sessions?offset=-1", "", `parameter "offset" in query has an error`},
		{"mine not a boolean", "GET", "/v1/sessions?mine=yes", "", `parameter "mine" in query has an error`},
		{"title not a string", "PATCH", "/v1/sessions/" + id, `{"title":5}`, "got number, want null or string"},
		{"tags not an array", "PATCH", "/v1/sessions/" + id, `{"tags":"a,b"}`, "got string, want null or array"},
		{"resolve-org without id", "GET", "/v1/resolve-org", "", `parameter "id" in query has an error`},
		{"unknown path", "GET", "/v1/harnesses", "", "no route in spec"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rawDo(t, c.method, base+c.path, c.body)
			f := strings.Join(v.Failures(), "\n")
			if !strings.Contains(f, c.want) {
				t.Fatalf("validator missed %s; failures: %q", c.name, f)
			}
		})
	}

	// The client's own bad request is caught too (the client passes limit through).
	c := apiclient.New(apiclient.Config{BaseURL: base, MaxRetries: -1})
	_, _ = c.ListSessions(context.Background(), apiclient.ListOptions{Limit: 500})
	if f := strings.Join(v.Failures(), "\n"); !strings.Contains(f, `parameter "limit" in query has an error`) {
		t.Errorf("validator missed the client's limit=500: %q", f)
	}

	// A server error without problem+json is flagged as well.
	srv := apitest.New(apitest.Options{Sessions: 10, Now: func() time.Time { return contractNow }})
	srv.SetFaults(apitest.Faults{FailureRate: 1, FailStatus: 503})
	ts2 := httptest.NewServer(v.Wrap(srv.Handler()))
	defer ts2.Close()
	rawDo(t, "GET", ts2.URL+"/api/v1/sessions?limit=10", "")
	if f := strings.Join(v.Failures(), "\n"); !strings.Contains(f, `error 503 with Content-Type "application/json"`) {
		t.Errorf("a 503 with the old body shape should be flagged: %q", f)
	}
}

func asAPIError(err error, target **apiclient.APIError) bool { return errors.As(err, target) }
