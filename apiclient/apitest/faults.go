package apitest

import (
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults injects failures. The zero value injects nothing. Only requests for
// which Match returns true (all requests when Match is nil) are affected;
// counts (FailCount, RateLimit, DropAfter, DropCount) are over matched
// requests and restart at every SetFaults. Checks run in this order:
// Latency, RateLimit, FailCount/FailureRate, DropConnection.
type Faults struct {
	// Match selects the requests affected; nil matches all.
	Match func(r *http.Request) bool

	// Latency delays each matched request; a cancelled request stops waiting.
	Latency time.Duration

	// FailCount fails the next K matched requests; FailureRate fails that
	// fraction (0..1) of matched requests, drawn from a RNG seeded with Seed.
	FailCount   int
	FailureRate float64
	// FailStatus is the status of failures (default 503).
	FailStatus int
	// FailBody is sent as is (default `{"error":"Service unavailable"}`);
	// FailContentType is its Content-Type (default application/json; set
	// "text/html" for a proxy page, "application/problem+json", ...). Set
	// FailEmptyBody for an empty body.
	FailBody        string
	FailContentType string
	FailEmptyBody   bool
	// FailRetryAfter, when > 0, adds "Retry-After: FailRetryAfter" to failures.
	FailRetryAfter int

	// RateLimit answers 429 with "Retry-After: RetryAfter" (default 1) to the
	// next K matched requests; -1 rate-limits every matched request.
	RateLimit  int
	RetryAfter int

	// DropConnection hijacks the connection and closes it mid-response (after
	// a partial status line, headers and body). DropAfter lets that many
	// matched requests through first; DropCount bounds how many are dropped
	// (0 = all subsequent).
	DropConnection bool
	DropAfter      int
	DropCount      int

	// Seed seeds the FailureRate RNG (default 1).
	Seed int64

	// OnFault, when set, runs after a fault is chosen and before it is
	// answered, outside the server's locks, with the fault's name
	// ("ratelimit", "fail", "drop"): a test changes the data there to play
	// another operator acting while a request fails.
	OnFault func(kind string)
}

type faultState struct {
	mu      sync.Mutex
	f       Faults
	rng     *rand.Rand
	matched int
	failed  int
	limited int
	dropped int

	lies       Lies // see lying.go
	redirected int
}

// SetFaults replaces the fault configuration and resets its counters.
func (s *Server) SetFaults(f Faults) {
	seed := f.Seed
	if seed == 0 {
		seed = 1
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.f = f
	s.faults.rng = rand.New(rand.NewSource(seed))
	s.faults.matched, s.faults.failed, s.faults.limited, s.faults.dropped = 0, 0, 0, 0
}

// ClearFaults turns fault injection off.
func (s *Server) ClearFaults() { s.SetFaults(Faults{}) }

// MatchMethod matches requests with the given method (e.g. "PATCH").
func MatchMethod(method string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == method }
}

// MatchList matches GET list requests whose offset is at least minOffset.
func MatchList(minOffset int) func(*http.Request) bool {
	return func(r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(strings.TrimRight(r.URL.Path, "/"), "/v1/sessions") {
			return false
		}
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		return off >= minOffset
	}
}

type faultDecision struct {
	latency time.Duration
	kind    string // "", "ratelimit", "fail", "drop"
	f       Faults
}

func (s *Server) decideFault(r *http.Request) faultDecision {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.f
	if f.Match != nil && !f.Match(r) {
		return faultDecision{}
	}
	d := faultDecision{latency: f.Latency, f: f}
	fs.matched++
	switch {
	case f.RateLimit < 0 || fs.limited < f.RateLimit:
		fs.limited++
		d.kind = "ratelimit"
	case fs.failed < f.FailCount:
		fs.failed++
		d.kind = "fail"
	case f.FailureRate > 0 && fs.rng != nil && fs.rng.Float64() < f.FailureRate:
		d.kind = "fail"
	case f.DropConnection && fs.matched > f.DropAfter && (f.DropCount == 0 || fs.dropped < f.DropCount):
		fs.dropped++
		d.kind = "drop"
	}
	return d
}

// applyFaults injects the configured fault, if any, and returns its name
// ("" when the request should be served normally).
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request) string {
	d := s.decideFault(r)
	if d.latency > 0 {
		t := time.NewTimer(d.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return "cancelled"
		}
	}
	f := d.f
	if d.kind != "" && f.OnFault != nil {
		f.OnFault(d.kind)
	}
	markFault(w, d.kind)
	switch d.kind {
	case "ratelimit":
		ra := f.RetryAfter
		if ra <= 0 {
			ra = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(ra))
		writeError(w, http.StatusTooManyRequests, "Rate limit exceeded")
	case "fail":
		status := f.FailStatus
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		body, ct := f.FailBody, f.FailContentType
		if body == "" && !f.FailEmptyBody {
			body = `{"error":"Service unavailable"}`
		}
		if ct == "" && body != "" {
			ct = "application/json"
		}
		if f.FailRetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.FailRetryAfter))
		}
		writeRaw(w, status, ct, []byte(body))
	case "drop":
		dropConnection(w)
	case "":
		return s.applyLies(w, r)
	}
	return d.kind
}

// dropConnection writes a partial response and closes the connection.
func dropConnection(w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Cannot hijack (e.g. HTTP/2): abort the handler, which resets the stream.
		panic(http.ErrAbortHandler)
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"data\":[{\"id\":\"sess")
	_ = buf.Flush()
	_ = conn.Close()
}
