package apiclient_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// sseKey is a personal access token as the server expects one.
var sseKey = "evr_pat_" + strings.Repeat("5e", 32)

// sseServer is an apitest server with three sessions (no events yet) and the
// given SSE options; it returns the id of one session.
func sseServer(t *testing.T, o apitest.SSEOptions) (*apitest.Server, string) {
	t.Helper()
	srv := apitest.NewTestServer(t, apitest.Options{APIKey: sseKey, Sessions: 3, Seed: 7})
	t.Cleanup(srv.CloseStreams) // runs before the server's Close, which waits for handlers
	srv.SetSSE(o)
	return srv, srv.All()[0].ID
}

func sseClient(base string) *apiclient.Client {
	return apiclient.New(apiclient.Config{APIKey: sseKey, BaseURL: base, OrgID: "org_0123456789abcdef0123456789abcdef"})
}

// fastStream keeps waits short so tests do not sleep for real backoffs.
var fastStream = apiclient.StreamOptions{BackoffBase: time.Millisecond, MaxWait: 20 * time.Millisecond}

func sseStart(t *testing.T, c *apiclient.Client, id string, o apiclient.StreamOptions) *apiclient.Stream {
	t.Helper()
	s := c.Stream(context.Background(), id, o)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// nextItem returns the next item; the time limit only turns a hang into a failure.
func sseNext(t *testing.T, s *apiclient.Stream) apiclient.StreamItem {
	t.Helper()
	select {
	case it, ok := <-s.Items():
		if !ok {
			t.Fatalf("stream closed early (err %v)", s.Err())
		}
		return it
	case <-time.After(10 * time.Second):
		t.Fatal("no stream item within 10s")
	}
	return nil
}

func sseWant[T apiclient.StreamItem](t *testing.T, s *apiclient.Stream) T {
	t.Helper()
	it := sseNext(t, s)
	v, ok := it.(T)
	if !ok {
		var zero T
		t.Fatalf("got %T %+v, want %T", it, it, zero)
	}
	return v
}

func sseAppend(t *testing.T, srv *apitest.Server, id string, n int) []apiclient.Event {
	t.Helper()
	var out []apiclient.Event
	for i := 0; i < n; i++ {
		ev, err := srv.AppendEvent(id, "output.message.delta", map[string]any{
			"turn_id": "turn_1", "message_id": "message_1", "delta": fmt.Sprint(i), "accumulated": fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

func sseIDs(evs []apiclient.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func sseSame(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func TestStreamConnectedThenLiveEvents(t *testing.T) {
	srv, id := sseServer(t, apitest.SSEOptions{})
	s := sseStart(t, sseClient(srv.URL()), id, fastStream)
	if c := sseWant[apiclient.StreamConnected](t, s); c.Attempt != 1 || c.SinceID != "" {
		t.Fatalf("connected %+v", c)
	}
	ev, err := srv.AppendEvent(id, "turn.failed", map[string]any{"turn_id": "turn_1", "error": "provider overloaded"})
	if err != nil {
		t.Fatal(err)
	}
	got := sseWant[apiclient.Event](t, s)
	if got.ID != ev.ID || got.Type != "turn.failed" || got.SessionID != id || got.Sequence == nil || *got.Sequence != 1 {
		t.Fatalf("event %+v, want id %s", got, ev.ID)
	}
	if msg, ok := got.TurnError(); !ok || msg != "provider overloaded" {
		t.Fatalf("TurnError = %q, %v", msg, ok)
	}
	if s.LastEventID() != ev.ID {
		t.Fatalf("LastEventID %q", s.LastEventID())
	}
	// The request carried Bearer auth and the organisation (the log redacts the key itself).
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/sse") && (r.Header.Get("X-Org-Id") == "" || r.Header.Get("Accept") != "text/event-stream") {
			t.Fatalf("stream request headers %v", r.Header)
		}
	}
}

// sseScript serves /sse with fn(w, r, n) where n counts connections from 1,
// and records the requests.
type sseScript struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (sc *sseScript) requests() []*http.Request {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return append([]*http.Request(nil), sc.reqs...)
}

func sseScriptServer(t *testing.T, fn func(w http.ResponseWriter, r *http.Request, n int)) (*httptest.Server, *sseScript) {
	t.Helper()
	sc := &sseScript{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc.mu.Lock()
		sc.reqs = append(sc.reqs, r.Clone(context.Background()))
		n := len(sc.reqs)
		sc.mu.Unlock()
		fn(w, r, n)
	}))
	t.Cleanup(ts.Close)
	return ts, sc
}

// sse writes text as an event stream and flushes it.
func sseWrite(w http.ResponseWriter, text string) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/event-stream")
	}
	_, _ = io.WriteString(w, text)
	w.(http.Flusher).Flush()
}

const sseConnected = "event: connected\nretry: 100\ndata: {\"status\":\"connected\"}\n\n"

func sseStored(id string, seq int, typ string) string {
	return fmt.Sprintf("event: %s\nid: %s\nretry: 100\ndata: {\"id\":%q,\"type\":%q,\"ts\":\"2026-08-01T00:00:00.000Z\",\"session_id\":\"session_1\",\"sequence\":%d,\"context\":{},\"data\":{}}\n\n",
		typ, id, id, typ, seq)
}

func TestStreamIgnoresHeartbeatsAndParsesFraming(t *testing.T) {
	ts, sc := sseScriptServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		sseWrite(w, sseConnected)
		sseWrite(w, ": heartbeat\n\n: heartbeat\r\n\r\n:\n\n")
		// CRLF endings, a data line without the space, two data lines, an
		// event with no id (not stored), an empty event (no data) dropped.
		sseWrite(w, "event: custom.thing\r\ndata:{\"id\":\"\",\r\ndata: \"type\":\"custom.thing\",\"data\":{\"k\":1}}\r\n\r\n")
		sseWrite(w, "event: nothing\n\n")
		sseWrite(w, sseStored("event_a", 1, "session.idled"))
		<-r.Context().Done()
	})
	c := apiclient.New(apiclient.Config{APIKey: sseKey, BaseURL: ts.URL})
	s := sseStart(t, c, "session_1", fastStream)
	sseWant[apiclient.StreamConnected](t, s)
	custom := sseWant[apiclient.Event](t, s)
	if custom.Type != "custom.thing" || custom.ID != "" || string(custom.Data) != `{"k":1}` {
		t.Fatalf("custom event %+v", custom)
	}
	idled := sseWant[apiclient.Event](t, s)
	if idled.ID != "event_a" || !idled.IsIdled() {
		t.Fatalf("idled event %+v", idled)
	}
	if s.LastEventID() != "event_a" {
		t.Fatalf("an event without id moved the cursor: %q", s.LastEventID())
	}
	select {
	case it := <-s.Items():
		t.Fatalf("unexpected item %T %+v", it, it)
	default:
	}
	r := sc.requests()[0]
	if got := r.Header.Get("Authorization"); got != "Bearer "+sseKey {
		t.Fatalf("Authorization %q, want Bearer", got)
	}
	if r.URL.RawQuery != "" {
		t.Fatalf("first request query %q, want none", r.URL.RawQuery)
	}
}

func TestStreamHonoursRetryHint(t *testing.T) {
	ts, sc := sseScriptServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		sseWrite(w, sseConnected)
		if n == 1 {
			sseWrite(w, sseStored("event_a", 1, "turn.started"))
			sseWrite(w, ": hb\nretry: 37\n\n") // a new hint, then the connection drops
			return
		}
		<-r.Context().Done()
	})
	c := apiclient.New(apiclient.Config{APIKey: sseKey, BaseURL: ts.URL})
	s := sseStart(t, c, "session_1", apiclient.StreamOptions{BackoffBase: time.Hour, MaxWait: time.Minute})
	sseWant[apiclient.StreamConnected](t, s)
	sseWant[apiclient.Event](t, s)
	rc := sseWant[apiclient.StreamReconnecting](t, s)
	if rc.Wait != 37*time.Millisecond || rc.Failures != 1 || rc.Err == nil || rc.Reason != "" {
		t.Fatalf("reconnecting %+v, want the server's 37ms hint", rc)
	}
	if got := apiclient.Describe(rc.Err); got != "connection closed by server" {
		t.Fatalf("Describe(%v) = %q", rc.Err, got)
	}
	if c := sseWant[apiclient.StreamConnected](t, s); c.SinceID != "event_a" || c.Attempt != 2 {
		t.Fatalf("reconnected %+v", c)
	}
	if q := sc.requests()[1].URL.Query().Get("since_id"); q != "event_a" {
		t.Fatalf("since_id %q", q)
	}
}

// The server cycles after every 3 events: the client must resume each time
// with the last id it saw and see every event exactly once, in order.
func TestStreamDisconnectingCycleResumesWithoutLossOrRepeat(t *testing.T) {
	srv, id := sseServer(t, apitest.SSEOptions{CycleAfterEvents: 3, CycleRetry: time.Millisecond})
	sseAppend(t, srv, id, 4) // replayed: no since_id means from the start
	s := sseStart(t, sseClient(srv.URL()), id, fastStream)
	var got []string
	cycles := 0
	for len(got) < 11 {
		switch it := sseNext(t, s).(type) {
		case apiclient.Event:
			got = append(got, it.ID)
			if len(got) >= 4 && len(got) < 11 { // 11 in all: no fifth connection
				sseAppend(t, srv, id, 1) // some land while the client reconnects
			}
		case apiclient.StreamReconnecting:
			if it.Reason != "connection_cycle" || it.Err != nil || it.Failures != 0 || it.Wait != time.Millisecond {
				t.Fatalf("reconnecting %+v, want a cycle", it)
			}
			if cycles++; cycles > 3 {
				t.Fatalf("cycle %d after %d events: the stream does not progress", cycles, len(got))
			}
		case apiclient.StreamConnected:
		default:
			t.Fatalf("unexpected %T %+v", it, it)
		}
	}
	all := sseIDs(srv.Events(id))
	sseSame(t, "events received", got, all[:11])
	if cycles != 3 {
		t.Fatalf("%d cycles, want 3", cycles)
	}
	sseSame(t, "since_id per connection", srv.SinceIDs(), []string{"", all[2], all[5], all[8]})
}

// Time-driven cycles (the real server's kind) while events keep coming.
func TestStreamTimedCycleKeepsEveryEvent(t *testing.T) {
	srv, id := sseServer(t, apitest.SSEOptions{Cycle: 5 * time.Millisecond, CycleRetry: time.Millisecond})
	s := sseStart(t, sseClient(srv.URL()), id, fastStream)
	sseWant[apiclient.StreamConnected](t, s)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 60; i++ {
			if _, err := srv.AppendEvent(id, "tool.started", map[string]any{"tool_call": map[string]any{"id": "c", "name": "n", "arguments": map[string]any{}}}); err != nil {
				panic(err)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	var got []string
	cycles := 0
	for len(got) < 60 {
		switch it := sseNext(t, s).(type) {
		case apiclient.Event:
			got = append(got, it.ID)
		case apiclient.StreamReconnecting:
			if it.Reason != "connection_cycle" {
				t.Fatalf("reconnecting %+v", it)
			}
			cycles++
		}
	}
	sseSame(t, "events received", got, sseIDs(srv.Events(id)))
	if cycles == 0 { // each connection lives 5ms, the producer at least 60ms
		t.Fatal("no disconnecting cycle happened")
	}
}

func TestStreamReconnectsAfterDroppedConnection(t *testing.T) {
	srv, id := sseServer(t, apitest.SSEOptions{DropAfterEvents: 2, DropStreams: 1})
	evs := sseAppend(t, srv, id, 4)
	s := sseStart(t, sseClient(srv.URL()), id, fastStream)
	sseWant[apiclient.StreamConnected](t, s)
	var got []string
	got = append(got, sseWant[apiclient.Event](t, s).ID, sseWant[apiclient.Event](t, s).ID)
	rc := sseWant[apiclient.StreamReconnecting](t, s)
	if rc.Err == nil || rc.Reason != "" || rc.Failures != 1 {
		t.Fatalf("reconnecting %+v, want a failure", rc)
	}
	if c := sseWant[apiclient.StreamConnected](t, s); c.SinceID != evs[1].ID || c.Attempt != 2 {
		t.Fatalf("reconnected %+v, want since %s", c, evs[1].ID)
	}
	got = append(got, sseWant[apiclient.Event](t, s).ID, sseWant[apiclient.Event](t, s).ID)
	live := sseAppend(t, srv, id, 1) // and the stream is live again
	got = append(got, sseWant[apiclient.Event](t, s).ID)
	sseSame(t, "events", got, sseIDs(append(evs, live...)))
	sseSame(t, "since_id per connection", srv.SinceIDs(), []string{"", evs[1].ID})
}

func TestStreamBacksOffOn429ThenConnects(t *testing.T) {
	srv, id := sseServer(t, apitest.SSEOptions{MaxStreams: 1, RetryAfter: 3})
	c := sseClient(srv.URL())
	first := sseStart(t, c, id, fastStream)
	sseWant[apiclient.StreamConnected](t, first)

	s := sseStart(t, c, id, fastStream)
	for i := 1; i <= 2; i++ {
		rc := sseWant[apiclient.StreamReconnecting](t, s)
		var apiErr *apiclient.APIError
		if !errors.As(rc.Err, &apiErr) || apiErr.Status != http.StatusTooManyRequests || apiErr.RetryAfter != 3 {
			t.Fatalf("reconnecting %+v, want a 429 with Retry-After 3", rc)
		}
		// Retry-After (3s) is a floor, bounded by MaxWait.
		if rc.Wait != fastStream.MaxWait || rc.Failures != i {
			t.Fatalf("attempt %d: wait %v failures %d, want %v and %d", i, rc.Wait, rc.Failures, fastStream.MaxWait, i)
		}
	}
	if err := first.Close(); !errors.Is(err, context.Canceled) {
		t.Fatalf("first stream: %v", err)
	}
	for {
		it := sseNext(t, s)
		if _, ok := it.(apiclient.StreamConnected); ok {
			break
		}
		if _, ok := it.(apiclient.StreamReconnecting); !ok {
			t.Fatalf("unexpected %T %+v", it, it)
		}
	}
}

func TestStreamBackoffGrowsOnFailures(t *testing.T) {
	ts, _ := sseScriptServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n <= 4 {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"title":"Service Unavailable","status":503}`)
			return
		}
		sseWrite(w, sseConnected)
		<-r.Context().Done()
	})
	c := apiclient.New(apiclient.Config{APIKey: sseKey, BaseURL: ts.URL})
	base := 4 * time.Millisecond
	s := sseStart(t, c, "session_1", apiclient.StreamOptions{BackoffBase: base, MaxWait: 16 * time.Millisecond})
	for i, full := range []time.Duration{4, 8, 16, 16} { // doubling, capped (ms)
		rc := sseWant[apiclient.StreamReconnecting](t, s)
		full *= time.Millisecond
		if rc.Failures != i+1 || rc.Wait < full/2 || rc.Wait > full {
			t.Fatalf("failure %d: %+v, want wait in [%v, %v]", i+1, rc, full/2, full)
		}
	}
	sseWant[apiclient.StreamConnected](t, s)
}

func TestStreamStopsOn401And404(t *testing.T) {
	srv, id := sseServer(t, apitest.SSEOptions{})
	for _, tc := range []struct {
		name, key, id string
		status        int
	}{
		{"wrong key", "evr_pat_" + strings.Repeat("0f", 32), id, http.StatusUnauthorized},
		{"unknown session", sseKey, "session_" + strings.Repeat("0", 32), http.StatusNotFound},
		{"malformed id", sseKey, "nope", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := apiclient.New(apiclient.Config{APIKey: tc.key, BaseURL: srv.URL()})
			s := sseStart(t, c, tc.id, fastStream)
			st := sseWant[apiclient.StreamStopped](t, s)
			var apiErr *apiclient.APIError
			if !errors.As(st.Err, &apiErr) || apiErr.Status != tc.status {
				t.Fatalf("stopped with %v, want HTTP %d", st.Err, tc.status)
			}
			if strings.Contains(st.Err.Error(), tc.key) {
				t.Fatal("the error holds the key")
			}
			if _, ok := <-s.Items(); ok {
				t.Fatal("items not closed after StreamStopped")
			}
			if !errors.Is(s.Err(), st.Err) {
				t.Fatalf("Err() = %v", s.Err())
			}
		})
	}
}

func TestStreamOversizeStops(t *testing.T) {
	t.Run("line", func(t *testing.T) {
		srv, id := sseServer(t, apitest.SSEOptions{GiantLine: 5000})
		s := sseStart(t, sseClient(srv.URL()), id, apiclient.StreamOptions{MaxLineBytes: 4096})
		sseWant[apiclient.StreamConnected](t, s)
		st := sseWant[apiclient.StreamStopped](t, s)
		if !errors.Is(st.Err, apiclient.ErrEventTooLarge) {
			t.Fatalf("stopped with %v", st.Err)
		}
	})
	t.Run("event", func(t *testing.T) {
		ts, _ := sseScriptServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			sseWrite(w, sseConnected)
			for i := 0; i < 100; i++ { // short lines, one big event
				sseWrite(w, "data: "+strings.Repeat("y", 100)+"\n")
			}
			<-r.Context().Done()
		})
		c := apiclient.New(apiclient.Config{BaseURL: ts.URL})
		s := sseStart(t, c, "session_1", apiclient.StreamOptions{MaxEventBytes: 2000})
		sseWant[apiclient.StreamConnected](t, s)
		if st := sseWant[apiclient.StreamStopped](t, s); !errors.Is(st.Err, apiclient.ErrEventTooLarge) {
			t.Fatalf("stopped with %v", st.Err)
		}
	})
}

func TestStreamDropsRepeatedEvents(t *testing.T) {
	ts, _ := sseScriptServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		sseWrite(w, sseConnected)
		if n == 1 {
			sseWrite(w, sseStored("event_a", 1, "turn.started")+sseStored("event_b", 2, "tool.started"))
			return
		}
		// A server that replays the since_id event itself, and one before it.
		sseWrite(w, sseStored("event_a", 1, "turn.started")+sseStored("event_b", 2, "tool.started")+sseStored("event_c", 3, "tool.completed"))
		<-r.Context().Done()
	})
	s := sseStart(t, apiclient.New(apiclient.Config{BaseURL: ts.URL}), "session_1", fastStream)
	var got []string
	for len(got) < 3 {
		if ev, ok := sseNext(t, s).(apiclient.Event); ok {
			got = append(got, ev.ID)
		}
	}
	sseSame(t, "events", got, []string{"event_a", "event_b", "event_c"})
}

func TestStreamRefusesNonEventStream(t *testing.T) {
	ts, _ := sseScriptServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html>login</html>")
	})
	s := sseStart(t, apiclient.New(apiclient.Config{BaseURL: ts.URL}), "session_1", fastStream)
	if st := sseWant[apiclient.StreamStopped](t, s); !errors.Is(st.Err, apiclient.ErrNotEventStream) {
		t.Fatalf("stopped with %v", st.Err)
	}
}

func TestStreamIdleTimeoutReconnects(t *testing.T) {
	ts, _ := sseScriptServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		sseWrite(w, sseConnected) // then silence, not even heartbeats
		<-r.Context().Done()
	})
	s := sseStart(t, apiclient.New(apiclient.Config{BaseURL: ts.URL}), "session_1",
		apiclient.StreamOptions{IdleTimeout: 50 * time.Millisecond, BackoffBase: time.Millisecond})
	sseWant[apiclient.StreamConnected](t, s)
	rc := sseWant[apiclient.StreamReconnecting](t, s)
	if !errors.Is(rc.Err, context.DeadlineExceeded) {
		t.Fatalf("reconnecting %+v, want an idle timeout", rc)
	}
	sseWant[apiclient.StreamConnected](t, s)
}

// Cancelling the context ends the stream and leaves no goroutine behind.
func TestStreamCancelEndsWithoutLeak(t *testing.T) {
	srv, id := sseServer(t, apitest.SSEOptions{Heartbeat: time.Millisecond})
	c := sseClient(srv.URL())
	before := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		s := c.Stream(ctx, id, fastStream)
		sseWant[apiclient.StreamConnected](t, s)
		sseAppend(t, srv, id, 1)
		for {
			if _, ok := sseNext(t, s).(apiclient.Event); ok {
				break
			}
		}
		cancel()
		for range s.Items() { // drains, and ends only when the goroutine closes it
		}
		if !errors.Is(s.Err(), context.Canceled) {
			t.Fatalf("Err() = %v", s.Err())
		}
	}
	// Connection goroutines (client and server side) wind down asynchronously
	// after the close; wait for the count to come back.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	if n := srv.OpenStreams(); n != 0 {
		t.Fatalf("server still serves %d streams", n)
	}
}
