package tui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/detail"
	"github.com/everruns/sessions/tui/live"
	"github.com/everruns/sessions/tui/sessionlist"
)

// The detail view's own tests are in tui/detail; these check what the root
// hands it (rows, keys, context) and the fixtures other root tests use.

var detailTestNow = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)

func detailTestCtx(w, h int) *Context {
	lipgloss.SetColorProfile(termenv.Ascii)
	return &Context{
		Width:  w,
		Height: h,
		Theme:  theme.New(theme.Dark, true),
		Now:    func() time.Time { return detailTestNow },
		Keys:   DefaultKeyMap(),
	}
}

func detailPtr[T any](v T) *T { return &v }

func detailTestSession() apiclient.Session {
	created := detailTestNow.Add(-3 * time.Minute)
	started := detailTestNow.Add(-2 * time.Hour)
	return apiclient.Session{
		ID:             "session_01933b5a00007000800000000000001",
		OrganizationID: "org_00000000000000000000000000000001",
		AgentID:        "agent_01933b5a00007000800000000000001",
		ModelID:        detailPtr("model_01933b5a00007000800000000000001"),
		Status:         apiclient.StatusActive,
		Title:          detailPtr("Debug login issue"),
		Tags:           []string{"bug", "auth"},
		Capabilities:   []apiclient.CapabilityConfig{{Ref: "web_search"}, {Ref: "file_system"}},
		CreatedAt:      created,
		StartedAt:      &started,
		UpdatedAt:      detailTestNow.Add(-30 * time.Second),
		Usage: &apiclient.TokenUsage{
			InputTokens:         1234567,
			OutputTokens:        8910,
			CacheReadTokens:     detailPtr(int64(3703701)),
			CacheCreationTokens: detailPtr(int64(42)),
		},
	}
}

func detailTestMessages(id string) []apiclient.Message {
	at := detailTestNow.Add(-time.Minute)
	return []apiclient.Message{
		{ID: "m1", SessionID: id, Sequence: 1, Role: apiclient.RoleUser, CreatedAt: at,
			Content: []apiclient.ContentPart{{Type: "text", Text: "Why does login fail?"}}},
		{ID: "m2", SessionID: id, Sequence: 2, Role: apiclient.RoleAgent, CreatedAt: at,
			Content: []apiclient.ContentPart{
				{Type: "text", Text: "Let me search."},
				{Type: "tool_call", ID: "call_1", Name: "grep", Arguments: json.RawMessage(`{ "pattern" : "login" }`)},
			}},
	}
}

// detailOpen opens the detail of s as the root does (newDetail), sized to
// the context, with msgs as its stored transcript.
func detailOpen(t *testing.T, ctx *Context, s apiclient.Session, msgs []apiclient.Message) detail.Model {
	t.Helper()
	m := newDetail(ctx, sessionlist.NewRow(s), "", 7).SetSize(ctx.Width, ctx.Height)
	if msgs != nil {
		m, _ = m.Update(live.SubscribedMsg{ID: s.ID, Gen: 7, Messages: msgs})
	}
	return m
}

// The root hands the view the list's sanitised strings and the agent's
// display name; untitled and tagless sessions say so.
func TestDetailRowFromRoot(t *testing.T) {
	ctx := detailTestCtx(80, 24)
	ctx.names = sessionlist.NewAgentNames([]apiclient.Agent{{ID: "agent_01933b5a00007000800000000000001", Name: "Support bot"}})
	s := detailTestSession()
	view := detailOpen(t, ctx, s, detailTestMessages(s.ID)).View()
	for _, want := range []string{"Debug login issue", s.ID, "Support bot", "bug auth", "active", "Why does login fail?"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	s.Title, s.Tags = nil, nil
	view = detailOpen(t, ctx, s, nil).View()
	if !strings.Contains(view, "(untitled)") || !strings.Contains(view, "tags   —") {
		t.Errorf("untitled, tagless session:\n%s", view)
	}
}

// Hostile server text reaches the view only through the row's sanitising.
func TestDetailHostileRow(t *testing.T) {
	const hostile = "A\x1b[31mred\x1b]52;c;ZXZpbA==\x07\u009b31m\u202eevil\x1b[2J\x9b?25l\u0085B"
	s := detailTestSession()
	s.ID = "session_" + hostile
	s.Title = detailPtr(hostile)
	s.Tags = []string{hostile, "ok"}
	s.AgentID = hostile
	s.Status = apiclient.Status(hostile)
	view := detailOpen(t, detailTestCtx(80, 24), s, nil).View()
	for _, bad := range []string{"\x1b", "\u009b", "\u202e", "\x07", "\u0085"} {
		if strings.Contains(view, bad) {
			t.Errorf("view contains %q: %q", bad, view)
		}
	}
	if !strings.Contains(view, "Aredevil") {
		t.Errorf("sanitised title missing:\n%s", view)
	}
}

// [keys] overrides reach the view: a rebound search key opens the input.
func TestDetailKeysFollowOverrides(t *testing.T) {
	km := DefaultKeyMap()
	if err := ApplyKeyOverrides(km, map[string][]string{"search": {"f"}, "search_next": {"x"}}); err != nil {
		t.Fatal(err)
	}
	ctx := detailTestCtx(80, 24)
	ctx.Keys = km
	s := detailTestSession()
	m := detailOpen(t, ctx, s, detailTestMessages(s.ID))
	if m, _ = m.Update(progKey("/")); m.Searching() {
		t.Errorf("/ still opens the search after it was rebound")
	}
	if m, _ = m.Update(progKey("f")); !m.Searching() {
		t.Errorf("the rebound key f does not open the search")
	}
}
