package tui

import (
	"os"

	"github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/tui/form"
	"github.com/everruns/sessions/tui/sessionlist"
)

func keyMatches(k tea.KeyMsg, b ...key.Binding) bool { return key.Matches(k, b...) }

// onListKey handles keys while the list has focus.
func (m Model) onListKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.ctx.Keys
	rows := m.view.rows
	if a := m.actionFor(k); a != nil {
		return m.runAction(a)
	}
	if keyMatches(k, keys.Quit) {
		return m.quit()
	}
	if l, ok := m.list.HandleKey(k, rows); ok {
		m.list = l
		return m, nil
	}
	switch {
	case keyMatches(k, keys.Open):
		return m.openDetail()
	case keyMatches(k, keys.Edit):
		return m.openEdit(modeList)
	case keyMatches(k, keys.BulkTags):
		if len(m.marked) > 0 {
			return m.openBulkTags()
		}
		return m.openEdit(modeList)
	case keyMatches(k, keys.Undo):
		return m.undoLast()
	case keyMatches(k, keys.Redo):
		return m.redoLast()
	case keyMatches(k, keys.Reload):
		m.setInfo("reloading…")
		return m, m.startLoad()
	case keyMatches(k, keys.Help):
		m = m.openHelp()
	case keyMatches(k, keys.Filter):
		m.mode = modeFilter
		m.qin = m.qin.begin(m.st.rows(), m.ctx.Now())
		var cmd tea.Cmd
		m.editFilter(func(f *textinput.Model) { cmd = f.Focus() })
		return m, cmd
	case keyMatches(k, keys.Back):
		switch {
		case m.load.active:
			m.load.aborted = true
			m.load.cancel()
		case len(m.marked) > 0:
			m.marked = map[string]bool{}
		case m.spec.q.Raw != "":
			m.editFilter(func(f *textinput.Model) { f.SetValue("") })
			m.spec.q = query{}
			return m, m.request()
		}
	case keyMatches(k, keys.StatusNext):
		m.spec.tab = (m.spec.tab + 1) % statusTabs
		return m, m.request()
	case keyMatches(k, keys.StatusPrev):
		m.spec.tab = (m.spec.tab + statusTabs - 1) % statusTabs
		return m, m.request()
	case keyMatches(k, keys.Status[:]...):
		for i, b := range keys.Status {
			if keyMatches(k, b) {
				m.spec.tab = statusTab(i)
			}
		}
		return m, m.request()
	case keyMatches(k, keys.Sort):
		m.spec.sort = (m.spec.sort + 1) % sortKeys
		m.spec.reverse = false
		return m, m.request()
	case keyMatches(k, keys.SortReverse):
		m.spec.reverse = !m.spec.reverse
		return m, m.request()
	case keyMatches(k, keys.Mark):
		if r := m.selected(); r != nil {
			if m.marked[r.S.ID] {
				delete(m.marked, r.S.ID)
			} else {
				m.marked[r.S.ID] = true
			}
			// The cursor stays: space marks the row it is on, nothing else.
		}
	case keyMatches(k, keys.MarkAll):
		for _, r := range rows {
			m.marked[r.S.ID] = true
		}
	case keyMatches(k, keys.Views):
		return m.openViews()
	case keyMatches(k, keys.View[:]...):
		return m.applyViewKey(viewKeyIndex(keys, k))
	case keyMatches(k, keys.HideResolved):
		return m.toggleResolved()
	case keyMatches(k, keys.Usage):
		return m.openUsage()
	case keyMatches(k, keys.Agent):
		return m.openAgents(), nil
	case keyMatches(k, keys.Pause):
		m.refresh.paused = !m.refresh.paused
		if m.refresh.paused {
			return m, m.setToast("auto refresh paused")
		}
		return m, tea.Batch(m.setToast("auto refresh on"), m.refresh.schedule())
	}
	return m, nil
}

// maxCopyIDBytes bounds an id worth copying; real ids are ~40 bytes.
const maxCopyIDBytes = 128

// plainID reports whether id is one a shell, a URL and a terminal take as
// it is: letters, digits and _ - . : only, not empty, at most
// maxCopyIDBytes. Anything else from the server is not put on the
// clipboard, where it would be pasted into a shell as it came.
func plainID(id string) bool {
	if id == "" || len(id) > maxCopyIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == '-', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// osc52Clipboard writes an OSC 52 sequence, which works over SSH too. It
// goes to stderr, which is the terminal, to stay out of the renderer's way.
func osc52Clipboard(text string) error {
	_, err := osc52.New(text).WriteTo(os.Stderr)
	return err
}

// onFilterKey handles typing into the filter: the list narrows as you type.
func (m Model) onFilterKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.ctx.Keys
	switch {
	case keyMatches(k, keys.FilterClear):
		m.editFilter(func(f *textinput.Model) { f.SetValue(""); f.Blur() })
		m.mode = modeList
		m.qin = m.qin.remember(m.spec.q.Raw)
		m.spec.q = query{}
		return m, m.request()
	case keyMatches(k, keys.FilterKeep):
		m.editFilter(func(f *textinput.Model) { f.Blur() })
		m.mode = modeList
		m.qin = m.qin.remember(m.spec.q.Raw)
		return m, nil
	case keyMatches(k, keys.FilterHistoryPrev, keys.FilterHistoryNext):
		var text string
		var ok bool
		m.qin, text, ok = m.qin.recall(keyMatches(k, keys.FilterHistoryPrev), m.filter.Value())
		if !ok {
			return m, nil
		}
		m.editFilter(func(f *textinput.Model) { f.SetValue(text); f.CursorEnd() })
		m.spec.q = sessionlist.CompileQuery(text, m.qin.env)
		return m, m.request()
	case keyMatches(k, keys.FilterUp):
		// Let the user move through matches without leaving the filter.
		m.list = m.list.MoveTo(m.list.Cursor-1, m.view.rows)
		return m, nil
	case keyMatches(k, keys.FilterDown):
		m.list = m.list.MoveTo(m.list.Cursor+1, m.view.rows)
		return m, nil
	}
	f, cmd := m.filter.Update(k)
	m.filter = &f
	if q := m.filter.Value(); q != m.spec.q.Raw {
		m.qin.pos = -1 // editing leaves the history
		m.spec.q = sessionlist.CompileQuery(q, m.qin.env)
		return m, tea.Batch(cmd, m.request())
	}
	return m, cmd
}

// onMouse: the wheel scrolls and a click selects.
func (m Model) onMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	if m.mode == modeDetail {
		var cmd tea.Cmd
		m.detail, cmd = m.detail.Update(msg)
		return m, cmd
	}
	if m.mode != modeList {
		return m, nil
	}
	var held tea.Cmd
	if m.refresh.hold.any() && (msg.Button == tea.MouseButtonWheelUp || msg.Button == tea.MouseButtonWheelDown ||
		msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress) {
		// The user moves, as with a key: the rows a refresh held go where
		// they belong (the cursor stays on its session, then moves).
		held = m.takeHeld()
	}
	rows := m.view.rows
	switch {
	case msg.Button == tea.MouseButtonWheelUp:
		m.list = m.list.MoveTo(m.list.Cursor-3, rows)
	case msg.Button == tea.MouseButtonWheelDown:
		m.list = m.list.MoveTo(m.list.Cursor+3, rows)
	case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
		i := msg.Y - m.listTop()
		if i >= 0 && i < m.list.Height && m.list.Offset+i < len(rows) && msg.X < m.listWidth() {
			m.list = m.list.MoveTo(m.list.Offset+i, rows)
		}
	}
	return m, held
}

func (m Model) onDetailKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.ctx.Keys
	if a := m.actionFor(k); a != nil {
		return m.runAction(a)
	}
	switch {
	case keyMatches(k, keys.Back):
		m.mode = modeList
		m.ops.seq++ // the live stream's generation is over
		var cmd tea.Cmd
		m.detail, cmd = m.detail.Close()
		return m, cmd
	case keyMatches(k, keys.Quit):
		return m.quit()
	case keyMatches(k, keys.Help):
		return m.openHelp(), nil
	case keyMatches(k, keys.Edit):
		return m.openEdit(modeDetail)
	case keyMatches(k, keys.Undo):
		return m.undoLast()
	case keyMatches(k, keys.Redo):
		return m.redoLast()
	case keyMatches(k, keys.Reload):
		m.setInfo("reloading…")
		return m, m.startLoad()
	}
	var cmd tea.Cmd
	m.detail, cmd = m.detail.Update(k)
	return m, cmd
}

func (m Model) openDetail() (tea.Model, tea.Cmd) { return m.openDetailOf(m.selected()) }

// openDetailOf opens the detail view of r, following it live.
func (m Model) openDetailOf(r *row) (tea.Model, tea.Cmd) {
	if r == nil {
		return m, nil
	}
	m.ops.seq++
	m.detail = newDetail(&m.ctx, r, m.org.name, m.ops.seq).SetSize(m.ctx.Width, m.bodyHeight())
	m.mode = modeDetail
	// The detail follows the session live: stored transcript, then SSE.
	var cmd tea.Cmd
	m.detail, cmd = m.detail.OpenLive(m.api)
	return m, cmd
}

func (m Model) openEdit(from mode) (tea.Model, tea.Cmd) {
	r := m.selected()
	if from == modeDetail {
		r = m.st.get(m.detail.ID())
	}
	if r == nil {
		return m, nil
	}
	if ok, why := allowUpdate(r); !ok { // refused before the form, not at save
		return m, m.setError("cannot edit: " + why)
	}
	m.setForm(form.New(m.ctx.Theme, m.formKeys(), &r.S, m.st.knownTags()).SetSize(m.ctx.Width, m.bodyHeight()))
	m.back, m.mode = from, modeEdit
	return m, textinput.Blink
}

func (m Model) openBulkTags() (tea.Model, tea.Cmd) {
	m.setForm(form.NewBulk(m.ctx.Theme, m.formKeys(), len(m.marked), m.st.knownTags()).SetSize(m.ctx.Width, m.bodyHeight()))
	m.back, m.mode = modeList, modeEdit
	return m, textinput.Blink
}

func (m Model) closeForm() Model {
	m.ops.cancel(m.ops.formOp)
	m.ops.formOp = 0
	m.mode = m.back
	if m.mode == modeEdit || m.mode == modeHelp {
		m.mode = modeList
	}
	return m
}
