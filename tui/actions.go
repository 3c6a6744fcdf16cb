package tui

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// actionModes are where a session action applies.
type actionModes uint8

const (
	inList   actionModes = 1 << iota // the list with nothing marked: the row under the cursor
	inDetail                         // the detail view: the session shown
	inMarked                         // the list with marks: every marked session at once
)

// Action is one session action. The table of them (Options.Actions, by
// default defaultActions) is the one place that knows an action: key
// dispatch in the list, the detail view and on marked rows, confirmation,
// the status line, undo with u, the help screens and the README test all
// read it. Adding an action is one entry here (and its binding in KeyMap).
type Action struct {
	Name  string                     // "resolve"; bulk summaries start with it
	Key   func(*KeyMap) *key.Binding // from the KeyMap, so [keys] overrides apply
	Modes actionModes

	// Allowed says whether the action applies to a session (allowed_actions,
	// platform rules); nil = always. Sessions it refuses are left alone.
	Allowed func(r *row) (ok bool, why string)
	// Confirm is the question asked first, worded for n sessions; nil or ""
	// runs the action at once. y runs it, n or esc does not. On more than
	// one session the action always asks (bulkQuestion), with this wording
	// when it has one.
	Confirm func(n int) string
	// Typed, when set, is the word the user must type (then enter) to
	// confirm, instead of y/n: for what cannot be undone. Confirm's
	// question should say so.
	Typed string
	// Unchanged reports that a session of a bulk run needs no change (it
	// is already resolved); such sessions are skipped and counted apart,
	// as Already ("already resolved"). nil = every session changes.
	Unchanged func(r *row) bool
	Already   string
	// Do runs off the Update path for one session; bulk is true when it is
	// one of several marked ones. What it returns replaces the row and is
	// what Undo gets back.
	Do func(ctx context.Context, env actionEnv, r *row, bulk bool) (actionResult, error)
	// Undo reverts one Do; nil = cannot be undone.
	Undo func(ctx context.Context, env actionEnv, id string, revert any) (actionResult, error)

	// HelpOnly keeps the action out of the one-line help (the ? screen
	// lists it): the line has room for a few keys only.
	HelpOnly bool

	Done   string // status line on success, unless Do gives its own label
	Failed string // status line on failure, before the reason
}

// actionEnv is what an action may use: captured by value when a command is
// built, never the model.
type actionEnv struct {
	API       API
	Locks     *sessionLocks           // one save per session at a time
	Clipboard func(text string) error // Options.Clipboard
	OpenURL   func(url string) error  // Options.OpenURL: the browser
}

// actionResult is what one session's action did.
type actionResult struct {
	session *apiclient.Session // the session as saved; nil = the row did not change
	label   string             // status line; "" = the action's Done
	revert  any                // what Undo needs; nil = nothing to undo
	removed bool               // the session left the list (archived, deleted)
	sticky  bool               // the label stays until replaced (a URL to read)
}

// resolvedTag is the tag support staff toggle with one key (the CLI's
// `sessions resolve` adds the same one).
const resolvedTag = apiclient.ResolvedTag

// defaultActions is the table of session actions.
func defaultActions() []Action {
	return append([]Action{
		{
			Name:    "resolve",
			Key:     func(k *KeyMap) *key.Binding { return &k.Resolve },
			Modes:   inList | inDetail | inMarked,
			Allowed: allowUpdate,
			// One session toggles; marked ones are all resolved.
			Do: func(ctx context.Context, env actionEnv, r *row, bulk bool) (actionResult, error) {
				c, label := change{id: r.S.ID}, "Resolved"
				if !bulk && r.HasTag(resolvedTag) {
					c.removed, label = []string{resolvedTag}, "Reopened"
				} else {
					c.added = []string{resolvedTag}
				}
				res, err := saveChange(ctx, env, c)
				res.label = label
				return res, err
			},
			Undo:      undoChange,
			Unchanged: func(r *row) bool { return r.HasTag(resolvedTag) },
			Already:   "already resolved",
			Done:      "Resolved",
			Failed:    "resolve failed",
		},
	}, sessionActions()...)
}

// undoChange reverts a tag or title change by applying its inverse delta.
func undoChange(ctx context.Context, env actionEnv, _ string, revert any) (actionResult, error) {
	c, _ := revert.(change)
	return saveChange(ctx, env, c)
}

// job is one session's share of an action, as it runs off the Update path.
type job struct {
	id   string
	run  func(ctx context.Context, env actionEnv) (actionResult, error)
	undo func(ctx context.Context, env actionEnv, id string, revert any) (actionResult, error)
}

// undoStep is what u runs to revert one session's change.
type undoStep struct {
	id     string
	revert any
	undo   func(ctx context.Context, env actionEnv, id string, revert any) (actionResult, error)
}

func (s undoStep) job() job {
	return job{id: s.id, run: func(ctx context.Context, env actionEnv) (actionResult, error) {
		return s.undo(ctx, env, s.id, s.revert)
	}}
}

// step is how to revert what j did, or nil.
func (j job) step(res actionResult) *undoStep {
	if j.undo == nil || res.revert == nil {
		return nil
	}
	return &undoStep{id: j.id, revert: res.revert, undo: j.undo}
}

func (a *Action) job(r *row, bulk bool) job {
	return job{id: r.S.ID, undo: a.Undo, run: func(ctx context.Context, env actionEnv) (actionResult, error) {
		return a.Do(ctx, env, r, bulk)
	}}
}

// pendingAction is an action waiting for its confirmation.
type pendingAction struct {
	action   *Action
	rows     []*row
	bulk     bool
	question string
	typed    *textinput.Model // the word being typed, for a Typed confirmation
}

func (m Model) env() actionEnv {
	return actionEnv{API: m.api, Locks: m.ops.locks, Clipboard: m.opts.Clipboard, OpenURL: m.opts.OpenURL}
}

// actionWhere is the mode actions are looked up in.
func (m Model) actionWhere() actionModes {
	switch {
	case m.mode == modeDetail:
		return inDetail
	case len(m.marked) > 0:
		return inMarked
	}
	return inList
}

// actionFor is the action bound to k where the user is, if any.
func (m Model) actionFor(k tea.KeyMsg) *Action {
	where := m.actionWhere()
	for i := range m.actions {
		a := &m.actions[i]
		if a.Modes&where != 0 && keyMatches(k, *a.Key(m.ctx.Keys)) {
			return a
		}
	}
	return nil
}

// actionBindings are the bindings of the actions that apply in where.
func (m Model) actionBindings(where actionModes) []key.Binding {
	var out []key.Binding
	for _, a := range m.actions {
		if a.Modes&where != 0 {
			out = append(out, *a.Key(m.ctx.Keys))
		}
	}
	return out
}

// shortActionBindings are the bindings of the actions of the one-line help.
func (m Model) shortActionBindings(where actionModes) []key.Binding {
	var out []key.Binding
	for _, a := range m.actions {
		if a.Modes&where != 0 && !a.HelpOnly {
			out = append(out, *a.Key(m.ctx.Keys))
		}
	}
	return out
}

// runAction is the one dispatch of session actions: it finds the sessions
// the action is for, checks them, asks first when the action wants it, and
// runs it on one session or on all marked ones.
func (m Model) runAction(a *Action) (tea.Model, tea.Cmd) {
	var rows []*row
	bulk := false
	switch m.actionWhere() {
	case inDetail:
		if r := m.st.get(m.detail.ID()); r != nil {
			rows = append(rows, r)
		}
	case inMarked:
		bulk = true
		for _, id := range m.markedIDs() {
			r := m.st.get(id)
			if r == nil {
				r = &row{S: apiclient.Session{ID: id}}
			}
			rows = append(rows, r)
		}
	default:
		if r := m.selected(); r != nil {
			rows = append(rows, m.fresh(r))
		}
	}
	if a.Allowed != nil {
		kept, why := rows[:0:0], ""
		for _, r := range rows {
			if ok, w := a.Allowed(r); ok {
				kept = append(kept, r)
			} else if why == "" {
				why = w
			}
		}
		if len(kept) == 0 && len(rows) > 0 {
			return m, m.setError("cannot " + a.Name + ": " + why)
		}
		rows = kept
	}
	already := 0
	if bulk && a.Unchanged != nil {
		kept := rows[:0:0]
		for _, r := range rows {
			if a.Unchanged(r) {
				already++
			} else {
				kept = append(kept, r)
			}
		}
		rows = kept
		if len(rows) == 0 && already > 0 {
			return m, m.setToast(fmt.Sprintf("nothing to do: %s %s", countSessions(already), a.Already))
		}
	}
	if len(rows) == 0 {
		return m, nil
	}
	q := ""
	if a.Confirm != nil {
		q = a.Confirm(len(rows))
	}
	if bulk && len(rows)+already > 1 {
		q = bulkQuestion(a, q, len(rows), already)
	}
	if q != "" {
		m.pending = &pendingAction{action: a, rows: rows, bulk: bulk, question: q}
		if a.Typed != "" {
			m.pending.typed = newTypedInput()
		}
		return m, nil
	}
	return m.execute(a, rows, bulk)
}

// bulkQuestion is what an action on several sessions asks first, naming
// the verb and the count ("Resolve 545 sessions? (40 already resolved)"):
// two keys must never change hundreds of sessions unasked.
func bulkQuestion(a *Action, own string, n, already int) string {
	q := own
	if q == "" {
		q = fmt.Sprintf("%s %s?", capitalise(a.Name), countSessions(n))
	}
	if already > 0 {
		q += fmt.Sprintf(" (%d %s)", already, a.Already)
	}
	return q
}

// countSessions is "1 session" or "n sessions".
func countSessions(n int) string {
	if n == 1 {
		return "1 session"
	}
	return fmt.Sprintf("%d sessions", n)
}

// capitalise upper-cases the first letter of an ASCII verb.
func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func (m Model) execute(a *Action, rows []*row, bulk bool) (tea.Model, tea.Cmd) {
	if bulk {
		jobs := make([]job, len(rows))
		for i, r := range rows {
			jobs[i] = a.job(r, true)
		}
		return m.startBulk(a.Name, jobs, a.Undo != nil)
	}
	j := a.job(rows[0], false)
	op, ctx := m.ops.start(opAction, j.id, a.Done)
	m.ops.name(op, a.Name, a.Failed)
	return m, runJob(ctx, m.env(), op, j)
}

// onConfirmKey answers the question of a pending action.
func (m Model) onConfirmKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	p := m.pending
	if p.typed != nil {
		return m.onTypedConfirmKey(k)
	}
	switch {
	case keyMatches(k, m.ctx.Keys.Confirm):
		m.pending = nil
		return m.execute(p.action, p.rows, p.bulk)
	case keyMatches(k, m.ctx.Keys.Deny, m.ctx.Keys.ForceQuit):
		m.pending = nil
		return m, m.setToast(p.action.Name + " cancelled")
	}
	return m, nil
}

// runJob runs one session's job and reports how it went.
func runJob(ctx context.Context, env actionEnv, op int, j job) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, requestTimeout)
		defer cancel()
		res, err := j.run(ctx, env)
		if err != nil {
			return sessionSaveFailedMsg{op: op, id: j.id, err: err}
		}
		return sessionSavedMsg{op: op, session: res.session, label: res.label, revert: res.revert, undo: j.step(res),
			removed: res.removed, sticky: res.sticky}
	}
}
