package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/picker"
	"github.com/everruns/sessions/tui/safetext"
)

// OrgAPI is what choosing an organisation and jumping to an id need from
// the server; *apiclient.Client has it. An API without it has no picker.
type OrgAPI interface {
	ListOrgs(ctx context.Context) ([]apiclient.Organization, error)
	ResolveOrg(ctx context.Context, id string) (*apiclient.ResolvedOrg, error)
}

const orgTimeout = 30 * time.Second

type (
	// orgsListedMsg answers the picker's ListOrgs.
	orgsListedMsg struct {
		orgs []apiclient.Organization
		err  error
	}
)

// orgItem is one organisation in the picker; its label is sanitised once.
type orgItem struct{ id, name, label string }

func (o orgItem) Label() string        { return o.label }
func (o orgItem) FilterString() string { return strings.ToLower(o.label + " " + o.id) }

// orgPicker chooses the organisation the program acts in: type to filter,
// enter to choose. Letters go to the filter, so it moves with the arrows,
// pgup/pgdn and home/end.
type orgPicker struct {
	ctx           *Context
	items         []orgItem
	shown         []int // indexes of items matching query
	query         string
	win           picker.Window
	width, height int
	current       string // the organisation in use
	loading       bool
	err           error
	why           string // why the picker opened (the server asked for an organisation)
}

func newOrgPicker(ctx *Context, current, why string) orgPicker {
	// The reason has a line of its own, without the dash that joined it to the title.
	why = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(why), "—"))
	p := orgPicker{ctx: ctx, current: current, loading: true, why: why}
	return p.SetSize(ctx.Width, ctx.Height)
}

// SetSize hands the picker its rectangle: title, filter line, organisations.
func (p orgPicker) SetSize(w, h int) orgPicker {
	p.width, p.height = max(w, 1), max(h, 1)
	p.win.Height = max(h-3-p.whyLines(), 1)
	p.win = p.win.Clamp(len(p.shown))
	return p
}

// withOrgs fills the picker, the cursor on the organisation in use.
func (p orgPicker) withOrgs(orgs []apiclient.Organization, err error) orgPicker {
	p.loading, p.err = false, err
	p.items = p.items[:0:0]
	for _, o := range orgs {
		label := safetext.Line(o.Name, 200)
		if strings.TrimSpace(label) == "" {
			label = safetext.Line(o.ID, 200)
		}
		p.items = append(p.items, orgItem{id: o.ID, name: label, label: label})
	}
	p = p.refilter()
	for i, ix := range p.shown {
		if p.items[ix].id == p.current {
			p.win.Cursor = i
		}
	}
	p.win = p.win.Clamp(len(p.shown))
	return p
}

func (p orgPicker) refilter() orgPicker {
	p.shown = picker.Filter(p.items, p.query)
	p.win = p.win.Clamp(len(p.shown))
	return p
}

// whyLines is the lines the reason the picker opened takes.
func (p orgPicker) whyLines() int {
	if p.why == "" {
		return 0
	}
	return 1
}

// chosen is the organisation under the cursor, if any.
func (p orgPicker) chosen() (orgItem, bool) {
	if p.win.Cursor < 0 || p.win.Cursor >= len(p.shown) {
		return orgItem{}, false
	}
	return p.items[p.shown[p.win.Cursor]], true
}

// Update moves the cursor and edits the filter; the root handles enter/esc.
func (p orgPicker) Update(k tea.KeyMsg) orgPicker {
	keys := p.ctx.Keys
	n := len(p.shown)
	switch {
	case keyMatches(k, keys.PickerUp):
		p.win = p.win.Move(-1, n)
	case keyMatches(k, keys.PickerDown):
		p.win = p.win.Move(1, n)
	case keyMatches(k, keys.PickerPageUp):
		p.win = p.win.Move(-max(p.win.Height-1, 1), n)
	case keyMatches(k, keys.PickerPageDown):
		p.win = p.win.Move(max(p.win.Height-1, 1), n)
	case k.Type == tea.KeyHome:
		p.win = p.win.Move(-n, n)
	case k.Type == tea.KeyEnd:
		p.win = p.win.Move(n, n)
	default:
		if q, ok := picker.Type(p.query, k); ok {
			if k.Type != tea.KeyBackspace {
				p.win.Cursor = 0 // a narrower list starts at its best match
			}
			p.query = q
			p = p.refilter()
		}
	}
	return p
}

func (p orgPicker) View() string {
	t := p.ctx.Theme
	title := t.PaneTitle.Render("Organisation") + t.Muted.Render("  (type to filter, enter switches)")
	lines := []string{title}
	if p.why != "" { // its own line: at 80 columns the title's would cut it
		lines = append(lines, t.Muted.Render(safetext.Truncate(p.why, p.width)))
	}
	lines = append(lines, "filter: "+p.query+"▏")
	switch {
	case p.loading:
		lines = append(lines, t.Muted.Render("  loading organisations…"))
	case p.err != nil:
		lines = append(lines, t.Error.Render("  could not list organisations: "+describe(p.err)))
	case len(p.shown) == 0:
		lines = append(lines, t.Muted.Render("  no organisation matches"))
	}
	from, to := p.win.Visible(len(p.shown))
	for i := from; i < to; i++ {
		o := p.items[p.shown[i]]
		// The cursor shows without colour too: "›" before the chosen row.
		lead := "  "
		if i == p.win.Cursor {
			lead = "› "
		}
		cur := "  "
		if o.id == p.current {
			cur = "✓ "
		}
		// The id whole when it fits (org_ and 32 hex digits): it is what
		// --org and EVERRUNS_ORG_ID take.
		id := safetext.Line(o.id, 64)
		idW := min(safetext.Width(id), max(p.width-4-minOrgName-1, 8))
		text := safetext.Pad(o.label, max(p.width-4-idW-1, minOrgName)) + " " + t.Muted.Render(safetext.Truncate(id, idW))
		if i == p.win.Cursor {
			text = t.RowSelected.Render(text)
		}
		lines = append(lines, lead+cur+text)
	}
	return fitBlock(strings.Join(lines, "\n"), p.width, p.height)
}

// minOrgName is the narrowest the name column gets before the id gives way.
const minOrgName = 16

// ShortHelp of the picker: enter switches here (the list's Open says
// "details").
func (p orgPicker) ShortHelp() []key.Binding {
	k := p.ctx.Keys
	choose := key.NewBinding(key.WithKeys(k.Open.Keys()...), key.WithHelp(k.Open.Help().Key, "switch"))
	return []key.Binding{k.PickerUp, k.PickerDown, choose, k.Back}
}

// listOrgs asks the server for the caller's organisations.
func listOrgs(api OrgAPI) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), orgTimeout)
		defer cancel()
		orgs, err := api.ListOrgs(ctx)
		return orgsListedMsg{orgs: orgs, err: err}
	}
}

// openOrgs opens the picker (why says what made it open, "" for O).
func (m Model) openOrgs(why string) (Model, tea.Cmd) {
	oa, ok := m.api.(OrgAPI)
	if !ok || m.opts.SwitchOrg == nil {
		return m, m.setError("this server connection cannot switch organisations")
	}
	p := newOrgPicker(&m.ctx, m.org.id, why).SetSize(m.ctx.Width, m.bodyHeight())
	m.orgs = &p
	if m.mode != modeOrgs {
		m.back, m.mode = m.mode, modeOrgs
	}
	if m.back == modeHelp || m.back == modeOrgs || m.back == modeJump {
		m.back = modeList
	}
	return m, listOrgs(oa)
}

// learnOrgName asks for the organisations when the program starts in one
// known by id only (--org-id, EVERRUNS_ORG_ID), so that the header names it.
func (m Model) learnOrgName() tea.Cmd {
	oa, ok := m.api.(OrgAPI)
	if !ok || m.org.id == "" || m.org.name != "" {
		return nil
	}
	return listOrgs(oa)
}

func (m Model) onOrgsListed(msg orgsListedMsg) (tea.Model, tea.Cmd) {
	// A name learnt replaces an id-only header.
	for _, o := range msg.orgs {
		if o.ID == m.org.id && m.org.name == "" {
			if name := safetext.Line(o.Name, 200); strings.TrimSpace(name) != "" {
				m.org.name = name
			}
		}
	}
	if m.orgs == nil {
		return m, nil
	}
	p := m.orgs.withOrgs(msg.orgs, msg.err)
	m.orgs = &p
	return m, nil
}

func (m Model) onOrgKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.ctx.Keys
	switch {
	case keyMatches(k, keys.Back):
		m.mode, m.orgs = m.back, nil
		return m, nil
	case keyMatches(k, keys.Open):
		o, ok := m.orgs.chosen()
		if !ok {
			return m, nil
		}
		m.mode, m.orgs = modeList, nil
		if o.id == m.org.id && m.load.err == nil {
			return m, nil
		}
		return m, m.switchOrg(o.id, o.name)
	}
	p := m.orgs.Update(k)
	m.orgs = &p
	return m, nil
}

// switchOrg makes the program act in organisation id: a new API, a fresh
// load, and marks and filter cleared (they belong to the old one).
func (m *Model) switchOrg(id, name string) tea.Cmd {
	m.api = m.opts.SwitchOrg(id)
	m.org = orgState{id: id, name: name}
	m.load.complete = false
	m.st = newStore()
	m.marked = map[string]bool{}
	m.editFilter(func(f *textinput.Model) { f.SetValue(""); f.Blur() })
	m.spec.q = query{}
	m.list = m.list.Reset()
	// A refresh in flight asked the old organisation: a new generation
	// drops its answer, and a new tick keeps auto refresh going.
	m.refresh.inflight, m.refresh.failed = false, false // a failure was the old organisation's
	m.refresh.gen++
	tick := m.refresh.schedule()
	label := name
	if label == "" {
		label = safetext.Line(id, 64)
	}
	// A toast, not an info line: the end of the load would clear that
	// before it is read.
	note := m.setToast(fmt.Sprintf("switched to organisation %s: marks and filter cleared", label))
	return tea.Batch(m.startLoad(), tick, note)
}

// orgHeader is the header's organisation part ("" when none is known).
func (m Model) orgHeader() string {
	switch {
	case m.org.name != "":
		return safetext.Truncate(m.org.name, 24)
	case m.org.id != "":
		return safetext.Truncate(safetext.Line(m.org.id, 64), 24)
	}
	return ""
}
