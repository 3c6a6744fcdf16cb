package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// e, tab, "reso", enter checks the existing tag "resolved" (no new tag
// "reso"), and saving sends it.
func TestProgramTagPickerPicksExisting(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	var target apiclient.Session
	for _, s := range progSeed(srv) {
		if !s.HasTag("resolved") && !s.HasTag("platform-chat-starter") {
			target = s
			break
		}
	}
	if target.ID == "" {
		t.Fatal("no session without the resolved tag")
	}
	p.openEditTyped(target.ID, "", "reso")
	s := p.waitView("[x] resolved")
	if strings.Contains(s.view, `[x] reso `) || strings.Contains(s.view, "[x] reso\n") {
		t.Fatalf("a new tag reso was checked:\n%s", s.view)
	}
	p.press("ctrl+s")
	p.waitFor("saved", func(s progSnap) bool { return s.mode != modeEdit && s.settled })
	tags := progServerTags(t, srv, target.ID)
	if !slices.Contains(tags, "resolved") || slices.Contains(tags, "reso") {
		t.Fatalf("server tags %v: want resolved, not reso", tags)
	}
}
