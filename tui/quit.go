package tui

import (
	"fmt"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/tui/safetext"
	"github.com/everruns/sessions/tui/sessionlist"
)

// Quitting while saves are on their way would lose them without a word: q
// (or ctrl+c) then asks whether to wait for them or quit anyway, and what
// did not finish is reported when the program ends (see UnsavedError).

// quitState is the quit prompt and the wait for saves in flight.
type quitState struct {
	asking  bool              // "N saves in flight — wait / quit anyway"
	waiting bool              // quit as soon as the last save lands
	failed  map[string]string // id → reason, for saves that failed while waiting
	saved   int               // saves that landed while asking or waiting
}

// maxListedIDs bounds the ids an exit summary names.
const maxListedIDs = 20

// savesInFlight counts the saves not yet answered: single saves, undos and
// the sessions of a bulk run still to go.
func (m Model) savesInFlight() int {
	n := len(m.ops.inflight)
	if b := m.ops.bulk; b != nil {
		n += b.total - b.done
	}
	return n
}

// unfinishedIDs is the sanitised ids of the sessions with a save in flight.
func (m Model) unfinishedIDs() []string {
	ids := make([]string, 0, len(m.ops.busy))
	for id := range m.ops.busy {
		ids = append(ids, m.displayID(id))
	}
	sort.Strings(ids)
	return ids
}

// displayID is the id as shown: the row's, or sanitised as rows do.
func (m Model) displayID(id string) string {
	if r := m.st.get(id); r != nil {
		return r.ID
	}
	return safetext.Tag(id, sessionlist.MaxTitleBytes)
}

// quit ends the program, first asking when saves are in flight.
func (m Model) quit() (tea.Model, tea.Cmd) {
	if m.savesInFlight() > 0 {
		m.quitAsk.asking = true
		return m, nil
	}
	return m.quitNow()
}

// quitNow ends the program; saves still in flight are cancelled and named
// in the exit summary.
func (m Model) quitNow() (tea.Model, tea.Cmd) {
	if m.load.cancel != nil {
		m.load.cancel()
	}
	m.lost = m.exitSummary()
	m.ops.cancelAll()
	m.quitting = true
	return m, tea.Quit
}

// onQuitKey handles a key while the quit prompt shows or the program waits
// for its saves: w waits, q / ctrl+c / y quit anyway, esc / n stay.
func (m Model) onQuitKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.ctx.Keys
	switch {
	case keyMatches(k, keys.Quit, keys.ForceQuit, keys.Confirm):
		return m.quitNow()
	case m.quitAsk.asking && keyMatches(k, keys.QuitWait):
		m.quitAsk.asking, m.quitAsk.waiting = false, true
		return m.quitIfDone()
	case keyMatches(k, keys.Deny):
		m.quitAsk = quitState{}
	}
	return m, nil
}

// quitIfDone quits once a wait for saves has seen the last one land.
func (m Model) quitIfDone() (tea.Model, tea.Cmd) {
	if m.quitAsk.waiting && m.savesInFlight() == 0 {
		return m.quitNow()
	}
	return m, nil
}

// noteFailedWhileQuitting remembers a save that failed during the wait: the
// user will not see the screen that says so.
func (m *Model) noteFailedWhileQuitting(id string, err error) {
	if !m.quitAsk.waiting && !m.quitAsk.asking {
		return
	}
	if m.quitAsk.failed == nil {
		m.quitAsk.failed = map[string]string{}
	}
	m.quitAsk.failed[id] = shortReason(err)
}

// noteSavedWhileQuitting counts a save that landed during the question or
// the wait, for the exit summary.
func (m *Model) noteSavedWhileQuitting() {
	if m.quitAsk.waiting || m.quitAsk.asking {
		m.quitAsk.saved++
	}
}

// quitPrompt is the status line while asking or waiting, or "".
func (m Model) quitPrompt() string {
	n := m.savesInFlight()
	noun := "saves"
	if n == 1 {
		noun = "save"
	}
	switch {
	case m.quitAsk.asking:
		return fmt.Sprintf("%d %s in flight — w: wait for them, then quit · q: quit anyway (they may be lost) · esc: stay", n, noun)
	case m.quitAsk.waiting:
		return fmt.Sprintf("waiting for %d %s, then quitting — q: quit anyway · esc: stay", n, noun)
	}
	return ""
}

// exitSummary is what the program quits without, nil when nothing.
func (m Model) exitSummary() *UnsavedError {
	e := &UnsavedError{Unfinished: m.unfinishedIDs(), Saved: m.quitAsk.saved}
	for id, why := range m.quitAsk.failed {
		e.Failed = append(e.Failed, m.displayID(id)+": "+why)
	}
	sort.Strings(e.Failed)
	if len(e.Unfinished) == 0 && len(e.Failed) == 0 {
		return nil
	}
	return e
}

// UnsavedError is returned by Run when the program ended with saves that
// did not make it: still in flight when the user quit anyway (or the
// program was stopped), or failed while it waited for them to quit.
type UnsavedError struct {
	Unfinished []string // sanitised session ids, sorted
	Failed     []string // "id: reason", sorted
	Saved      int      // saves that landed after the user asked to quit
}

func (e *UnsavedError) Error() string {
	var parts []string
	if e.Saved > 0 {
		noun := "saves"
		if e.Saved == 1 {
			noun = "save"
		}
		parts = append(parts, fmt.Sprintf("%d %s finished before quitting", e.Saved, noun))
	}
	if n := len(e.Unfinished); n > 0 {
		verb := "saves were"
		if n == 1 {
			verb = "save was"
		}
		parts = append(parts, fmt.Sprintf("%d %s not finished (quit before the server answered; check them): %s",
			n, verb, listIDs(e.Unfinished)))
	}
	if n := len(e.Failed); n > 0 {
		verb := "saves"
		if n == 1 {
			verb = "save"
		}
		parts = append(parts, fmt.Sprintf("%d %s failed while quitting: %s", n, verb, listIDs(e.Failed)))
	}
	return strings.Join(parts, "; ")
}

// listIDs joins at most maxListedIDs items and counts the rest.
func listIDs(ids []string) string {
	if len(ids) <= maxListedIDs {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:maxListedIDs], ", ") + fmt.Sprintf(" and %d more", len(ids)-maxListedIDs)
}
