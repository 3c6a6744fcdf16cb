package tui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// resolvedTag is the tag support staff toggle with one key.
const resolvedTag = "resolved"

// bulkConcurrency bounds the saves in flight during a bulk change.
const bulkConcurrency = 4

type opKind int

const (
	opForm opKind = iota + 1
	opResolve
	opUndo
)

type opInfo struct {
	kind   opKind
	id     string
	cancel context.CancelFunc
	label  string   // what the toast says on success
	entry  []change // for an undo: the entry to put back if it fails
}

// opsState tracks saves in flight, the undo history and a bulk run.
type opsState struct {
	seq      int
	formOp   int
	inflight map[int]opInfo
	busy     map[string]int // session id → saves in flight, for row spinners
	undo     [][]change     // newest last; a bulk change is one entry
	bulk     *bulkRun
	locks    *sessionLocks // one save per session at a time (see applyChange)
}

func (o *opsState) start(kind opKind, id, label string) (int, context.Context) {
	if o.inflight == nil {
		o.inflight, o.busy = map[int]opInfo{}, map[string]int{}
	}
	o.seq++
	ctx, cancel := context.WithCancel(withSessionLocks(context.Background(), o.locks))
	o.inflight[o.seq] = opInfo{kind: kind, id: id, cancel: cancel, label: label}
	o.busy[id]++
	return o.seq, ctx
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

// resolve toggles "resolved" on the selected session, or resolves every
// marked session at once.
func (m Model) resolve() (tea.Model, tea.Cmd) {
	if len(m.marked) > 0 {
		changes := make([]change, 0, len(m.marked))
		for _, id := range m.markedIDs() {
			changes = append(changes, change{id: id, added: []string{resolvedTag}})
		}
		return m.startBulk("resolve", changes, true)
	}
	return m.resolveOne()
}

func (m Model) resolveOne() (tea.Model, tea.Cmd) {
	r := m.selected()
	if m.mode == modeDetail {
		r = m.st.get(m.detail.ID())
	}
	if r == nil {
		return m, nil
	}
	r = m.fresh(r)
	c := change{id: r.s.ID}
	label := "Resolved"
	if r.hasTag(resolvedTag) {
		c.removed, label = []string{resolvedTag}, "Reopened"
	} else {
		c.added = []string{resolvedTag}
	}
	op, ctx := m.ops.start(opResolve, r.s.ID, label)
	return m, saveChange(ctx, m.api, op, c)
}

func (m Model) onEditSubmitted(msg editSubmittedMsg) (tea.Model, tea.Cmd) {
	if msg.ID == "" { // bulk tag form
		changes := make([]change, 0, len(m.marked))
		for _, id := range m.markedIDs() {
			changes = append(changes, change{id: id, added: msg.Added, removed: msg.Removed})
		}
		m = m.closeForm()
		return m.startBulk("tag", changes, true)
	}
	op, ctx := m.ops.start(opForm, msg.ID, "Saved")
	m.ops.formOp = op
	m.setForm(m.form.SetSaving(true))
	c := change{id: msg.ID, title: msg.Title, added: msg.Added, removed: msg.Removed}
	return m, tea.Batch(saveChange(ctx, m.api, op, c), m.spin.Tick)
}

// undoLast reverts the newest change made from this program, as a delta.
func (m Model) undoLast() (tea.Model, tea.Cmd) {
	n := len(m.ops.undo)
	if n == 0 {
		return m, m.setToast("nothing to undo")
	}
	entry := m.ops.undo[n-1]
	m.ops.undo = m.ops.undo[:n-1]
	if len(entry) > 1 {
		return m.startBulk("undo", entry, false)
	}
	c := entry[0]
	if c.empty() {
		return m, m.setToast("nothing to undo")
	}
	op, ctx := m.ops.start(opUndo, c.id, "Undone")
	info := m.ops.inflight[op]
	info.entry = entry
	m.ops.inflight[op] = info
	return m, saveChange(ctx, m.api, op, c)
}

func (m Model) onSaved(msg sessionSavedMsg) (tea.Model, tea.Cmd) {
	info, ok := m.ops.finish(msg.op)
	if !ok {
		return m, nil // cancelled: the form was closed meanwhile
	}
	m.st.upsert(msg.session)
	if m.load.next != nil && m.load.next != m.st && m.load.next.get(msg.session.ID) != nil {
		m.load.next.upsert(msg.session)
	}
	if info.kind != opUndo && !msg.undo.empty() {
		m.ops.undo = append(m.ops.undo, []change{msg.undo})
	}
	if m.mode == modeDetail && m.detail.ID() == msg.session.ID {
		m.detail = m.detail.SetRow(m.st.get(msg.session.ID))
	}
	if info.kind == opForm && m.mode == modeEdit && m.ops.formOp == msg.op {
		m.ops.formOp = 0
		m = m.closeForm()
		if m.mode == modeDetail && m.detail.ID() == msg.session.ID {
			m.detail = m.detail.SetRow(m.st.get(msg.session.ID))
		}
	}
	return m, tea.Batch(m.setToast(info.label), m.dataChanged())
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
	verb := map[opKind]string{opResolve: "resolve", opUndo: "undo", opForm: "save"}[info.kind]
	if info.kind == opUndo {
		// Put it back so that u tries again.
		m.ops.undo = append(m.ops.undo, info.entry)
	}
	if errors.Is(msg.err, context.Canceled) {
		// Only the user cancels a save (esc while saving): not a failure.
		return m, m.setToast(verb + " cancelled")
	}
	return m, m.setError(verb + " failed: " + text)
}

// fresh returns the newest copy of a row: saves replace rows in the store
// before the derived list catches up.
func (m Model) fresh(r *row) *row {
	if f := m.st.get(r.s.ID); f != nil {
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
