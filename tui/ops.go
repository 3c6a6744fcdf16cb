package tui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/form"
)

// bulkConcurrency bounds the saves in flight during a bulk change.
const bulkConcurrency = 4

type opKind int

const (
	opForm   opKind = iota + 1 // the edit form's save
	opAction                   // a session action of the table
)

type opInfo struct {
	kind   opKind
	id     string
	cancel context.CancelFunc
	label  string // what the toast says on success
	name   string // "resolve": "resolve cancelled"
	failed string // "resolve failed": before the reason
}

// undoEntry is one change u reverts (and U makes again): what it was
// ("resolve", "tag", "save") and how to revert each session's share.
type undoEntry struct {
	verb  string
	steps []undoStep
}

// opsState tracks saves in flight, the undo history and a bulk run.
type opsState struct {
	seq      int
	formOp   int
	inflight map[int]opInfo
	busy     map[string]int // session id → saves in flight, for row spinners
	undo     []undoEntry    // newest last; a bulk change is one entry
	redo     []undoEntry    // what u undid, newest last; a new change clears it
	bulk     *bulkRun
	locks    *sessionLocks // one save per session at a time (see applyChange)
}

func (o *opsState) start(kind opKind, id, label string) (int, context.Context) {
	if o.inflight == nil {
		o.inflight, o.busy = map[int]opInfo{}, map[string]int{}
	}
	o.seq++
	ctx, cancel := context.WithCancel(context.Background())
	names := map[opKind][2]string{opForm: {"save", "save failed"}}[kind]
	o.inflight[o.seq] = opInfo{kind: kind, id: id, cancel: cancel, label: label, name: names[0], failed: names[1]}
	o.busy[id]++
	return o.seq, ctx
}

// name sets what the status line calls an op.
func (o *opsState) name(op int, name, failed string) {
	info := o.inflight[op]
	info.name, info.failed = name, failed
	o.inflight[op] = info
}

func (o *opsState) finish(op int) (opInfo, bool) {
	info, ok := o.inflight[op]
	if !ok {
		return info, false
	}
	info.cancel()
	delete(o.inflight, op)
	if o.busy[info.id]--; o.busy[info.id] <= 0 {
		delete(o.busy, info.id)
	}
	return info, true
}

func (o *opsState) cancel(op int) {
	if info, ok := o.inflight[op]; ok {
		info.cancel()
	}
}

func (o *opsState) cancelAll() {
	for _, info := range o.inflight {
		info.cancel()
	}
	if o.bulk != nil {
		o.bulk.cancel()
	}
}

func (m Model) onEditSubmitted(msg form.SubmittedMsg) (tea.Model, tea.Cmd) {
	if msg.ID == "" { // bulk tag form
		jobs := make([]job, 0, len(m.marked))
		for _, id := range m.markedIDs() {
			jobs = append(jobs, changeJob(change{id: id, added: msg.Added, removed: msg.Removed}))
		}
		m = m.closeForm()
		return m.startBulk("tag", jobs, true)
	}
	op, ctx := m.ops.start(opForm, msg.ID, "Saved")
	m.ops.formOp = op
	m.setForm(m.form.SetSaving(true))
	c := change{id: msg.ID, title: msg.Title, added: msg.Added, removed: msg.Removed}
	return m, tea.Batch(runJob(ctx, m.env(), op, changeJob(c)), m.spin.Tick)
}

// changeJob saves an edit made in the form; u reverts it.
func changeJob(c change) job {
	return job{id: c.id, undo: undoChange, run: func(ctx context.Context, env actionEnv) (actionResult, error) {
		return saveChange(ctx, env, c)
	}}
}

// undoLast reverts the newest change made from this program, as a delta;
// a bulk change is reverted as one.
func (m Model) undoLast() (tea.Model, tea.Cmd) {
	n := len(m.ops.undo)
	if n == 0 {
		return m, m.setToast("nothing to undo")
	}
	if m.ops.bulk != nil {
		return m, m.setToast("a bulk change is still running")
	}
	entry := m.ops.undo[n-1]
	m.ops.undo = m.ops.undo[:n-1]
	return m.replay(entry, runUndo)
}

// redoLast makes again the change u reverted last.
func (m Model) redoLast() (tea.Model, tea.Cmd) {
	n := len(m.ops.redo)
	if n == 0 {
		return m, m.setToast("nothing to redo")
	}
	if m.ops.bulk != nil {
		return m, m.setToast("a bulk change is still running")
	}
	entry := m.ops.redo[n-1]
	m.ops.redo = m.ops.redo[:n-1]
	return m.replay(entry, runRedo)
}

// replay runs an entry's steps as a bulk run; each step's own inverse is
// kept, so that what u reverted U can make again, and back.
func (m Model) replay(entry undoEntry, kind runKind) (tea.Model, tea.Cmd) {
	jobs := make([]job, len(entry.steps))
	steps := make(map[string]undoStep, len(entry.steps))
	for i, s := range entry.steps {
		j := s.job()
		j.undo = s.undo
		jobs[i] = j
		steps[s.id] = s
	}
	mm, cmd := m.startBulk(entry.verb, jobs, false)
	m = mm.(Model)
	if b := m.ops.bulk; b != nil {
		b.kind, b.steps = kind, steps
	}
	return m, cmd
}

func (m Model) onSaved(msg sessionSavedMsg) (tea.Model, tea.Cmd) {
	info, ok := m.ops.finish(msg.op)
	if !ok {
		return m, nil // cancelled: the form was closed meanwhile
	}
	m.noteSavedWhileQuitting()
	if msg.removed {
		m.removeSession(info.id)
	}
	if s := msg.session; s != nil {
		m.st.upsert(*s)
		if m.load.next != nil && m.load.next != m.st && m.load.next.get(s.ID) != nil {
			m.load.next.upsert(*s)
		}
	}
	if msg.undo != nil {
		m.ops.undo = append(m.ops.undo, undoEntry{verb: info.name, steps: []undoStep{*msg.undo}})
		m.ops.redo = nil
	}
	if info.kind == opForm && m.mode == modeEdit && m.ops.formOp == msg.op {
		m.ops.formOp = 0
		m = m.closeForm()
	}
	if m.mode == modeDetail && m.detail.ID() == info.id {
		if r := m.st.get(info.id); r != nil {
			m.detail = m.detail.SetRow(m.detailRowOf(r))
		}
	}
	label := info.label
	if msg.label != "" {
		label = msg.label
	}
	if msg.sticky {
		m.setInfo(label)
		return m, nil
	}
	return m, m.setToast(label)
}

func (m Model) onSaveFailed(msg sessionSaveFailedMsg) (tea.Model, tea.Cmd) {
	info, ok := m.ops.finish(msg.op)
	if !ok {
		return m, nil
	}
	m.noteFailedWhileQuitting(info.id, msg.err)
	text := describe(msg.err)
	if info.kind == opForm && m.mode == modeEdit && m.ops.formOp == msg.op {
		m.ops.formOp = 0
		m.setForm(m.form.SetSaving(false).SetError("save failed: " + text + " — ctrl+s to retry"))
		return m, nil
	}
	if errors.Is(msg.err, context.Canceled) {
		// Only the user cancels a save (esc while saving): not a failure.
		return m, m.setToast(info.name + " cancelled")
	}
	return m, m.setError(info.failed + ": " + text)
}

// fresh returns the newest copy of a row: saves replace rows in the store
// before the derived list catches up.
func (m Model) fresh(r *row) *row {
	if f := m.st.get(r.S.ID); f != nil {
		return f
	}
	return r
}

func (m Model) markedIDs() []string {
	ids := make([]string, 0, len(m.marked))
	for id := range m.marked {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// summarise counts failures by message: "18 saved, 2 failed: HTTP 503".
func summarise(verb string, saved int, failures map[string]error) string {
	if len(failures) == 0 {
		return fmt.Sprintf("%s: %d saved", verb, saved)
	}
	reasons := map[string]int{}
	for _, err := range failures {
		reasons[shortReason(err)]++
	}
	parts := make([]string, 0, len(reasons))
	for r := range reasons {
		parts = append(parts, r)
	}
	sort.Strings(parts)
	return fmt.Sprintf("%s: %d saved, %d failed: %s", verb, saved, len(failures), strings.Join(parts, "; "))
}

func shortReason(err error) string {
	var e *apiclient.APIError
	if errors.As(err, &e) {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return describe(err)
}
