package apiclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for StreamOptions' zero values.
const (
	DefaultStreamMaxLine     = 1 << 20 // bytes in one line of the stream
	DefaultStreamMaxEvent    = 1 << 20 // bytes of data in one event
	DefaultStreamBackoffBase = 250 * time.Millisecond
	DefaultStreamMaxWait     = 30 * time.Second
	DefaultStreamIdleTimeout = 2 * time.Minute
	DefaultStreamBuffer      = 16
)

// ErrEventTooLarge is returned (wrapped) when a line or an event of the
// stream exceeds its cap. The stream stops: the same event would come again.
var ErrEventTooLarge = errors.New("stream event too large")

// ErrNotEventStream is returned (wrapped) when a 2xx answer is not text/event-stream.
var ErrNotEventStream = errors.New("not an event stream")

// StreamItem is what a Stream delivers: an Event, or one of StreamConnected,
// StreamReconnecting and StreamStopped.
type StreamItem interface{ isStreamItem() }

func (Event) isStreamItem() {}

// StreamConnected: the server accepted the stream (its "connected" event).
type StreamConnected struct {
	SinceID string // the since_id sent, "" when starting from the live edge
	Attempt int    // connections made so far, 1 for the first
}

// StreamReconnecting: the connection ended and another follows after Wait.
type StreamReconnecting struct {
	// Reason is the server's reason for a planned disconnect
	// ("connection_cycle"); empty when the connection failed.
	Reason string
	Err    error // why it failed (an *APIError for 429/5xx); nil for a cycle
	Wait   time.Duration
	// Failures counts failed attempts in a row (0 for a planned cycle).
	Failures int
}

// StreamStopped is the last item: the stream ended for good. Err is never nil
// (the context's error when it was cancelled).
type StreamStopped struct{ Err error }

func (StreamConnected) isStreamItem()    {}
func (StreamReconnecting) isStreamItem() {}
func (StreamStopped) isStreamItem()      {}

// StreamOptions configures Stream. Zero values take defaults.
type StreamOptions struct {
	// SinceID resumes after this event id (events after it are replayed).
	SinceID string
	// Types and Exclude filter event types as the server does.
	Types, Exclude []string
	// MaxLineBytes and MaxEventBytes cap memory per line and per event
	// (default 1 MiB each); beyond them the stream stops with ErrEventTooLarge.
	MaxLineBytes, MaxEventBytes int
	// BackoffBase is the first wait after a failure; waits double up to
	// MaxWait, which also bounds the server's hints and Retry-After.
	BackoffBase, MaxWait time.Duration
	// IdleTimeout ends a connection that sent nothing (not even a heartbeat)
	// for that long, and reconnects. Negative disables it.
	IdleTimeout time.Duration
	// MaxFailures stops the stream after that many failed attempts in a row
	// (0: keep trying until the context ends).
	MaxFailures int
	// Buffer is the capacity of the Items channel (default 16).
	Buffer int
}

func (o StreamOptions) withDefaults() StreamOptions {
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultStreamMaxLine
	}
	if o.MaxEventBytes <= 0 {
		o.MaxEventBytes = DefaultStreamMaxEvent
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = DefaultStreamBackoffBase
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultStreamMaxWait
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultStreamIdleTimeout
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultStreamBuffer
	}
	return o
}

// Stream follows GET /v1/sessions/{id}/sse. One goroutine reads the stream
// and reconnects; it ends when the context is cancelled, Close is called or a
// failure is final (401, 404, an oversize event, ...).
type Stream struct {
	items  chan StreamItem
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	err    error
	lastID string
}

// Items delivers events and state changes in order. It is closed after the
// stream stops; the last item is a StreamStopped unless the context was
// cancelled while the channel was full.
func (s *Stream) Items() <-chan StreamItem { return s.items }

// Done is closed when the stream's goroutine has ended.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Close stops the stream and waits for its goroutine; it returns Err.
func (s *Stream) Close() error {
	s.cancel()
	<-s.done
	return s.Err()
}

// Err is why the stream stopped (nil while it runs).
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// LastEventID is the id of the last stored event queued on Items: the
// since_id of the next connection.
func (s *Stream) LastEventID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastID
}

// Stream starts following the events of session id. The caller reads Items
// until it is closed, or cancels ctx / calls Close.
func (c *Client) Stream(ctx context.Context, id string, opts StreamOptions) *Stream {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	s := &Stream{
		items:  make(chan StreamItem, opts.Buffer),
		cancel: cancel,
		done:   make(chan struct{}),
		lastID: opts.SinceID,
	}
	go s.run(ctx, c, id, opts)
	return s
}

// connEnd is how one connection ended.
type connEnd struct {
	err     error
	fatal   bool          // do not reconnect
	healthy bool          // the server sent something after connecting: reset the backoff
	cycle   bool          // the server announced the disconnect
	reason  string        // its reason
	wait    time.Duration // its retry_ms, for a cycle
}

func (s *Stream) run(ctx context.Context, c *Client, id string, opts StreamOptions) {
	defer close(s.done)
	defer close(s.items)
	defer s.cancel()
	path, err := sessionPath(id, "/sse")
	if err == nil {
		err = c.cfgErr
	}
	if err != nil {
		s.stop(ctx, err)
		return
	}
	r := &sseReader{c: c, s: s, opts: opts, hc: c.streamHTTPClient(), url: c.base + path, seen: newIDSet(1024)}
	failures := 0
	for attempt := 1; ; attempt++ {
		end := r.connect(ctx, attempt)
		if ctx.Err() != nil {
			s.stop(ctx, ctx.Err())
			return
		}
		if end.fatal {
			s.stop(ctx, end.err)
			return
		}
		var wait time.Duration
		if end.cycle {
			failures = 0
			wait = min(max(end.wait, 0), opts.MaxWait)
		} else {
			if end.healthy {
				failures = 0
			}
			failures++
			if opts.MaxFailures > 0 && failures > opts.MaxFailures {
				s.stop(ctx, end.err)
				return
			}
			wait = r.failureWait(failures, end.err)
		}
		if !s.emit(ctx, StreamReconnecting{Reason: end.reason, Err: end.err, Wait: wait, Failures: failures}) {
			s.stop(ctx, ctx.Err())
			return
		}
		if !sleep(ctx, wait) {
			s.stop(ctx, ctx.Err())
			return
		}
	}
}

// failureWait: the first retry after a healthy connection waits the server's
// retry hint; failures in a row back off exponentially from there. A 429's
// Retry-After is a floor. MaxWait bounds everything.
func (r *sseReader) failureWait(failures int, err error) time.Duration {
	hint := r.retryHint
	var wait time.Duration
	if failures == 1 && hint > 0 {
		wait = hint
	} else {
		wait = max(hint, backoff(r.opts.BackoffBase, r.opts.MaxWait, failures))
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		wait = max(wait, time.Duration(apiErr.RetryAfter)*time.Second)
	}
	return min(wait, r.opts.MaxWait)
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// emit delivers it unless the context ends first.
func (s *Stream) emit(ctx context.Context, it StreamItem) bool {
	select {
	case s.items <- it:
		return true
	case <-ctx.Done():
		return false
	}
}

// stop records err and delivers StreamStopped: at once when there is room,
// else waiting for the reader unless the context is already over.
func (s *Stream) stop(ctx context.Context, err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
	st := StreamStopped{Err: err}
	select {
	case s.items <- st:
	default:
		select {
		case s.items <- st:
		case <-ctx.Done():
		}
	}
}

// streamHTTPClient shares the client's transport, redirect policy and jar,
// but has no overall timeout (a stream lasts) and no body cap (the stream
// caps lines and events itself).
func (c *Client) streamHTTPClient() *http.Client {
	hc := *c.rc.GetClient()
	hc.Timeout = 0
	if ct, ok := hc.Transport.(capTransport); ok {
		hc.Transport = ct.base
	}
	return &hc
}

// sseReader holds what outlives one connection.
type sseReader struct {
	c         *Client
	s         *Stream
	opts      StreamOptions
	hc        *http.Client
	url       string
	retryHint time.Duration // the server's last retry: field
	seen      *idSet
}

func (r *sseReader) request(ctx context.Context) (*http.Request, string, error) {
	q := url.Values{}
	since := r.s.LastEventID()
	if since != "" {
		q.Set("since_id", since)
	}
	addTypes(q, r.opts.Types, r.opts.Exclude)
	u := r.url
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", r.c.requestError(err)
	}
	for k, v := range r.c.rc.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	if k := r.c.cfg.APIKey; k != "" {
		if h := req.Header.Get("Authorization"); !strings.HasPrefix(h, "Bearer ") && !strings.HasPrefix(h, "ApiKey ") {
			req.Header.Set("Authorization", "Bearer "+k)
		}
	}
	return req, since, nil
}

// connect runs one connection to its end.
func (r *sseReader) connect(parent context.Context, attempt int) connEnd {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	req, since, err := r.request(ctx)
	if err != nil {
		return connEnd{err: err, fatal: true}
	}
	// The client's per-attempt timeout bounds the wait for headers only.
	var headerTimedOut atomic.Bool
	timeout := r.c.cfg.Timeout
	var timer *time.Timer
	if timeout > 0 {
		timer = time.AfterFunc(timeout, func() { headerTimedOut.Store(true); cancel() })
	}
	resp, err := r.hc.Do(req)
	if timer != nil {
		timer.Stop()
	}
	if err != nil {
		if headerTimedOut.Load() && parent.Err() == nil {
			err = fmt.Errorf("no answer within %s: %w", timeout, context.DeadlineExceeded)
			return connEnd{err: r.c.requestError(err)}
		}
		return connEnd{err: r.c.requestError(err), fatal: !retryableTransport(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		e := parseAPIError(resp.StatusCode, resp.Header, body, time.Now(), r.c.scrub)
		e.Message, e.Code = r.c.scrub(e.Message), r.c.scrub(e.Code)
		retry := retryableStatus(resp.StatusCode) || resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout
		return connEnd{err: e, fatal: !retry}
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return connEnd{err: fmt.Errorf("%w (Content-Type %q)", ErrNotEventStream, oneLine(mt, 100)), fatal: true}
	}
	return r.read(ctx, cancel, resp.Body, since, attempt)
}

// frame is one SSE event being assembled.
type frame struct {
	event, id string
	hasID     bool
	data      []byte
	hasData   bool
}

// read parses the stream (WHATWG server-sent events) until it ends.
func (r *sseReader) read(ctx context.Context, cancel context.CancelFunc, body io.Reader, since string, attempt int) connEnd {
	var idle *time.Timer
	var idleFired atomic.Bool
	if r.opts.IdleTimeout > 0 {
		idle = time.AfterFunc(r.opts.IdleTimeout, func() { idleFired.Store(true); cancel() })
		defer idle.Stop()
	}
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 4096), r.opts.MaxLineBytes+2) // +2: the line ending
	sc.Split(splitLines)
	connected, healthy := false, false
	markConnected := func() bool {
		if connected {
			healthy = true
			return true
		}
		connected = true
		return r.s.emit(ctx, StreamConnected{SinceID: since, Attempt: attempt})
	}
	var f frame
	for sc.Scan() {
		if idle != nil {
			idle.Reset(r.opts.IdleTimeout)
		}
		line := sc.Bytes()
		if len(line) > r.opts.MaxLineBytes {
			return connEnd{err: fmt.Errorf("%w: a line over %d bytes", ErrEventTooLarge, r.opts.MaxLineBytes), fatal: true}
		}
		switch {
		case len(line) == 0:
			if !f.hasData {
				f = frame{}
				continue
			}
			end, stop := r.dispatch(ctx, &f, markConnected)
			f = frame{}
			if stop {
				end.healthy = end.healthy || healthy
				return end
			}
		case line[0] == ':': // a comment: the heartbeat
			if connected {
				healthy = true
			}
		default:
			name, value, _ := bytes.Cut(line, []byte(":"))
			value = bytes.TrimPrefix(value, []byte(" "))
			switch string(name) {
			case "event":
				f.event = string(value)
			case "data":
				if len(f.data)+len(value)+1 > r.opts.MaxEventBytes {
					return connEnd{err: fmt.Errorf("%w: an event over %d bytes", ErrEventTooLarge, r.opts.MaxEventBytes), fatal: true}
				}
				if f.hasData {
					f.data = append(f.data, '\n')
				}
				f.data, f.hasData = append(f.data, value...), true
			case "id":
				if bytes.IndexByte(value, 0) < 0 {
					f.id, f.hasID = string(value), true
				}
			case "retry":
				if ms, err := strconv.ParseUint(string(value), 10, 63); err == nil {
					r.retryHint = time.Duration(min(ms, uint64(r.opts.MaxWait/time.Millisecond))) * time.Millisecond
				}
			}
		}
	}
	err := sc.Err()
	switch {
	case ctx.Err() != nil && idleFired.Load():
		err = fmt.Errorf("stream idle for %s: %w", r.opts.IdleTimeout, context.DeadlineExceeded)
	case errors.Is(err, bufio.ErrTooLong):
		return connEnd{err: fmt.Errorf("%w: a line over %d bytes", ErrEventTooLarge, r.opts.MaxLineBytes), fatal: true}
	case err == nil:
		err = io.EOF // the server closed without announcing it
	}
	return connEnd{err: r.c.requestError(err), healthy: healthy}
}

// dispatch handles one complete event; stop reports that the connection is over.
func (r *sseReader) dispatch(ctx context.Context, f *frame, markConnected func() bool) (connEnd, bool) {
	switch f.event {
	case "connected":
		if !markConnected() {
			return connEnd{err: ctx.Err()}, true
		}
		return connEnd{}, false
	case "disconnecting":
		var d struct {
			Reason  string `json:"reason"`
			RetryMS *int64 `json:"retry_ms"`
		}
		_ = json.Unmarshal(f.data, &d)
		end := connEnd{cycle: true, healthy: true, reason: oneLine(d.Reason, 100)}
		if end.reason == "" {
			end.reason = "disconnecting"
		}
		if d.RetryMS != nil && *d.RetryMS > 0 {
			end.wait = time.Duration(min(*d.RetryMS, int64(r.opts.MaxWait/time.Millisecond))) * time.Millisecond
		}
		return end, true
	}
	if !markConnected() { // a server that skips "connected"
		return connEnd{err: ctx.Err()}, true
	}
	ev := decodeStreamEvent(f)
	key := ev.ID
	if f.hasID && f.id != "" {
		key = f.id
	}
	if key != "" && !r.seen.add(key) {
		return connEnd{}, false // already delivered (a server replaying after since_id)
	}
	if f.hasID && f.id != "" { // before the send, so a reader sees it with the event
		r.s.mu.Lock()
		r.s.lastID = f.id
		r.s.mu.Unlock()
	}
	if !r.s.emit(ctx, ev) {
		return connEnd{err: ctx.Err()}, true
	}
	return connEnd{}, false
}

// decodeStreamEvent reads the data of an SSE event as an Event; the SSE id
// and event name fill what the payload lacks. A payload that is not an
// Event object is kept in Raw.
func decodeStreamEvent(f *frame) Event {
	var ev Event
	if json.Unmarshal(f.data, &ev) != nil {
		ev = Event{Raw: append([]byte(nil), f.data...)}
	}
	if ev.ID == "" && f.hasID {
		ev.ID = f.id
	}
	if ev.Type == "" {
		ev.Type = f.event
		if ev.Type == "" {
			ev.Type = "message"
		}
	}
	return ev
}

// splitLines splits at CRLF, LF or CR, as server-sent events allow.
func splitLines(data []byte, atEOF bool) (int, []byte, error) {
	if atEOF && len(data) == 0 {
		return 0, nil, nil
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\n' {
			return i + 1, data[:i], nil
		}
		if i+1 < len(data) {
			if data[i+1] == '\n' {
				return i + 2, data[:i], nil
			}
			return i + 1, data[:i], nil
		}
		if atEOF {
			return i + 1, data[:i], nil
		}
		return 0, nil, nil // a CR at the end: is an LF next?
	}
	if atEOF {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// idSet remembers the last n ids, to drop an event delivered twice.
type idSet struct {
	m    map[string]struct{}
	ring []string
	next int
}

func newIDSet(n int) *idSet { return &idSet{m: make(map[string]struct{}, n), ring: make([]string, n)} }

// add reports whether id is new, and remembers it.
func (s *idSet) add(id string) bool {
	if _, ok := s.m[id]; ok {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.m, old)
	}
	s.ring[s.next] = id
	s.m[id] = struct{}{}
	s.next = (s.next + 1) % len(s.ring)
	return true
}
