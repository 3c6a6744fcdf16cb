package tui

import (
	"context"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/agentpicker"
	"github.com/everruns/sessions/tui/detail"
	"github.com/everruns/sessions/tui/form"
	"github.com/everruns/sessions/tui/live"
	"github.com/everruns/sessions/tui/safetext"
	"github.com/everruns/sessions/tui/sessionlist"
	"github.com/everruns/sessions/tui/usageview"
)

// mode is what has focus. The root model routes keys by mode alone.
type mode int

const (
	modeList mode = iota
	modeFilter
	modeDetail
	modeEdit
	modeHelp
	modeUsage
	modeAgents
	modeOrgs  // the organisation picker
	modeJump  // the jump-to-id input and its switch offer
	modeViews // the saved views picker (views.go)
)

// Model is the root model: it owns the data, routes messages and owns focus
// through one explicit mode.
type Model struct {
	opts Options
	ctx  Context
	api  API

	mode, back mode // back: where esc from help / edit returns to

	st       *store
	followed int    // the store version the list was last asked to follow
	all      []*row // st.rows() for allVer
	allVer   int

	// The derived list and its recomputation.
	spec      viewSpec
	view      *viewResult
	viewGen   int  // last requested
	deriving  bool // a derive is in flight
	deriveDue bool // another is needed when it returns

	// The large components are held by pointer and replaced, never changed
	// in place (copy on write): the model is copied on every message, and
	// these would make each copy tens of kilobytes.
	list   listModel
	filter *textinput.Model
	detail detail.Model
	form   *form.Model
	help   *help.Model
	keys   *helpScreen // the ? screen (copy on write)
	spin   spinner.Model

	load     loadState
	ops      opsState
	actions  []Action       // the session actions (see Action)
	pending  *pendingAction // an action waiting for y/n
	status   statusLine
	marked   map[string]bool
	changed  map[string]int     // rows a refresh changed → that refresh's gen
	usage    *usageview.Model   // the T view (copy on write)
	usageOf  usageSource        // what it shows, and its re-aggregation (usage.go)
	agents   *agentpicker.Model // nil until first opened; replaced, never changed in place (value semantics)
	facts    facts
	orgs     *orgPicker // the organisation picker (copy on write)
	org      orgState   // the organisation acted in
	jump     jumpState
	refresh  refreshState
	quitting bool
	quitAsk  quitState
	lost     *UnsavedError // what quitting left unsaved (see Run)
	initLoad tea.Cmd
	cache    *viewCache
	qin      queryInput  // the filter's Env and history
	sq       serverQuery // the query's server side (serverquery.go)
	win      windowState // pages fetched past the loaded window (window.go)

	active    activeView  // the saved view last chosen (views.go)
	pickViews *viewPicker // the views picker (copy on write)
}

// orgState is the organisation the program acts in ("" when the server
// picks the caller's only one).
type orgState struct{ id, name string }

// loadState is the list load in flight, if any.
type loadState struct {
	gen       int
	active    bool
	cancel    context.CancelFunc
	aborted   bool   // the user cancelled it with esc
	derivedAt int    // rows loaded when the list was last recomputed
	next      *store // a reload fills this, then it replaces st
	loaded    int
	total     int
	err       error
	agentID   string
	complete  bool // at least one load finished without error
	problems  int  // sessions of this load that could not be read
	toTop     bool // the cursor goes to the first row when it lands (g)
}

// New builds the root model.
func New(opts Options) Model {
	opts = opts.withDefaults()
	m := Model{
		opts:    opts,
		api:     opts.API,
		actions: opts.actions,
		st:      newStore(),
		marked:  map[string]bool{},
		changed: map[string]int{},
	}
	m.ops.locks = &sessionLocks{}
	m.ctx = Context{Width: 80, Height: 24, Theme: opts.Theme, Now: opts.Now, Keys: opts.Keys, kit: sessionlist.NewStyleKit(opts.Theme)}
	m.list = sessionlist.New(listKeys(opts.Keys), m.listWidth())
	m.load.agentID = opts.AgentID
	m.org = orgState{id: opts.OrgID, name: safetext.Line(opts.OrgName, 200)}
	filter := textinput.New()
	filter.Prompt = "/"
	filter.Placeholder = "filter: words, #tag, -#tag"
	filter.CharLimit = 256
	m.filter = &filter
	hm := help.New()
	hm.Styles = opts.Theme.Help
	m.help = &hm
	m.form = &form.Model{}
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(opts.Theme.Spinner))
	m.refresh = newRefreshState(opts.Refresh)
	m.view = &viewResult{}
	m.cache = &viewCache{}
	// Init cannot change the model, so the first load is set up here and
	// its command handed out by Init.
	m.initLoad = m.startLoad()
	return m
}

// Init starts the first load.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.initLoad, m.spin.Tick, m.refreshTick(), waitForRetry(m.opts.Retries), m.learnOrgName())
}

// startLoad begins a load of every page; what is shown stays until the new
// data arrives. It must be called on a model that is then returned.
func (m *Model) startLoad() tea.Cmd {
	if m.load.cancel != nil {
		m.load.cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	m.load.gen++
	m.load.active = true
	m.load.cancel = cancel
	m.load.loaded, m.load.err, m.load.aborted, m.load.derivedAt, m.load.problems = 0, nil, false, 0, 0
	m.load.toTop = false
	m.load.total = m.st.total
	m.load.next = newStore()
	if !m.load.complete && m.st.loaded == 0 {
		m.load.next = m.st // first load: paint pages as they come
	}
	// The newest MaxRows only: memory follows the bound, not the
	// organisation (the header says when the server has more).
	opts := apiclient.ListOptions{Limit: m.opts.PageSize, AgentID: m.load.agentID, MaxRows: m.opts.MaxRows}
	return tea.Batch(loadSessions(ctx, m.api, opts, m.opts.Concurrency, m.load.gen),
		fetchFacts(m.api, m.load.agentID, m.load.gen))
}

// Update routes messages: data messages first, then keys by mode. While
// the program waits for saves to quit, the last one landing quits.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	nm, cmd := m.update(msg)
	next, ok := nm.(Model)
	if !ok {
		return nm, cmd
	}
	if next.st.loaded > next.opts.MaxRows && !next.load.active {
		// Refreshes put new sessions on top: the oldest make room.
		next.st.trimTo(next.opts.MaxRows)
		nm = next
	}
	if next.spec.q.Raw != next.sq.raw {
		// Whatever changed the query, its server part follows it.
		cmd = tea.Batch(cmd, next.serverQueryChanged())
		nm = next
	}
	// The list follows the store: whatever changed it, it is derived again
	// (a load paces its pages, see pageArrived, and is caught up at its end).
	caughtUp := next.view.version == next.st.version || next.load.active || next.deriving
	if next.st.version != next.followed || !caughtUp {
		next.followed = next.st.version
		cmd = tea.Batch(cmd, next.request())
		nm = next // boxed again only when changed: the hot path keeps nm
	}
	if next.quitAsk.waiting && !next.quitting {
		q, qcmd := next.quitIfDone()
		return q, tea.Batch(cmd, qcmd)
	}
	return nm, cmd
}

func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		m.list = m.list.SetSize(m.listWidth(), m.listHeight()).Clamp(len(m.view.rows))
		hm := *m.help
		hm.Width = msg.Width
		m.help = &hm
		m.detail = m.detail.SetSize(m.ctx.Width, m.bodyHeight())
		if m.agents != nil {
			a := m.agents.SetSize(m.ctx.Width, m.bodyHeight())
			m.agents = &a
		}
		if m.usage != nil {
			u := *m.usage
			u.SetSize(m.ctx.Width, m.bodyHeight())
			m.usage = &u
		}
		if m.orgs != nil {
			p := m.orgs.SetSize(m.ctx.Width, m.bodyHeight())
			m.orgs = &p
		}
		if m.pickViews != nil {
			p := m.pickViews.SetSize(m.ctx.Width, m.bodyHeight())
			m.pickViews = &p
		}
		if m.keys != nil {
			ks := m.keys.SetSize(m.ctx.Width, m.bodyHeight())
			m.keys = &ks
		}
		if m.mode == modeEdit {
			m.setForm(m.form.SetSize(m.ctx.Width, m.bodyHeight()))
		}
		return m, nil
	case pageLoadedMsg:
		return m.onPage(msg)
	case loadFinishedMsg:
		return m.onLoadFinished(msg)
	case factsLoadedMsg:
		return m.onFacts(msg)
	case serverCountsMsg:
		return m.onServerCounts(msg)
	case orgsListedMsg:
		return m.onOrgsListed(msg)
	case jumpFoundMsg:
		return m.onJumpFound(msg)
	case jumpElsewhereMsg:
		return m.onJumpElsewhere(msg)
	case jumpFailedMsg:
		return m.onJumpFailed(msg)
	case viewDerivedMsg:
		return m.onDerived(msg)
	case sessionSavedMsg:
		return m.onSaved(msg)
	case sessionSaveFailedMsg:
		return m.onSaveFailed(msg)
	case bulkProgressMsg:
		return m.onBulkProgress(msg)
	case bulkFinishedMsg:
		return m.onBulkFinished(msg)
	case serverQueryDueMsg:
		return m.onServerQueryDue(msg)
	case serverQueryAnsweredMsg:
		return m.onServerQueryAnswered(msg)
	case windowPageMsg:
		return m.onWindowPage(msg)
	case refreshTickMsg:
		return m.onRefreshTick(msg)
	case refreshedMsg:
		return m.onRefreshed(msg)
	case changedExpiredMsg:
		return m.onChangedExpired(msg)
	case retryingMsg:
		return m.onRetrying(msg)
	case toastExpiredMsg:
		if m.status.id == msg.id && (m.status.kind == statusToast || m.status.kind == statusWarning) {
			m.status = statusLine{}
		}
		return m, nil
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		if m.mode == modeEdit {
			f, fcmd := m.form.Update(msg)
			m.setForm(f)
			cmd = tea.Batch(cmd, fcmd)
		}
		return m, cmd
	case live.SubscribedMsg, live.ItemsReceivedMsg, live.StreamEndedMsg, detail.SessionFetchedMsg:
		// Always to the detail: its generation drops (and closes) what is
		// stale, and a detail under help or the edit form stays live.
		var cmd tea.Cmd
		m.detail, cmd = m.detail.Update(msg)
		return m, cmd
	case usageAggregatedMsg:
		return m.onUsageAggregated(msg)
	case usageview.NarrowMsg:
		return m.onUsageNarrow(msg)
	case usageview.OpenSessionMsg:
		return m.onUsageOpen(msg)
	case usageview.CloseMsg:
		if m.mode == modeUsage {
			m.mode = modeList
		}
		return m, nil
	case form.SubmittedMsg:
		return m.onEditSubmitted(msg)
	case form.CancelledMsg:
		return m.closeForm(), nil
	case form.QuitMsg:
		return m.quit()
	case agentpicker.ChosenMsg:
		return m.onAgentChosen(msg)
	case agentpicker.ClosedMsg:
		if m.mode == modeAgents {
			m.mode = modeList
		}
		return m, nil
	case goroutinePanicMsg:
		// Panic here, where Bubble Tea restores the terminal.
		panic(msg.String())
	case tea.KeyMsg:
		return m.onKey(msg)
	case tea.MouseMsg:
		return m.onMouse(msg)
	}
	// Anything else (cursor blinks and the like) goes to the focused component.
	return m.forward(msg)
}

func (m Model) forward(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.mode {
	case modeEdit:
		var f form.Model
		f, cmd = m.form.Update(msg)
		m.setForm(f)
	case modeAgents:
		var a agentpicker.Model
		a, cmd = m.agents.Update(msg)
		m.agents = &a
	case modeDetail:
		m.detail, cmd = m.detail.Update(msg)
	case modeFilter:
		var f textinput.Model
		f, cmd = m.filter.Update(msg)
		m.filter = &f
	case modeJump:
		if m.jump.input != nil {
			in, c := m.jump.input.Update(msg)
			m.jump.input, cmd = &in, c
		}
	}
	return m, cmd
}

// onKey handles the keys every mode shares, then hands over to the mode.
func (m Model) onKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.ctx.Keys
	if m.quitAsk.asking || m.quitAsk.waiting {
		return m.onQuitKey(k)
	}
	if m.pending != nil {
		return m.onConfirmKey(k)
	}
	if keyMatches(k, keys.ForceQuit) {
		// A form being saved is not lost: the quit prompt covers it.
		if m.mode == modeEdit && m.form.Dirty() && !m.form.Saving() {
			m.setForm(m.form.ConfirmQuit())
			return m, nil
		}
		return m.quit()
	}
	if m.mode == modeDetail {
		if nm, cmd, ok := m.onDetailOwnKey(k); ok {
			return nm, cmd
		}
	}
	typing := m.mode == modeAgents && m.agents.Typing()
	switch m.mode {
	case modeList, modeDetail, modeUsage, modeAgents:
		if typing {
			break
		}
		// Keys that work wherever nothing is being typed.
		switch {
		case keyMatches(k, keys.Org):
			nm, cmd := m.openOrgs("")
			return nm, cmd
		case keyMatches(k, keys.JumpTo):
			return m.openJump()
		}
	}
	switch m.mode {
	case modeOrgs:
		return m.onOrgKey(k)
	case modeViews:
		return m.onViewsKey(k)
	case modeJump:
		return m.onJumpKey(k)
	case modeEdit:
		f, cmd := m.form.Update(k)
		m.setForm(f)
		return m, cmd
	case modeFilter:
		return m.onFilterKey(k)
	case modeHelp:
		if keyMatches(k, keys.Back, keys.Help, keys.Quit) {
			m.mode = m.back
			return m, nil
		}
		ks, cmd := m.keys.Update(k)
		m.keys = &ks
		return m, cmd
	case modeDetail:
		return m.onDetailKey(k)
	case modeUsage:
		return m.onUsageKey(k)
	case modeAgents:
		if !typing && keyMatches(k, keys.Help) {
			return m.openHelp(), nil
		}
		a, cmd := m.agents.Update(k)
		m.agents = &a
		return m, cmd
	}
	var held tea.Cmd
	if m.refresh.hold.any() && keyMatches(k, keys.Up, keys.Down, keys.PageUp, keys.PageDown, keys.Top, keys.Bottom, keys.Sort, keys.SortReverse) {
		// The user moves: the rows a refresh held go where they belong.
		held = m.takeHeld()
	}
	nm, cmd := m.onListKey(k)
	if next, ok := nm.(Model); ok {
		// Past the loaded window's edge, the next page comes (window.go).
		if more := next.moveWindow(k); more != nil {
			nm, cmd = next, tea.Batch(cmd, more)
		}
	}
	return nm, tea.Batch(held, cmd)
}

// openHelp shows the keys of the current mode.
func (m Model) openHelp() Model {
	ks := newHelpScreen(&m.ctx, m.helpGroups(m.mode)).SetSize(m.ctx.Width, m.bodyHeight())
	m.keys = &ks
	m.back, m.mode = m.mode, modeHelp
	return m
}

// request asks for the list to be recomputed; at most one derive runs at a
// time and the latest wish wins.
func (m *Model) request() tea.Cmd {
	if m.deriving {
		m.deriveDue = true
		return nil
	}
	if m.allVer != m.st.version || m.all == nil {
		m.all = m.viewRows() // the loaded rows, then those found on the server
		m.allVer = m.st.version
	}
	m.viewGen++
	m.deriving = true
	m.deriveDue = false
	return deriveCmd(m.all, m.st.version, m.spec, m.view, m.viewGen)
}

func (m Model) onDerived(msg viewDerivedMsg) (tea.Model, tea.Cmd) {
	m.deriving = false
	if msg.res.gen >= m.view.gen {
		// While typing a filter, a new query puts the cursor on the best
		// match. Keeping it on whichever row an intermediate result had
		// under it would select a session that depends on typing speed.
		requery := m.mode == modeFilter && msg.res.spec.q.Raw != m.view.spec.q.Raw
		// Another status tab is another list: it starts at its first row.
		requery = requery || msg.res.spec.tab != m.view.spec.tab
		// A new order or filter shows the list from the top (the selection
		// stays visible): keeping the selected row at its place on screen
		// is for refreshes, and here would hide the new first rows above.
		respec := !sameSpec(msg.res.spec, m.view.spec)
		m.view = msg.res
		m.list = m.list.SetSize(m.listWidth(), m.listHeight()).Clamp(len(m.view.rows))
		if requery {
			m.list.Cursor, m.list.Offset, m.list.SelectedID = 0, 0, ""
		}
		m.list = m.list.SetRows(m.view.rows)
		if respec {
			m.list.Offset = 0
			m.list = m.list.Clamp(len(m.view.rows))
		}
	}
	// Pages of a load in progress do not ask again (see pageArrived).
	stale := m.view.version != m.st.version && !m.load.active
	var cmd tea.Cmd
	if m.deriveDue || stale || !sameSpec(m.view.spec, m.spec) {
		cmd = m.request()
	}
	return m, tea.Batch(cmd, m.followUsage()) // an open usage view follows the list
}

func sameSpec(a, b viewSpec) bool {
	return a.q.Raw == b.q.Raw && a.tab == b.tab && a.sort == b.sort && a.reverse == b.reverse &&
		a.hideResolved == b.hideResolved
}

// setForm replaces the form (copy on write, see Model).
func (m *Model) setForm(f form.Model) { m.form = &f }

// editFilter changes a copy of the filter input and keeps it.
func (m *Model) editFilter(change func(*textinput.Model)) {
	f := *m.filter
	change(&f)
	m.filter = &f
}

// selected is the row under the cursor, if any.
func (m Model) selected() *row { return m.list.Selected(m.view.rows) }
