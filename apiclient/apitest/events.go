package apitest

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// maxStoredEvents bounds the events kept per session (oldest dropped), so a
// long demo does not grow without end.
const maxStoredEvents = 5000

// knownEventTypes is the server's catalog: types/exclude filters naming
// anything else get 400, as on the real server.
var knownEventTypes = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`input.message output.message.started output.message.delta
		output.message.replaced output.message.completed turn.started turn.completed turn.failed
		turn.cancelled turn.sealed reason.started reason.completed reason.recovered
		reason.thinking.started reason.thinking.delta reason.thinking.completed reason.item
		capability.usage act.started act.completed tool.started tool.completed tool.progress
		tool.output.delta tool.call_requested tool.call_repaired transcript.repaired llm.generation
		session.started session.activated session.idled session.title_updated task.created
		task.updated task.message.sent task.message.received context.compacting context.compacted
		file.written budget.warning budget.paused budget.exhausted budget.resumed
		voice.session.started voice.transcript.delta voice.transcript.completed
		voice.session.ended voice.session.failed`) {
		knownEventTypes[t] = true
	}
}

// storedEvent is one event as the server sends it, encoded once.
type storedEvent struct {
	id, typ string
	seq     int64
	json    []byte
}

// wireEvent is the JSON shape of a stored event.
type wireEvent struct {
	ID        string            `json:"id"`
	Type      string            `json:"type"`
	TS        string            `json:"ts"`
	SessionID string            `json:"session_id"`
	Sequence  int64             `json:"sequence"`
	Context   map[string]string `json:"context"`
	Data      json.RawMessage   `json:"data"`
}

// sessionEvents is the log of one session.
type sessionEvents struct {
	events []storedEvent
	seq    int64
	wake   chan struct{} // closed and replaced on every append
	turn   string        // the turn in progress ("" when none), for simulated events
	msg    string        // its assistant message id
}

// eventStore holds the events of every session and the SSE state. Its lock
// is taken after Server.mu, never before.
type eventStore struct {
	mu   sync.Mutex
	logs map[string]*sessionEvents
	ids  uint64
	rng  *rand.Rand

	sse     SSEOptions
	streams int           // open SSE streams
	closed  chan struct{} // closed by CloseStreams
	drops   int           // streams dropped by SSEOptions.DropAfterEvents
	sinces  []string      // since_id of every SSE request, in order ("" for none)
}

func (st *eventStore) init(seed int64) {
	st.rng = rand.New(rand.NewSource(seed * 104729))
	st.ids = uint64(seed)<<40 | 1<<39
	st.closed = make(chan struct{})
}

func (st *eventStore) logLocked(id string) *sessionEvents {
	if st.logs == nil {
		st.logs = make(map[string]*sessionEvents)
	}
	l := st.logs[id]
	if l == nil {
		l = &sessionEvents{wake: make(chan struct{})}
		st.logs[id] = l
	}
	return l
}

func (st *eventStore) newIDLocked(prefix string) string {
	st.ids++
	return newID(prefix, st.ids)
}

// appendLocked stores one event of session sid and wakes its streams.
func (st *eventStore) appendLocked(sid, typ string, at time.Time, turn string, data any) storedEvent {
	l := st.logLocked(sid)
	raw, err := json.Marshal(data)
	if err != nil {
		raw = []byte(`{}`)
	}
	l.seq++
	w := wireEvent{
		ID: st.newIDLocked("event_"), Type: typ, TS: at.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		SessionID: sid, Sequence: l.seq, Context: map[string]string{}, Data: raw,
	}
	if turn != "" {
		w.Context["turn_id"] = turn
	}
	b, _ := json.Marshal(w)
	e := storedEvent{id: w.ID, typ: typ, seq: l.seq, json: b}
	if len(l.events) >= maxStoredEvents {
		l.events = append(l.events[:0:0], l.events[len(l.events)-maxStoredEvents/2:]...)
	}
	l.events = append(l.events, e)
	close(l.wake)
	l.wake = make(chan struct{})
	return e
}

// AppendEvent stores an event of type typ with data (any JSON value) for the
// session id, as the real server would, and delivers it to open streams.
// Tests use it to control exactly which events exist.
func (s *Server) AppendEvent(id, typ string, data any) (apiclient.Event, error) {
	if _, ok := s.Get(id); !ok {
		return apiclient.Event{}, fmt.Errorf("apitest: no session %q", id)
	}
	st := &s.act.events
	st.mu.Lock()
	e := st.appendLocked(id, typ, s.now(), "", data)
	st.mu.Unlock()
	var ev apiclient.Event
	err := json.Unmarshal(e.json, &ev)
	return ev, err
}

// Events returns the stored events of session id, oldest first.
func (s *Server) Events(id string) []apiclient.Event {
	st := &s.act.events
	st.mu.Lock()
	var raws [][]byte
	if l := st.logs[id]; l != nil {
		for _, e := range l.events {
			raws = append(raws, e.json)
		}
	}
	st.mu.Unlock()
	out := make([]apiclient.Event, 0, len(raws))
	for _, b := range raws {
		var ev apiclient.Event
		if json.Unmarshal(b, &ev) == nil {
			out = append(out, ev)
		}
	}
	return out
}

// noteTickLocked turns one simulated change of x (from status prev) into
// events. Called by Tick with Server.mu held; it draws from its own RNG so
// the sessions' simulation stays as it was.
func (s *Server) noteTickLocked(prev apiclient.Status, x *apiclient.Session, created bool) {
	st := &s.act.events
	st.mu.Lock()
	defer st.mu.Unlock()
	at := x.UpdatedAt
	l := st.logLocked(x.ID)
	startTurn := func() {
		l.turn, l.msg = st.newIDLocked("turn_"), st.newIDLocked("message_")
		in := st.newIDLocked("message_")
		st.appendLocked(x.ID, "turn.started", at, l.turn, map[string]any{
			"turn_id": l.turn, "input_message_id": in, "input_content": x.PreviewOrEmpty()})
		st.appendLocked(x.ID, "session.activated", at, l.turn, map[string]any{"turn_id": l.turn, "input_message_id": in})
		st.appendLocked(x.ID, "output.message.started", at, l.turn, map[string]any{"turn_id": l.turn, "message_id": l.msg})
	}
	switch {
	case created:
		st.appendLocked(x.ID, "session.started", at, "", map[string]any{
			"harness_id": st.newIDLocked("harness_"), "agent_id": x.AgentID})
	case !running(prev) && running(x.Status):
		startTurn()
	case running(prev) && running(x.Status):
		if l.turn == "" {
			startTurn() // active before the log began
		}
		call, name := st.newIDLocked("call_"), simTools[st.rng.Intn(len(simTools))]
		st.appendLocked(x.ID, "tool.started", at, l.turn, map[string]any{
			"tool_call": map[string]any{"id": call, "name": name, "arguments": map[string]any{}}})
		st.appendLocked(x.ID, "tool.completed", at, l.turn, map[string]any{
			"tool_call_id": call, "tool_name": name, "success": true, "status": "success",
			"duration_ms": 50 + st.rng.Intn(2000)})
	case running(prev) && !running(x.Status):
		if l.turn == "" {
			startTurn()
		}
		if st.rng.Intn(6) == 0 {
			st.appendLocked(x.ID, "turn.failed", at, l.turn, map[string]any{
				"turn_id": l.turn, "error": simErrors[st.rng.Intn(len(simErrors))], "error_code": "provider_error"})
		} else {
			text := x.OutputPreviewOrEmpty()
			acc := ""
			for _, chunk := range chunks(text, 2+st.rng.Intn(4)) {
				acc += chunk
				st.appendLocked(x.ID, "output.message.delta", at, l.turn, map[string]any{
					"turn_id": l.turn, "message_id": l.msg, "delta": chunk, "accumulated": acc})
			}
			st.appendLocked(x.ID, "output.message.completed", at, l.turn, map[string]any{"message": map[string]any{
				"id": l.msg, "role": "agent", "created_at": at.UTC().Format(time.RFC3339Nano),
				"content": []any{map[string]any{"type": "text", "text": text}}}})
			st.appendLocked(x.ID, "turn.completed", at, l.turn, map[string]any{"turn_id": l.turn, "iterations": 1})
		}
		st.appendLocked(x.ID, "session.idled", at, l.turn, map[string]any{"turn_id": l.turn, "iterations": 1})
		l.turn, l.msg = "", ""
	}
}

var simTools = []string{"search_logs", "read_file", "run_sql", "http_request", "send_email"}

var simErrors = []string{
	"The model provider returned 529 (overloaded) three times; giving up.",
	"Tool run_sql timed out after 30s.",
	"Context window exceeded while summarising the attachments.",
}

// chunks splits s into about n pieces on rune boundaries.
func chunks(s string, n int) []string {
	r := []rune(s)
	if len(r) == 0 {
		return []string{""}
	}
	size := max(1, (len(r)+n-1)/n)
	var out []string
	for i := 0; i < len(r); i += size {
		out = append(out, string(r[i:min(i+size, len(r))]))
	}
	return out
}

// routeEvents serves the event endpoints and records the events that
// PATCH (title) and cancel cause, then hands everything else to next.
func (s *Server) routeEvents(w http.ResponseWriter, r *http.Request, body []byte, next func(http.ResponseWriter, *http.Request, []byte)) {
	p, _ := strings.CutPrefix(r.URL.Path, s.prefix)
	rest, ok := strings.CutPrefix(p, "/v1/sessions/")
	if !ok {
		next(w, r, body)
		return
	}
	id, sub, _ := strings.Cut(rest, "/")
	switch {
	case sub == "events" && r.Method == http.MethodGet:
		s.listEvents(w, r, id)
	case sub == "sse" && r.Method == http.MethodGet:
		s.serveSSE(w, r, id)
	case sub == "events" || sub == "sse":
		methodNotAllowed(w, "GET")
	case sub == "" && r.Method == http.MethodPatch:
		before, _ := s.Get(id)
		cw := &codeWriter{ResponseWriter: w}
		next(cw, r, body)
		after, ok := s.Get(id)
		if cw.code == http.StatusOK && ok && after.Title != nil && after.TitleOrEmpty() != before.TitleOrEmpty() {
			data := map[string]any{"title": after.TitleOrEmpty(), "previous_title": before.Title}
			s.appendNow(id, "session.title_updated", "", data)
		}
	case sub == "cancel" && r.Method == http.MethodPost:
		before, _ := s.Get(id)
		cw := &codeWriter{ResponseWriter: w}
		next(cw, r, body)
		after, ok := s.Get(id)
		if cw.code == http.StatusOK && ok && running(before.Status) && !running(after.Status) {
			s.cancelTurnEvents(id)
		}
	default:
		next(w, r, body)
	}
}

func (s *Server) appendNow(id, typ, turn string, data any) {
	st := &s.act.events
	st.mu.Lock()
	defer st.mu.Unlock()
	st.appendLocked(id, typ, s.now(), turn, data)
}

func (s *Server) cancelTurnEvents(id string) {
	st := &s.act.events
	st.mu.Lock()
	defer st.mu.Unlock()
	l := st.logLocked(id)
	if l.turn == "" {
		l.turn = st.newIDLocked("turn_")
	}
	at := s.now()
	st.appendLocked(id, "turn.cancelled", at, l.turn, map[string]any{"turn_id": l.turn, "reason": "Cancelled by user"})
	st.appendLocked(id, "session.idled", at, l.turn, map[string]any{"turn_id": l.turn})
	l.turn, l.msg = "", ""
}

// codeWriter remembers the status a handler wrote.
type codeWriter struct {
	http.ResponseWriter
	code int
}

func (w *codeWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *codeWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *codeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// eventFilter is the selection shared by /events and /sse.
type eventFilter struct {
	types, exclude map[string]bool
	afterSeq       int64 // events with a greater sequence
	beforeSeq      int64 // and a smaller one (0: no bound)
}

func (f *eventFilter) match(e *storedEvent) bool {
	if e.seq <= f.afterSeq || (f.beforeSeq > 0 && e.seq >= f.beforeSeq) {
		return false
	}
	if len(f.types) > 0 && !f.types[e.typ] {
		return false
	}
	return !f.exclude[e.typ]
}

// parseTypeFilter reads types/exclude; a message for 400 when invalid.
func parseTypeFilter(q map[string][]string, f *eventFilter) string {
	for _, key := range []string{"types", "exclude"} {
		vals := q[key]
		if len(vals) > 25 {
			return "Too many values for " + key + " (max 25)"
		}
		set := map[string]bool{}
		for _, v := range vals {
			if !knownEventTypes[v] {
				return "Unknown event type in " + key + ": " + v
			}
			set[v] = true
		}
		if key == "types" {
			f.types = set
		} else {
			f.exclude = set
		}
	}
	return ""
}

// sinceSeq resolves since_id to a sequence (0, everything, when unknown or
// no longer stored); ok is false when the id is malformed.
func (st *eventStore) sinceSeqLocked(sid, since string) (int64, bool) {
	if since == "" {
		return 0, true
	}
	if !validID(since, "event_") {
		return 0, false
	}
	if l := st.logs[sid]; l != nil {
		for i := len(l.events) - 1; i >= 0; i-- {
			if l.events[i].id == since {
				return l.events[i].seq, true
			}
		}
	}
	return 0, true
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, id string) {
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
	limit, err := intParam(q.Get("limit"), 0)
	if err != nil || (q.Has("limit") && limit < 1) {
		writeError(w, http.StatusBadRequest, "Invalid limit: must be a positive integer")
		return
	}
	limit = min(limit, apiclient.MaxEventsLimit) // clamped, like the list's limit
	after, err1 := intParam(q.Get("after_sequence"), 0)
	before, err2 := intParam(q.Get("before_sequence"), 0)
	if err1 != nil || err2 != nil {
		writeError(w, http.StatusBadRequest, "Invalid sequence: must be an integer")
		return
	}
	f.afterSeq, f.beforeSeq = int64(after), int64(before)
	if msg := parseTypeFilter(q, &f); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	st := &s.act.events
	st.mu.Lock()
	since, ok := st.sinceSeqLocked(id, q.Get("since_id"))
	if !ok {
		st.mu.Unlock()
		writeError(w, http.StatusBadRequest, "Invalid since_id: must be event_ followed by 32 hex digits")
		return
	}
	f.afterSeq = max(f.afterSeq, since)
	var picked [][]byte
	total := 0
	if l := st.logs[id]; l != nil {
		for i := range l.events {
			e := &l.events[i]
			if e.typ != "output.message.delta" && e.typ != "reason.thinking.delta" {
				total++
			}
			if f.match(e) {
				picked = append(picked, e.json)
			}
		}
	}
	st.mu.Unlock()
	if limit > 0 {
		picked = picked[max(0, len(picked)-limit):]
		w.Header().Set("X-Total-Count", strconv.Itoa(total))
	}
	buf := append(make([]byte, 0, 16+len(picked)*256), `{"data":[`...)
	for i, b := range picked {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, b...)
	}
	buf = append(buf, "]}"...)
	writeRaw(w, http.StatusOK, "application/json", buf)
}
