package apitest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaultFailCountAndBody(t *testing.T) {
	s := newTest(t, Options{Sessions: 10})
	s.SetFaults(Faults{FailCount: 2, FailStatus: 502, FailBody: "<html>Bad gateway</html>", FailContentType: "text/html"})
	for i := 0; i < 2; i++ {
		st, h, b := do(t, s, "GET", "/v1/sessions", "")
		if st != 502 || h.Get("Content-Type") != "text/html" || !strings.Contains(string(b), "Bad gateway") {
			t.Fatalf("fault %d: %d %q %s", i, st, h.Get("Content-Type"), b)
		}
	}
	if st, _, _ := do(t, s, "GET", "/v1/sessions", ""); st != 200 {
		t.Fatalf("third request: %d", st)
	}
	s.SetFaults(Faults{FailCount: 1})
	st, h, b := do(t, s, "GET", "/v1/sessions", "")
	wantError(t, st, h, b, 503)
	s.SetFaults(Faults{FailCount: 1, FailEmptyBody: true, FailStatus: 500})
	if st, _, b := do(t, s, "GET", "/v1/sessions", ""); st != 500 || len(b) != 0 {
		t.Fatalf("empty body: %d %q", st, b)
	}
	big := strings.Repeat("x", 20<<20)
	s.SetFaults(Faults{FailCount: 1, FailBody: big})
	if st, _, b := do(t, s, "GET", "/v1/sessions", ""); st != 503 || len(b) != 20<<20 {
		t.Fatalf("20 MB body: %d %d", st, len(b))
	}
	if got := s.Requests(); got[len(got)-1].Fault != "fail" || got[len(got)-1].Status != 503 {
		t.Fatalf("log: %+v", got[len(got)-1].Fault)
	}
}

func TestFaultRateDeterministic(t *testing.T) {
	run := func() string {
		s := newTest(t, Options{Sessions: 10})
		s.SetFaults(Faults{FailureRate: 0.5, Seed: 7})
		var sb strings.Builder
		for i := 0; i < 40; i++ {
			st, _, _ := do(t, s, "GET", "/v1/sessions", "")
			sb.WriteByte("ok"[min(st/500, 1)])
		}
		return sb.String()
	}
	a, b := run(), run()
	if a != b || !strings.Contains(a, "o") || !strings.Contains(a, "k") {
		t.Fatalf("rate: %s vs %s", a, b)
	}
}

func TestFaultMatchAndRateLimit(t *testing.T) {
	s := newTest(t, Options{Sessions: 10})
	s.SetFaults(Faults{Match: MatchMethod("PATCH"), RateLimit: 1, RetryAfter: 7})
	if st, _, _ := do(t, s, "GET", "/v1/sessions", ""); st != 200 {
		t.Fatal("GET must not match")
	}
	id := s.All()[0].ID
	st, h, b := do(t, s, "PATCH", "/v1/sessions/"+id, `{"title":"x"}`)
	wantError(t, st, h, b, 429)
	if h.Get("Retry-After") != "7" {
		t.Fatalf("Retry-After %q", h.Get("Retry-After"))
	}
	if st, _, _ := do(t, s, "PATCH", "/v1/sessions/"+id, `{"title":"x"}`); st != 200 {
		t.Fatalf("second PATCH: %d", st)
	}
	s.SetFaults(Faults{Match: MatchList(40), RateLimit: -1})
	if st, _, _ := do(t, s, "GET", "/v1/sessions?offset=20", ""); st != 200 {
		t.Fatal("offset 20 must not match")
	}
	for i := 0; i < 3; i++ {
		if st, _, _ := do(t, s, "GET", "/v1/sessions?offset=40", ""); st != 429 {
			t.Fatal("always rate limited")
		}
	}
	s.ClearFaults()
	if st, _, _ := do(t, s, "GET", "/v1/sessions?offset=40", ""); st != 200 {
		t.Fatal("cleared")
	}
}

func TestFaultDrop(t *testing.T) {
	s := newTest(t, Options{Sessions: 10})
	s.SetFaults(Faults{DropConnection: true, DropAfter: 2, DropCount: 1})
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	var errs int
	for i := 0; i < 4; i++ {
		resp, err := c.Get(s.URL() + "/v1/sessions")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err != nil {
			errs++
			if i != 2 {
				t.Fatalf("request %d failed: %v", i, err)
			}
		}
	}
	if errs != 1 {
		t.Fatalf("%d dropped, want 1", errs)
	}
}

func TestFaultLatencyHonoursContext(t *testing.T) {
	s := newTest(t, Options{Sessions: 10})
	s.SetFaults(Faults{Latency: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"/v1/sessions", nil)
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
	s.SetFaults(Faults{Latency: 30 * time.Millisecond})
	start = time.Now()
	if st, _, _ := do(t, s, "GET", "/v1/sessions", ""); st != 200 || time.Since(start) < 30*time.Millisecond {
		t.Fatal("latency not applied")
	}
}
