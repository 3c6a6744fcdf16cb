package apitest

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// SSEOptions configures GET /v1/sessions/{id}/sse. Zero values take the real
// server's behaviour; the fault fields are off at zero.
type SSEOptions struct {
	// Cycle is how long a connection lasts before the server sends
	// "disconnecting" and closes it (default 5 minutes).
	Cycle time.Duration
	// CycleAfterEvents also cycles after that many stored events on one
	// connection (0: off), so tests can place cycles exactly.
	CycleAfterEvents int
	// CycleRetry is the disconnecting event's retry_ms (default 100ms).
	CycleRetry time.Duration
	// Heartbeat is the interval of ": heartbeat" comments (default 15s).
	Heartbeat time.Duration
	// Retry is the retry: hint while events flow (default 100ms); it doubles
	// at each quiet heartbeat up to RetryIdle (default 500ms).
	Retry, RetryIdle time.Duration
	// MaxStreams bounds open streams; beyond it the server answers 429 with
	// Retry-After: RetryAfter seconds (defaults 100 and 1).
	MaxStreams int
	RetryAfter int

	// DropAfterEvents aborts a connection (no disconnecting, a torn chunked
	// body) after that many stored events on it; DropStreams bounds how many
	// streams are dropped so (0: every one).
	DropAfterEvents int
	DropStreams     int
	// GiantLine sends, right after "connected", one data line of that many bytes.
	GiantLine int
}

func (o SSEOptions) withDefaults() SSEOptions {
	if o.Cycle <= 0 {
		o.Cycle = 5 * time.Minute
	}
	if o.CycleRetry <= 0 {
		o.CycleRetry = 100 * time.Millisecond
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 15 * time.Second
	}
	if o.Retry <= 0 {
		o.Retry = 100 * time.Millisecond
	}
	if o.RetryIdle < o.Retry {
		o.RetryIdle = max(o.Retry, 500*time.Millisecond)
	}
	if o.MaxStreams <= 0 {
		o.MaxStreams = 100
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = 1
	}
	return o
}

// SetSSE replaces the SSE configuration; it applies to connections opened afterwards.
func (s *Server) SetSSE(o SSEOptions) {
	st := &s.act.events
	st.mu.Lock()
	defer st.mu.Unlock()
	st.sse = o
	st.drops = 0
}

// OpenStreams is the number of SSE streams being served.
func (s *Server) OpenStreams() int {
	st := &s.act.events
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.streams
}

// SinceIDs lists the since_id of every SSE request received, in order (""
// for a request without one; the latest 5,000 to 10,000 in a long run).
func (s *Server) SinceIDs() []string {
	st := &s.act.events
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]string(nil), st.sinces...)
}

// CloseStreams ends every open SSE stream (without "disconnecting") and
// makes later ones end at once. httptest.Server.Close waits for handlers, so
// call it before closing a server whose streams may still be open.
func (s *Server) CloseStreams() {
	st := &s.act.events
	st.mu.Lock()
	defer st.mu.Unlock()
	select {
	case <-st.closed:
	default:
		close(st.closed)
	}
}

func (s *Server) serveSSE(w http.ResponseWriter, r *http.Request, id string) {
	if !ValidSessionID(id) {
		writeError(w, http.StatusBadRequest, "Invalid session ID format")
		return
	}
	if _, ok := s.Get(id); !ok {
		writeError(w, http.StatusNotFound, "Session not found")
		return
	}
	q := r.URL.Query()
	var f eventFilter
	if msg := parseTypeFilter(q, &f); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	st := &s.act.events
	st.mu.Lock()
	since, ok := st.sinceSeqLocked(id, q.Get("since_id"))
	if len(st.sinces) >= 10_000 { // a long demo: keep the recent half
		st.sinces = append([]string(nil), st.sinces[5_000:]...)
	}
	st.sinces = append(st.sinces, q.Get("since_id"))
	o := st.sse.withDefaults()
	full := st.streams >= o.MaxStreams
	if ok && !full {
		st.streams++
	}
	closed := st.closed
	st.mu.Unlock()
	switch {
	case !ok:
		writeError(w, http.StatusBadRequest, "Invalid since_id: must be event_ followed by 32 hex digits")
		return
	case full:
		w.Header().Set("Retry-After", strconv.Itoa(o.RetryAfter))
		writeError(w, http.StatusTooManyRequests, "Too many concurrent streams")
		return
	}
	defer func() {
		st.mu.Lock()
		st.streams--
		st.mu.Unlock()
	}()
	f.afterSeq = since

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	retry := o.Retry
	var buf bytes.Buffer
	send := func() bool {
		_, err := w.Write(buf.Bytes())
		buf.Reset()
		return err == nil && rc.Flush() == nil
	}
	lifecycle := func(name, data string) {
		fmt.Fprintf(&buf, "event: %s\nretry: %d\ndata: %s\n\n", name, retry.Milliseconds(), data)
	}
	lifecycle("connected", `{"status":"connected"}`)
	if o.GiantLine > 0 {
		buf.WriteString("event: output.message.delta\ndata: ")
		buf.Write(bytes.Repeat([]byte("x"), o.GiantLine))
		buf.WriteString("\n\n")
	}
	if !send() {
		return
	}

	cycle := time.NewTimer(o.Cycle)
	defer cycle.Stop()
	beat := time.NewTicker(o.Heartbeat)
	defer beat.Stop()
	sent := 0
	for {
		st.mu.Lock()
		l := st.logLocked(id)
		var batch []storedEvent
		for i := range l.events {
			if f.match(&l.events[i]) {
				batch = append(batch, l.events[i])
			}
		}
		if n := len(l.events); n > 0 {
			f.afterSeq = max(f.afterSeq, l.events[n-1].seq) // filtered-out events are passed too
		}
		wake := l.wake
		st.mu.Unlock()
		for _, e := range batch {
			retry = o.Retry
			fmt.Fprintf(&buf, "event: %s\nid: %s\nretry: %d\ndata: %s\n\n", e.typ, e.id, retry.Milliseconds(), e.json)
			sent++
			if !send() {
				return
			}
			if o.DropAfterEvents > 0 && sent >= o.DropAfterEvents && s.takeDrop(o) {
				panic(http.ErrAbortHandler) // the connection is cut mid-body
			}
			if o.CycleAfterEvents > 0 && sent%o.CycleAfterEvents == 0 {
				lifecycle("disconnecting", fmt.Sprintf(`{"reason":"connection_cycle","retry_ms":%d}`, o.CycleRetry.Milliseconds()))
				_ = send()
				return
			}
		}
		select {
		case <-wake:
		case <-beat.C:
			retry = min(retry*2, o.RetryIdle) // quiet: clients may reconnect less eagerly
			fmt.Fprintf(&buf, ": heartbeat\nretry: %d\n\n", retry.Milliseconds())
			if !send() {
				return
			}
		case <-cycle.C:
			lifecycle("disconnecting", fmt.Sprintf(`{"reason":"connection_cycle","retry_ms":%d}`, o.CycleRetry.Milliseconds()))
			_ = send()
			return
		case <-closed:
			return
		case <-r.Context().Done():
			return
		}
	}
}

// takeDrop reports whether one more stream may be dropped.
func (s *Server) takeDrop(o SSEOptions) bool {
	st := &s.act.events
	st.mu.Lock()
	defer st.mu.Unlock()
	if o.DropStreams > 0 && st.drops >= o.DropStreams {
		return false
	}
	st.drops++
	return true
}
