// Package apiclient is the HTTP client for the Everruns session API.
//
// The types mirror the Session endpoints of the Everruns OpenAPI document
// (apiclient/testdata/everruns-sessions-openapi.json). Unknown JSON fields are
// ignored and unknown status values are kept verbatim, because servers evolve.
package apiclient

import (
	"encoding/json"
	"time"
)

// Status is the execution status of a session. It is an open type: values
// the spec does not list are kept as they arrive.
type Status string

// Known status values. Others seen in the wild are listed for reference only;
// callers must not assume the set is closed.
const (
	StatusStarted Status = "started"
	StatusActive  Status = "active"
	StatusIdle    Status = "idle"

	StatusWaitingForToolResults     Status = "waiting_for_tool_results"
	StatusWaitingForToolResultsFlat Status = "waitingfortoolresults"
	StatusPaused                    Status = "paused"
)

// Known reports whether s is one of the three statuses the spec defines.
func (s Status) Known() bool {
	return s == StatusStarted || s == StatusActive || s == StatusIdle
}

// TokenUsage is the cumulative token usage of a session.
type TokenUsage struct {
	InputTokens         int64  `json:"input_tokens"`
	OutputTokens        int64  `json:"output_tokens"`
	CacheReadTokens     *int64 `json:"cache_read_tokens,omitempty"`
	CacheCreationTokens *int64 `json:"cache_creation_tokens,omitempty"`
}

// Total is input plus output tokens (cache tokens are part of input accounting).
func (u *TokenUsage) Total() int64 {
	if u == nil {
		return 0
	}
	return u.InputTokens + u.OutputTokens
}

// CacheRead returns cache read tokens, 0 when absent.
func (u *TokenUsage) CacheRead() int64 {
	if u == nil || u.CacheReadTokens == nil {
		return 0
	}
	return *u.CacheReadTokens
}

// CacheCreation returns cache creation tokens, 0 when absent.
func (u *TokenUsage) CacheCreation() int64 {
	if u == nil || u.CacheCreationTokens == nil {
		return 0
	}
	return *u.CacheCreationTokens
}

// CapabilityConfig associates a capability with the session.
type CapabilityConfig struct {
	Ref    string          `json:"ref"`
	Config json.RawMessage `json:"config,omitempty"`
}

// Session is one conversation with an agent.
type Session struct {
	ID             string             `json:"id"`
	OrganizationID string             `json:"organization_id"`
	AgentID        string             `json:"agent_id"`
	ModelID        *string            `json:"model_id,omitempty"`
	Status         Status             `json:"status"`
	Title          *string            `json:"title,omitempty"`
	Tags           []string           `json:"tags,omitempty"`
	Preview        *string            `json:"preview,omitempty"`
	OutputPreview  *string            `json:"output_preview,omitempty"`
	Capabilities   []CapabilityConfig `json:"capabilities,omitempty"`
	CreatedAt      time.Time          `json:"created_at"`
	StartedAt      *time.Time         `json:"started_at,omitempty"`
	FinishedAt     *time.Time         `json:"finished_at,omitempty"`
	UpdatedAt      time.Time          `json:"updated_at"`
	Usage          *TokenUsage        `json:"usage,omitempty"`
}

// TitleOrEmpty returns the title, or "" when the session has none.
func (s *Session) TitleOrEmpty() string { return deref(s.Title) }

// PreviewOrEmpty returns the preview of the first user message, or "".
func (s *Session) PreviewOrEmpty() string { return deref(s.Preview) }

// OutputPreviewOrEmpty returns the preview of the last assistant answer, or "".
func (s *Session) OutputPreviewOrEmpty() string { return deref(s.OutputPreview) }

// HasTag reports whether the session carries tag.
func (s *Session) HasTag(tag string) bool {
	for _, t := range s.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// SessionPage is one page of GET /v1/sessions.
type SessionPage struct {
	Data   []Session `json:"data"`
	Total  int       `json:"total"`
	Offset int       `json:"offset"`
	Limit  int       `json:"limit"`

	PageCheck `json:"-"` // what the client found while decoding (decode.go)
}

// UpdateSessionRequest is the body of PATCH /v1/sessions/{id}. Only fields
// that were set are sent: a nil Title means "unchanged", a nil Tags means
// "unchanged", and a non-nil empty Tags clears the tags. Build it with
// SetTitle and SetTags so that intent is explicit.
type UpdateSessionRequest struct {
	Title *string   `json:"title,omitempty"`
	Tags  *[]string `json:"tags,omitempty"`
}

// SetTitle marks the title as provided.
func (r UpdateSessionRequest) SetTitle(title string) UpdateSessionRequest {
	r.Title = &title
	return r
}

// SetTags marks the tags as provided; an empty (even nil) slice clears them.
func (r UpdateSessionRequest) SetTags(tags []string) UpdateSessionRequest {
	if tags == nil {
		tags = []string{}
	}
	cp := append([]string(nil), tags...)
	if cp == nil {
		cp = []string{}
	}
	r.Tags = &cp
	return r
}

// Empty reports whether the request would change nothing.
func (r UpdateSessionRequest) Empty() bool { return r.Title == nil && r.Tags == nil }

// MessageRole is who wrote a message. Open type, as Status.
type MessageRole string

// Known message roles.
const (
	RoleSystem     MessageRole = "system"
	RoleUser       MessageRole = "user"
	RoleAgent      MessageRole = "agent"
	RoleToolResult MessageRole = "tool_result"
)

// ContentPart is one part of a message. Type selects which fields are set;
// unknown types are kept with their Type so the UI can label them.
type ContentPart struct {
	Type string `json:"type"`

	// text
	Text string `json:"text,omitempty"`

	// image
	Base64    *string `json:"base64,omitempty"`
	MediaType *string `json:"media_type,omitempty"`
	URL       *string `json:"url,omitempty"`

	// image_file
	ImageID  string  `json:"image_id,omitempty"`
	Filename *string `json:"filename,omitempty"`

	// tool_call (ID, Name, Arguments) and tool_result (ToolCallID, Result, Error)
	ID         string          `json:"id,omitempty"`
	Name       string          `json:"name,omitempty"`
	Arguments  json.RawMessage `json:"arguments,omitempty"`
	ToolCallID string          `json:"tool_call_id,omitempty"`
	Result     json.RawMessage `json:"result,omitempty"`
	Error      *string         `json:"error,omitempty"`
}

// Content part types.
const (
	PartText       = "text"
	PartImage      = "image"
	PartImageFile  = "image_file"
	PartToolCall   = "tool_call"
	PartToolResult = "tool_result"
)

// Message is one message of a session transcript.
type Message struct {
	ID        string                     `json:"id"`
	SessionID string                     `json:"session_id"`
	Sequence  int                        `json:"sequence"`
	Role      MessageRole                `json:"role"`
	Content   []ContentPart              `json:"content"`
	Controls  json.RawMessage            `json:"controls,omitempty"`
	Metadata  map[string]json.RawMessage `json:"metadata,omitempty"`
	CreatedAt time.Time                  `json:"created_at"`
}

// MessageList is the body of GET /v1/sessions/{id}/messages.
type MessageList struct {
	Data []Message `json:"data"`
}

// CancelTurnResponse is the body of POST /v1/sessions/{id}/cancel.
type CancelTurnResponse struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}
