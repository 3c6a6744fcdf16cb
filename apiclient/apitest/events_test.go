package apitest

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
)

func evServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC) }
	}
	s := NewTestServer(t, opts)
	t.Cleanup(s.CloseStreams)
	return s
}

func evGet(t *testing.T, s *Server, path string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(s.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// turnGrammar checks one session's event types: a session.started only
// first; turns of turn.started, session.activated, output.message.started,
// tool pairs, then either deltas + completed + turn.completed or turn.failed
// (or turn.cancelled), each closed by session.idled.
func turnGrammar(types []string) (completed, failed int, ok bool) {
	i := 0
	next := func(want string) bool {
		if i < len(types) && types[i] == want {
			i++
			return true
		}
		return false
	}
	next("session.started")
	for i < len(types) {
		if !next("turn.started") || !next("session.activated") || !next("output.message.started") {
			return 0, 0, false
		}
		for next("tool.started") {
			if !next("tool.completed") {
				return 0, 0, false
			}
		}
		if i == len(types) {
			break // the turn is still running
		}
		switch {
		case next("turn.failed"):
			failed++
		case next("output.message.delta"):
			for next("output.message.delta") {
			}
			if !next("output.message.completed") || !next("turn.completed") {
				return 0, 0, false
			}
			completed++
		default:
			return 0, 0, false
		}
		if !next("session.idled") {
			return 0, 0, false
		}
	}
	return completed, failed, true
}

func TestTickRecordsTurnEvents(t *testing.T) {
	s := evServer(t, Options{Sessions: 30, Seed: 3})
	at := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 80; i++ {
		s.Tick(at.Add(time.Duration(i) * time.Second))
	}
	completed, failed, withEvents := 0, 0, 0
	seen := map[string]bool{}
	for _, x := range s.All() {
		evs := s.Events(x.ID)
		if len(evs) == 0 {
			continue
		}
		withEvents++
		var types []string
		text := ""
		for i, e := range evs {
			if e.Sequence == nil || *e.Sequence != int64(i+1) || e.SessionID != x.ID || !validID(e.ID, "event_") || seen[e.ID] {
				t.Fatalf("event %d of %s: %+v", i, x.ID, e)
			}
			seen[e.ID] = true
			types = append(types, e.Type)
			if d, ok := e.MessageDelta(); ok {
				text += d
			}
			if m, ok := e.MessageText(); ok {
				if m != text {
					t.Fatalf("deltas %q do not add up to the message %q", text, m)
				}
				text = ""
			}
		}
		c, f, ok := turnGrammar(types)
		if !ok {
			t.Fatalf("session %s events out of order: %v", x.ID, types)
		}
		completed, failed = completed+c, failed+f
		// An idle session's last completed message is its output preview.
		if last := evs[len(evs)-1]; last.IsIdled() && len(evs) > 2 && evs[len(evs)-2].Type == "turn.completed" {
			m, _ := evs[len(evs)-3].MessageText()
			if m != x.OutputPreviewOrEmpty() {
				t.Fatalf("message %q, output preview %q", m, x.OutputPreviewOrEmpty())
			}
		}
	}
	if withEvents < 5 || completed == 0 || failed == 0 {
		t.Fatalf("%d sessions with events, %d completed and %d failed turns", withEvents, completed, failed)
	}
}

func TestTickEventsAreDeterministic(t *testing.T) {
	run := func() []string {
		s := New(Options{Sessions: 10, Seed: 5, Now: func() time.Time { return time.Unix(1e9, 0) }})
		for i := 0; i < 30; i++ {
			s.Tick(time.Unix(1e9+int64(i), 0))
		}
		var out []string
		for _, x := range s.All() {
			for _, e := range s.Events(x.ID) {
				out = append(out, e.ID+" "+e.Type+" "+string(e.Data))
			}
		}
		return out
	}
	a, b := run(), run()
	if strings.Join(a, "\n") != strings.Join(b, "\n") || len(a) == 0 {
		t.Fatalf("two runs differ or are empty (%d, %d events)", len(a), len(b))
	}
}

func TestPatchAndCancelRecordEvents(t *testing.T) {
	s := evServer(t, Options{Sessions: 20})
	var active, other string
	for _, x := range s.All() {
		if running(x.Status) && active == "" {
			active = x.ID
		} else if other == "" {
			other = x.ID
		}
	}
	if active == "" || other == "" {
		t.Fatal("seed has no active session")
	}
	patch := func(id, body string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPatch, s.URL()+"/v1/sessions/"+id, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	before, _ := s.Get(other)
	patch(other, `{"title":"Renamed"}`)
	patch(other, `{"title":"Renamed"}`)   // unchanged: no event
	patch(other, `{"tags":["a"]}`)        // no title: no event
	patch(other, `{"title":["invalid"]}`) // refused: no event
	evs := s.Events(other)
	if len(evs) != 1 {
		t.Fatalf("events %+v, want one title update", evs)
	}
	if title, ok := evs[0].Title(); !ok || title != "Renamed" {
		t.Fatalf("title event %+v", evs[0])
	}
	var data struct{ PreviousTitle *string }
	_ = json.Unmarshal(evs[0].Data, &data)
	if (data.PreviousTitle == nil) != (before.Title == nil) || (data.PreviousTitle != nil && *data.PreviousTitle != *before.Title) {
		t.Fatalf("previous_title %v, want %v", data.PreviousTitle, before.Title)
	}

	for range 2 { // the second cancel is a no_op: no more events
		resp, err := http.Post(s.URL()+"/v1/sessions/"+active+"/cancel", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var types []string
	for _, e := range s.Events(active) {
		types = append(types, e.Type)
	}
	if strings.Join(types, " ") != "turn.cancelled session.idled" {
		t.Fatalf("cancel events %v", types)
	}
}

func TestEventsEndpointValidation(t *testing.T) {
	s := evServer(t, Options{Sessions: 2})
	id := s.All()[0].ID
	for i := 0; i < 3; i++ {
		typ := "output.message.delta"
		if i == 0 {
			typ = "turn.started"
		}
		if _, err := s.AppendEvent(id, typ, map[string]any{}); err != nil {
			t.Fatal(err)
		}
	}
	base := "/v1/sessions/" + id + "/events"
	for _, tc := range []struct {
		query  string
		status int
	}{
		{"?limit=0", 400},
		{"?limit=x", 400},
		{"?since_id=event_nothex", 400},
		{"?types=no.such.type", 400},
		{"?exclude=no.such.type", 400},
		{"?types=" + strings.Repeat("turn.started&types=", 25) + "turn.started", 400},
		{"?after_sequence=1.5", 400},
		{"?limit=5000", 200},
		{"?since_id=event_" + strings.Repeat("0", 32), 200}, // unknown: from the start
	} {
		status, h, b := evGet(t, s, base+tc.query)
		if status != tc.status {
			t.Fatalf("%s: %d %s", tc.query, status, b)
		}
		if status == 400 && h.Get("Content-Type") != "application/problem+json" { // writeError: RFC 9457
			t.Fatalf("%s: Content-Type %q", tc.query, h.Get("Content-Type"))
		}
	}
	status, h, b := evGet(t, s, base+"?limit=2")
	var list apiclient.EventList
	if status != 200 || json.Unmarshal(b, &list) != nil || len(list.Data) != 2 || *list.Data[0].Sequence != 2 {
		t.Fatalf("limit=2: %d %s", status, b)
	}
	if h.Get("X-Total-Count") != "1" { // deltas are not counted
		t.Fatalf("X-Total-Count %q", h.Get("X-Total-Count"))
	}
	if _, h, _ := evGet(t, s, base); h.Get("X-Total-Count") != "" {
		t.Fatal("X-Total-Count without limit")
	}
	if status, _, _ := evGet(t, s, "/v1/sessions/nope/events"); status != 400 {
		t.Fatalf("malformed id: %d", status)
	}
	if status, _, _ := evGet(t, s, "/v1/sessions/session_"+strings.Repeat("0", 32)+"/sse"); status != 404 {
		t.Fatalf("unknown session stream: %d", status)
	}
	resp, err := http.Post(s.URL()+base, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST events: %d", resp.StatusCode)
	}
}

// sseBlocks reads the stream as raw blocks (the lines of one event).
func sseBlocks(t *testing.T, ctx context.Context, url string) (<-chan []string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan []string, 100)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var block []string
		for sc.Scan() {
			if sc.Text() == "" {
				out <- block
				block = nil
				continue
			}
			block = append(block, sc.Text())
		}
	}()
	return out, resp
}

func nextBlock(t *testing.T, ch <-chan []string) []string {
	t.Helper()
	select {
	case b, ok := <-ch:
		if !ok {
			t.Fatal("stream ended")
		}
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no block within 10s")
	}
	return nil
}

func TestSSEWire(t *testing.T) {
	s := evServer(t, Options{Sessions: 2})
	s.SetSSE(SSEOptions{Heartbeat: time.Millisecond, Retry: 100 * time.Millisecond, RetryIdle: 400 * time.Millisecond})
	id := s.All()[0].ID
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	blocks, resp := sseBlocks(t, ctx, s.URL()+"/v1/sessions/"+id+"/sse")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := strings.Join(nextBlock(t, blocks), "|"); got != `event: connected|retry: 100|data: {"status":"connected"}` {
		t.Fatalf("first block %q", got)
	}
	// Quiet: heartbeats whose retry grows to the idle cap.
	var last int
	for last != 400 {
		b := nextBlock(t, blocks)
		if len(b) != 2 || b[0] != ": heartbeat" || !strings.HasPrefix(b[1], "retry: ") {
			t.Fatalf("heartbeat block %q", b)
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(b[1], "retry: "))
		if n < 100 || n > 400 || n < last {
			t.Fatalf("retry %d after %d", n, last)
		}
		last = n
	}
	ev, err := s.AppendEvent(id, "session.idled", map[string]any{"turn_id": "turn_1"})
	if err != nil {
		t.Fatal(err)
	}
	for {
		b := nextBlock(t, blocks)
		if b[0] == ": heartbeat" {
			continue
		}
		if len(b) != 4 || b[0] != "event: session.idled" || b[1] != "id: "+ev.ID || b[2] != "retry: 100" || !strings.HasPrefix(b[3], "data: {") {
			t.Fatalf("event block %q", b)
		}
		var got apiclient.Event
		if err := json.Unmarshal([]byte(strings.TrimPrefix(b[3], "data: ")), &got); err != nil || got.ID != ev.ID {
			t.Fatalf("data %q: %v", b[3], err)
		}
		break
	}
}

func TestSSECycleAnd429(t *testing.T) {
	s := evServer(t, Options{Sessions: 2})
	// The 429 part with a cycle long enough that the first stream is
	// surely still open when the second is asked for.
	s.SetSSE(SSEOptions{MaxStreams: 1, RetryAfter: 2, Cycle: time.Hour})
	id := s.All()[0].ID
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first, cancelFirst := context.WithCancel(ctx)
	blocks, _ := sseBlocks(t, first, s.URL()+"/v1/sessions/"+id+"/sse")
	nextBlock(t, blocks) // connected
	// A second stream while the first is open: 429.
	status, h, _ := evGet(t, s, "/v1/sessions/"+s.All()[1].ID+"/sse")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "2" {
		t.Fatalf("second stream: %d, Retry-After %q", status, h.Get("Retry-After"))
	}
	cancelFirst()
	for range blocks { // the first stream ends, freeing its place
	}

	// The cycle part: room for a second stream, as the server may count
	// the first until its handler has returned.
	s.SetSSE(SSEOptions{MaxStreams: 2, RetryAfter: 2, Cycle: 20 * time.Millisecond, CycleRetry: 150 * time.Millisecond})
	blocks, _ = sseBlocks(t, ctx, s.URL()+"/v1/sessions/"+id+"/sse")
	nextBlock(t, blocks) // connected
	var b []string
	for b = nextBlock(t, blocks); b[0] == ": heartbeat"; b = nextBlock(t, blocks) {
	}
	if got := strings.Join(b, "|"); got != `event: disconnecting|retry: 100|data: {"reason":"connection_cycle","retry_ms":150}` {
		t.Fatalf("cycle block %q", got)
	}
	select {
	case _, ok := <-blocks:
		if ok {
			t.Fatal("the stream went on after disconnecting")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream was not closed after disconnecting")
	}
}
