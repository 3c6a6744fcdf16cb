package apitest

import (
	"time"

	"github.com/everruns/sessions/apiclient"
)

// wireSession is a Session as the newest server serialises it: unset
// optional fields are omitted (not null), tags are always an array, and the
// WithUrls wrapper adds allowed_actions, self_url, view_url and ui_link.
type wireSession struct {
	ID               string             `json:"id"`
	OrganizationID   string             `json:"organization_id"`
	WorkspaceID      string             `json:"workspace_id"`
	HarnessID        string             `json:"harness_id"`
	OwnerPrincipalID string             `json:"owner_principal_id"`
	AgentID          string             `json:"agent_id,omitempty"`
	AgentIdentityID  *string            `json:"agent_identity_id,omitempty"`
	AgentVersionID   *string            `json:"agent_version_id,omitempty"`
	BlueprintID      *string            `json:"blueprint_id,omitempty"`
	ModelID          *string            `json:"model_id,omitempty"`
	Status           apiclient.Status   `json:"status"`
	Activity         apiclient.Activity `json:"activity,omitempty"`
	Source           apiclient.Source   `json:"source,omitempty"`
	IsPinned         bool               `json:"is_pinned"`
	Title            *string            `json:"title,omitempty"`
	Goal             *string            `json:"goal,omitempty"`
	Locale           *string            `json:"locale,omitempty"`
	Tags             []string           `json:"tags"`
	Preview          *string            `json:"preview,omitempty"`
	OutputPreview    *string            `json:"output_preview,omitempty"`
	RunSummary       *string            `json:"run_summary,omitempty"`
	SystemPrompt     *string            `json:"system_prompt,omitempty"`

	Capabilities        []apiclient.CapabilityConfig `json:"capabilities,omitempty"`
	Features            []string                     `json:"features,omitempty"`
	MaxIterations       *int64                       `json:"max_iterations,omitempty"`
	ParallelToolCalls   *bool                        `json:"parallel_tool_calls,omitempty"`
	ActiveScheduleCount *int64                       `json:"active_schedule_count,omitempty"`

	CreatedAt  time.Time             `json:"created_at"`
	StartedAt  *time.Time            `json:"started_at,omitempty"`
	FinishedAt *time.Time            `json:"finished_at,omitempty"`
	UpdatedAt  time.Time             `json:"updated_at"`
	Usage      *apiclient.TokenUsage `json:"usage,omitempty"`

	ParentSessionID     *string                     `json:"parent_session_id,omitempty"`
	ForkedFromSessionID *string                     `json:"forked_from_session_id,omitempty"`
	ForkedFromSequence  *int64                      `json:"forked_from_sequence,omitempty"`
	Owner               *apiclient.PrincipalSummary `json:"owner,omitempty"`
	EffectiveOwner      *apiclient.PrincipalSummary `json:"effective_owner,omitempty"`
	ResolvedOwnerUserID *string                     `json:"resolved_owner_user_id,omitempty"`

	BlueprintConfig apiclient.RawJSON `json:"blueprint_config,omitempty"`
	Hints           apiclient.RawJSON `json:"hints,omitempty"`
	InitialFiles    apiclient.RawJSON `json:"initial_files,omitempty"`
	MCPServers      apiclient.RawJSON `json:"mcpServers,omitempty"`
	NetworkAccess   apiclient.RawJSON `json:"network_access,omitempty"`
	Tools           apiclient.RawJSON `json:"tools,omitempty"`

	AllowedActions []apiclient.AllowedAction `json:"allowed_actions,omitempty"`
	SelfURL        string                    `json:"self_url"`
	ViewURL        string                    `json:"view_url"`
	UILink         string                    `json:"ui_link"`
}

type wirePage struct {
	Data    []wireSession `json:"data"`
	Total   int           `json:"total"`
	Offset  int           `json:"offset"`
	Limit   int           `json:"limit"`
	NextURL string        `json:"next_url,omitempty"`
	PrevURL string        `json:"prev_url,omitempty"`
}

// caller is who asks, and where links point: what differs per request.
type caller struct {
	ident     string // the credential; pins are kept per caller
	org       string // the organisation the request acts in (orgs.go)
	principal int    // index of the caller's principal (see principalID)
	apiBase   string // e.g. http://127.0.0.1:PORT/api
	console   string // web console base for view_url
	pins      map[string]bool
}

// wireOf renders x for c. Call it under the server's read lock.
func wireOf(x *apiclient.Session, c *caller) wireSession {
	tags := x.Tags
	if tags == nil {
		tags = []string{}
	}
	self := c.apiBase + "/v1/sessions/" + x.ID
	view := c.console + "/orgs/" + x.OrganizationID + "/sessions/" + x.ID
	pinned := c.pins[x.ID]
	var d apiclient.SessionDetails
	if x.Details != nil {
		d = *x.Details
	}
	return wireSession{
		ID: x.ID, OrganizationID: x.OrganizationID, WorkspaceID: x.WorkspaceID, HarnessID: x.HarnessID,
		OwnerPrincipalID: x.OwnerPrincipalID, AgentID: x.AgentID, AgentIdentityID: d.AgentIdentityID,
		AgentVersionID: d.AgentVersionID, BlueprintID: d.BlueprintID, ModelID: x.ModelID,
		Status: x.Status, Activity: x.Activity, Source: x.Source, IsPinned: pinned,
		Title: x.Title, Goal: x.Goal, Locale: x.Locale, Tags: tags, Preview: x.Preview,
		OutputPreview: x.OutputPreview, RunSummary: x.RunSummary, SystemPrompt: d.SystemPrompt,
		Capabilities: x.Capabilities, Features: d.Features, MaxIterations: d.MaxIterations,
		ParallelToolCalls: d.ParallelToolCalls, ActiveScheduleCount: d.ActiveScheduleCount,
		CreatedAt: x.CreatedAt, StartedAt: x.StartedAt, FinishedAt: x.FinishedAt, UpdatedAt: x.UpdatedAt,
		Usage: x.Usage, ParentSessionID: x.ParentSessionID, ForkedFromSessionID: d.ForkedFromSessionID,
		ForkedFromSequence: d.ForkedFromSequence, Owner: x.Owner, EffectiveOwner: d.EffectiveOwner,
		ResolvedOwnerUserID: x.ResolvedOwnerUserID, BlueprintConfig: d.BlueprintConfig, Hints: d.Hints,
		InitialFiles: d.InitialFiles, MCPServers: d.MCPServers, NetworkAccess: d.NetworkAccess, Tools: d.Tools,
		AllowedActions: allowedActions(x, self, pinned),
		SelfURL:        self, ViewURL: view, UILink: view,
	}
}

// allowedActions lists what the caller may do now: cancel only while active,
// pin or unpin by the pin state, nothing the platform-chat rules refuse.
func allowedActions(x *apiclient.Session, self string, pinned bool) []apiclient.AllowedAction {
	chat := x.HasTag(PlatformChatTag)
	acts := make([]apiclient.AllowedAction, 0, 6)
	add := func(rel, method, suffix, hint string) {
		acts = append(acts, apiclient.AllowedAction{Rel: rel, Method: method, Href: self + suffix, Hint: hint})
	}
	add("self", "GET", "", "")
	add("events", "GET", "/events", "")
	add("stream", "GET", "/sse", "")
	if !chat {
		add("update", "PATCH", "", "")
	}
	switch {
	case !pinned:
		add("pin", "PUT", "/pin", "")
	case !chat:
		add("unpin", "DELETE", "/pin", "")
	}
	if x.Status.Is(apiclient.StatusActive) {
		add("cancel", "POST", "/cancel", "Cancel the active turn for this session.")
	}
	if !chat {
		add("delete", "DELETE", "", "Deletes the session permanently.")
	}
	return acts
}

// wireDefault renders x for a caller with no pins, links on this server.
func (s *Server) wireDefault(x *apiclient.Session) wireSession {
	return wireOf(x, &caller{apiBase: s.URL(), console: s.opts.ConsoleURL})
}
