package live

import (
	"encoding/json"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// Caps on what the transcript keeps.
const (
	MaxMessageBytes = 1 << 20 // sanitised text of one message (streamed or stored)
	MaxItems        = 5000    // items kept; the oldest are dropped beyond it
	maxLabelBytes   = 128     // ids, names, roles
	maxTitleBytes   = 512
	maxErrorBytes   = 4096
	seenEvents      = 4096 // event ids remembered to drop a replayed event
)

// Kind is what an Item shows.
type Kind int

// Item kinds.
const (
	KindMessage Kind = iota // a stored message, or one completed while live
	KindTool                // a tool call seen only through events
	KindError               // a failed turn
	KindNote                // a cancelled turn and the like
)

// ToolState is what is known of a tool call.
type ToolState int

// Tool states. ToolCalled: a stored call, no live news of it.
const (
	ToolCalled ToolState = iota
	ToolRunning
	ToolDone
	ToolFailed
)

// Tool is one tool call; tool.started and tool.completed update it in place,
// whether it is a part of a message or an item of its own.
type Tool struct {
	ID, Name string
	State    ToolState
	Err      string
	Duration time.Duration // 0 when unknown
}

// PartKind is the kind of a message part.
type PartKind int

// Part kinds.
const (
	PartText PartKind = iota
	PartToolCall
	PartToolResult
	PartOther // images and unknown types: a label
)

// Part is one sanitised part of a message.
type Part struct {
	Kind  PartKind
	Text  string // text, result summary or label
	Error string // a tool result's error
	Call  *Tool  // PartToolCall
}

// Item is one entry of the transcript. Fields are sanitised.
type Item struct {
	Kind       Kind
	ID         string // message id or tool call id
	Role       apiclient.MessageRole
	Seq        int
	At         time.Time
	Parts      []Part
	Incomplete bool   // a streamed message whose completion never came
	Tool       *Tool  // KindTool
	Text       string // KindError, KindNote

	rev int // bumped on every change, for the render cache
}

// pending is the agent message being streamed.
type pending struct {
	id        string
	text      []byte // sanitised
	rawLen    int    // bytes of raw delta text received, to spot a gap
	truncated bool
	at        time.Time
}

// Transcript is the live state of one session. It does no I/O; Apply and
// ApplyItem feed it. Not safe for concurrent use (it lives in a model).
type Transcript struct {
	items   []*Item
	dropped int // items dropped by the cap
	msgIDs  map[string]bool
	calls   map[string]*Tool
	pend    *pending
	pendRev int
	seen    *idRing

	title    string
	status   apiclient.Status
	activity apiclient.Activity
	turnEnd  string // how the current turn ended: "completed", "failed", "cancelled"
	turnErr  string // the last turn.failed error

	base      *apiclient.TokenUsage
	liveTurns map[string]*apiclient.TokenUsage // usage of turns started while live
	turnOrder []string

	conn Conn

	cache     map[*Item]renderCache
	lastLines int // lines of the last layout, to size the next
}

// New starts a transcript from the session and its stored messages.
func New(s apiclient.Session, msgs []apiclient.Message) *Transcript {
	t := &Transcript{
		msgIDs:    make(map[string]bool),
		calls:     make(map[string]*Tool),
		seen:      newIDRing(seenEvents),
		liveTurns: make(map[string]*apiclient.TokenUsage),
		cache:     make(map[*Item]renderCache),
	}
	t.SetSession(s)
	results := map[string]bool{}
	for _, m := range msgs {
		for _, p := range m.Content {
			if p.Type == apiclient.PartToolResult && p.ToolCallID != "" {
				results[p.ToolCallID] = true
			}
		}
	}
	for _, m := range msgs {
		it := t.messageItem(m)
		for _, p := range it.Parts {
			if p.Call != nil && results[p.Call.ID] {
				p.Call.State = ToolDone
			}
		}
		t.add(it)
	}
	return t
}

// SetSession takes title, status, activity and usage from a fresh copy of
// the session (a refetch after RefreshWorthy): its usage replaces what was
// counted live.
func (t *Transcript) SetSession(s apiclient.Session) {
	t.title = ""
	if s.Title != nil {
		t.title = safetext.Line(*s.Title, maxTitleBytes)
	}
	t.status, t.activity = s.Status, s.Activity
	t.base = nil
	if s.Usage != nil {
		u := *s.Usage
		t.base = &u
	}
	clear(t.liveTurns)
	t.turnOrder = t.turnOrder[:0]
}

// Items are the kept items, oldest first (not including the message being
// streamed; see Pending). Callers must not change them.
func (t *Transcript) Items() []*Item { return t.items }

// Dropped is how many of the oldest items were dropped by the cap.
func (t *Transcript) Dropped() int { return t.dropped }

// Pending is the text of the agent message being streamed; ok is false when
// none is.
func (t *Transcript) Pending() (text string, ok bool) {
	if t.pend == nil {
		return "", false
	}
	return string(t.pend.text), true
}

// Title is the session's title ("" when untitled), sanitised.
func (t *Transcript) Title() string { return t.title }

// Status and Activity are the session's, as events last changed them.
func (t *Transcript) Status() apiclient.Status     { return t.status }
func (t *Transcript) Activity() apiclient.Activity { return t.activity }

// TurnError is the error of the last failed turn ("" when none), sanitised.
func (t *Transcript) TurnError() string { return t.turnErr }

// Conn is the state of the stream.
func (t *Transcript) Conn() Conn { return t.conn }

// ApplyItem applies one stream item: an event, or a change of the
// connection. It reports whether anything shown changed.
func (t *Transcript) ApplyItem(it apiclient.StreamItem) bool {
	switch v := it.(type) {
	case apiclient.Event:
		return t.Apply(v)
	case apiclient.StreamConnected:
		return t.setConn(Conn{State: Live, Attempt: v.Attempt})
	case apiclient.StreamReconnecting:
		return t.setConn(Conn{State: Reconnecting, Reason: v.Reason, Wait: v.Wait, Failures: v.Failures, Err: errText(v.Err)})
	case apiclient.StreamStopped:
		return t.setConn(Conn{State: Stopped, Err: errText(v.Err), Closed: isCanceled(v.Err)})
	}
	return false
}

// ApplyItems applies a batch; it reports whether anything changed.
func (t *Transcript) ApplyItems(items []apiclient.StreamItem) bool {
	changed := false
	for _, it := range items {
		if t.ApplyItem(it) {
			changed = true
		}
	}
	return changed
}

func (t *Transcript) setConn(c Conn) bool {
	if c == t.conn {
		return false
	}
	t.conn = c
	return true
}

// Apply applies one event and reports whether anything shown changed. An
// event seen before (same id) changes nothing; a completed message already
// in the transcript is not added twice; unknown types are ignored.
func (t *Transcript) Apply(ev apiclient.Event) bool {
	if ev.ID != "" && !t.seen.add(ev.ID) {
		return false
	}
	at, _ := ev.Time()
	switch ev.Type {
	case apiclient.EventMessageStarted:
		var d struct {
			MessageID string `json:"message_id"`
		}
		_ = json.Unmarshal(ev.Data, &d)
		return t.startPending(label(d.MessageID), at)
	case apiclient.EventMessageDelta:
		return t.delta(ev, at)
	case "output.message.replaced":
		var d struct {
			MessageID   string `json:"message_id"`
			Replacement string `json:"replacement"`
		}
		if json.Unmarshal(ev.Data, &d) != nil {
			return false
		}
		t.startPending(label(d.MessageID), at)
		t.pend.text = []byte(safetext.Text(d.Replacement, MaxMessageBytes))
		t.pend.rawLen, t.pend.truncated = len(d.Replacement), len(d.Replacement) > MaxMessageBytes
		t.pendRev++
		return true
	case apiclient.EventMessageCompleted:
		return t.completed(ev)
	case apiclient.EventToolStarted:
		return t.toolStarted(ev, at)
	case apiclient.EventToolCompleted:
		return t.toolCompleted(ev, at)
	case apiclient.EventTurnStarted, apiclient.EventSessionActivated:
		changed := t.status != apiclient.StatusActive || t.activity != apiclient.ActivityRunning
		t.status, t.activity = apiclient.StatusActive, apiclient.ActivityRunning
		if ev.Type == apiclient.EventTurnStarted {
			t.turnEnd = ""
			t.startTurn(turnID(ev))
		}
		return changed
	case apiclient.EventTurnCompleted:
		t.turnEnd = "completed"
		t.turnUsage(ev)
		return t.flushPending()
	case apiclient.EventTurnFailed:
		msg, _ := ev.TurnError()
		msg = safetext.Text(msg, maxErrorBytes)
		if msg == "" {
			msg = "the turn failed"
		}
		t.turnEnd, t.turnErr = "failed", msg
		t.flushPending()
		t.add(&Item{Kind: KindError, At: at, Text: msg})
		return true
	case apiclient.EventTurnCancelled:
		var d struct {
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(ev.Data, &d)
		text := "turn cancelled"
		if r := safetext.Line(d.Reason, maxErrorBytes); r != "" {
			text += ": " + r
		}
		t.turnEnd = "cancelled"
		t.turnUsage(ev)
		t.flushPending()
		t.add(&Item{Kind: KindNote, At: at, Text: text})
		return true
	case apiclient.EventSessionIdled:
		t.turnUsage(ev)
		t.flushPending()
		t.status = apiclient.StatusIdle
		switch t.turnEnd {
		case "failed":
			t.activity = apiclient.ActivityFailed
		case "completed":
			t.activity = apiclient.ActivityCompleted
		default:
			t.activity = apiclient.ActivityIdle
		}
		return true
	case apiclient.EventSessionTitleUpdated, apiclient.EventSessionTitleUpdatedDot:
		title, ok := ev.Title()
		if !ok {
			return false
		}
		title = safetext.Line(title, maxTitleBytes)
		if title == t.title {
			return false
		}
		t.title = title
		return true
	}
	return false
}

// RefreshWorthy reports an event after which the session's stored record
// (usage, cost, activity, run summary) has changed: the detail view may
// refetch the session and call SetSession.
func RefreshWorthy(ev apiclient.Event) bool {
	switch ev.Type {
	case apiclient.EventSessionIdled, apiclient.EventTurnCompleted, apiclient.EventTurnFailed, apiclient.EventTurnCancelled:
		return true
	}
	return false
}

// startPending begins a streamed message; a different one still pending is
// kept as an incomplete message.
func (t *Transcript) startPending(id string, at time.Time) bool {
	if t.pend != nil && (id == "" || t.pend.id == id) {
		return false
	}
	if id != "" && t.msgIDs[id] {
		return false // already completed (a replay)
	}
	t.flushPending()
	t.pend = &pending{id: id, at: at}
	t.pendRev++
	return true
}

func (t *Transcript) delta(ev apiclient.Event, at time.Time) bool {
	var d struct {
		MessageID   string  `json:"message_id"`
		Delta       *string `json:"delta"`
		Accumulated *string `json:"accumulated"`
	}
	if json.Unmarshal(ev.Data, &d) != nil || d.Delta == nil {
		return false
	}
	id := label(d.MessageID)
	if id != "" && t.msgIDs[id] {
		return false
	}
	if t.pend == nil || (id != "" && t.pend.id != id && t.pend.id != "") {
		t.startPending(id, at)
	}
	p := t.pend
	if p.id == "" {
		p.id = id
	}
	if d.Accumulated != nil && len(*d.Accumulated) > p.rawLen+len(*d.Delta) {
		// Deltas were missed (the view opened mid-message): start again
		// from the text accumulated so far. A shorter one is ignored.
		p.text = []byte(safetext.Text(*d.Accumulated, MaxMessageBytes))
		p.rawLen, p.truncated = len(*d.Accumulated), len(*d.Accumulated) > MaxMessageBytes
		t.pendRev++
		return true
	}
	p.rawLen += len(*d.Delta)
	if p.truncated {
		return false
	}
	chunk := safetext.Text(*d.Delta, 0)
	if len(p.text)+len(chunk) > MaxMessageBytes {
		p.truncated = true
		room := MaxMessageBytes - len(p.text)
		if room <= 0 { // Text reads 0 as "no cap"
			t.pendRev++
			return true
		}
		chunk = safetext.Text(chunk, room)
	}
	p.text = append(p.text, chunk...)
	t.pendRev++
	return true
}

// flushPending keeps the text of a message that never completed.
func (t *Transcript) flushPending() bool {
	p := t.pend
	if p == nil {
		return false
	}
	t.pend = nil
	t.pendRev++
	if len(p.text) == 0 {
		return true
	}
	it := &Item{Kind: KindMessage, ID: p.id, Role: apiclient.RoleAgent, At: p.at, Incomplete: true,
		Parts: []Part{{Kind: PartText, Text: string(p.text)}}}
	t.add(it)
	return true
}

func (t *Transcript) completed(ev apiclient.Event) bool {
	var d struct {
		Message apiclient.Message `json:"message"`
	}
	if json.Unmarshal(ev.Data, &d) != nil {
		return false
	}
	m := d.Message
	if m.Role == "" {
		m.Role = apiclient.RoleAgent
	}
	it := t.messageItem(m)
	if it.ID != "" && t.msgIDs[it.ID] {
		// Already shown (stored, or completed before a replay): only drop
		// the streamed copy.
		if t.pend != nil && t.pend.id == it.ID {
			t.pend = nil
			t.pendRev++
			return true
		}
		return false
	}
	if it.At.IsZero() {
		it.At, _ = ev.Time()
	}
	if t.pend != nil && (t.pend.id == it.ID || t.pend.id == "" || it.ID == "") {
		t.pend = nil // the completed message replaces the streamed text
		t.pendRev++
	}
	if u := usageOf(ev); u != nil {
		if tu := t.liveTurns[turnID(ev)]; tu != nil {
			tu.Add(u)
		}
	}
	t.add(it)
	return true
}

// add appends an item, registers its ids and applies the cap.
func (t *Transcript) add(it *Item) {
	t.items = append(t.items, it)
	if it.Kind == KindMessage && it.ID != "" {
		t.msgIDs[it.ID] = true
	}
	if it.Tool != nil && it.Tool.ID != "" {
		t.calls[it.Tool.ID] = it.Tool
	}
	for _, p := range it.Parts {
		if p.Call != nil && p.Call.ID != "" {
			t.calls[p.Call.ID] = p.Call
		}
	}
	if len(t.items) > MaxItems {
		n := len(t.items) - MaxItems + MaxItems/10 // drop a chunk: amortised
		for _, old := range t.items[:n] {
			t.forget(old)
		}
		t.items = append(t.items[:0:0], t.items[n:]...)
		t.dropped += n
	}
}

func (t *Transcript) forget(it *Item) {
	delete(t.cache, it)
	if it.Kind == KindMessage && it.ID != "" {
		delete(t.msgIDs, it.ID)
	}
	if it.Tool != nil && t.calls[it.Tool.ID] == it.Tool {
		delete(t.calls, it.Tool.ID)
	}
	for _, p := range it.Parts {
		if p.Call != nil && t.calls[p.Call.ID] == p.Call {
			delete(t.calls, p.Call.ID)
		}
	}
}

// messageItem sanitises a message into an item.
func (t *Transcript) messageItem(m apiclient.Message) *Item {
	it := &Item{Kind: KindMessage, ID: label(m.ID), Role: m.Role, Seq: m.Sequence, At: m.CreatedAt}
	budget := MaxMessageBytes
	for _, p := range m.Content {
		switch p.Type {
		case apiclient.PartText:
			txt := safetext.Text(p.Text, max(budget, 1))
			budget -= len(txt)
			it.Parts = append(it.Parts, Part{Kind: PartText, Text: txt})
		case apiclient.PartToolCall:
			it.Parts = append(it.Parts, Part{Kind: PartToolCall, Call: &Tool{ID: label(p.ID), Name: label(p.Name)}})
		case apiclient.PartToolResult:
			part := Part{Kind: PartToolResult, Text: resultSummary(p.Result)}
			if p.Error != nil {
				part.Error = safetext.Line(*p.Error, maxErrorBytes)
			}
			it.Parts = append(it.Parts, part)
		default:
			typ := label(p.Type)
			if typ == "" {
				typ = "unknown part"
			}
			it.Parts = append(it.Parts, Part{Kind: PartOther, Text: "[" + typ + "]"})
		}
	}
	return it
}

// resultSummary is a tool result on one line: a string as it is, other
// JSON compacted by safetext.Line.
func resultSummary(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return safetext.Line(s, maxErrorBytes)
	}
	if len(raw) > 2*maxErrorBytes {
		raw = raw[:2*maxErrorBytes]
	}
	return safetext.Line(string(raw), maxErrorBytes)
}

func label(s string) string { return safetext.Line(s, maxLabelBytes) }

func turnID(ev apiclient.Event) string {
	if ev.Context.TurnID != nil {
		return *ev.Context.TurnID
	}
	var d struct {
		TurnID string `json:"turn_id"`
	}
	_ = json.Unmarshal(ev.Data, &d)
	return d.TurnID
}
