package apitest

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Request is one recorded request. The Authorization header's value is
// replaced by "[redacted]" so logs never hold the key.
type Request struct {
	Method string
	Path   string // as received, prefix included
	Query  string // raw query
	Header http.Header
	Body   []byte
	Status int // status sent (0 if the connection was dropped or not yet answered)
	Fault  string
	Time   time.Time
}

// maxLog bounds the kept log (the counter keeps counting): a long demo must not grow without end.
const maxLog = 100_000

type requestLog struct {
	mu    sync.Mutex
	reqs  []Request
	count atomic.Int64
	base  int // log index of reqs[0]
}

func (l *requestLog) add(r *http.Request, body []byte, at time.Time) int {
	h := r.Header.Clone()
	if h.Get("Authorization") != "" {
		h.Set("Authorization", "[redacted]")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count.Add(1)
	if len(l.reqs) >= maxLog {
		l.base += len(l.reqs) / 2
		l.reqs = append([]Request(nil), l.reqs[len(l.reqs)/2:]...)
	}
	l.reqs = append(l.reqs, Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: h, Body: body, Time: at,
	})
	return l.base + len(l.reqs) - 1
}

func (l *requestLog) finish(i, status int, fault string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i -= l.base; i >= 0 && i < len(l.reqs) {
		l.reqs[i].Status = status
		l.reqs[i].Fault = fault
	}
}

// Requests returns a copy of the request log, oldest first (the latest
// 50,000 to 100,000 requests once that many were made).
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return append([]Request(nil), s.log.reqs...)
}

// ListRequests counts the session lists (GET …/v1/sessions) in the log.
func (s *Server) ListRequests() int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	n := 0
	for _, r := range s.log.reqs {
		if r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/v1/sessions") {
			n++
		}
	}
	return n
}

// RequestCount is the number of requests received since New or ResetRequests.
func (s *Server) RequestCount() int { return int(s.log.count.Load()) }

// ResetRequests clears the request log and counter.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.base += len(s.log.reqs)
	s.log.reqs = nil
	s.log.count.Store(0)
}

// statusWriter remembers the status written.
// statusWriter records the answer's status (and the fault that produced it)
// in the log as the header goes out: a large body reaches the client before
// the handler returns, and a test reading the log then must see it.
type statusWriter struct {
	http.ResponseWriter
	status int
	fault  string
	log    *requestLog
	idx    int
}

// markFault names the fault about to answer w, before anything is written.
func markFault(w http.ResponseWriter, kind string) {
	if sw, ok := w.(*statusWriter); ok && kind != "" {
		sw.fault = kind
	}
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		if w.log != nil {
			w.log.finish(w.idx, code, w.fault)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
