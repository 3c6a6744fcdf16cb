package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient/apitest"
)

// The agent picker filters as you type (after /): each letter narrows the
// agents by display name or id, the cursor on the first match ("›", so it
// shows without colour), and the footer says what enter does here.
func TestProgramAgentPickerFilters(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	p.waitFor("agent names", func(s progSnap) bool { return s.named && s.settled })
	p.press("a")
	s := p.waitFor("picker", func(s progSnap) bool { return s.mode == modeAgents })
	if !strings.Contains(s.view, "enter filter by agent") || strings.Contains(s.view, "enter details") {
		t.Fatalf("footer of the picker:\n%s", s.view)
	}
	p.press("/")
	p.typeText("o")
	s = p.waitView("Support Triage", "Ops On-call", "Code Reviewer", "Data Migrator", "Onboarding Guide")
	if strings.Contains(s.view, "Billing Assistant") || strings.Contains(s.view, "all agents") {
		t.Fatalf("o kept agents without an o:\n%s", s.view)
	}
	p.typeText("n")
	s = p.waitView("Ops On-call", "Onboarding Guide")
	for _, gone := range []string{"Support Triage", "Code Reviewer", "Data Migrator"} {
		if strings.Contains(s.view, gone) {
			t.Fatalf("on kept %s:\n%s", gone, s.view)
		}
	}
	p.golden()
}

// Enter on a filtered agent lists only its sessions (agent_id sent to the
// server); esc from a clean filter closes the picker.
func TestProgramAgentPickerChooses(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	p.waitFor("agent names", func(s progSnap) bool { return s.named && s.settled })
	p.press("a", "/")
	p.typeText("billing")
	p.press("enter")
	p.waitFor("list of one agent", func(s progSnap) bool { return s.mode == modeList && s.settled && len(s.rows) > 0 })
	m := p.finish()
	var billing string
	for _, a := range srv.Agents() {
		if a.DisplayName == "Billing Assistant" {
			billing = a.ID
		}
	}
	if billing == "" || m.load.agentID != billing {
		t.Fatalf("agent listed %q, want Billing Assistant's %q", m.load.agentID, billing)
	}
	for _, r := range m.st.rows() {
		if r.S.AgentID != billing {
			t.Fatalf("session %s of agent %s in the list of %s", r.S.ID, r.S.AgentID, billing)
		}
	}
}

// The picker's keys come from the root KeyMap ([keys] overrides apply);
// while its filter is typed, letters the root binds (O, :) are text; ? opens
// the picker's own help.
func TestAgentPickerKeysFromKeyMap(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 10})
	km := DefaultKeyMap()
	if err := ApplyKeyOverrides(km, map[string][]string{"filter": {"f"}, "filter_clear": {"ctrl+u"}}); err != nil {
		t.Fatal(err)
	}
	opts := progOptions(progClient(srv, ""))
	opts.Keys = km
	m := New(opts)
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = unitDrive(t, m, m.initLoad)

	m = unitKeys(t, m, "a", "/")
	if m.mode != modeAgents || m.agents.Typing() {
		t.Fatalf("/ started the filter though filter is f (mode %d)", m.mode)
	}
	m = unitKeys(t, m, "f", "O", ":")
	if m.mode != modeAgents || m.agents.Query() != "O:" {
		t.Fatalf("typing O: went to mode %d, query %q", m.mode, m.agents.Query())
	}
	if v := m.View(); !strings.Contains(v, "ctrl+u clear") {
		t.Fatalf("footer while typing:\n%s", v)
	}
	m = unitKeys(t, m, "ctrl+u")
	if m.agents.Typing() || m.agents.Query() != "" {
		t.Fatalf("ctrl+u: typing %v, query %q", m.agents.Typing(), m.agents.Query())
	}
	m = unitKeys(t, m, "?")
	if m.mode != modeHelp || !strings.Contains(m.View(), "filter by agent") || !strings.Contains(m.View(), "Find (after f)") {
		t.Fatalf("help of the picker:\n%s", m.View())
	}
	if m = unitKeys(t, m, "esc"); m.mode != modeAgents {
		t.Fatalf("esc from help went to mode %d", m.mode)
	}
	if m = unitKeys(t, m, "esc"); m.mode != modeList {
		t.Fatalf("esc from the picker went to mode %d", m.mode)
	}
}

// The edit form's keys come from the root KeyMap too.
func TestEditFormKeysFromKeyMap(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 4})
	km := DefaultKeyMap()
	if err := ApplyKeyOverrides(km, map[string][]string{"save": {"ctrl+o"}}); err != nil {
		t.Fatal(err)
	}
	opts := progOptions(progClient(srv, ""))
	opts.Keys = km
	m := New(opts)
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = unitDrive(t, m, m.initLoad)
	var target string
	for _, id := range unitRowIDs(m) {
		if r := m.st.get(id); r != nil && !r.HasTag("platform-chat-starter") {
			target = id
			break
		}
	}
	for m.selected() == nil || m.selected().S.ID != target {
		m = unitKeys(t, m, "j")
	}
	m = unitKeys(t, m, "e", "!")
	if m.mode != modeEdit || !strings.Contains(m.View(), "ctrl+o save") {
		t.Fatalf("form footer:\n%s", m.View())
	}
	m = unitKeys(t, m, "ctrl+s") // no longer save
	if m.form.Saving() {
		t.Fatal("ctrl+s saved though save is ctrl+o")
	}
	m = unitUpdate(t, m, tea.KeyMsg{Type: tea.KeyCtrlO})
	if m.mode != modeList {
		t.Fatalf("ctrl+o did not save and close the form (mode %d, error %q)", m.mode, m.form.Err())
	}
	if s, _ := srv.Get(target); !strings.HasSuffix(s.TitleOrEmpty(), "!") {
		t.Fatalf("title on the server %q", s.TitleOrEmpty())
	}
}
