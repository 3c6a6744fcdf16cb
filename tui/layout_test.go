package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
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
		if l := transcriptRender(th, apitest.Transcript(s), 80); len(l) > len(lines) {
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
