// Package apiclient is the HTTP client for the Everruns session API.
//
// The types mirror the endpoints of the Everruns OpenAPI document
// (apiclient/testdata/everruns-sessions-openapi.json, August 2026). Unknown
// JSON fields of a Session are kept (see Session.Extra) and unknown enum
// values are kept verbatim, because servers evolve.
package apiclient

import (
	"encoding/json"
	"strings"
	"time"
)

// Status is the execution status of a session. It is an open type: values
// the spec does not list are kept as they arrive.
type Status string

// Status values as the server sends them (serde rename_all = "lowercase").
const (
	StatusStarted               Status = "started"
	StatusActive                Status = "active"
	StatusIdle                  Status = "idle"
	StatusWaitingForToolResults Status = "waitingfortoolresults"
	StatusPaused                Status = "paused"

	// StatusWaitingForToolResultsLegacy is the spelling of older servers and
	// SDKs; Normal maps it to StatusWaitingForToolResults.
	StatusWaitingForToolResultsLegacy Status = "waiting_for_tool_results"
)

// Statuses are the statuses the contract defines, in lifecycle order.
var Statuses = []Status{StatusStarted, StatusActive, StatusIdle, StatusWaitingForToolResults, StatusPaused}

// Normal folds case and underscores, the two ways spellings of one status
// differ ("waiting_for_tool_results" is "waitingfortoolresults").
func (s Status) Normal() Status {
	switch s {
	case StatusStarted, StatusActive, StatusIdle, StatusWaitingForToolResults, StatusPaused:
		return s // the common case allocates nothing
	}
	return Status(strings.ToLower(strings.ReplaceAll(string(s), "_", "")))
}

// Is reports whether s and o are the same status in any spelling.
func (s Status) Is(o Status) bool { return s == o || s.Normal() == o.Normal() }

// Known reports whether s (in any spelling) is a status the contract defines.
func (s Status) Known() bool {
	switch s.Normal() {
	case StatusStarted, StatusActive, StatusIdle, StatusWaitingForToolResults, StatusPaused:
		return true
	}
	return false
}

// Running reports whether a turn is under way: active, or waiting for
// client-side tool results.
func (s Status) Running() bool {
	n := s.Normal()
	return n == StatusActive || n == StatusWaitingForToolResults
}

// Activity is the outcome-oriented view of a session that the web console
// groups by, and the only place a failed run shows. Open type.
type Activity string

// Activity values of the contract.
const (
	ActivityRunning   Activity = "running"
	ActivityPaused    Activity = "paused"
	ActivityFailed    Activity = "failed"
	ActivityCompleted Activity = "completed"
	ActivityIdle      Activity = "idle"
)

// Activities are the activity values the contract defines.
var Activities = []Activity{ActivityRunning, ActivityPaused, ActivityFailed, ActivityCompleted, ActivityIdle}

// Known reports whether a is an activity the contract defines.
func (a Activity) Known() bool { return knownIn(a, Activities) }

// Source is how a session came into existence. Open type.
type Source string

// Source values of the contract.
const (
	SourceChat     Source = "chat"
	SourceAPI      Source = "api"
	SourceSlack    Source = "slack"
	SourceAGUI     Source = "ag_ui"
	SourceFCP      Source = "fcp"
	SourceSchedule Source = "schedule"
	SourceWebhook  Source = "webhook"
	SourceA2A      Source = "a2a"
	SourceEval     Source = "eval"
	SourceSubagent Source = "subagent"
	SourceUnknown  Source = "unknown"
)

// Sources are the source values the contract defines.
var Sources = []Source{SourceChat, SourceAPI, SourceSlack, SourceAGUI, SourceFCP, SourceSchedule,
	SourceWebhook, SourceA2A, SourceEval, SourceSubagent, SourceUnknown}

// Known reports whether s is a source the contract defines.
func (s Source) Known() bool { return knownIn(s, Sources) }

func knownIn[T comparable](v T, set []T) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

// TokenUsage is the cumulative token usage of a session. The prompt buckets
// are disjoint; see tokens.go for the arithmetic.
type TokenUsage struct {
	InputTokens         int64    `json:"input_tokens"`
	OutputTokens        int64    `json:"output_tokens"`
	CacheReadTokens     *int64   `json:"cache_read_tokens,omitempty"`
	CacheCreationTokens *int64   `json:"cache_creation_tokens,omitempty"`
	ActualCostUSD       *float64 `json:"actual_cost_usd,omitempty"`
	EstimatedCostUSD    *float64 `json:"estimated_cost_usd,omitempty"`
	EffectiveCostUSD    *float64 `json:"effective_cost_usd,omitempty"`
}

// CapabilityConfig associates a capability with the session.
type CapabilityConfig struct {
	Ref    string          `json:"ref"`
	Config json.RawMessage `json:"config,omitempty"`
}

// PrincipalSummary is a compact owner: id, kind (user, agent_identity,
// system; open) and the user or identity it points at.
type PrincipalSummary struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	SubjectID *string         `json:"subject_id,omitempty"`
	Metadata  json.RawMessage `json:"metadata,omitempty"`
}

// AllowedAction is a hypermedia link: what the caller may do next.
type AllowedAction struct {
	Rel         string `json:"rel"`
	Method      string `json:"method,omitempty"`
	Href        string `json:"href,omitempty"`
	Hint        string `json:"hint,omitempty"`
	OperationID string `json:"operation_id,omitempty"`
	SchemaRef   string `json:"schema_ref,omitempty"`
}

// Session is one conversation with an agent: every field of the contract's
// Session (and its WithUrls wrapper). The members a listed session rarely
// carries are in Details (nil when it has none of them), so that keeping a
// hundred thousand sessions does not keep a hundred thousand sets of empty
// fields; the JSON is flat all the same (sessionjson.go). A few
// configuration fields nobody displays are kept as raw JSON; fields the
// contract does not name are kept in Extra, so that --json output shows
// them.
//
// A loaded session shares what repeats with the others of its load
// (interned strings, pointers, owners, tag and feature lists): replace a
// field to change it, never write through its pointers or into its lists.
type Session struct {
	ID               string  `json:"id"`
	OrganizationID   string  `json:"organization_id"`
	WorkspaceID      string  `json:"workspace_id,omitempty"`
	HarnessID        string  `json:"harness_id,omitempty"`
	OwnerPrincipalID string  `json:"owner_principal_id,omitempty"`
	AgentID          string  `json:"agent_id,omitempty"` // optional: "" when absent
	ModelID          *string `json:"model_id,omitempty"`

	Status   Status   `json:"status"`
	Activity Activity `json:"activity,omitempty"`
	Source   Source   `json:"source,omitempty"`
	IsPinned *bool    `json:"is_pinned,omitempty"`

	Title         *string  `json:"title,omitempty"`
	Goal          *string  `json:"goal,omitempty"`
	Locale        *string  `json:"locale,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	Preview       *string  `json:"preview,omitempty"`
	OutputPreview *string  `json:"output_preview,omitempty"`
	RunSummary    *string  `json:"run_summary,omitempty"`

	Capabilities []CapabilityConfig `json:"capabilities,omitempty"`

	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	UpdatedAt  time.Time  `json:"updated_at"`

	Usage *TokenUsage `json:"usage,omitempty"`

	ParentSessionID     *string           `json:"parent_session_id,omitempty"`
	Owner               *PrincipalSummary `json:"owner,omitempty"`
	ResolvedOwnerUserID *string           `json:"resolved_owner_user_id,omitempty"`

	// Details are the rarely present members; nil when none is.
	Details *SessionDetails `json:"-"`

	// Links (the WithUrls wrapper). AllowedActions is kept as the server
	// sent it, compactly (see ActionList): it is the largest part of a
	// listed session; Actions and Can read it.
	AllowedActions ActionList `json:"allowed_actions,omitzero"`
	SelfURL        string     `json:"self_url,omitempty"`
	ViewURL        string     `json:"view_url,omitempty"`
	UILink         string     `json:"ui_link,omitempty"`

	// Extra holds members the contract does not name, verbatim, so that
	// they survive a round trip (MarshalJSON writes them back). Nil when none.
	Extra map[string]json.RawMessage `json:"-"`
}

// SessionDetails are the members of a Session that a listed session
// rarely carries: identities and versions, the system prompt, features,
// limits, schedules, forks, the effective owner and the runtime
// configuration (kept as the server sent it).
type SessionDetails struct {
	AgentIdentityID     *string           `json:"agent_identity_id,omitempty"`
	AgentVersionID      *string           `json:"agent_version_id,omitempty"`
	BlueprintID         *string           `json:"blueprint_id,omitempty"`
	SystemPrompt        *string           `json:"system_prompt,omitempty"`
	Features            []string          `json:"features,omitempty"`
	MaxIterations       *int64            `json:"max_iterations,omitempty"`
	ParallelToolCalls   *bool             `json:"parallel_tool_calls,omitempty"`
	ActiveScheduleCount *int64            `json:"active_schedule_count,omitempty"`
	ForkedFromSessionID *string           `json:"forked_from_session_id,omitempty"`
	ForkedFromSequence  *int64            `json:"forked_from_sequence,omitempty"`
	EffectiveOwner      *PrincipalSummary `json:"effective_owner,omitempty"`

	BlueprintConfig RawJSON `json:"blueprint_config,omitempty"`
	Hints           RawJSON `json:"hints,omitempty"`
	InitialFiles    RawJSON `json:"initial_files,omitempty"`
	MCPServers      RawJSON `json:"mcpServers,omitempty"`
	NetworkAccess   RawJSON `json:"network_access,omitempty"`
	Tools           RawJSON `json:"tools,omitempty"`
}

// More returns s.Details, made first when nil: for code that builds a
// session and sets one of them.
func (s *Session) More() *SessionDetails {
	if s.Details == nil {
		s.Details = &SessionDetails{}
	}
	return s.Details
}

// TitleOrEmpty returns the title, or "" when the session has none.
func (s *Session) TitleOrEmpty() string { return deref(s.Title) }

// PreviewOrEmpty returns the preview of the first user message, or "".
func (s *Session) PreviewOrEmpty() string { return deref(s.Preview) }

// OutputPreviewOrEmpty returns the preview of the last assistant answer, or "".
func (s *Session) OutputPreviewOrEmpty() string { return deref(s.OutputPreview) }

// Pinned reports whether the calling user pinned the session.
func (s *Session) Pinned() bool { return s.IsPinned != nil && *s.IsPinned }

// Actions decodes allowed_actions: what the caller may do now. Nil when
// absent or malformed.
func (s *Session) Actions() []AllowedAction {
	raw := s.AllowedActions.JSON(s.SelfURL)
	if len(raw) == 0 {
		return nil
	}
	var out []AllowedAction
	if json.Unmarshal(raw, &out) != nil {
		return nil
	}
	return out
}

// Can reports whether allowed_actions offers rel (e.g. "cancel", "pin").
func (s *Session) Can(rel string) bool {
	for _, a := range s.Actions() {
		if a.Rel == rel {
			return true
		}
	}
	return false
}

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
	Data    []Session `json:"data"`
	Total   int       `json:"total"`
	Offset  int       `json:"offset"`
	Limit   int       `json:"limit"`
	NextURL string    `json:"next_url,omitempty"` // absent on the last page
	PrevURL string    `json:"prev_url,omitempty"` // absent on the first page

	PageCheck `json:"-"` // what the client found while decoding (decode.go)
}

// UpdateSessionRequest is the body of PATCH /v1/sessions/{id}. Only fields
// that were set are sent: a nil field means "unchanged", and a non-nil empty
// Tags clears the tags. Build it with the Set methods so that intent is
// explicit. A title cannot be cleared.
type UpdateSessionRequest struct {
	Title  *string   `json:"title,omitempty"`
	Goal   *string   `json:"goal,omitempty"`
	Locale *string   `json:"locale,omitempty"`
	Tags   *[]string `json:"tags,omitempty"`
}

// SetTitle marks the title as provided.
func (r UpdateSessionRequest) SetTitle(title string) UpdateSessionRequest {
	r.Title = &title
	return r
}

// SetGoal marks the goal as provided.
func (r UpdateSessionRequest) SetGoal(goal string) UpdateSessionRequest {
	r.Goal = &goal
	return r
}

// SetLocale marks the locale (BCP 47, e.g. "uk-UA") as provided.
func (r UpdateSessionRequest) SetLocale(locale string) UpdateSessionRequest {
	r.Locale = &locale
	return r
}

// SetTags marks the tags as provided; an empty (even nil) slice clears them.
func (r UpdateSessionRequest) SetTags(tags []string) UpdateSessionRequest {
	cp := append([]string{}, tags...)
	r.Tags = &cp
	return r
}

// Empty reports whether the request would change nothing.
func (r UpdateSessionRequest) Empty() bool {
	return r.Title == nil && r.Goal == nil && r.Locale == nil && r.Tags == nil
}

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

// CancelStatus says whether a cancel did something. Open type.
type CancelStatus string

// Cancel outcomes: cancelled a running turn, or nothing to cancel.
const (
	CancelCancelled CancelStatus = "cancelled"
	CancelNoOp      CancelStatus = "no_op"
)

// CancelTurnResponse is the body of POST /v1/sessions/{id}/cancel.
type CancelTurnResponse struct {
	Status  CancelStatus `json:"status"`
	Message string       `json:"message"`
}

// Cancelled reports whether a running turn was cancelled (not a no-op).
func (r CancelTurnResponse) Cancelled() bool { return r.Status == CancelCancelled }
