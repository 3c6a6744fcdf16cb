package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/agentpicker"
	"github.com/everruns/sessions/tui/form"
	"github.com/everruns/sessions/tui/live"
	"github.com/everruns/sessions/tui/sessionlist"
)

// At the smallest supported size, G in the detail view reaches the last
// line of a transcript longer than its pane. It did not while the detail
// view assumed less chrome than the root draws.
func TestProgramDetailBottomShowsLastLine(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	th := theme.New(theme.Dark, true)
	var target apiclient.Session
	var lines []string
	for _, s := range progSeed(srv) {
		if l := live.New(s, apitest.Transcript(s)).Lines(th, 80); len(l) > len(lines) {
			target, lines = s, l
		}
	}
	if len(lines) < 12 { // the transcript pane at 80x24 is well under 12 lines
		t.Fatalf("longest transcript has %d lines: not longer than the transcript pane", len(lines))
	}
	last := ""
	for i := len(lines) - 1; i >= 0 && last == ""; i-- {
		last = strings.TrimSpace(ansi.Strip(lines[i]))
	}
	p.moveTo(target.ID)
	p.press("enter")
	p.waitFor("transcript", func(s progSnap) bool {
		return s.mode == modeDetail && strings.Contains(s.view, " messages ") && !strings.Contains(s.view, "Loading transcript")
	})
	p.press("G")
	s := p.waitFor("bottom", func(s progSnap) bool { return strings.Contains(s.view, " 100% ") })
	if !strings.Contains(s.view, last) {
		t.Errorf("after G the last transcript line %q is not on screen:\n%s", last, s.view)
	}
	progCheckFrame(t, s.view, 80, 24)
	p.finish()
}

// Every component draws inside the rectangle SetSize gave it, whatever the
// terminal (the context's own size is deliberately different: a component
// must not read it).
func TestComponentsFitTheirRectangle(t *testing.T) {
	ctx := detailTestCtx(200, 60)
	s := detailTestSession()
	var rows []*row
	for i := range 50 {
		x := s
		x.ID = fmt.Sprintf("session_%02d", i)
		x.AgentID = fmt.Sprintf("agent_%02d_%s", i, strings.Repeat("long", i%7))
		rows = append(rows, sessionlist.NewRow(x))
	}
	known := []string{"a", "b", strings.Repeat("wide界", 30)}
	for i := range 40 {
		known = append(known, fmt.Sprintf("tag-%02d", i))
	}
	for _, size := range [][2]int{{80, 20}, {120, 36}, {40, 10}, {20, 5}, {1, 1}} {
		w, h := size[0], size[1]
		d := detailOpen(t, ctx, s, detailTestMessages(s.ID)).SetSize(w, h)
		d, _ = d.Update(progKey("G"))
		var agents []agentpicker.Agent
		for _, r := range rows {
			agents = append(agents, agentpicker.Agent{ID: r.S.AgentID, Label: r.Agent, N: 1})
		}
		ag, _ := agentpicker.New(ctx.Theme, agentpicker.DefaultKeyMap(), agents, len(rows), "").SetSize(w, h).Update(progKey("down"))
		typing, _ := ag.Update(progKey("/"))
		typing, _ = typing.Update(progKey("x"))
		views := map[string]string{
			"detail":        d.View(),
			"edit":          form.New(ctx.Theme, form.DefaultKeyMap(), &s, known).SetSize(w, h).View(),
			"bulk":          form.NewBulk(ctx.Theme, form.DefaultKeyMap(), 3, known).SetSize(w, h).View(),
			"agents":        ag.View(),
			"agents typing": typing.View(),
		}
		for name, v := range views {
			lines := strings.Split(v, "\n")
			if len(lines) > h {
				t.Errorf("%s at %dx%d: %d lines", name, w, h, len(lines))
			}
			for i, l := range lines {
				if lw := ansi.StringWidth(l); lw > w {
					t.Errorf("%s at %dx%d: line %d is %d cells: %q", name, w, h, i, lw, l)
				}
			}
		}
	}
}

// The root's frame is exactly the terminal in every mode at 80x24.
func TestRootFrameFitsEveryMode(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 30})
	m := unitLoaded(t, srv, 80, 24)
	for _, keys := range [][]string{{"enter"}, {"e"}, {"?"}, {"a"}, {"T"}, {"/"}, {" ", "t"}} {
		n := unitKeys(t, m, keys...)
		progCheckFrame(t, n.View(), 80, 24)
	}
}

// Help fits 80x24: every binding of the list mode is reachable by
// scrolling, none is cut at the right edge.
func TestHelpFitsAndScrolls(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	m := unitLoaded(t, srv, 80, 24)
	m = unitKeys(t, m, "?")
	seen := ""
	for range 40 {
		v := m.View()
		progCheckFrame(t, v, 80, 24)
		seen += ansi.Strip(v)
		m = unitKeys(t, m, "j")
	}
	for _, g := range m.helpGroups(modeList) {
		for _, b := range g.bindings {
			if !strings.Contains(seen, b.Help().Desc) {
				t.Errorf("help at 80x24 never shows %q (%s)", b.Help().Desc, g.title)
			}
		}
	}
	if m = unitKeys(t, m, "esc"); m.mode != modeList {
		t.Fatalf("esc left help for mode %d", m.mode)
	}
}
