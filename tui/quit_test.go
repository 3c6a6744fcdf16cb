package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/everruns/sessions/tui/form"
)

// Quitting with saves in flight asks; quitting anyway names what was not
// saved; waiting quits when the last save lands.

const quitPromptOne = "1 save in flight — w: wait for them, then quit · q: quit anyway (they may be lost) · esc: stay"

// quitProg starts the program on a hostile server whose PATCHes wait at a
// gate until the test opens it.
func quitProg(t *testing.T, n int) (*prog, *hostileServer, func()) {
	t.Helper()
	h, api := newHostile(t, hostileSessions(n))
	h.gate = make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(h.gate) }) }
	t.Cleanup(open)
	p := startProg(t, nil, progOptions(api), 140, 30)
	p.waitSettled("first load")
	return p, h, open
}

// finalModel waits for the program to end by itself and returns its model.
func (p *prog) finalModel() Model {
	p.t.Helper()
	return p.tm.FinalModel(p.t, teatest.WithFinalTimeout(progWait)).(progRecModel).m
}

func TestProgramQuitPrompt(t *testing.T) {
	p, _, _ := quitProg(t, 5)
	p.press("r")
	p.waitFor("save in flight", func(s progSnap) bool { return s.inflight == 1 })
	p.press("q")
	p.waitFor("quit prompt", func(s progSnap) bool { return strings.Contains(s.view, quitPromptOne) })
	m := p.finish()
	if m.quitting {
		t.Fatal("q quit with a save in flight")
	}
	view := m.View()
	progCheckFrame(t, view, m.ctx.Width, m.ctx.Height)
	lines := strings.Split(view, "\n")
	if got := lines[len(lines)-2]; got != quitPromptOne {
		t.Fatalf("status line %q, want the prompt", got)
	}
	// The row's save spinner turns at its own pace: pin its frame.
	for _, f := range spinner.MiniDot.Frames {
		view = strings.ReplaceAll(view, f, spinner.MiniDot.Frames[0])
	}
	golden.RequireEqual(t, []byte(view))
}

func TestProgramQuitAnywayReportsUnsaved(t *testing.T) {
	p, h, _ := quitProg(t, 5)
	p.press("r", "q")
	p.waitFor("quit prompt", func(s progSnap) bool { return strings.Contains(s.view, quitPromptOne) })
	p.press("q")
	m := p.finalModel()
	err := runResult(m, nil)
	want := "1 save was not finished (quit before the server answered; check them): s000"
	if err == nil || err.Error() != want {
		t.Fatalf("Run's error %v, want %q", err, want)
	}
	if got := h.patched(); len(got) != 0 {
		t.Fatalf("server saved %v", got)
	}
}

func TestProgramQuitWaitsForSaves(t *testing.T) {
	p, h, open := quitProg(t, 5)
	p.press("r", "q", "w")
	p.waitFor("waiting", func(s progSnap) bool {
		return strings.Contains(s.view, "waiting for 1 save, then quitting — q: quit anyway · esc: stay")
	})
	open()
	m := p.finalModel() // quits by itself once the save lands
	if err := runResult(m, nil); err != nil {
		t.Fatalf("Run's error %v, want none: the save finished", err)
	}
	if got := h.patched(); !slices.Equal(got, []string{"s000"}) {
		t.Fatalf("server saved %v, want s000", got)
	}
	if r := m.st.get("s000"); r == nil || !r.HasTag(resolvedTag) {
		t.Fatal("the saved session is not resolved in the final model")
	}
}

// A bulk run counts every session still to go; ctrl+c asks like q, and
// esc stays.
func TestProgramQuitDuringBulk(t *testing.T) {
	p, h, _ := quitProg(t, 5)
	p.press("space", "down", "space", "down", "space", "r", "y")
	p.waitFor("bulk in flight", func(s progSnap) bool { return s.inflight == 3 })
	p.press("ctrl+c")
	p.waitFor("prompt", func(s progSnap) bool { return strings.Contains(s.view, "3 saves in flight — w: wait") })
	p.press("esc")
	p.waitFor("prompt gone", func(s progSnap) bool { return !strings.Contains(s.view, "in flight") })
	p.press("ctrl+c")
	p.waitFor("prompt again", func(s progSnap) bool { return strings.Contains(s.view, "3 saves in flight") })
	p.press("ctrl+c")
	m := p.finalModel()
	want := "3 saves were not finished (quit before the server answered; check them): s000, s001, s002"
	if err := runResult(m, nil); err == nil || err.Error() != want {
		t.Fatalf("Run's error %v, want %q", err, want)
	}
	if got := h.patched(); len(got) != 0 {
		t.Fatalf("server saved %v", got)
	}
}

// Without saves in flight q quits at once, with nothing to report.
func TestProgramQuitIdle(t *testing.T) {
	p, _, _ := quitProg(t, 3)
	p.press("q")
	if err := runResult(p.finalModel(), nil); err != nil {
		t.Fatalf("Run's error %v", err)
	}
}

// The y refusal, as the user sees it.
func TestProgramCopyIDRefused(t *testing.T) {
	ss := hostileSessions(3)
	ss[0].ID = "session_x\n; echo PWNED"
	_, api := newHostile(t, ss)
	var (
		mu     sync.Mutex
		copied []string
	)
	opts := progOptions(api)
	opts.Clipboard = func(s string) error { mu.Lock(); copied = append(copied, s); mu.Unlock(); return nil }
	p := startProg(t, nil, opts, 140, 30)
	p.waitSettled("first load")
	p.press("y")
	p.waitFor("refusal", func(s progSnap) bool {
		return strings.Contains(s.view, "✗ id not copied: it holds characters an id should not have")
	})
	p.press("down", "y")
	p.waitFor("copied", func(s progSnap) bool { return strings.Contains(s.view, "✓ copied s001") })
	p.finish()
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(copied, []string{"s001"}) {
		t.Fatalf("clipboard got %q, want only s001", copied)
	}
}

// ctrl+c on a form whose save is on its way goes to the quit prompt, not
// to "discard changes?": the changes are not discarded, they are in flight.
func TestProgramQuitWhileFormSaves(t *testing.T) {
	p, h, _ := quitProg(t, 3)
	p.openEditTyped("s001", "a new title", "")
	p.press("ctrl+s")
	p.waitFor("form saving", func(s progSnap) bool { return s.formSave && s.inflight == 1 })
	p.press("ctrl+c")
	p.waitFor("prompt", func(s progSnap) bool { return strings.Contains(s.view, quitPromptOne) && s.confirm == form.NoQuestion })
	p.press("ctrl+c")
	m := p.finalModel()
	want := "1 save was not finished (quit before the server answered; check them): s001"
	if err := runResult(m, nil); err == nil || err.Error() != want {
		t.Fatalf("Run's error %v, want %q", err, want)
	}
	if got := h.patched(); len(got) != 0 {
		t.Fatalf("server saved %v", got)
	}
}

// A save that fails while the program waits to quit is named in the exit
// summary: the screen that would have said so is gone.
func TestProgramQuitWaitReportsFailure(t *testing.T) {
	p, h, open := quitProg(t, 3)
	h.mu.Lock()
	h.patchStatus = 503
	h.mu.Unlock()
	p.press("r", "q", "w")
	p.waitFor("waiting", func(s progSnap) bool { return strings.Contains(s.view, "waiting for 1 save") })
	open()
	m := p.finalModel()
	want := "1 save failed while quitting: s000: HTTP 503"
	if err := runResult(m, nil); err == nil || err.Error() != want {
		t.Fatalf("Run's error %v, want %q", err, want)
	}
}

// Waiting for a bulk run to land: the summary says how many saves
// finished as well as which one failed.
func TestProgramQuitWaitSummarySaysWhatWasSaved(t *testing.T) {
	p, h, open := quitProg(t, 5)
	h.mu.Lock()
	h.failID = "s001"
	h.mu.Unlock()
	p.press("space", "down", "space", "down", "space", "r", "y")
	p.waitFor("bulk in flight", func(s progSnap) bool { return s.inflight == 3 })
	p.press("q", "w")
	p.waitFor("waiting", func(s progSnap) bool { return strings.Contains(s.view, "waiting for 3 saves") })
	open()
	m := p.finalModel()
	want := "2 saves finished before quitting; 1 save failed while quitting: s001: HTTP 503"
	if err := runResult(m, nil); err == nil || err.Error() != want {
		t.Fatalf("Run's error %v, want %q", err, want)
	}
	if got := h.patched(); !slices.Equal(got, []string{"s000", "s002"}) && !slices.Equal(got, []string{"s002", "s000"}) {
		t.Fatalf("server saved %v", got)
	}
}

// A program stopped from outside (a signal cancels Run's context) with a
// save in flight still reports it; the program's own error comes second.
func TestRunResultWhenKilled(t *testing.T) {
	m := New(progOptions(nil))
	if err := runResult(m, tea.ErrProgramKilled); !errors.Is(err, tea.ErrProgramKilled) {
		t.Fatalf("nothing in flight: %v, want the program's error", err)
	}
	m.ops.start(opAction, "s\x1b[31m1", "Resolved")
	err := runResult(m, tea.ErrProgramKilled)
	var lost *UnsavedError
	if !errors.As(err, &lost) || err.Error() != "1 save was not finished (quit before the server answered; check them): s1" {
		t.Fatalf("%v, want the unfinished save, its id sanitised", err)
	}
	many := &UnsavedError{}
	for i := range 25 {
		many.Unfinished = append(many.Unfinished, fmt.Sprintf("s%02d", i))
	}
	if got := many.Error(); !strings.HasSuffix(got, "s19 and 5 more") {
		t.Fatalf("long list not cut: %q", got)
	}
}
