package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Event types a session browser reacts to. The catalog is open: the server
// sends many more (reason.*, budget.*, task.*, ...) and new ones appear; an
// unknown type is delivered as it is.
const (
	EventTurnStarted            = "turn.started"
	EventTurnCompleted          = "turn.completed"
	EventTurnFailed             = "turn.failed"
	EventTurnCancelled          = "turn.cancelled"
	EventMessageStarted         = "output.message.started"
	EventMessageDelta           = "output.message.delta"
	EventMessageCompleted       = "output.message.completed"
	EventToolStarted            = "tool.started"
	EventToolCompleted          = "tool.completed"
	EventSessionStarted         = "session.started"
	EventSessionActivated       = "session.activated"
	EventSessionIdled           = "session.idled"
	EventSessionTitleUpdated    = "session.title_updated" // as the server code names it
	EventSessionTitleUpdatedDot = "session.title.updated" // as the spec's schema text names it
)

// MaxEventsLimit is the largest limit GET /v1/sessions/{id}/events accepts.
const MaxEventsLimit = 1000

// EventContext correlates an event with its turn and trace.
type EventContext struct {
	TurnID         *string `json:"turn_id,omitempty"`
	InputMessageID *string `json:"input_message_id,omitempty"`
	ExecID         *string `json:"exec_id,omitempty"`
	TraceID        *string `json:"trace_id,omitempty"`
	SpanID         *string `json:"span_id,omitempty"`
	ParentSpanID   *string `json:"parent_span_id,omitempty"`
}

// Event is one stored session event. Data stays raw JSON (its schema depends
// on Type; the accessors below read the fields a UI needs). TS is kept as
// text so that one malformed timestamp does not lose the event.
type Event struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	TS        string          `json:"ts"`
	SessionID string          `json:"session_id"`
	Sequence  *int64          `json:"sequence,omitempty"`
	Context   EventContext    `json:"context"`
	Data      json.RawMessage `json:"data"`
	Metadata  json.RawMessage `json:"metadata,omitempty"`
	Tags      []string        `json:"tags,omitempty"`

	// Raw is the event exactly as received (the JSON object, or for an SSE
	// payload that is not one, its text), so output can show unknown fields.
	Raw []byte `json:"-"`
}

// EventList is the body of GET /v1/sessions/{id}/events.
type EventList struct {
	Data []Event `json:"data"`
}

// UnmarshalJSON keeps the raw bytes next to the decoded fields.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = Event(p)
	e.Raw = append([]byte(nil), b...)
	return nil
}

// Time parses TS; ok is false when it is missing or malformed.
func (e Event) Time() (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, e.TS)
	return t, err == nil
}

// field decodes data[name] into v; false when absent or of another shape.
func (e Event) field(v any, path ...string) bool {
	raw := e.Data
	for _, name := range path {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return false
		}
		var ok bool
		if raw, ok = obj[name]; !ok {
			return false
		}
	}
	return json.Unmarshal(raw, v) == nil
}

func (e Event) str(path ...string) (string, bool) {
	var s *string
	if !e.field(&s, path...) || s == nil {
		return "", false
	}
	return *s, true
}

// MessageDelta is the new text of an output.message.delta.
func (e Event) MessageDelta() (string, bool) {
	if e.Type != EventMessageDelta {
		return "", false
	}
	return e.str("delta")
}

// MessageText is the text of an output.message.completed: its text parts
// joined by newlines. ok is false for other types or a message without text.
func (e Event) MessageText() (string, bool) {
	if e.Type != EventMessageCompleted {
		return "", false
	}
	var parts []struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if !e.field(&parts, "message", "content") {
		return "", false
	}
	var texts []string
	for _, p := range parts {
		if p.Text != nil && (p.Type == "text" || p.Type == "") {
			texts = append(texts, *p.Text)
		}
	}
	if len(texts) == 0 {
		return "", false
	}
	return strings.Join(texts, "\n"), true
}

// ToolName names the tool of a tool.started (display name, else the call's
// name) or tool.completed (display name, else tool_name).
func (e Event) ToolName() (string, bool) {
	switch e.Type {
	case EventToolStarted:
		if s, ok := e.str("display_name"); ok && s != "" {
			return s, true
		}
		return e.str("tool_call", "name")
	case EventToolCompleted:
		if s, ok := e.str("display_name"); ok && s != "" {
			return s, true
		}
		return e.str("tool_name")
	}
	return "", false
}

// ToolFailed reports a tool.completed whose call did not succeed, with its error text.
func (e Event) ToolFailed() (msg string, failed bool) {
	if e.Type != EventToolCompleted {
		return "", false
	}
	var ok bool
	if e.field(&ok, "success") && ok {
		return "", false
	}
	msg, _ = e.str("error")
	if msg == "" {
		msg, _ = e.str("status")
	}
	return msg, true
}

// TurnError is the error of a turn.failed.
func (e Event) TurnError() (string, bool) {
	if e.Type != EventTurnFailed {
		return "", false
	}
	return e.str("error")
}

// Title is the new title of a session.title_updated (either spelling).
func (e Event) Title() (string, bool) {
	if e.Type != EventSessionTitleUpdated && e.Type != EventSessionTitleUpdatedDot {
		return "", false
	}
	return e.str("title")
}

// IsIdled reports a session.idled: the turn is over and the session waits.
func (e Event) IsIdled() bool { return e.Type == EventSessionIdled }

// StatusChange is the session status an event implies: active when a turn
// starts or the session activates, idle when it idles. Completed, failed and
// cancelled turns are followed by session.idled, which carries the change.
func (e Event) StatusChange() (Status, bool) {
	switch e.Type {
	case EventSessionActivated, EventTurnStarted:
		return StatusActive, true
	case EventSessionIdled:
		return StatusIdle, true
	}
	return "", false
}

// EventsOptions selects events of GET /v1/sessions/{id}/events. Zero values
// are not sent.
type EventsOptions struct {
	// Limit returns the last Limit events (oldest first), 1..MaxEventsLimit.
	Limit          int
	AfterSequence  *int64 // only events with a greater sequence
	BeforeSequence *int64 // only events with a smaller sequence
	SinceID        string // only events after this event id
	Types          []string
	Exclude        []string
}

// ListEvents fetches stored events of a session, oldest first. (The
// server's X-Total-Count header is not read: the shared request path returns
// bodies only.)
func (c *Client) ListEvents(ctx context.Context, id string, opts EventsOptions) ([]Event, error) {
	path, err := sessionPath(id, "/events")
	if err != nil {
		return nil, err
	}
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	raw, err := c.do(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return nil, err
	}
	var list EventList
	if err := decodeJSON(raw, &list, c.cfg.APIKey); err != nil {
		return nil, err
	}
	if list.Data == nil {
		list.Data = []Event{}
	}
	return list.Data, nil
}

func (o EventsOptions) query() (url.Values, error) {
	q := url.Values{}
	if o.Limit < 0 || o.Limit > MaxEventsLimit {
		return nil, fmt.Errorf("%w: events limit %d (1..%d)", ErrInvalidConfig, o.Limit, MaxEventsLimit)
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.AfterSequence != nil {
		q.Set("after_sequence", strconv.FormatInt(*o.AfterSequence, 10))
	}
	if o.BeforeSequence != nil {
		q.Set("before_sequence", strconv.FormatInt(*o.BeforeSequence, 10))
	}
	if o.SinceID != "" {
		q.Set("since_id", o.SinceID)
	}
	addTypes(q, o.Types, o.Exclude)
	return q, nil
}

// addTypes sends the type filters as repeated keys (form, explode).
func addTypes(q url.Values, types, exclude []string) {
	for _, t := range types {
		if t = strings.TrimSpace(t); t != "" {
			q.Add("types", t)
		}
	}
	for _, t := range exclude {
		if t = strings.TrimSpace(t); t != "" {
			q.Add("exclude", t)
		}
	}
}
