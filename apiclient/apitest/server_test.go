package apitest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
)

var fixedNow = time.Date(2026, 2, 14, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return fixedNow }

func newTest(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = clock
	}
	return NewTestServer(t, opts)
}

// do sends a request and returns the status and body.
func do(t *testing.T, s *Server, method, path, body string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func wantError(t *testing.T, status int, h http.Header, b []byte, want int) {
	t.Helper()
	if status != want {
		t.Fatalf("status %d, want %d; body %s", status, want, b)
	}
	// The server answers problem+json; injected faults may send the older {"error": "..."}.
	var e struct {
		Error, Title, Detail string
		Status               int
	}
	err := json.Unmarshal(b, &e)
	switch ct := h.Get("Content-Type"); ct {
	case "application/problem+json":
		if err != nil || e.Title == "" || e.Status != status || e.Detail == "" {
			t.Errorf("problem body %s: %v", b, err)
		}
	case "application/json":
		if err != nil || e.Error == "" {
			t.Errorf("error body %s: %v", b, err)
		}
	default:
		t.Errorf("Content-Type %q", ct)
	}
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestURLKeepsPrefix(t *testing.T) {
	s := newTest(t, Options{Sessions: 10})
	if !strings.HasSuffix(s.URL(), "/api") {
		t.Fatalf("URL %q lacks /api", s.URL())
	}
	resp, err := http.Get(strings.TrimSuffix(s.URL(), "/api") + "/v1/sessions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("without the prefix: %d, want 404", resp.StatusCode)
	}
}

func TestListValidation(t *testing.T) {
	s := newTest(t, Options{Sessions: 10})
	for _, q := range []string{"limit=0", "limit=-1", "limit=abc", "offset=-1", "offset=x", "limit=1.5", "limit=99999999999"} {
		st, h, b := do(t, s, "GET", "/v1/sessions?"+q, "")
		t.Run(q, func(t *testing.T) { wantError(t, st, h, b, 400) })
	}
	st, _, b := do(t, s, "GET", "/v1/sessions", "")
	p := decode[apiclient.SessionPage](t, b)
	if st != 200 || p.Limit != 20 || p.Offset != 0 || p.Total != 10 || len(p.Data) != 10 {
		t.Fatalf("default page: %d %+v", st, p)
	}
	_, _, b = do(t, s, "GET", "/v1/sessions?offset=8&limit=100", "")
	if p = decode[apiclient.SessionPage](t, b); len(p.Data) != 2 || p.Limit != 100 || p.Offset != 8 {
		t.Fatalf("tail page: %+v", p)
	}
	// Above 100 the limit is clamped, not refused.
	_, _, b = do(t, s, "GET", "/v1/sessions?limit=500", "")
	if p = decode[apiclient.SessionPage](t, b); p.Limit != 100 || len(p.Data) != 10 {
		t.Fatalf("clamped page: limit %d, %d rows", p.Limit, len(p.Data))
	}
	_, _, b = do(t, s, "GET", "/v1/sessions?offset=50", "")
	if p = decode[apiclient.SessionPage](t, b); len(p.Data) != 0 || p.Total != 10 || !strings.Contains(string(b), `"data":[]`) {
		t.Fatalf("past the end: %s", b)
	}
}

func TestListOrderAndFilter(t *testing.T) {
	s := newTest(t, Options{Sessions: 300})
	var all []apiclient.Session
	for off := 0; ; off += 100 {
		_, _, b := do(t, s, "GET", "/v1/sessions?limit=100&offset="+itoa(off), "")
		p := decode[apiclient.SessionPage](t, b)
		all = append(all, p.Data...)
		if len(p.Data) < 100 {
			break
		}
	}
	if len(all) != 300 {
		t.Fatalf("got %d sessions", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.After(all[i-1].CreatedAt) {
			t.Fatalf("not newest first at %d", i)
		}
	}
	agent := s.Agents()[2].ID
	_, _, b := do(t, s, "GET", "/v1/sessions?limit=5&offset=1&agent_id="+agent, "")
	p := decode[apiclient.SessionPage](t, b)
	want := 0
	var wantIDs []string
	for _, x := range all {
		if x.AgentID == agent {
			if want >= 1 && want < 6 {
				wantIDs = append(wantIDs, x.ID)
			}
			want++
		}
	}
	if p.Total != want || len(p.Data) != len(wantIDs) {
		t.Fatalf("filter: total %d want %d, %d rows", p.Total, want, len(p.Data))
	}
	for i, x := range p.Data {
		if x.ID != wantIDs[i] || x.AgentID != agent {
			t.Fatalf("filter row %d: %s", i, x.ID)
		}
	}
}

func TestGetDeleteAndIDs(t *testing.T) {
	s := newTest(t, Options{Sessions: 10})
	id := s.All()[3].ID
	st, _, b := do(t, s, "GET", "/v1/sessions/"+id, "")
	if got := decode[apiclient.Session](t, b); st != 200 || got.ID != id {
		t.Fatalf("get: %d %s", st, b)
	}
	for _, bad := range []string{"session_ABC", "nope", "session_" + strings.Repeat("A", 32), "session_" + strings.Repeat("0", 31)} {
		st, h, b := do(t, s, "GET", "/v1/sessions/"+bad, "")
		wantError(t, st, h, b, 400)
	}
	unknown := "session_" + strings.Repeat("0", 32)
	st, h, b := do(t, s, "GET", "/v1/sessions/"+unknown, "")
	wantError(t, st, h, b, 404)
	if st, _, _ := do(t, s, "DELETE", "/v1/sessions/"+id, ""); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	st, h, b = do(t, s, "DELETE", "/v1/sessions/"+id, "")
	wantError(t, st, h, b, 404)
	if _, ok := s.Get(id); ok || s.Len() != 9 {
		t.Fatal("still there")
	}
}

func TestPatchSemantics(t *testing.T) {
	s := newTest(t, Options{Sessions: 10})
	orig := s.All()[0]
	id := orig.ID
	patch := func(body string) (int, apiclient.Session) {
		st, _, b := do(t, s, "PATCH", "/v1/sessions/"+id, body)
		var x apiclient.Session
		_ = json.Unmarshal(b, &x)
		return st, x
	}
	st, x := patch(`{"title":"New title"}`)
	if st != 200 || x.TitleOrEmpty() != "New title" || strings.Join(x.Tags, ",") != strings.Join(orig.Tags, ",") {
		t.Fatalf("title only: %d %+v", st, x)
	}
	if !x.UpdatedAt.After(orig.UpdatedAt) {
		t.Fatalf("updated_at not bumped: %v -> %v", orig.UpdatedAt, x.UpdatedAt)
	}
	if x.Preview == nil || x.AgentID != orig.AgentID {
		t.Fatal("PATCH must return the whole session")
	}
	st, x = patch(`{"tags":["billing","p1"]}`)
	if st != 200 || x.TitleOrEmpty() != "New title" || strings.Join(x.Tags, ",") != "billing,p1" {
		t.Fatalf("tags only: %+v", x)
	}
	st, x = patch(`{"title":null}`)
	if st != 200 || x.TitleOrEmpty() != "New title" {
		t.Fatalf("null title must be unchanged: %+v", x)
	}
	st, x = patch(`{}`)
	if st != 200 || x.TitleOrEmpty() != "New title" || len(x.Tags) != 2 {
		t.Fatalf("empty patch: %+v", x)
	}
	st, x = patch(`{"tags":[]}`)
	if got, _ := s.Get(id); st != 200 || len(x.Tags) != 0 || len(got.Tags) != 0 {
		t.Fatalf("tags [] must clear: %+v", x)
	}
	for _, body := range []string{`{"tags":["platform-chat-starter"]}`, `{"tags":["ok","agent:x"]}`,
		`{"tags":["__internal:a"]}`, `{"tags":["slack:endpoint:1"]}`, `{"title":`, `[1]`, ``, `{"title":5}`, `{"tags":"x"}`} {
		st, h, b := do(t, s, "PATCH", "/v1/sessions/"+id, body)
		wantError(t, st, h, b, 400)
	}
	if got, _ := s.Get(id); got.TitleOrEmpty() != "New title" || len(got.Tags) != 0 {
		t.Fatalf("rejected patches changed the session: %+v", got)
	}
	st, h, b := do(t, s, "PATCH", "/v1/sessions/session_bad", `{"title":"x"}`)
	wantError(t, st, h, b, 400)
	st, h, b = do(t, s, "PATCH", "/v1/sessions/session_"+strings.Repeat("f", 32), `{"title":"x"}`)
	wantError(t, st, h, b, 404)
	// The log shows the PATCH bodies as sent.
	var bodies []string
	for _, r := range s.Requests() {
		if r.Method == "PATCH" {
			bodies = append(bodies, string(r.Body))
		}
	}
	if len(bodies) < 5 || bodies[0] != `{"title":"New title"}` || bodies[1] != `{"tags":["billing","p1"]}` {
		t.Fatalf("PATCH log: %q", bodies)
	}
}

func TestReservedTag(t *testing.T) {
	for tag, want := range map[string]bool{"platform-chat-starter": true, "app:x": true, "app_channel:1": true,
		"slack:app:1": true, "fcp:endpoint:z": true, "ag_ui:app:q": true, "endpoint:e": true, "agent:a": true,
		"APP:x": true, "Platform-Chat-Starter": true, "Agent:A": true,
		"billing": false, "customer:acme": false, "slack:channel": false, "application": false} {
		if ReservedTag(tag) != want {
			t.Errorf("ReservedTag(%q) = %v", tag, !want)
		}
	}
}

func TestCreateCancelMessages(t *testing.T) {
	s := newTest(t, Options{Sessions: 10})
	agent := s.Agents()[0].ID
	st, _, b := do(t, s, "POST", "/v1/sessions", `{"agent_id":"`+agent+`","title":"Hello","tags":["x"]}`)
	x := decode[apiclient.Session](t, b)
	if st != 201 || x.Status != apiclient.StatusStarted || !ValidSessionID(x.ID) || s.All()[0].ID != x.ID {
		t.Fatalf("create: %d %s", st, b)
	}
	st, h, b := do(t, s, "POST", "/v1/sessions", `{"agent_id":"nope"}`)
	wantError(t, st, h, b, 400)

	active := ""
	for _, y := range s.All() {
		if y.Status == apiclient.StatusActive {
			active = y.ID
			break
		}
	}
	_, _, b = do(t, s, "POST", "/v1/sessions/"+active+"/cancel", "")
	if r := decode[apiclient.CancelTurnResponse](t, b); r.Status != "cancelled" {
		t.Fatalf("cancel active: %s", b)
	}
	if y, _ := s.Get(active); y.Status != apiclient.StatusIdle || y.FinishedAt == nil {
		t.Fatalf("after cancel: %+v", y)
	}
	_, _, b = do(t, s, "POST", "/v1/sessions/"+active+"/cancel", "")
	if r := decode[apiclient.CancelTurnResponse](t, b); r.Status != "no_op" {
		t.Fatalf("cancel idle: %s", b)
	}

	for _, y := range s.All() {
		_, _, b = do(t, s, "GET", "/v1/sessions/"+y.ID+"/messages", "")
		msgs := decode[apiclient.MessageList](t, b).Data
		if len(msgs) == 0 || msgs[0].Role != apiclient.RoleUser || msgs[0].Content[0].Text != y.PreviewOrEmpty() && y.Preview != nil {
			t.Fatalf("transcript of %s: %s", y.ID, b)
		}
		last := msgs[len(msgs)-1]
		if y.Status == apiclient.StatusIdle && y.OutputPreview != nil && last.Content[0].Text != *y.OutputPreview {
			t.Fatalf("last message of %s does not match output_preview", y.ID)
		}
		if y.Status != apiclient.StatusStarted && !strings.Contains(string(b), `"type":"tool_call"`) {
			t.Fatalf("no tool_call in %s", b)
		}
	}
}

const testPAT = "evr_pat_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestAuth(t *testing.T) {
	s := newTest(t, Options{Sessions: 10, APIKey: testPAT, MoreKeys: []string{"legacy-test-key"}})
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl"
	for _, c := range []struct {
		header string
		want   int
	}{
		{"", 401},
		{"Bearer wrong", 401},
		{testPAT, 200},                              // a bare PAT
		{"Bearer " + testPAT, 200},                  // Bearer PAT
		{"ApiKey " + testPAT, 200},                  // ApiKey PAT
		{"Bearer legacy-test-key", 200},             // a configured non-PAT key stands for a JWT
		{"legacy-test-key", 401},                    // ... which is refused bare
		{"ApiKey legacy-test-key", 401},             // ... and as ApiKey
		{"Bearer " + jwt, 401},                      // a JWT-looking token nobody configured
		{"Token " + testPAT, 401},                   // an unknown scheme
		{"evr_pat_" + strings.Repeat("0", 64), 401}, // a well-formed PAT that is not ours
	} {
		var hdr []string
		if c.header != "" {
			hdr = []string{"Authorization", c.header}
		}
		st, h, b := do(t, s, "GET", "/v1/sessions", "", hdr...)
		if c.want == 401 {
			wantError(t, st, h, b, 401)
		} else if st != c.want {
			t.Errorf("%q: %d, want %d", c.header, st, c.want)
		}
	}
	for _, r := range s.Requests() {
		if strings.Contains(strings.Join(r.Header.Values("Authorization"), ""), "0123456789abcdef") {
			t.Fatal("key leaked into the request log")
		}
	}
	if s.RequestCount() != 11 || s.Requests()[0].Status != 401 {
		t.Fatalf("count %d", s.RequestCount())
	}
	s.ResetRequests()
	if s.RequestCount() != 0 {
		t.Fatal("reset")
	}
	if !IsPAT(testPAT) || IsPAT("evr_pat_xyz") || IsPAT(testPAT+"0") {
		t.Error("IsPAT")
	}
}

func TestOrgHeader(t *testing.T) {
	s := newTest(t, Options{Sessions: 3, StrictOrg: true})
	for _, c := range []struct {
		org  string
		want int
	}{{"", 200}, {s.Org(), 200}, {"org-from-env", 401}, {"org_" + strings.Repeat("f", 32), 404}} {
		var hdr []string
		if c.org != "" {
			hdr = []string{"X-Org-Id", c.org}
		}
		st, h, b := do(t, s, "GET", "/v1/sessions", "", hdr...)
		if c.want != 200 {
			wantError(t, st, h, b, c.want)
		} else if st != 200 {
			t.Errorf("org %q: %d", c.org, st)
		}
	}
	// Without StrictOrg any org id passes (tests send made-up ones).
	lax := newTest(t, Options{Sessions: 1})
	if st, _, _ := do(t, lax, "GET", "/v1/sessions", "", "X-Org-Id", "org-from-env"); st != 200 {
		t.Errorf("lax org: %d", st)
	}
}

func TestHandlerWithoutListener(t *testing.T) {
	s := New(Options{Sessions: 10, Now: clock, Prefix: "/"})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/sessions?limit=3", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"limit":3`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func TestStartClose(t *testing.T) {
	s := New(Options{Sessions: 10})
	u, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u + "/v1/sessions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(u + "/v1/sessions"); err == nil {
		t.Fatal("still serving after Close")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
