package tui

import (
	"context"
	"errors"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// Messages named for what happened. Each carries the generation or op id of
// the request that produced it, so that stale answers can be dropped.
type (
	// pageLoadedMsg is one page of a load; more follow on ch.
	pageLoadedMsg struct {
		gen  int
		ev   apiclient.PageEvent
		rows []*row // the page's sessions, sanitised off the Update path
		ch   <-chan tea.Msg
	}
	// loadFinishedMsg ends a load; err is nil when every page arrived.
	loadFinishedMsg struct {
		gen int
		err error
	}
	// viewDerivedMsg carries a recomputed list.
	viewDerivedMsg struct{ res *viewResult }

	// sessionSavedMsg: an action (a PATCH, a no-op save) succeeded.
	sessionSavedMsg struct {
		op      int
		session *apiclient.Session // nil when the row did not change
		label   string             // "" = the op's label
		revert  any                // the inverse of what was done, if known
		undo    *undoStep          // what u runs to revert it; nil = cannot
		removed bool               // the session left the list (archived, deleted)
		sticky  bool               // the label stays until replaced
	}
	// sessionSaveFailedMsg: the save did not happen.
	sessionSaveFailedMsg struct {
		op  int
		id  string
		err error
	}
	// toastExpiredMsg clears a toast if it is still the one shown.
	toastExpiredMsg struct{ id int }
)

const (
	requestTimeout = 60 * time.Second
	loadTimeout    = 10 * time.Minute
)

// loadSessions streams every page of the list through a channel, so the
// first page paints while the rest arrive.
func loadSessions(ctx context.Context, api API, opts apiclient.ListOptions, concurrency, gen int) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan tea.Msg, 8)
		go func() {
			defer close(ch)
			send := func(m tea.Msg) {
				select {
				case ch <- m:
				case <-ctx.Done():
				}
			}
			report := func(p goroutinePanicMsg) { send(p) }
			defer catchPanic(report)
			// Rows are built beside the fetching: the first page before
			// anything else is sent (so it paints first), the others each in
			// a goroutine, which the client's serial callback does not wait on.
			var building sync.WaitGroup
			first := true
			_, err := api.ListAll(ctx, opts, concurrency, func(ev apiclient.PageEvent) {
				defer catchPanic(report) // this runs on the client's goroutine
				if first {
					first = false
					send(pageLoadedMsg{gen: gen, ev: ev, rows: rowsOf(ev.Page.Data), ch: ch})
					return
				}
				building.Add(1)
				go func() {
					defer building.Done()
					defer catchPanic(report)
					send(pageLoadedMsg{gen: gen, ev: ev, rows: rowsOf(ev.Page.Data), ch: ch})
				}()
			})
			building.Wait()
			// The final message must arrive even after a cancel, so the
			// model can leave its loading state.
			ch <- loadFinishedMsg{gen: gen, err: err}
		}()
		return <-ch
	}
}

// waitForLoad receives the next message of a load in progress.
func waitForLoad(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		m, ok := <-ch
		if !ok {
			return nil
		}
		return m
	}
}

// deriveCmd recomputes the visible rows off the Update path.
func deriveCmd(all []*row, version int, spec viewSpec, prev *viewResult, gen int) tea.Cmd {
	return func() tea.Msg {
		res := deriveView(all, version, spec, prev)
		res.gen = gen
		return viewDerivedMsg{res: res}
	}
}

// change is one edit of one session as a delta, the unit of saving and undo.
type change struct {
	id      string
	title   *string // new title; nil leaves it alone
	added   []string
	removed []string
}

func (c change) empty() bool { return c.title == nil && len(c.added) == 0 && len(c.removed) == 0 }

// saveChange applies a change safely through apiclient.SaveEdit: it reads
// the session's current tags just before the PATCH and applies the delta to
// them, so a tag another operator added meanwhile is kept, and a retried
// save reads and re-applies again rather than re-sending a stale list. The
// PATCH carries only the fields that really change, and its answer must be
// the session saved. The revert is the exact inverse (nil when empty).
func saveChange(ctx context.Context, env actionEnv, c change) (actionResult, error) {
	s, undo, err := applyChange(ctx, env, c)
	if err != nil {
		return actionResult{}, err
	}
	res := actionResult{session: s}
	if !undo.empty() {
		res.revert = undo
	}
	return res, nil
}

func applyChange(ctx context.Context, env actionEnv, c change) (*apiclient.Session, change, error) {
	unlock, err := env.Locks.lock(ctx, c.id)
	if err != nil {
		return nil, change{}, err
	}
	defer unlock()
	res, err := apiclient.SaveEdit(ctx, env.API, c.id, apiclient.Edit{Title: c.title, Add: c.added, Remove: c.removed})
	if err != nil {
		return nil, change{}, err
	}
	undo := change{id: c.id, added: res.Removed, removed: res.Added}
	if res.TitleChanged && res.TitleBefore != nil { // a title can't be cleared, so undo of a first title can't either
		undo.title = res.TitleBefore
	}
	return res.Session, undo, nil
}

func expireToast(id int, after time.Duration) tea.Cmd {
	return tea.Tick(after, func(time.Time) tea.Msg { return toastExpiredMsg{id: id} })
}

// sessionLocks lets one save of a session run at a time. A save reads the
// session's tags and writes them back with its delta applied, so two saves
// of one session side by side (r while an edit or a bulk change of it is on
// its way) would both read the old tags, and the later write would drop the
// earlier one's change. The model owns the table and hands it to every
// action in its actionEnv.
type sessionLocks struct {
	mu sync.Mutex
	m  map[string]*sessionLock
}

type sessionLock struct {
	turn  chan struct{} // holds a token while a save of the session runs
	users int           // saves holding or waiting for it
}

// errNoLocks: a save without a lock table would race its siblings.
var errNoLocks = errors.New("internal error: no session lock table")

// lock waits for the session's turn, or for ctx to end. A nil table is an
// error, never a save without the lock.
func (l *sessionLocks) lock(ctx context.Context, id string) (unlock func(), err error) {
	if l == nil {
		return nil, errNoLocks
	}
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*sessionLock{}
	}
	e := l.m[id]
	if e == nil {
		e = &sessionLock{turn: make(chan struct{}, 1)}
		l.m[id] = e
	}
	e.users++
	l.mu.Unlock()
	leave := func() {
		l.mu.Lock()
		if e.users--; e.users == 0 {
			delete(l.m, id)
		}
		l.mu.Unlock()
	}
	select {
	case e.turn <- struct{}{}:
		return func() { <-e.turn; leave() }, nil
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
}
