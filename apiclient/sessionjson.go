package apiclient

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"time"
)

// sessionKeys are the JSON names of a session's members, from the struct
// tags of its wire form.
var sessionKeys = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, k := range SessionKeys() {
		m[k] = struct{}{}
	}
	return m
}()

// SessionKeys returns the JSON names of the members of the contract's
// Session, in the order MarshalJSON writes them (Details' among them).
func SessionKeys() []string {
	var out []string
	t := reflect.TypeOf(sessionWire{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// sessionWire is a session as the JSON has it: flat, in the contract's
// order, for the default codec. Session keeps the rare members apart
// (Details); toSession and wireOf convert.
type sessionWire struct {
	ID                  string             `json:"id"`
	OrganizationID      string             `json:"organization_id"`
	WorkspaceID         string             `json:"workspace_id,omitempty"`
	HarnessID           string             `json:"harness_id,omitempty"`
	OwnerPrincipalID    string             `json:"owner_principal_id,omitempty"`
	AgentID             string             `json:"agent_id,omitempty"`
	AgentIdentityID     *string            `json:"agent_identity_id,omitempty"`
	AgentVersionID      *string            `json:"agent_version_id,omitempty"`
	BlueprintID         *string            `json:"blueprint_id,omitempty"`
	ModelID             *string            `json:"model_id,omitempty"`
	Status              Status             `json:"status"`
	Activity            Activity           `json:"activity,omitempty"`
	Source              Source             `json:"source,omitempty"`
	IsPinned            *bool              `json:"is_pinned,omitempty"`
	Title               *string            `json:"title,omitempty"`
	Goal                *string            `json:"goal,omitempty"`
	Locale              *string            `json:"locale,omitempty"`
	Tags                []string           `json:"tags,omitempty"`
	Preview             *string            `json:"preview,omitempty"`
	OutputPreview       *string            `json:"output_preview,omitempty"`
	RunSummary          *string            `json:"run_summary,omitempty"`
	SystemPrompt        *string            `json:"system_prompt,omitempty"`
	Capabilities        []CapabilityConfig `json:"capabilities,omitempty"`
	Features            []string           `json:"features,omitempty"`
	MaxIterations       *int64             `json:"max_iterations,omitempty"`
	ParallelToolCalls   *bool              `json:"parallel_tool_calls,omitempty"`
	ActiveScheduleCount *int64             `json:"active_schedule_count,omitempty"`
	CreatedAt           time.Time          `json:"created_at"`
	StartedAt           *time.Time         `json:"started_at,omitempty"`
	FinishedAt          *time.Time         `json:"finished_at,omitempty"`
	UpdatedAt           time.Time          `json:"updated_at"`
	Usage               *TokenUsage        `json:"usage,omitempty"`
	ParentSessionID     *string            `json:"parent_session_id,omitempty"`
	ForkedFromSessionID *string            `json:"forked_from_session_id,omitempty"`
	ForkedFromSequence  *int64             `json:"forked_from_sequence,omitempty"`
	Owner               *PrincipalSummary  `json:"owner,omitempty"`
	EffectiveOwner      *PrincipalSummary  `json:"effective_owner,omitempty"`
	ResolvedOwnerUserID *string            `json:"resolved_owner_user_id,omitempty"`
	BlueprintConfig     RawJSON            `json:"blueprint_config,omitempty"`
	Hints               RawJSON            `json:"hints,omitempty"`
	InitialFiles        RawJSON            `json:"initial_files,omitempty"`
	MCPServers          RawJSON            `json:"mcpServers,omitempty"`
	NetworkAccess       RawJSON            `json:"network_access,omitempty"`
	Tools               RawJSON            `json:"tools,omitempty"`
	AllowedActions      ActionList         `json:"allowed_actions,omitzero"`
	SelfURL             string             `json:"self_url,omitempty"`
	ViewURL             string             `json:"view_url,omitempty"`
	UILink              string             `json:"ui_link,omitempty"`
}

// toSession is w as a Session (Details only when one of them is set).
func (w *sessionWire) toSession() Session {
	s := Session{
		ID: w.ID, OrganizationID: w.OrganizationID, WorkspaceID: w.WorkspaceID, HarnessID: w.HarnessID,
		OwnerPrincipalID: w.OwnerPrincipalID, AgentID: w.AgentID, ModelID: w.ModelID,
		Status: w.Status, Activity: w.Activity, Source: w.Source, IsPinned: w.IsPinned,
		Title: w.Title, Goal: w.Goal, Locale: w.Locale, Tags: w.Tags, Preview: w.Preview,
		OutputPreview: w.OutputPreview, RunSummary: w.RunSummary, Capabilities: w.Capabilities,
		CreatedAt: w.CreatedAt, StartedAt: w.StartedAt, FinishedAt: w.FinishedAt, UpdatedAt: w.UpdatedAt,
		Usage: w.Usage, ParentSessionID: w.ParentSessionID, Owner: w.Owner, ResolvedOwnerUserID: w.ResolvedOwnerUserID,
		AllowedActions: w.AllowedActions, SelfURL: w.SelfURL, ViewURL: w.ViewURL, UILink: w.UILink,
	}
	d := SessionDetails{
		AgentIdentityID: w.AgentIdentityID, AgentVersionID: w.AgentVersionID, BlueprintID: w.BlueprintID,
		SystemPrompt: w.SystemPrompt, Features: w.Features, MaxIterations: w.MaxIterations,
		ParallelToolCalls: w.ParallelToolCalls, ActiveScheduleCount: w.ActiveScheduleCount,
		ForkedFromSessionID: w.ForkedFromSessionID, ForkedFromSequence: w.ForkedFromSequence,
		EffectiveOwner: w.EffectiveOwner, BlueprintConfig: w.BlueprintConfig, Hints: w.Hints,
		InitialFiles: w.InitialFiles, MCPServers: w.MCPServers, NetworkAccess: w.NetworkAccess, Tools: w.Tools,
	}
	if !d.isZero() {
		s.Details = &d
	}
	return s
}

// isZero reports whether no member is set (a present empty list counts as
// set: it is written back).
func (d *SessionDetails) isZero() bool {
	return d.AgentIdentityID == nil && d.AgentVersionID == nil && d.BlueprintID == nil && d.SystemPrompt == nil &&
		d.Features == nil && d.MaxIterations == nil && d.ParallelToolCalls == nil && d.ActiveScheduleCount == nil &&
		d.ForkedFromSessionID == nil && d.ForkedFromSequence == nil && d.EffectiveOwner == nil &&
		d.BlueprintConfig == "" && d.Hints == "" && d.InitialFiles == "" && d.MCPServers == "" &&
		d.NetworkAccess == "" && d.Tools == ""
}

// wireOf is s flat, for the default codec.
func wireOf(s *Session) sessionWire {
	w := sessionWire{
		ID: s.ID, OrganizationID: s.OrganizationID, WorkspaceID: s.WorkspaceID, HarnessID: s.HarnessID,
		OwnerPrincipalID: s.OwnerPrincipalID, AgentID: s.AgentID, ModelID: s.ModelID,
		Status: s.Status, Activity: s.Activity, Source: s.Source, IsPinned: s.IsPinned,
		Title: s.Title, Goal: s.Goal, Locale: s.Locale, Tags: s.Tags, Preview: s.Preview,
		OutputPreview: s.OutputPreview, RunSummary: s.RunSummary, Capabilities: s.Capabilities,
		CreatedAt: s.CreatedAt, StartedAt: s.StartedAt, FinishedAt: s.FinishedAt, UpdatedAt: s.UpdatedAt,
		Usage: s.Usage, ParentSessionID: s.ParentSessionID, Owner: s.Owner, ResolvedOwnerUserID: s.ResolvedOwnerUserID,
		AllowedActions: s.AllowedActions, SelfURL: s.SelfURL, ViewURL: s.ViewURL, UILink: s.UILink,
	}
	if d := s.Details; d != nil {
		w.AgentIdentityID, w.AgentVersionID, w.BlueprintID = d.AgentIdentityID, d.AgentVersionID, d.BlueprintID
		w.SystemPrompt, w.Features, w.MaxIterations = d.SystemPrompt, d.Features, d.MaxIterations
		w.ParallelToolCalls, w.ActiveScheduleCount = d.ParallelToolCalls, d.ActiveScheduleCount
		w.ForkedFromSessionID, w.ForkedFromSequence, w.EffectiveOwner = d.ForkedFromSessionID, d.ForkedFromSequence, d.EffectiveOwner
		w.BlueprintConfig, w.Hints, w.InitialFiles = d.BlueprintConfig, d.Hints, d.InitialFiles
		w.MCPServers, w.NetworkAccess, w.Tools = d.MCPServers, d.NetworkAccess, d.Tools
	}
	return w
}

// UnmarshalJSON decodes the known fields with encoding/json and keeps the
// others in Extra. Finding the others is one pass over the top-level keys,
// far cheaper than the decode itself, and allocates only when there are some.
// (The nested decode re-validates b; pages avoid it, see DecodeSessionPage.)
func (s *Session) UnmarshalJSON(b []byte) error {
	var w sessionWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = w.toSession()
	s.Extra = unknownMembers(b)
	return nil
}

// DecodeSessionPage decodes a list page (the body of GET /v1/sessions) as
// ListSessions does, keeping every item.
func DecodeSessionPage(body []byte) (*SessionPage, error) {
	var p SessionPage
	if err := p.decode(body, -1, nil, newInterner()); err != nil {
		return nil, err
	}
	return &p, nil
}

// keepExtras completes a session decoded without UnmarshalJSON from item
// (its bytes, possibly with a leading comma): the unknown members go to
// Extra, and repeated strings are shared through in.
func (s *Session) keepExtras(item []byte, in *interner) {
	if i := skipSpace(item, 0); i < len(item) && item[i] == ',' {
		item = item[i+1:]
	}
	s.Extra = unknownMembers(item)
	s.share(in)
}

// share replaces strings that repeat across sessions (ids of the org,
// agent, model, harness and owner; enum values; tags; the allowed actions
// without self_url) with one copy per load, and lets aliases share their
// original.
func (s *Session) share(in *interner) {
	str := func(p *string) { *p = in.intern(*p) }
	// Pointers to repeated values are shared too: the package never writes
	// through a session's pointers (it replaces them), nor may callers.
	ptr := func(p **string) { *p = in.internPtr(*p) }
	str(&s.OrganizationID)
	str(&s.HarnessID)
	str(&s.OwnerPrincipalID)
	str(&s.AgentID)
	ptr(&s.ModelID)
	ptr(&s.Locale)
	ptr(&s.Goal)
	ptr(&s.ResolvedOwnerUserID)
	s.Status = Status(in.intern(string(s.Status)))
	s.Activity = Activity(in.intern(string(s.Activity)))
	s.Source = Source(in.intern(string(s.Source)))
	for i := range s.Tags {
		str(&s.Tags[i])
	}
	s.Tags = in.internList(s.Tags)
	s.Owner = in.internOwner(s.Owner)
	if d := s.Details; d != nil {
		ptr(&d.AgentVersionID)
		ptr(&d.AgentIdentityID)
		ptr(&d.BlueprintID)
		for i := range d.Features {
			str(&d.Features[i])
		}
		d.Features = in.internList(d.Features)
		d.EffectiveOwner = in.internOwner(d.EffectiveOwner)
	}
	if s.UILink == s.ViewURL {
		s.UILink = s.ViewURL
	}
	// The id is the end of self_url: one copy of its bytes, not two.
	if n := len(s.SelfURL) - len(s.ID); n > 0 && s.SelfURL[n-1] == '/' && s.SelfURL[n:] == s.ID {
		s.ID = s.SelfURL[n:]
	}
	s.AllowedActions.compact(s.SelfURL, in)
}

// MarshalJSON writes the known fields, then the members in Extra (sorted by
// key) that do not collide with a known one.
func (s Session) MarshalJSON() ([]byte, error) {
	f := wireOf(&s)
	if f.AllowedActions.templ() {
		f.AllowedActions = RawActions(s.AllowedActions.JSON(s.SelfURL))
	}
	b, err := json.Marshal(f)
	if err != nil || len(s.Extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(s.Extra))
	for k := range s.Extra {
		if !isSessionKey(k) && json.Valid(s.Extra[k]) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1]) // drop the closing brace; the object is never empty (id is always written)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		buf.WriteByte(',')
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(s.Extra[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// isSessionKey reports whether encoding/json would put key in a field:
// it matches names case-insensitively.
func isSessionKey(key string) bool {
	if _, ok := sessionKeys[key]; ok {
		return true
	}
	for k := range sessionKeys {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// unknownMembers returns the top-level members of the JSON object b whose
// keys are not Session fields, or nil. b has been validated by the decoder.
func unknownMembers(b []byte) map[string]json.RawMessage {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil
	}
	var out map[string]json.RawMessage
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			return out // '}' or malformed: done
		}
		kStart := i
		i = skipString(b, i)
		rawKey := b[kStart:i]
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return out
		}
		i = skipSpace(b, i+1)
		vStart := i
		i = skipValue(b, i)
		if _, ok := sessionKeys[string(rawKey[1:len(rawKey)-1])]; !ok {
			var key string
			if json.Unmarshal(rawKey, &key) == nil && !isSessionKey(key) {
				if out == nil {
					out = map[string]json.RawMessage{}
				}
				out[key] = append(json.RawMessage(nil), b[vStart:i]...)
			}
		}
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ',' {
			return out
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	default: // number, true, false, null
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' &&
			b[i] != '\n' && b[i] != '\r' && b[i] != '\t' {
			i++
		}
		return i
	}
}
