package detail

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/live"
	"github.com/muesli/termenv"
)

var detailTestNow = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)

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
		{ID: "m3", SessionID: id, Sequence: 3, Role: apiclient.RoleToolResult, CreatedAt: at,
			Content: []apiclient.ContentPart{
				{Type: "tool_result", ToolCallID: "call_1", Result: json.RawMessage(`{"matches":3}`)},
				{Type: "tool_result", ToolCallID: "call_2", Error: detailPtr("permission denied")},
			}},
		{ID: "m4", SessionID: id, Sequence: 4, Role: "narrator", CreatedAt: at,
			Content: []apiclient.ContentPart{
				{Type: "image", MediaType: detailPtr("image/png"), Base64: detailPtr("AAAA")},
				{Type: "image_file", ImageID: "img_1", Filename: detailPtr("shot.png")},
				{Type: "thinking", Text: "hmm"},
			}},
		{ID: "m5", SessionID: id, Sequence: 5, Role: apiclient.RoleSystem, CreatedAt: at,
			Content: []apiclient.ContentPart{{Type: "text", Text: "system prompt"}}},
	}
}

func detailOpen(t *testing.T, ctx *testCtx, s apiclient.Session, msgs []apiclient.Message) Model {
	t.Helper()
	m := ctx.open(s, 7)
	if msgs != nil {
		m, _ = m.Update(live.SubscribedMsg{ID: s.ID, Gen: 7, Messages: msgs})
	}
	return m
}

// detailCheckFits fails when the view is taller or wider than allowed.
func detailCheckFits(t *testing.T, ctx *testCtx, view string) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if view == "" {
		lines = nil
	}
	if len(lines) > ctx.Height {
		t.Errorf("%dx%d: view has %d lines, want <= %d", ctx.Width, ctx.Height, len(lines), ctx.Height)
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > ctx.Width {
			t.Errorf("%dx%d: line %d is %d cells wide: %q", ctx.Width, ctx.Height, i, w, l)
		}
	}
}

func TestDetailShowsFields(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 45}} {
		ctx := detailTestCtx(size[0], size[1])
		s := detailTestSession()
		view := detailOpen(t, ctx, s, nil).View()
		for _, want := range []string{
			"Debug login issue",
			s.ID, s.AgentID, *s.ModelID, s.OrganizationID,
			"active", "bug auth", "web_search, file_system",
			"2025-03-04 11:57:00 (3m ago)",
			"2025-03-04 10:00:00 (2h ago)",
			"2025-03-04 11:59:30 (30s ago)",
			"1,234,567", "8,910", "3,703,701", "42",
			"cache hit", "75.0%",
			"█",
			"Loading transcript…",
		} {
			if !strings.Contains(view, want) {
				t.Errorf("%dx%d: view lacks %q:\n%s", size[0], size[1], want, view)
			}
		}
		if !strings.Contains(view, "finished —") && !strings.Contains(view, "finished  —") {
			t.Errorf("%dx%d: null finished_at not shown as —:\n%s", size[0], size[1], view)
		}
		detailCheckFits(t, ctx, view)
	}
}

// With the organisation's name known, the org field names it beside its id.
func TestDetailNamesTheOrganisation(t *testing.T) {
	ctx := detailTestCtx(160, 45)
	s := detailTestSession()
	r := testRow(s)
	r.OrgName = "Staging"
	view := New(common.Context{Theme: ctx.Theme, Now: func() time.Time { return detailTestNow }}, testKeys(), r, 1).
		SetSize(ctx.Width, ctx.Height).View()
	if want := "Staging (" + s.OrganizationID + ")"; !strings.Contains(view, want) {
		t.Errorf("view lacks %q:\n%s", want, view)
	}
}

func TestDetailNullFields(t *testing.T) {
	ctx := detailTestCtx(80, 24)
	s := detailTestSession()
	s.Title, s.ModelID, s.Usage, s.Tags, s.Capabilities, s.StartedAt = nil, nil, nil, nil, nil, nil
	s.Status = "waitingfortoolresults"
	view := detailOpen(t, ctx, s, nil).View()
	for _, want := range []string{"(untitled)", "model  —", "no usage yet", "waitingfortoolresults", "started  —"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "█") {
		t.Errorf("null usage drew bars:\n%s", view)
	}
	if !strings.Contains(view, "cache hit      —") {
		t.Errorf("ratio with null usage is not —:\n%s", view)
	}
}

func TestDetailUsageFormatting(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234", 100000: "100,000"} {
		if got := common.Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
	if got := hitText(nil); got != "—" {
		t.Errorf("ratio of nil usage = %q", got)
	}
	if got := hitText(&apiclient.TokenUsage{}); got != "—" {
		t.Errorf("ratio of zero usage = %q", got)
	}
	u := &apiclient.TokenUsage{InputTokens: 100, CacheReadTokens: detailPtr(int64(300))}
	if got := hitText(u); got != "75.0%" {
		t.Errorf("ratio = %q, want 75.0%%", got)
	}
	// Bars are scaled to the largest value; a non-zero value is visible.
	if n := barLen(1, 1000, 20); n != 1 {
		t.Errorf("tiny bar = %d, want 1", n)
	}
	if n := barLen(1000, 1000, 20); n != 20 {
		t.Errorf("largest bar = %d, want 20", n)
	}
	if n := barLen(0, 1000, 20); n != 0 {
		t.Errorf("zero bar = %d, want 0", n)
	}
}

func TestDetailTranscript(t *testing.T) {
	ctx := detailTestCtx(160, 45)
	s := detailTestSession()
	m := detailOpen(t, ctx, s, detailTestMessages(s.ID))
	view := m.View()
	for _, want := range []string{
		"user  #1 · 2025-03-04 11:59:00", "Why does login fail?",
		"agent  #2", "Let me search.",
		"✓ grep", // its result is in the transcript
		"tool_result  #3", `↳ result: {"matches":3}`,
		"↳ error: permission denied",
		"narrator  #4", "[image]", "[image_file]", "[thinking]",
		"system  #5", "system prompt",
		"5 messages",
	} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "Loading transcript") {
		t.Errorf("still loading after messages arrived:\n%s", view)
	}
	detailCheckFits(t, ctx, view)
}

func TestDetailStaleMessagesIgnored(t *testing.T) {
	ctx := detailTestCtx(120, 40)
	s := detailTestSession()
	m := ctx.open(s, 7)
	for _, msg := range []live.SubscribedMsg{
		{ID: s.ID, Gen: 6, Messages: detailTestMessages(s.ID)},
		{ID: "session_other", Gen: 7, Messages: detailTestMessages("session_other")},
		{ID: s.ID, Gen: 6, Err: errors.New("boom")},
	} {
		m, _ = m.Update(msg)
	}
	view := m.View()
	if !strings.Contains(view, "Loading transcript…") || strings.Contains(view, "Why does login fail?") || strings.Contains(view, "boom") {
		t.Errorf("stale message was applied:\n%s", view)
	}
}

func TestDetailError(t *testing.T) {
	ctx := detailTestCtx(80, 24)
	s := detailTestSession()
	m := ctx.open(s, 3)
	m, _ = m.Update(live.SubscribedMsg{ID: s.ID, Gen: 3, Err: errors.New("server said no\nsecond line")})
	view := m.View()
	if !strings.Contains(view, "Could not load transcript: server said no second line") {
		t.Errorf("error not shown on one line:\n%s", view)
	}
	if !strings.Contains(view, "Debug login issue") || !strings.Contains(view, "1,234,567") {
		t.Errorf("fields not shown with the error:\n%s", view)
	}
	if strings.Contains(view, "Loading transcript") {
		t.Errorf("still loading after error:\n%s", view)
	}
	detailCheckFits(t, ctx, view)
	// A hostile error text never reaches the screen as a sequence.
	m = ctx.open(s, 4)
	m, _ = m.Update(live.SubscribedMsg{ID: s.ID, Gen: 4, Err: errors.New("x\x1b]52;c;ZXZpbA==\x07\u009b2J\u202ey\x1b[31m")})
	view = m.View()
	if strings.ContainsAny(view, "\x1b\x07\u009b\u202e") {
		t.Errorf("escape in view: %q", view)
	}
	if !strings.Contains(view, "Could not load transcript: x") {
		t.Errorf("hostile error not shown:\n%s", view)
	}
}

func TestDetailScrolling(t *testing.T) {
	ctx := detailTestCtx(80, 24)
	s := detailTestSession()
	var msgs []apiclient.Message
	for i := range 60 {
		msgs = append(msgs, apiclient.Message{
			Sequence: i + 1, Role: apiclient.RoleUser, CreatedAt: detailTestNow,
			Content: []apiclient.ContentPart{{Type: "text", Text: "line number " + strings.Repeat("x", i%5) + "#" + string(rune('A'+i%26))}},
		})
	}
	m := detailOpen(t, ctx, s, msgs)
	// The live view opens at the newest message; g goes to the first.
	if v := m.View(); !strings.Contains(v, "user  #60") {
		t.Fatalf("opened away from the bottom:\n%s", v)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("g")})
	top := m.View()
	detailCheckFits(t, ctx, top)
	if !strings.Contains(top, "user  #1") || strings.Contains(top, "user  #60") {
		t.Fatalf("unexpected first page:\n%s", top)
	}
	key := func(k string) tea.KeyMsg {
		switch k {
		case "pgdown":
			return tea.KeyMsg{Type: tea.KeyPgDown}
		case "end":
			return tea.KeyMsg{Type: tea.KeyEnd}
		}
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
	}
	m, _ = m.Update(key("j"))
	if down := m.View(); down == top || strings.Contains(down, "user  #1") {
		t.Errorf("j did not scroll one line:\n%s", down)
	}
	m, _ = m.Update(key("k"))
	if m.View() != top {
		t.Errorf("k did not scroll back")
	}
	m, _ = m.Update(key("pgdown"))
	if pg := m.View(); strings.Contains(pg, "user  #1") || !strings.Contains(pg, "user  #") {
		t.Errorf("page down did not move a page:\n%s", pg)
	}
	m, _ = m.Update(key("G"))
	bottom := m.View()
	if !strings.Contains(bottom, "user  #60") || !strings.Contains(bottom, "100%") {
		t.Errorf("G did not go to the bottom:\n%s", bottom)
	}
	detailCheckFits(t, ctx, bottom)
	// A refresh of the row keeps the scroll position.
	m = m.SetRow(testRow(s))
	if m.View() != bottom {
		t.Errorf("SetRow lost the scroll position")
	}
	m, _ = m.Update(key("g"))
	if m.View() != top {
		t.Errorf("g did not go back to the top")
	}
	// Mouse wheel scrolls through the viewport.
	m, _ = m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if m.View() == top {
		t.Errorf("mouse wheel did not scroll")
	}
}

func TestDetailResize(t *testing.T) {
	ctx := detailTestCtx(160, 45)
	s := detailTestSession()
	long := strings.Repeat("word ", 100) + "\n" + strings.Repeat("漢字テキスト", 40) + "\n" + strings.Repeat("👩‍💻🎉", 50)
	s.Title = detailPtr(strings.Repeat("長いタイトル", 30))
	msgs := []apiclient.Message{{Role: apiclient.RoleUser, Content: []apiclient.ContentPart{
		{Type: "text", Text: long},
		{Type: "tool_call", Name: strings.Repeat("名", 100), Arguments: json.RawMessage(`{"q":"` + strings.Repeat("検索", 200) + `"}`)},
	}}}
	m := detailOpen(t, ctx, s, msgs)
	detailCheckFits(t, ctx, m.View())
	for _, size := range [][2]int{{80, 24}, {40, 12}, {20, 6}, {120, 30}, {200, 60}, {1, 4}, {5, 3}} {
		ctx2 := detailTestCtx(size[0], size[1])
		m = m.SetSize(ctx2.Width, ctx2.Height)
		v := m.View()
		detailCheckFits(t, ctx2, v)
		if testing.Verbose() {
			t.Logf("%dx%d:\n%s", size[0], size[1], v)
		}
	}
}

func TestDetailHostileContent(t *testing.T) {
	const hostile = "A\x1b[31mred\x1b]52;c;ZXZpbA==\x07\u009b31m\u202eevil\x1b[2J\x9b?25l\u0085B"
	s := detailTestSession()
	s.ID = "session_" + hostile
	s.Title = detailPtr(hostile)
	s.Tags = []string{hostile, "ok"}
	s.AgentID = hostile
	s.ModelID = detailPtr(hostile)
	s.OrganizationID = hostile
	s.Status = apiclient.Status(hostile)
	s.Capabilities = []apiclient.CapabilityConfig{{Ref: hostile}}
	msgs := []apiclient.Message{{
		ID: "m", Role: apiclient.MessageRole(hostile), Sequence: 1, CreatedAt: detailTestNow,
		Content: []apiclient.ContentPart{
			{Type: "text", Text: hostile + "\n" + hostile},
			{Type: "tool_call", Name: hostile, Arguments: json.RawMessage(`{"a":"` + "\u202e\u009b" + `x"}`)},
			{Type: "tool_result", ToolCallID: hostile, Result: json.RawMessage(`"` + "\u009b2J\u202e" + `"`), Error: detailPtr(hostile)},
			{Type: "image", URL: detailPtr(hostile)},
			{Type: "image_file", Filename: detailPtr(hostile)},
			{Type: hostile, Text: hostile},
		},
	}}
	for _, size := range [][2]int{{80, 24}, {160, 45}} {
		ctx := detailTestCtx(size[0], size[1])
		m := ctx.open(s, 1)
		m, _ = m.Update(live.SubscribedMsg{ID: s.ID, Gen: 1, Messages: msgs})
		view := m.View()
		for _, bad := range []string{"\x1b", "\u009b", "\u202e", "\x07", "\u0085", "\x9b"} {
			if strings.Contains(view, bad) {
				t.Errorf("%dx%d: view contains %q: %q", size[0], size[1], bad, view)
			}
		}
		if !strings.Contains(view, "Aredevil") {
			t.Errorf("%dx%d: sanitised title missing:\n%s", size[0], size[1], view)
		}
		detailCheckFits(t, ctx, view)
	}
}

func TestDetailHugeMessage(t *testing.T) {
	ctx := detailTestCtx(80, 24)
	s := detailTestSession()
	huge := strings.Repeat("0123456789 abcdefghij\n", 1<<20/22) // ~1 MB
	hugeJSON := json.RawMessage(`{"data":"` + strings.Repeat("x", 1<<20) + `"}`)
	msgs := []apiclient.Message{{Role: apiclient.RoleAgent, Content: []apiclient.ContentPart{
		{Type: "text", Text: huge},
		{Type: "tool_call", Name: "big", Arguments: hugeJSON},
	}}}
	start := time.Now()
	m := detailOpen(t, ctx, s, msgs)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("rendering a 1 MB message took %v", d)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnd})
	view := m.View()
	if strings.Count(view, "… (truncated)") != 1 {
		t.Errorf("want a truncation marker at the bottom:\n%s", view)
	}
	if m.contentN > 300 { // the live renderer shows at most 200 lines of a part
		t.Errorf("transcript has %d lines, cap not applied", m.contentN)
	}
	detailCheckFits(t, ctx, view)
}

// TestDetailColour checks widths and sanitising with the colour theme on: the
// only escape sequences in the output are the theme's own SGR sequences.
func TestDetailColour(t *testing.T) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(prev)
	s := detailTestSession()
	s.Title = detailPtr("t\x1b]52;c;ZXZpbA==\x07itle\u202e")
	for _, size := range [][2]int{{80, 24}, {160, 45}} {
		ctx := &testCtx{Width: size[0], Height: size[1], Theme: theme.New(theme.Dark, false)}
		m := ctx.open(s, 1)
		m, _ = m.Update(live.SubscribedMsg{ID: s.ID, Gen: 1, Messages: detailTestMessages(s.ID)})
		view := m.View()
		if !strings.Contains(view, "\x1b[") {
			t.Fatalf("colour theme produced no styles")
		}
		detailCheckFits(t, ctx, view)
		// Remove SGR sequences (ESC [ params m); nothing else may remain.
		rest := regexp.MustCompile("\x1b\\[[0-9;:]*m").ReplaceAllString(view, "")
		if strings.ContainsAny(rest, "\x1b\x07\u009b\u202e") {
			t.Errorf("%dx%d: non-SGR control in view: %q", size[0], size[1], rest)
		}
		if !strings.Contains(rest, "title") {
			t.Errorf("sanitised title missing:\n%s", rest)
		}
	}
}

type detailFakeAPI struct {
	API
	mu       sync.Mutex
	gotID    string
	deadline bool
	since    string
}

func (f *detailFakeAPI) ListMessages(ctx context.Context, id string) ([]apiclient.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gotID = id
	_, f.deadline = ctx.Deadline()
	return detailTestMessages(id), nil
}

func (f *detailFakeAPI) ListEvents(context.Context, string, apiclient.EventsOptions) ([]apiclient.Event, error) {
	return []apiclient.Event{{ID: "event_41"}}, nil
}

func (f *detailFakeAPI) Stream(_ context.Context, _ string, o apiclient.StreamOptions) *apiclient.Stream {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.since = o.SinceID
	return nil
}

// OpenLive loads the stored transcript (bounded by a deadline) of the
// session shown and streams after the last stored event.
func TestDetailOpenLiveRequests(t *testing.T) {
	api := &detailFakeAPI{}
	s := detailTestSession()
	m := detailTestCtx(80, 24).open(s, 9)
	m, cmd := m.OpenLive(api)
	got, ok := cmd().(live.SubscribedMsg)
	if !ok {
		t.Fatalf("OpenLive's command returned %T", cmd())
	}
	if got.ID != s.ID || got.Gen != 9 || len(got.Messages) != 5 || got.Err != nil {
		t.Errorf("unexpected message %+v", got)
	}
	if api.gotID != s.ID || !api.deadline || api.since != "event_41" {
		t.Errorf("ListMessages on %q, deadline %v; stream since %q", api.gotID, api.deadline, api.since)
	}
	m, _ = m.Update(got)
	if !strings.Contains(m.View(), "5 messages · ■ stopped") {
		t.Errorf("rule:\n%s", m.View())
	}
}

func TestDetailAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "just now", 45 * time.Second: "45s ago", 3 * time.Minute: "3m ago",
		5 * time.Hour: "5h ago", 12 * 24 * time.Hour: "12d ago", 800 * 24 * time.Hour: "2y ago",
		-3 * time.Minute: "in 3m",
	} {
		if got := relAge(detailTestNow.Add(-d), detailTestNow); got != want {
			t.Errorf("relAge(-%v) = %q, want %q", d, got, want)
		}
	}
}
