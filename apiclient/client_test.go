package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testKey = "evr_test_key_0123456789"

// newTestServer serves h under /api and returns a client for it, with retry
// waits shrunk to milliseconds.
func newTestServer(t *testing.T, h http.HandlerFunc, cfg Config) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if cfg.BaseURL == "" {
		cfg.BaseURL = srv.URL + "/api"
	}
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	return fastRetries(New(cfg)), srv
}

func fastRetries(c *Client) *Client {
	c.backoffBase, c.backoffCap = time.Millisecond, 4*time.Millisecond
	return c
}

func sessionJSON(i int) map[string]any {
	return map[string]any{
		"id": fmt.Sprintf("sess_%03d", i), "organization_id": "org_1", "agent_id": "agent_1",
		"status": "idle", "created_at": "2026-02-01T10:00:00Z", "updated_at": "2026-02-01T10:00:00Z",
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestConfigFromEnvAndMerge(t *testing.T) {
	t.Setenv(EnvAPIKey, " k1 ")
	t.Setenv(EnvAPIURL, "")
	t.Setenv(EnvOrgID, "org_env")
	cfg := ConfigFromEnv()
	if cfg.APIKey != "k1" || cfg.BaseURL != DefaultBaseURL || cfg.OrgID != "org_env" {
		t.Fatalf("ConfigFromEnv = %+v", cfg)
	}
	t.Setenv(EnvAPIURL, "http://h/api")
	merged := ConfigFromEnv().Merge(Config{OrgID: "org_flag", MaxRetries: -1})
	if merged.APIKey != "k1" || merged.BaseURL != "http://h/api" || merged.OrgID != "org_flag" || merged.MaxRetries != -1 {
		t.Fatalf("Merge = %+v", merged)
	}
}

func TestValidateBaseURL(t *testing.T) {
	for _, u := range []string{"http://h/api", "https://h", ""} {
		if err := (Config{BaseURL: u}).Validate(); err != nil {
			t.Errorf("Validate(%q) = %v", u, err)
		}
	}
	for _, u := range []string{"h/api", "ftp://h", "http://", "::", "https://user:evr_secret@h/api"} {
		err := Config{BaseURL: u}.Validate()
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Validate(%q) = %v, want ErrInvalidConfig", u, err)
		}
		if _, err := New(Config{BaseURL: u}).GetSession(context.Background(), "sess_001"); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("GetSession with base %q = %v", u, err)
		}
		if strings.Contains(err.Error(), "evr_secret") {
			t.Errorf("Validate repeats the URL: %v", err)
		}
	}
}

// ParseHTTPURL is the one URL check: http(s), a host, no credentials, and
// errors that never repeat the URL.
func TestParseHTTPURL(t *testing.T) {
	for _, raw := range []string{"http://h/api", "https://app.everruns.com/sessions/s1?tab=x", "http://127.0.0.1:8080"} {
		if u, err := ParseHTTPURL(raw); err != nil || u.String() != raw {
			t.Errorf("ParseHTTPURL(%q) = %v, %v", raw, u, err)
		}
	}
	for raw, want := range map[string]error{
		"h/api": ErrNotHTTPURL, "ftp://h": ErrNotHTTPURL, "http://": ErrNotHTTPURL, "::": ErrNotHTTPURL,
		"javascript:alert(1)": ErrNotHTTPURL, "": ErrNotHTTPURL, "https://u:p@h/x": ErrURLCredentials,
		"https://evr_secret@h": ErrURLCredentials,
	} {
		u, err := ParseHTTPURL(raw)
		if !errors.Is(err, want) || u != nil {
			t.Errorf("ParseHTTPURL(%q) = %v, %v; want %v", raw, u, err, want)
		}
		if err != nil && raw != "" && strings.Contains(err.Error(), raw) {
			t.Errorf("the error repeats the URL: %v", err)
		}
	}
}

func TestListSessionsRequestShape(t *testing.T) {
	var got []*http.Request
	var mu sync.Mutex
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Clone(context.Background()))
		mu.Unlock()
		s := sessionJSON(1)
		s["status"] = "waitingfortoolresults"
		s["brand_new_field"] = map[string]any{"x": 1}
		writeJSON(w, 200, map[string]any{"data": []any{s}, "total": 7, "offset": 5, "limit": 10, "extra": true})
	}, Config{OrgID: "org_42"})

	page, err := c.ListSessions(context.Background(), ListOptions{Offset: 5, Limit: 10, AgentID: "agent 1&x"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 7 || len(page.Data) != 1 || page.Data[0].ID != "sess_001" ||
		page.Data[0].Status != "waitingfortoolresults" {
		t.Fatalf("page = %+v", page)
	}
	if _, err := c.ListSessions(context.Background(), ListOptions{}); err != nil {
		t.Fatal(err)
	}
	r := got[0]
	if r.Method != http.MethodGet || r.URL.Path != "/api/v1/sessions" {
		t.Errorf("request = %s %s", r.Method, r.URL.Path)
	}
	q := r.URL.Query()
	if q.Get("offset") != "5" || q.Get("limit") != "10" || q.Get("agent_id") != "agent 1&x" {
		t.Errorf("query = %v", q)
	}
	if h := r.Header.Get("Authorization"); h != "Bearer "+testKey {
		t.Errorf("Authorization = %q, want Bearer and the key", h)
	}
	if h := r.Header.Get("X-Org-Id"); h != "org_42" {
		t.Errorf("X-Org-Id = %q", h)
	}
	if h := r.Header.Get("User-Agent"); h != "sessions/"+Version {
		t.Errorf("User-Agent = %q", h)
	}
	q = got[1].URL.Query()
	if q.Has("limit") || q.Has("agent_id") || q.Get("offset") != "0" {
		t.Errorf("zero options query = %v", q)
	}
}

func TestHeadersOmittedWhenUnset(t *testing.T) {
	var hdr http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr = r.Header.Clone()
		writeJSON(w, 200, sessionJSON(1))
	}))
	defer srv.Close()
	c := New(Config{BaseURL: srv.URL + "/", UserAgent: "custom/1"})
	if _, err := c.GetSession(context.Background(), "sess_001"); err != nil {
		t.Fatal(err)
	}
	if _, ok := hdr["Authorization"]; ok {
		t.Error("Authorization sent without a key")
	}
	if _, ok := hdr["X-Org-Id"]; ok {
		t.Error("X-Org-Id sent without an org")
	}
	if hdr.Get("User-Agent") != "custom/1" {
		t.Errorf("User-Agent = %q", hdr.Get("User-Agent"))
	}
}

// TestSessionCalls covers the per-session endpoints, the kept path prefix
// with a trailing slash, and escaping of the id.
func TestSessionCalls(t *testing.T) {
	type seen struct{ method, uri, body string }
	var log []seen
	var mu sync.Mutex
	c, srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		log = append(log, seen{r.Method, r.RequestURI, string(b)})
		mu.Unlock()
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/cancel"):
			writeJSON(w, 200, map[string]any{"status": "cancelled", "message": "Turn cancelled"})
		case strings.HasSuffix(r.URL.Path, "/messages"):
			writeJSON(w, 200, map[string]any{"data": []any{
				map[string]any{"id": "m1", "session_id": "s", "sequence": 1, "role": "user",
					"content":    []any{map[string]any{"type": "text", "text": "hi"}, map[string]any{"type": "hologram"}},
					"created_at": "2026-02-01T10:00:00Z"},
			}})
		default:
			s := sessionJSON(9)
			s["id"], _ = url.PathUnescape(path.Base(r.URL.EscapedPath())) // the session asked for
			s["title"] = "T"
			writeJSON(w, 200, s)
		}
	}, Config{})
	c = fastRetries(New(Config{BaseURL: srv.URL + "/api/", APIKey: testKey}))
	ctx := context.Background()

	s, err := c.GetSession(ctx, "a/b c")
	if err != nil || s.ID != "a/b c" || s.TitleOrEmpty() != "T" {
		t.Fatalf("GetSession = %+v, %v", s, err)
	}
	if s, err = c.UpdateSession(ctx, "s1", UpdateSessionRequest{}.SetTitle("New")); err != nil || s.ID != "s1" {
		t.Fatalf("UpdateSession = %+v, %v", s, err)
	}
	msgs, err := c.ListMessages(ctx, "s1")
	if err != nil || len(msgs) != 1 || msgs[0].Role != RoleUser || msgs[0].Content[1].Type != "hologram" {
		t.Fatalf("ListMessages = %+v, %v", msgs, err)
	}
	if err := c.DeleteSession(ctx, "s1"); err != nil {
		t.Fatalf("DeleteSession = %v", err)
	}
	cr, err := c.CancelTurn(ctx, "s1")
	if err != nil || cr.Status != "cancelled" {
		t.Fatalf("CancelTurn = %+v, %v", cr, err)
	}
	want := []seen{
		{"GET", "/api/v1/sessions/a%2Fb%20c", ""},
		{"PATCH", "/api/v1/sessions/s1", `{"title":"New"}`},
		{"GET", "/api/v1/sessions/s1/messages", ""},
		{"DELETE", "/api/v1/sessions/s1", ""},
		{"POST", "/api/v1/sessions/s1/cancel", ""},
	}
	if fmt.Sprint(log) != fmt.Sprint(want) {
		t.Errorf("requests:\n got %v\nwant %v", log, want)
	}
	for _, bad := range []string{"", ".", ".."} {
		if _, err := c.GetSession(ctx, bad); err == nil {
			t.Errorf("GetSession(%q) sent a request", bad)
		}
	}
	if len(log) != len(want) {
		t.Errorf("invalid ids reached the server: %v", log[len(want):])
	}
}

func TestUpdateSessionBodyShapes(t *testing.T) {
	var body, ctype string
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, ctype = string(b), r.Header.Get("Content-Type")
		writeJSON(w, 200, sessionJSON(1))
	}, Config{})
	cases := []struct {
		req  UpdateSessionRequest
		want string
	}{
		{UpdateSessionRequest{}.SetTitle("Only title"), `{"title":"Only title"}`},
		{UpdateSessionRequest{}.SetTags([]string{"a", "b"}), `{"tags":["a","b"]}`},
		{UpdateSessionRequest{}.SetTags(nil), `{"tags":[]}`},
		{UpdateSessionRequest{}.SetTags([]string{}), `{"tags":[]}`},
		{UpdateSessionRequest{}.SetTitle("t").SetTags([]string{"x"}), `{"title":"t","tags":["x"]}`},
	}
	for _, tc := range cases {
		if _, err := c.UpdateSession(context.Background(), "sess_001", tc.req); err != nil {
			t.Fatal(err)
		}
		if body != tc.want || ctype != "application/json" {
			t.Errorf("body = %s (%s), want %s", body, ctype, tc.want)
		}
	}
}

func TestMalformedJSONOn200(t *testing.T) {
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id": "s", "created_at": `)
	}, Config{})
	_, err := c.GetSession(context.Background(), "sess_001")
	if !errors.Is(err, ErrInvalidJSON) || !strings.HasPrefix(err.Error(), "invalid JSON from server: ") {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.ListMessages(context.Background(), "s"); !errors.Is(err, ErrInvalidJSON) {
		t.Fatalf("ListMessages err = %v", err)
	}
}

func TestResponseBodyCap(t *testing.T) {
	const limit = 1024
	size := limit
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		// A valid session padded to exactly size bytes.
		head := `{"id":"s","title":"`
		tail := `"}`
		_, _ = io.WriteString(w, head+strings.Repeat("x", size-len(head)-len(tail))+tail)
	}, Config{MaxBodyBytes: limit})
	if _, err := c.GetSession(context.Background(), "s"); err != nil {
		t.Fatalf("body of exactly the cap: %v", err)
	}
	size = limit + 1
	_, err := c.GetSession(context.Background(), "s")
	if !errors.Is(err, ErrResponseTooLarge) || Describe(err) != "response too large" {
		t.Fatalf("err = %v (%q)", err, Describe(err))
	}
}

func TestContextCancellationStopsSlowRequest(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.GetSession(ctx, "sess_001")
	if !errors.Is(err, context.Canceled) || Describe(err) != "request canceled" {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancel took %v", d)
	}

	ctx, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	_, err = c.ListSessions(ctx, ListOptions{})
	if !errors.Is(err, context.DeadlineExceeded) || Describe(err) != "request timed out" {
		t.Fatalf("deadline err = %v (%q)", err, Describe(err))
	}

	// Per-attempt timeout from Config, no retries.
	slow := fastRetries(New(Config{BaseURL: c.BaseURL(), Timeout: 50 * time.Millisecond, MaxRetries: -1}))
	if _, err = slow.GetSession(context.Background(), "sess_001"); Describe(err) != "request timed out" {
		t.Fatalf("timeout err = %v (%q)", err, Describe(err))
	}
}

// pagedServer serves `have` sessions but reports `total` on every page; it
// counts the requests in flight and can fail one offset.
type pagedServer struct {
	have, total int
	failOffset  int // -1: never
	delay       time.Duration
	// gather holds each request until this many were in flight at once (or
	// 5 s passed), so a concurrency check does not depend on timing. The
	// first page (offset 0) is fetched alone and never held.
	gather      int32
	inFlight    atomic.Int32
	maxInFlight atomic.Int32
	requests    atomic.Int32
}

func (p *pagedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		m := p.maxInFlight.Load()
		if n <= m || p.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	for deadline := time.Now().Add(5 * time.Second); r.URL.Query().Get("offset") != "0" && p.maxInFlight.Load() < p.gather && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(p.delay)
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if off == p.failOffset {
		writeJSON(w, 500, map[string]any{"error": "boom"})
		return
	}
	data := []any{}
	for i := off; i < off+limit && i < p.have; i++ {
		data = append(data, sessionJSON(i))
	}
	writeJSON(w, 200, map[string]any{"data": data, "total": p.total, "offset": off, "limit": limit})
}

func checkOrder(t *testing.T, got []Session, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("got %d sessions, want %d", len(got), n)
	}
	for i, s := range got {
		if want := fmt.Sprintf("sess_%03d", i); s.ID != want {
			t.Fatalf("session %d = %s, want %s", i, s.ID, want)
		}
	}
}

func TestListAllOrderProgressAndConcurrency(t *testing.T) {
	p := &pagedServer{have: 95, total: 95, failOffset: -1, delay: 20 * time.Millisecond, gather: 3}
	c, _ := newTestServer(t, p.ServeHTTP, Config{})
	var events []PageEvent
	got, err := c.ListAll(context.Background(), ListOptions{Limit: 10}, 3, func(e PageEvent) {
		events = append(events, e) // serial by contract: -race checks it
	})
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, got, 95)
	if len(events) != 10 || events[0].Page.Offset != 0 || events[0].Loaded != 10 {
		t.Fatalf("events: %d, first %+v", len(events), events[0])
	}
	for i, e := range events {
		if e.Total != 95 || (i > 0 && e.Loaded <= events[i-1].Loaded) {
			t.Fatalf("event %d = loaded %d total %d", i, e.Loaded, e.Total)
		}
	}
	if last := events[len(events)-1].Loaded; last != 95 {
		t.Errorf("last Loaded = %d", last)
	}
	if m := p.maxInFlight.Load(); m != 3 {
		t.Errorf("max in flight = %d, want 3", m)
	}

	// concurrency <= 0 means 4; default page size is 100.
	p2 := &pagedServer{have: 950, total: 950, failOffset: -1, delay: 20 * time.Millisecond, gather: 4}
	c2, _ := newTestServer(t, p2.ServeHTTP, Config{})
	got, err = c2.ListAll(context.Background(), ListOptions{}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, got, 950)
	if m, n := p2.maxInFlight.Load(), p2.requests.Load(); m != 4 || n != 10 {
		t.Errorf("max in flight = %d (want 4), requests = %d (want 10)", m, n)
	}
}

func TestListAllPartialOnError(t *testing.T) {
	p := &pagedServer{have: 100, total: 100, failOffset: 50}
	c, _ := newTestServer(t, p.ServeHTTP, Config{})
	var reported int
	got, err := c.ListAll(context.Background(), ListOptions{Limit: 10}, 1, func(e PageEvent) { reported = e.Loaded })
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 500 || apiErr.Message != "boom" {
		t.Fatalf("err = %v", err)
	}
	// Serial fetching: pages 0..40 arrived before offset 50 failed; nothing after.
	checkOrder(t, got, 50)
	if reported != 50 {
		t.Errorf("progress reported %d", reported)
	}
	if n := p.requests.Load(); n != 6 {
		t.Errorf("requests = %d, want 6 (stop after the failure)", n)
	}

	// The first page failing returns no sessions.
	p0 := &pagedServer{have: 100, total: 100, failOffset: 0}
	c0, _ := newTestServer(t, p0.ServeHTTP, Config{})
	if got, err := c0.ListAll(context.Background(), ListOptions{Limit: 10}, 2, nil); err == nil || len(got) != 0 {
		t.Fatalf("first page failure = %d sessions, %v", len(got), err)
	}
}

func TestListAllTotalChanges(t *testing.T) {
	// The server claims 1000 but has 35: stop at the first empty page.
	p := &pagedServer{have: 35, total: 1000, failOffset: -1}
	c, _ := newTestServer(t, p.ServeHTTP, Config{})
	got, err := c.ListAll(context.Background(), ListOptions{Limit: 10}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, got, 35)
	if n := p.requests.Load(); n > 6 {
		t.Errorf("requests = %d, kept going past the empty page", n)
	}
	// The server has more than it said: the first page's total bounds the work.
	p = &pagedServer{have: 500, total: 25, failOffset: -1}
	c, _ = newTestServer(t, p.ServeHTTP, Config{})
	got, err = c.ListAll(context.Background(), ListOptions{Limit: 10}, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, got, 30)
	// An empty list is one request and no error.
	p = &pagedServer{have: 0, total: 0, failOffset: -1}
	c, _ = newTestServer(t, p.ServeHTTP, Config{})
	if got, err = c.ListAll(context.Background(), ListOptions{}, 4, nil); err != nil || len(got) != 0 || p.requests.Load() != 1 {
		t.Fatalf("empty list = %d, %v, %d requests", len(got), err, p.requests.Load())
	}
}

func TestListAllCanceled(t *testing.T) {
	p := &pagedServer{have: 200, total: 200, failOffset: -1, delay: 30 * time.Millisecond}
	c, _ := newTestServer(t, p.ServeHTTP, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	got, err := c.ListAll(ctx, ListOptions{Limit: 10}, 2, func(e PageEvent) {
		if e.Loaded >= 30 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if len(got) < 30 || len(got) >= 200 {
		t.Errorf("got %d sessions", len(got))
	}
}
