package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"

	"github.com/everruns/sessions/apiclient/apitest"
)

// zapAction is a throwaway action that exists only in this test: one entry
// in the table must be enough for its key, confirmation, bulk run, help and
// undo.
func zapAction() Action {
	zap := key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zap"))
	return Action{
		Name:    "zap",
		Key:     func(*KeyMap) *key.Binding { return &zap },
		Modes:   inList | inDetail | inMarked,
		Confirm: func(n int) string { return fmt.Sprintf("Zap %d sessions?", n) },
		Do: func(ctx context.Context, env actionEnv, r *row, _ bool) (actionResult, error) {
			return saveChange(ctx, env, change{id: r.S.ID, added: []string{"zapped"}})
		},
		Undo:   undoChange,
		Done:   "Zapped",
		Failed: "zap failed",
	}
}

func TestActionTableOneEntryIsEnough(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	opts := progOptions(progClient(srv, ""))
	opts.actions = append(defaultActions(), zapAction())
	p := startProg(t, srv, opts, 120, 40)
	p.waitSettled("first load")

	// Listed in help.
	p.press("?")
	p.waitFor("help lists zap", func(s progSnap) bool {
		return s.mode == modeHelp && strings.Contains(s.view, " z ") && strings.Contains(s.view, " zap ")
	})
	p.press("esc")

	// Dispatched by its key, after its confirmation; n asks again.
	target := progPick(t, srv, 2)
	p.moveTo(target.ID)
	p.press("z")
	p.waitView("Zap 1 sessions? y/n")
	p.press("n")
	p.waitView("zap cancelled")
	p.press("z")
	p.waitView("Zap 1 sessions? y/n")
	p.press("y")
	p.waitView("Zapped")
	if !slices.Contains(progServerTags(t, srv, target.ID), "zapped") {
		t.Fatalf("z did not zap %s: %v", target.ID, progServerTags(t, srv, target.ID))
	}

	// Undone by u.
	p.press("u")
	p.waitView("undid zap of 1 session")
	if slices.Contains(progServerTags(t, srv, target.ID), "zapped") {
		t.Fatalf("u did not undo the zap: %v", progServerTags(t, srv, target.ID))
	}

	// On marked sessions it runs once per session and is undone as one.
	two := []string{progPick(t, srv, 4).ID, progPick(t, srv, 5).ID}
	p.moveTo(two[0])
	p.press(" ", "down", " ") // space marks, the cursor stays: down to two[1]
	p.press("z")
	p.waitView("Zap 2 sessions? y/n")
	p.press("y")
	progWaitBulk(p, "zap: 2 saved")
	for _, id := range two {
		if !slices.Contains(progServerTags(t, srv, id), "zapped") {
			t.Fatalf("bulk zap missed %s", id)
		}
	}
	p.press("u")
	progWaitBulk(p, "undid zap of 2 sessions")
	for _, id := range two {
		if slices.Contains(progServerTags(t, srv, id), "zapped") {
			t.Fatalf("bulk undo missed %s", id)
		}
	}

	// And in the detail view, where its key is in the help line.
	p.moveTo(target.ID)
	p.press("enter")
	s := p.waitFor("detail", func(s progSnap) bool { return s.mode == modeDetail })
	if !strings.Contains(s.view, "z zap") {
		t.Errorf("detail help line lacks the action:\n%s", s.view)
	}
	p.press("z", "y")
	p.waitView("Zapped")
	if !slices.Contains(progServerTags(t, srv, target.ID), "zapped") {
		t.Fatalf("z in the detail view did not zap")
	}
	p.finish()
}

// An action's Allowed check refuses a session with its reason, and nothing
// is sent.
func TestActionAllowedRefuses(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	m := unitLoaded(t, srv, 120, 40)
	a := zapAction()
	a.Confirm = nil
	a.Allowed = func(*row) (bool, string) { return false, "not today" }
	m.actions = []Action{a}
	before := len(progPatches(srv))
	m = unitKeys(t, m, "z")
	if !strings.Contains(m.statusView(), "cannot zap: not today") {
		t.Errorf("status %q, want the refusal", m.statusView())
	}
	if n := len(progPatches(srv)); n != before {
		t.Errorf("%d PATCHes sent for a refused action", n-before)
	}
}
