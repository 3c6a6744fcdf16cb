package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui/sessionlist"
)

// What an operator sees without colour (the program tests' theme is
// NO_COLOR): a pinned failed session comes first with its marker, its
// failure glyph and, in the preview, why it failed; the agent shows by its
// display name in the list's preview and in the detail view.
func TestProgramSeeFailedPinnedNames(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			srv := progServer(t, apitest.Options{Sessions: progSessions})
			seed := progSeed(srv)
			var failed *apiclient.Session
			for i := 3; i < len(seed); i++ {
				if seed[i].Activity == apiclient.ActivityFailed && seed[i].RunSummary != nil && seed[i].AgentID != "" {
					failed = &seed[i]
					break
				}
			}
			if failed == nil {
				t.Fatal("the seed has no failed session with a run summary past the first rows")
			}
			api := progClient(srv, "")
			ctx := context.Background()
			if err := api.Pin(ctx, failed.ID); err != nil {
				t.Fatal(err)
			}
			agents, err := api.ListAgents(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			name := ""
			for _, a := range agents {
				if a.ID == failed.AgentID {
					name = a.Label()
				}
			}
			if name == "" || name == failed.AgentID {
				t.Fatalf("agent %s has no display name on the server", failed.AgentID)
			}
			why := sessionlist.NewRow(*failed).Why
			lead := sessionlist.FailedGlyph + " failed: " + strings.Fields(why)[0]

			p := progStartList(t, srv, size[0], size[1])
			s := p.waitFor("pinned failed session first, named agent", func(s progSnap) bool {
				return s.settled && len(s.rows) > 0 && s.rows[0] == failed.ID &&
					strings.Contains(s.view, name) && strings.Contains(s.view, lead)
			})
			lines := strings.Split(s.view, "\n")
			// The gutter: cursor, mark, pin, resolved (blank or ✓), gap.
			if !strings.HasPrefix(lines[3], "▸ "+sessionlist.PinnedGlyph+" "+" "+sessionlist.FailedGlyph+" failed") &&
				!strings.HasPrefix(lines[3], "▸ "+sessionlist.PinnedGlyph+sessionlist.ResolvedGlyph+" "+sessionlist.FailedGlyph+" failed") {
				t.Errorf("first row %q lacks the cursor, pin and failure glyph", lines[3])
			}
			if strings.Index(s.view, lead) > strings.Index(s.view, "Preview") && strings.Contains(s.view, "Preview") {
				t.Errorf("the preview does not lead with why it failed:\n%s", s.view)
			}
			p.press("enter")
			p.waitFor("detail with the agent's name", func(s progSnap) bool {
				return s.mode == modeDetail && strings.Contains(s.view, "agent  "+name) &&
					strings.Contains(s.view, sessionlist.FailedGlyph+" failed")
			})
			p.press("esc")
			p.waitFor("back to the list", func(s progSnap) bool { return s.mode == modeList && s.settled })
			p.golden()
		})
	}
}

// An unknown agent shows by its id, and a known one by its name.
func TestAgentNamesFallBackToID(t *testing.T) {
	n := sessionlist.NewAgentNames([]apiclient.Agent{{ID: "a1", Name: "ops", DisplayName: "Ops Bot"}, {ID: "a2", Name: "plain"}})
	for id, want := range map[string]string{"a1": "Ops Bot", "a2": "plain", "a3": "a3"} {
		if got := n.Label(id); got != want {
			t.Errorf("label(%s) = %q, want %q", id, got, want)
		}
	}
	var none *agentNames
	if got := none.Label("a1"); got != "a1" {
		t.Errorf("before the agents arrive: %q", got)
	}
}

// The agent picker lists agents by display name, including agents with no
// loaded session, and choosing one lists its sessions, named in the header.
func TestProgramAgentPickerNames(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	agents, err := progClient(srv, "").ListAgents(context.Background(), "")
	if err != nil || len(agents) < 2 {
		t.Fatalf("agents %v, %v", agents, err)
	}
	p := progStartList(t, srv, 120, 40)
	p.waitView("tokens today") // the agents and facets have arrived
	p.press("a")
	s := p.waitFor("picker with names", func(s progSnap) bool {
		if s.mode != modeAgents {
			return false
		}
		for _, a := range agents {
			if !strings.Contains(s.view, a.Label()) {
				return false
			}
		}
		return true
	})
	for _, a := range agents {
		if a.Label() != a.ID && strings.Contains(s.view, a.ID) {
			t.Errorf("the picker shows the id %s of a named agent", a.ID)
		}
	}
}

func TestCheckColumns(t *testing.T) {
	if err := CheckColumns(ColumnNames()); err != nil {
		t.Errorf("every column: %v", err)
	}
	for _, bad := range [][]string{nil, {"status", "nope"}, {"title", "title"}} {
		if err := CheckColumns(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := sessionlist.KnownColumns([]string{"Cost", "nope", "cost", "title"}); !slices.Equal(got, []colKind{sessionlist.ColCost, sessionlist.ColTitle}) {
		t.Errorf("knownColumns kept %v", got)
	}
}

// Columns from the config: agent by name, source, in/out/cache, cost and
// both ages, in the order given.
func TestProgramColumnsConfig(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	opts := progOptions(progClient(srv, ""))
	opts.Columns = []string{"status", "agent", "title", "source", "in", "out", "cache", "cost", "created", "updated"}
	p := startProg(t, srv, opts, 160, 45)
	s := p.waitFor("named agents in the AGENT column", func(s progSnap) bool {
		return s.settled && strings.Contains(s.view, "tokens today")
	})
	header := strings.Split(s.view, "\n")[2]
	last := -1
	for _, h := range []string{"STATUS", "AGENT", "TITLE", "SOURCE", "IN", "OUT", "CACHE", "COST", "CREATED", "UPDATED"} {
		i := strings.Index(header, h)
		if i <= last {
			t.Fatalf("header %q: %s missing or out of order", header, h)
		}
		last = i
	}
	if strings.Contains(header, "TAGS") {
		t.Errorf("TAGS shown though not configured: %q", header)
	}
	p.golden()
}

// A failed facets or agents call keeps the last figures and says nothing
// alarming; a stale answer (older load) is dropped.
func TestFactsFailureKeepsLastFigures(t *testing.T) {
	m, _ := unitModel(t)
	good := &apiclient.Facets{Total: 40, ActiveNow: 7, FailedToday: 2, TokensToday: 1500, P95DurationMS: 1200,
		ByActivity: []apiclient.FacetCount{{Value: "failed", Count: 2}}}
	nm, _ := m.Update(factsLoadedMsg{gen: m.load.gen, facets: good, agents: []apiclient.Agent{{ID: "a1", DisplayName: "Ops Bot"}}})
	m = nm.(Model)
	nm, _ = m.Update(factsLoadedMsg{gen: m.load.gen, facetsErr: errNoFacts, agentsErr: errNoFacts})
	m = nm.(Model)
	if m.facts.facets != good || m.ctx.agentLabel("a1") != "Ops Bot" {
		t.Fatalf("a failed call dropped the last figures: %+v", m.facts)
	}
	nm, _ = m.Update(factsLoadedMsg{gen: m.load.gen - 1, facets: &apiclient.Facets{ActiveNow: 99}})
	if nm.(Model).facts.facets != good {
		t.Fatal("a stale answer replaced the figures")
	}
	head := m.headerView()
	if !strings.Contains(head, "7 active") || !strings.Contains(head, "2 failed today") || !strings.Contains(head, "p95 1.2s") {
		t.Errorf("header %q", head)
	}
	if strings.Contains(m.View(), "⚠") || m.status.kind == statusError {
		t.Errorf("a failed facets call alarmed: %q", m.status.text)
	}
}
