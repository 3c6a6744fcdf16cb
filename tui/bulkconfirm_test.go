package tui

import (
	"fmt"
	"testing"

	"github.com/everruns/sessions/apiclient/apitest"
)

// V r on the All tab asks first, naming the verb and how many sessions
// change, with the already-resolved ones counted apart; n sends nothing,
// y sends one PATCH per session that changes.
func TestProgramBulkAsksFirst(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	change, already := 0, 0
	for _, s := range srv.All() {
		if s.HasTag(resolvedTag) {
			already++
		} else {
			change++
		}
	}
	if change < 2 || already < 1 {
		t.Fatalf("fixture: %d to change, %d resolved", change, already)
	}
	question := fmt.Sprintf("Resolve %d sessions? (%d already resolved)", change, already)
	srv.ResetRequests()
	p.press("V", "r")
	p.waitView(question)
	p.press("n")
	s := p.waitView("resolve cancelled")
	if n := len(progPatches(srv)); n != 0 {
		t.Fatalf("n sent %d PATCHes", n)
	}
	if len(s.marked) != progSessions {
		t.Fatalf("n dropped the marks: %d marked", len(s.marked))
	}
	p.press("r")
	p.waitView(question)
	p.press("y")
	s = progWaitBulk(p, fmt.Sprintf("resolve: %d saved", change))
	if n := len(progPatches(srv)); n != change {
		t.Fatalf("y sent %d PATCHes, want %d", n, change)
	}
	if len(s.marked) != 0 {
		t.Fatalf("marks left after a finished bulk: %v", s.marked)
	}
	for _, x := range srv.All() {
		if !x.HasTag(resolvedTag) {
			t.Fatalf("%s not resolved", x.ID)
		}
	}
}

func TestProgramBulkQuestionGolden(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	p.press("V", "r")
	p.waitView("Resolve 33 sessions? (7 already resolved) y/n")
	p.golden()
}

// With every marked session already resolved there is nothing to ask.
func TestUpdateBulkNothingToDo(t *testing.T) {
	m, srv := unitModel(t)
	var resolved []string
	for _, s := range srv.All() {
		if s.HasTag(resolvedTag) {
			resolved = append(resolved, s.ID)
		}
	}
	if len(resolved) < 2 {
		t.Fatalf("fixture has %d resolved", len(resolved))
	}
	for _, id := range resolved {
		m.marked[id] = true
	}
	srv.ResetRequests()
	m = unitKeys(t, m, "r")
	if m.pending != nil || m.ops.bulk != nil || len(progPatches(srv)) != 0 {
		t.Fatalf("pending %v, bulk %v", m.pending, m.ops.bulk)
	}
	if want := fmt.Sprintf("nothing to do: %d sessions already resolved", len(resolved)); m.status.text != want {
		t.Fatalf("status %q, want %q", m.status.text, want)
	}
}
