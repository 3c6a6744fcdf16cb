package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// statusServer answers with statuses[i] for request i (the last one repeats),
// a session body on 2xx, and records the request bodies.
type statusServer struct {
	statuses []int
	header   http.Header
	body     string
	n        atomic.Int32
	mu       sync.Mutex
	bodies   []string
}

func (s *statusServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(s.n.Add(1)) - 1
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(b))
	s.mu.Unlock()
	st := s.statuses[min(i, len(s.statuses)-1)]
	for k, v := range s.header {
		w.Header()[k] = v
	}
	if st < 300 {
		writeJSON(w, st, sessionJSON(1))
		return
	}
	w.WriteHeader(st)
	_, _ = io.WriteString(w, s.body)
}

// retryLog collects OnRetry events.
type retryLog struct {
	mu     sync.Mutex
	events []RetryEvent
}

func (l *retryLog) add(e RetryEvent) { l.mu.Lock(); l.events = append(l.events, e); l.mu.Unlock() }

func TestRetriesBoundedForRetryableStatuses(t *testing.T) {
	for _, st := range []int{429, 502, 503, 504} {
		t.Run(strconv.Itoa(st), func(t *testing.T) {
			srv := &statusServer{statuses: []int{st}}
			var log retryLog
			c, _ := newTestServer(t, srv.ServeHTTP, Config{MaxRetries: 2, OnRetry: log.add})
			_, err := c.GetSession(context.Background(), "s 1")
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != st {
				t.Fatalf("err = %v, want APIError %d (resty returns nil when retries run out)", err, st)
			}
			if n := srv.n.Load(); n != 3 {
				t.Errorf("requests = %d, want 3", n)
			}
			if len(log.events) != 2 {
				t.Fatalf("OnRetry events = %+v", log.events)
			}
			for i, e := range log.events {
				if e.Attempt != i+1 || e.Status != st || e.Method != "GET" || e.Path != "/v1/sessions/s%201" ||
					e.Wait <= 0 || e.Wait > c.backoffCap {
					t.Errorf("event %d = %+v", i, e)
				}
			}
		})
	}
	// The default is 3 retries.
	srv := &statusServer{statuses: []int{503}}
	c, _ := newTestServer(t, srv.ServeHTTP, Config{})
	_, _ = c.ListSessions(context.Background(), ListOptions{})
	if n := srv.n.Load(); n != 4 {
		t.Errorf("default retries: requests = %d, want 4", n)
	}
}

// A PATCH is never re-sent by the transport: its tag list was computed from
// a read made before the wait (SaveEdit re-reads instead, see below).
func TestPatchNotRetriedByTransport(t *testing.T) {
	srv := &statusServer{statuses: []int{503, 200}}
	var log retryLog
	c, _ := newTestServer(t, srv.ServeHTTP, Config{OnRetry: log.add})
	_, err := c.UpdateSession(context.Background(), "sess_001", UpdateSessionRequest{}.SetTags([]string{}))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 503 {
		t.Fatalf("UpdateSession err = %v, want the 503", err)
	}
	if len(srv.bodies) != 1 || len(log.events) != 0 {
		t.Fatalf("requests = %d, retries = %d; want 1, 0", len(srv.bodies), len(log.events))
	}
}

// tagServer serves one session whose tags another operator changes while a
// PATCH fails: PATCH answers statuses[i] for PATCH i (then 200), and before
// answering a failure it runs meanwhile.
type tagServer struct {
	mu        sync.Mutex
	tags      []string
	statuses  []int
	patches   []string
	gets      int
	meanwhile func(tags []string) []string
}

func (s *tagServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method == http.MethodPatch {
		b, _ := io.ReadAll(r.Body)
		s.patches = append(s.patches, string(b))
		if i := len(s.patches) - 1; i < len(s.statuses) {
			s.tags = s.meanwhile(s.tags)
			w.WriteHeader(s.statuses[i])
			return
		}
		var req struct{ Tags []string }
		_ = json.Unmarshal(b, &req)
		s.tags = req.Tags
	} else {
		s.gets++
	}
	sess := sessionJSON(1)
	sess["tags"] = s.tags
	writeJSON(w, 200, sess)
}

func TestSaveEditRereadsBeforeResaving(t *testing.T) {
	srv := &tagServer{tags: []string{"a"}, statuses: []int{503, 502},
		meanwhile: func(tags []string) []string { return append(tags, fmt.Sprintf("other%d", len(tags))) }}
	var log retryLog
	c, _ := newTestServer(t, srv.ServeHTTP, Config{OnRetry: log.add})
	res, err := SaveEdit(context.Background(), c, "sess_001", Edit{Add: []string{"resolved"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"tags":["a","resolved"]}`, `{"tags":["a","other1","resolved"]}`, `{"tags":["a","other1","other2","resolved"]}`}
	if !reflect.DeepEqual(srv.patches, want) || srv.gets != 3 {
		t.Fatalf("PATCH bodies = %q, GETs = %d; want %q after a GET each", srv.patches, srv.gets, want)
	}
	if !res.Changed || res.Attempts != 3 || !reflect.DeepEqual(res.Added, []string{"resolved"}) ||
		!reflect.DeepEqual(res.Session.Tags, []string{"a", "other1", "other2", "resolved"}) {
		t.Fatalf("result = %+v", res)
	}
	if len(log.events) != 2 || log.events[0].Method != "PATCH" || log.events[0].Status != 503 || log.events[1].Status != 502 {
		t.Fatalf("OnRetry events = %+v", log.events)
	}

	// Retries off: one PATCH, the error.
	srv = &tagServer{statuses: []int{503}, meanwhile: func(t []string) []string { return t }}
	c, _ = newTestServer(t, srv.ServeHTTP, Config{MaxRetries: -1})
	if _, err := SaveEdit(context.Background(), c, "sess_001", Edit{Add: []string{"x"}}); err == nil || len(srv.patches) != 1 {
		t.Fatalf("err = %v, PATCHes = %d", err, len(srv.patches))
	}
	// Not worth retrying (409): one PATCH.
	srv = &tagServer{statuses: []int{409}, meanwhile: func(t []string) []string { return t }}
	c, _ = newTestServer(t, srv.ServeHTTP, Config{})
	if _, err := SaveEdit(context.Background(), c, "sess_001", Edit{Add: []string{"x"}}); err == nil || len(srv.patches) != 1 {
		t.Fatalf("err = %v, PATCHes = %d", err, len(srv.patches))
	}
}

func TestNoRetry(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		status int
		call   func(c *Client) error
	}{
		{"GET 400", 400, func(c *Client) error { _, err := c.GetSession(ctx, "sess_001"); return err }},
		{"GET 404", 404, func(c *Client) error { _, err := c.GetSession(ctx, "sess_001"); return err }},
		{"GET 500", 500, func(c *Client) error { _, err := c.ListMessages(ctx, "s"); return err }},
		{"PATCH 409", 409, func(c *Client) error {
			_, err := c.UpdateSession(ctx, "sess_001", UpdateSessionRequest{}.SetTitle("x"))
			return err
		}},
		{"DELETE 503", 503, func(c *Client) error { return c.DeleteSession(ctx, "s") }},
		{"DELETE 429", 429, func(c *Client) error { return c.DeleteSession(ctx, "s") }},
		{"POST cancel 502", 502, func(c *Client) error { _, err := c.CancelTurn(ctx, "s"); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := &statusServer{statuses: []int{tc.status}}
			var log retryLog
			c, _ := newTestServer(t, srv.ServeHTTP, Config{OnRetry: log.add})
			var apiErr *APIError
			if err := tc.call(c); !errors.As(err, &apiErr) || apiErr.Status != tc.status {
				t.Fatalf("err = %v", err)
			}
			if n := srv.n.Load(); n != 1 || len(log.events) != 0 {
				t.Errorf("requests = %d, retries = %d; want 1, 0", n, len(log.events))
			}
		})
	}
}

// flaky hangs up on the first `fails` requests, then answers.
func flaky(fails int32, n *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= fails {
			hangUp(w, r)
			return
		}
		writeJSON(w, 200, sessionJSON(1))
	}
}

func TestTransportErrorsRetriedOnlyForGetAndPatch(t *testing.T) {
	var n atomic.Int32
	var log retryLog
	c, _ := newTestServer(t, flaky(2, &n), Config{OnRetry: log.add})
	if _, err := c.GetSession(context.Background(), "sess_001"); err != nil {
		t.Fatalf("GET after two hang-ups: %v", err)
	}
	if n.Load() != 3 || len(log.events) != 2 || log.events[0].Status != 0 {
		t.Errorf("requests = %d, events = %+v", n.Load(), log.events)
	}

	var nd atomic.Int32
	c, _ = newTestServer(t, flaky(1, &nd), Config{})
	err := c.DeleteSession(context.Background(), "s")
	if err == nil || Describe(err) != "connection closed by server" || nd.Load() != 1 {
		t.Errorf("DELETE: err = %v (%q), requests = %d", err, Describe(err), nd.Load())
	}
}

// TestRetryAfterSeconds is the one test that really waits: Retry-After: 1.
func TestRetryAfterSeconds(t *testing.T) {
	srv := &statusServer{statuses: []int{429, 200}, header: http.Header{"Retry-After": {"1"}}}
	var log retryLog
	c, _ := newTestServer(t, srv.ServeHTTP, Config{OnRetry: log.add})
	start := time.Now()
	if _, err := c.GetSession(context.Background(), "sess_001"); err != nil {
		t.Fatal(err)
	}
	if len(log.events) != 1 || log.events[0].Wait != time.Second || log.events[0].Status != 429 {
		t.Fatalf("events = %+v", log.events)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("waited only %v", d)
	}
}

func TestRetryAfterHTTPDateAndBody(t *testing.T) {
	// An HTTP-date one hour ahead is beyond maxRetryWait: no retry, and the
	// error says when to come back.
	date := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	srv := &statusServer{statuses: []int{503}, header: http.Header{"Retry-After": {date}}}
	c, _ := newTestServer(t, srv.ServeHTTP, Config{})
	_, err := c.GetSession(context.Background(), "sess_001")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter < 3590 || apiErr.RetryAfter > 3600 || srv.n.Load() != 1 {
		t.Fatalf("err = %+v, requests = %d", err, srv.n.Load())
	}

	// Within reach: the date is honoured. OnRetry cancels so nothing sleeps.
	date = time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	srv = &statusServer{statuses: []int{503, 200}, header: http.Header{"Retry-After": {date}}}
	var log retryLog
	c, _ = newTestServer(t, srv.ServeHTTP, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.cfg.OnRetry = func(e RetryEvent) { log.add(e); cancel() } // observe the wait, skip the sleep
	_, err = c.GetSession(ctx, "sess_001")
	if !errors.Is(err, context.Canceled) || len(log.events) != 1 {
		t.Fatalf("err = %v, events = %+v", err, log.events)
	}
	if w := log.events[0].Wait; w < time.Second || w > 3*time.Second {
		t.Errorf("wait from HTTP-date = %v, want 1s..3s", w)
	}

	// retry_after_seconds in a problem+json body, no header.
	srv = &statusServer{statuses: []int{429},
		header: http.Header{"Content-Type": {"application/problem+json"}},
		body:   `{"title":"Too Many Requests","status":429,"retry_after_seconds":120}`}
	c, _ = newTestServer(t, srv.ServeHTTP, Config{})
	_, err = c.GetSession(context.Background(), "sess_001")
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != 120 || srv.n.Load() != 1 {
		t.Fatalf("err = %+v, requests = %d", err, srv.n.Load())
	}
	if got := Describe(err); got != "rate limited (HTTP 429), retry in 120s" {
		t.Errorf("Describe = %q", got)
	}
}

func TestRetryWaitRespectsContextDeadline(t *testing.T) {
	srv := &statusServer{statuses: []int{429}, header: http.Header{"Retry-After": {"30"}}}
	c, _ := newTestServer(t, srv.ServeHTTP, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.GetSession(ctx, "sess_001")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 429 || apiErr.RetryAfter != 30 {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second || srv.n.Load() != 1 {
		t.Errorf("took %v with %d requests: should give up at once", d, srv.n.Load())
	}
}

func TestMaxRetriesNegativeDisables(t *testing.T) {
	srv := &statusServer{statuses: []int{503}}
	c, _ := newTestServer(t, srv.ServeHTTP, Config{MaxRetries: -1})
	_, _ = c.GetSession(context.Background(), "sess_001")
	if n := srv.n.Load(); n != 1 {
		t.Errorf("requests = %d", n)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"2", 2 * time.Second, true},
		{" 0 ", 0, true},
		{"Sun, 01 Mar 2026 12:00:05 GMT", 5 * time.Second, true},
		{"Sunday, 01-Mar-26 12:01:00 GMT", time.Minute, true}, // RFC 850 form
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0, true},            // past
		{"", 0, false},
		{"-3", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	base, limit := 100*time.Millisecond, time.Second
	for i := 0; i < 200; i++ {
		for attempt, hi := range map[int]time.Duration{1: 100, 2: 200, 3: 400, 4: 800, 5: 1000, 9: 1000} {
			hi *= time.Millisecond
			if d := backoff(base, limit, attempt); d < hi/2 || d > hi {
				t.Fatalf("backoff(attempt %d) = %v, want %v..%v", attempt, d, hi/2, hi)
			}
		}
	}
	seen := map[time.Duration]bool{}
	for i := 0; i < 50; i++ {
		seen[backoff(base, limit, 3)] = true
	}
	if len(seen) < 10 {
		t.Errorf("no jitter: %d distinct waits", len(seen))
	}
}
