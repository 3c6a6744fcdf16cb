package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/tui/picker"
	"github.com/everruns/sessions/tui/querylang"
	"github.com/everruns/sessions/tui/safetext"
	"github.com/everruns/sessions/tui/sessionlist"
)

// View is a saved query with a name: an entry of [views] in the config
// file. Choosing it sets the filter as if the query had been typed.
type View struct {
	Name, Query string
}

// defaultViews are the views every user has; [views] overrides or extends them.
var defaultViews = []View{
	{Name: "Needs attention", Query: "status:failed,waiting"},
	{Name: "Untagged idle", Query: "status:idle tag:none updated:>1d"},
	{Name: "Mine", Query: "is:pinned"},
}

// Bounds on [views]: names fit the header and the picker, queries the
// filter input.
const (
	maxViews       = 100
	maxViewNameLen = 40
	maxViewQuery   = 256 // the filter input's CharLimit
)

// DefaultViews returns the built-in views, in the order of their keys (F1…).
func DefaultViews() []View { return append([]View(nil), defaultViews...) }

// MergeViews returns base followed by the user's views, in the user's
// order. A user view named like one of base (in any letter case) replaces
// its query in place, keeping its key; one with an empty query removes it.
// Every view left is checked: a name that is empty, too long or holds
// control characters, or a query the language cannot read without remarks,
// is an error naming the view.
func MergeViews(base, user []View) ([]View, error) {
	out := append([]View(nil), base...)
	for _, u := range user {
		name := strings.TrimSpace(u.Name)
		if err := checkViewName(name); err != nil {
			return nil, err
		}
		i := indexView(out, name)
		switch {
		case strings.TrimSpace(u.Query) == "" && i >= 0:
			out = append(out[:i], out[i+1:]...)
		case strings.TrimSpace(u.Query) == "":
			return nil, fmt.Errorf("views: %q: empty query (an empty query removes a default view; there is none of that name)", name)
		case i >= 0:
			out[i].Query = u.Query
		default:
			out = append(out, View{Name: name, Query: u.Query})
		}
	}
	if len(out) > maxViews {
		return nil, fmt.Errorf("views: %d views, at most %d", len(out), maxViews)
	}
	for _, v := range out {
		if err := CheckView(v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func indexView(vs []View, name string) int {
	for i, v := range vs {
		if strings.EqualFold(v.Name, name) {
			return i
		}
	}
	return -1
}

func checkViewName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("views: a view needs a name")
	case len([]rune(name)) > maxViewNameLen:
		return fmt.Errorf("views: %q: name longer than %d characters", safetext.Line(name, maxViewNameLen), maxViewNameLen)
	case safetext.Line(name, 4*maxViewNameLen) != name:
		return fmt.Errorf("views: %q: name holds control or invisible characters", safetext.Line(name, maxViewNameLen))
	}
	return nil
}

// CheckView reports what is wrong with a saved view: its name, or its
// query, which must parse without any remark (a view is written once and
// must say what it means: a mistyped qualifier would silently be searched
// as text). The error names the view and the first problem.
func CheckView(v View) error {
	if err := checkViewName(v.Name); err != nil {
		return err
	}
	if len(v.Query) > maxViewQuery {
		return fmt.Errorf("views: %q: query longer than %d bytes", v.Name, maxViewQuery)
	}
	if safetext.Line(v.Query, 2*maxViewQuery) != v.Query {
		return fmt.Errorf("views: %q: query holds control or invisible characters", v.Name)
	}
	q := querylang.Parse(v.Query)
	if len(q.Problems) > 0 {
		p := q.Problems[0]
		// The query itself is not repeated: the message and the column
		// point at the mistake (a config value is never echoed whole).
		return fmt.Errorf("views: %q: %s (query column %d)", v.Name, p.Msg, p.Start+1)
	}
	if q.Empty() {
		return fmt.Errorf("views: %q: the query filters nothing", v.Name)
	}
	return nil
}

// activeView is the view last chosen; the header names it as long as the
// filter is still its query.
type activeView struct{ name, query string }

// currentView is the name of the view in force, "" when the filter is not
// (or no longer) a view's query.
func (m Model) currentView() string {
	if m.active.name != "" && m.spec.q.Raw == m.active.query {
		return m.active.name
	}
	return ""
}

// applyView sets the filter to v's query, as if typed after / (so it is
// kept in history and shows where a typed filter does), and puts the
// cursor on the first row of the new list.
func (m Model) applyView(v View) (tea.Model, tea.Cmd) {
	m.mode, m.pickViews = modeList, nil
	m.qin = m.qin.begin(m.st.rows(), m.ctx.Now())
	m.qin = m.qin.remember(v.Query)
	m.editFilter(func(f *textinput.Model) { f.SetValue(v.Query); f.CursorEnd(); f.Blur() })
	m.spec.q = sessionlist.CompileQuery(v.Query, m.qin.env)
	m.active = activeView{name: safetext.Line(v.Name, maxViewNameLen), query: v.Query}
	m.list.Cursor, m.list.Offset, m.list.SelectedID = 0, 0, ""
	return m, m.request()
}

// applyViewKey applies the view on F-key i (0-based).
func (m Model) applyViewKey(i int) (tea.Model, tea.Cmd) {
	if i >= len(m.opts.Views) {
		return m, m.setError(fmt.Sprintf("no view on %s: add one under [views] in the config file", m.ctx.Keys.View[i].Help().Key))
	}
	return m.applyView(m.opts.Views[i])
}

// viewKeyIndex is the index of the F-key binding k matches, or -1.
func viewKeyIndex(keys *KeyMap, k tea.KeyMsg) int {
	for i, b := range keys.View {
		if keyMatches(k, b) {
			return i
		}
	}
	return -1
}

// toggleResolved hides or shows the sessions tagged resolved.
func (m Model) toggleResolved() (tea.Model, tea.Cmd) {
	m.spec.hideResolved = !m.spec.hideResolved
	note := "resolved sessions shown"
	if m.spec.hideResolved {
		note = "resolved sessions hidden (" + m.ctx.Keys.HideResolved.Help().Key + " shows them)"
	}
	return m, tea.Batch(m.setToast(note), m.request())
}

// withoutResolved drops the rows tagged resolved, keeping the order. The
// derive step calls it when R hides them.
func withoutResolved(rows []*row) []*row {
	out := make([]*row, 0, len(rows))
	for _, r := range rows {
		if !r.Resolved() {
			out = append(out, r)
		}
	}
	return out
}

// ---- The picker (v).

// viewItem is one view in the picker.
type viewItem struct {
	v            View
	slot         string // the F-key it is on, "" past the ninth
	label, query string // sanitised
	filter       string
}

func (it viewItem) Label() string        { return it.label }
func (it viewItem) FilterString() string { return it.filter }

// viewPicker chooses a saved view: type to filter (by name or query), move
// with the arrows, pgup/pgdn, and g/G or home/end (g and G are letters
// once something is typed), enter applies.
type viewPicker struct {
	ctx           *Context
	items         []viewItem
	shown         []int
	query         string
	win           picker.Window
	width, height int
	current       string // the view in force
}

func newViewPicker(ctx *Context, views []View, current string) viewPicker {
	p := viewPicker{ctx: ctx, current: current}
	for i, v := range views {
		it := viewItem{v: v, label: safetext.Line(v.Name, maxViewNameLen), query: safetext.Line(v.Query, maxViewQuery)}
		if i < len(ctx.Keys.View) {
			it.slot = ctx.Keys.View[i].Help().Key
		}
		it.filter = strings.ToLower(it.label + " " + it.query)
		p.items = append(p.items, it)
	}
	p.shown = picker.Filter(p.items, "")
	for i, it := range p.items {
		if it.label == current {
			p.win.Cursor = i
		}
	}
	return p.SetSize(ctx.Width, ctx.Height)
}

// SetSize hands the picker its rectangle: title, filter line, the views.
func (p viewPicker) SetSize(w, h int) viewPicker {
	p.width, p.height = max(w, 1), max(h, 1)
	p.win.Height = max(h-3, 1)
	p.win = p.win.Clamp(len(p.shown))
	return p
}

// chosen is the view under the cursor, if any.
func (p viewPicker) chosen() (View, bool) {
	if p.win.Cursor < 0 || p.win.Cursor >= len(p.shown) {
		return View{}, false
	}
	return p.items[p.shown[p.win.Cursor]].v, true
}

// Update moves the cursor and edits the filter; the root handles enter/esc.
func (p viewPicker) Update(k tea.KeyMsg) viewPicker {
	keys := p.ctx.Keys
	n := len(p.shown)
	typing := p.query != "" && k.Type == tea.KeyRunes
	switch {
	case keyMatches(k, keys.PickerUp):
		p.win = p.win.Move(-1, n)
	case keyMatches(k, keys.PickerDown):
		p.win = p.win.Move(1, n)
	case keyMatches(k, keys.PickerPageUp):
		p.win = p.win.Move(-max(p.win.Height-1, 1), n)
	case keyMatches(k, keys.PickerPageDown):
		p.win = p.win.Move(max(p.win.Height-1, 1), n)
	case !typing && keyMatches(k, keys.Top):
		p.win = p.win.Move(-n, n)
	case !typing && keyMatches(k, keys.Bottom):
		p.win = p.win.Move(n, n)
	default:
		if q, ok := picker.Type(p.query, k); ok {
			p.query = q
			p = p.refilter()
		}
	}
	return p
}

func (p viewPicker) refilter() viewPicker {
	p.shown = picker.Filter(p.items, p.query)
	p.win.Cursor, p.win.Offset = 0, 0
	p.win = p.win.Clamp(len(p.shown))
	return p
}

// View draws the title, the filter and the views; the cursor row is marked
// with "›" so it shows without colour, the view in force with "✓".
func (p viewPicker) View() string {
	t := p.ctx.Theme
	lines := []string{t.PaneTitle.Render("Saved views") + t.Muted.Render("  (type to filter, enter applies; [views] in the config file)"),
		"filter: " + p.query + "▏"}
	if len(p.shown) == 0 {
		lines = append(lines, t.Muted.Render("  no view matches"))
	}
	nameW := 0
	for _, it := range p.items {
		nameW = max(nameW, safetext.Width(it.label))
	}
	nameW = min(nameW, maxViewNameLen)
	from, to := p.win.Visible(len(p.shown))
	for i := from; i < to; i++ {
		it := p.items[p.shown[i]]
		lead := "  "
		if i == p.win.Cursor {
			lead = "› "
		}
		cur := "  "
		if it.label == p.current {
			cur = "✓ "
		}
		text := safetext.Pad(it.slot, 3) + " " + safetext.Pad(it.label, nameW) + "  "
		rest := safetext.Truncate(it.query, max(p.width-safetext.Width(lead+cur+text), 1))
		if i == p.win.Cursor {
			lines = append(lines, lead+cur+t.RowSelected.Render(text+rest))
			continue
		}
		lines = append(lines, lead+cur+text+t.Muted.Render(rest))
	}
	return fitBlock(strings.Join(lines, "\n"), p.width, p.height)
}

// ShortHelp is the picker's own footer.
func (p viewPicker) ShortHelp() []key.Binding {
	k := p.ctx.Keys
	apply := key.NewBinding(key.WithKeys(k.Open.Keys()...), key.WithHelp(k.Open.Help().Key, "apply view"))
	return []key.Binding{k.PickerUp, k.PickerDown, k.Top, k.Bottom, apply, k.Back}
}

// openViews opens the picker on the view in force.
func (m Model) openViews() (tea.Model, tea.Cmd) {
	p := newViewPicker(&m.ctx, m.opts.Views, m.currentView()).SetSize(m.ctx.Width, m.bodyHeight())
	m.pickViews = &p
	m.mode = modeViews
	return m, nil
}

func (m Model) onViewsKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.ctx.Keys
	switch {
	case keyMatches(k, keys.Back):
		m.mode, m.pickViews = modeList, nil
		return m, nil
	case keyMatches(k, keys.Open):
		if v, ok := m.pickViews.chosen(); ok {
			return m.applyView(v)
		}
		return m, nil
	}
	if i := viewKeyIndex(keys, k); i >= 0 {
		return m.applyViewKey(i)
	}
	p := m.pickViews.Update(k)
	m.pickViews = &p
	return m, nil
}

// viewsHelp is the F-keys' line of the help screen: one line for nine keys.
func viewsHelp(k *KeyMap) key.Binding {
	var keys []string
	for _, b := range k.View {
		keys = append(keys, b.Keys()...)
	}
	return key.NewBinding(key.WithKeys(keys...),
		key.WithHelp(k.View[0].Help().Key+"…"+k.View[len(k.View)-1].Help().Key, "saved views 1…9"))
}
