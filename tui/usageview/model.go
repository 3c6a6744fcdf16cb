// Package usageview is the token usage view: a time series of tokens and
// cost over created_at, breakdown tables by agent, model and source, and
// the top sessions by tokens or cost, for the sessions the list selects.
//
// Everything is aggregated once, in New (apiclient's usage arithmetic);
// View draws only what fits the screen. Enter on a table row asks the root
// to narrow the list (NarrowMsg) or to open a session (OpenSessionMsg).
package usageview

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/safetext"
)

// NarrowMsg asks the root to narrow the session list to a breakdown row.
// Query is in the list's filter language (agent:"Support Triage",
// source:slack); Field and Value say the same plainly (Field is agent,
// model or source; Value the agent id, model id or source) for a root that
// filters otherwise. The filter language has no model qualifier yet, so a
// model's Query is model:<id>.
type NarrowMsg struct {
	Field, Value string
	Query        string
}

// OpenSessionMsg asks the root to show a session.
type OpenSessionMsg struct{ ID string }

// CloseMsg asks the root to close the view.
type CloseMsg struct{}

// Table is one of the view's tables.
type Table int

// Tables, in tab order.
const (
	ByAgent Table = iota
	ByModel
	BySource
	TopSessions
	numTables
)

var tableNames = [numTables]string{"Agents", "Models", "Sources", "Top sessions"}

func (t Table) String() string { return tableNames[t] }

// Data is what the view shows.
type Data struct {
	// Sessions are the sessions the list's query and tab select. The view
	// keeps the pointers and never changes the sessions.
	Sessions []*apiclient.Session
	// Agents maps agent ids to display names (else names); an agent not in
	// it shows its id.
	Agents map[string]string
	// Now ends the time series; it picks hours for a range under two days.
	Now time.Time
}

// Model is the usage view.
type Model struct {
	Keys  KeyMap
	theme *theme.Theme
	w, h  int

	now    time.Time
	total  apiclient.UsageRow
	hourly series
	daily  series
	step   Step
	col    int // chart cursor: bucket index
	chartW int // columns of the chart at the last layout

	loaded bool // SetData ran: a later call is a refresh
	tables [3]breakdown
	top    tops
	table  Table
	metric Metric
}

// New aggregates data (O(sessions), once) into a view of size 0x0; call
// SetSize before View.
func New(data Data, th *theme.Theme) Model {
	m := Model{Keys: DefaultKeyMap(), theme: th}
	m.SetData(data)
	return m
}

// Aggregates are Data summed: the breakdowns, the top sessions and both
// time series. Aggregate builds them in O(sessions); it reads the sessions
// and nothing else, so a host may run it off the UI goroutine (in a
// tea.Cmd) and hand the result to SetAggregates. One Aggregates serves one
// SetAggregates.
type Aggregates struct {
	now    time.Time
	total  apiclient.UsageRow
	tables [3]breakdown
	top    tops
	hourly series
	daily  series
}

// Aggregate sums d for SetAggregates.
func Aggregate(d Data) *Aggregates {
	a := &Aggregates{now: d.Now.UTC()}
	agents := apiclient.NewUsageAggregator(apiclient.UsageByAgent, d.Agents)
	models := apiclient.NewUsageAggregator(apiclient.UsageByModel, nil)
	sources := apiclient.NewUsageAggregator(apiclient.UsageBySource, nil)
	for _, s := range d.Sessions {
		agents.Add(s)
		models.Add(s)
		sources.Add(s)
	}
	rep := agents.Report()
	a.total = rep.Total
	a.tables = [3]breakdown{newBreakdown(apiclient.UsageByAgent, rep),
		newBreakdown(apiclient.UsageByModel, models.Report()), newBreakdown(apiclient.UsageBySource, sources.Report())}
	a.top = buildTops(d.Sessions)
	a.hourly = buildSeries(Hourly, d.Sessions, a.now)
	a.daily = buildSeries(Daily, d.Sessions, a.now)
	return a
}

// SetData replaces the sessions (a refresh): the table, sorts, metric,
// step and the rows under the cursors stay. It aggregates on the caller's
// goroutine; see Aggregate for doing that elsewhere.
func (m *Model) SetData(d Data) { m.SetAggregates(Aggregate(d)) }

// SetAggregates shows a (the list's sessions changed): the table, sorts,
// metric, step and the rows under the cursors stay.
func (m *Model) SetAggregates(a *Aggregates) {
	m.now = a.now
	m.total = a.total
	old := m.tables
	m.tables = a.tables
	for i := range m.tables {
		b := &m.tables[i]
		if m.loaded {
			b.sortBy, b.asc = old[i].sortBy, old[i].asc
		}
		b.sort(m.metric)
		if m.loaded && old[i].cursor < len(old[i].order) {
			id := old[i].rows[old[i].order[old[i].cursor]].ID
			for j, r := range b.order {
				if b.rows[r].ID == id {
					b.cursor, b.off = j, old[i].off
				}
			}
		}
	}
	oldTop := m.top.cursor
	m.top = a.top
	atEnd := m.col >= len(m.series().buckets)-1
	at := m.cursorTime()
	m.hourly, m.daily = a.hourly, a.daily
	if !m.loaded {
		m.step = Daily
		if len(m.hourly.buckets) <= 48 {
			m.step = Hourly
		}
	}
	m.col = len(m.series().buckets) - 1
	if m.loaded {
		m.top.cursor = min(oldTop, max(len(m.top.list(m.metric))-1, 0))
		if !atEnd {
			m.col = m.indexAt(at)
		}
	}
	m.loaded = true
	m.clampTable()
}

// SetSize sets the size View fills.
func (m *Model) SetSize(w, h int) { m.w, m.h = max(w, 0), max(h, 0) }

func (m *Model) series() *series {
	if m.step == Hourly {
		return &m.hourly
	}
	return &m.daily
}

// Update handles keys; the other messages are not the view's.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	km := m.Keys
	switch {
	case key.Matches(k, km.Close):
		return m, emit(CloseMsg{})
	case key.Matches(k, km.NextTable):
		m.table = (m.table + 1) % numTables
	case key.Matches(k, km.PrevTable):
		m.table = (m.table + numTables - 1) % numTables
	case key.Matches(k, km.Up):
		m.move(-1)
	case key.Matches(k, km.Down):
		m.move(1)
	case key.Matches(k, km.PageUp):
		m.move(-max(m.tableRows()-1, 1))
	case key.Matches(k, km.PageDown):
		m.move(max(m.tableRows()-1, 1))
	case key.Matches(k, km.Top):
		m.move(-m.rowCount())
	case key.Matches(k, km.Bottom):
		m.move(m.rowCount())
	case key.Matches(k, km.SortNext), key.Matches(k, km.SortPrev):
		if m.table != TopSessions {
			b := &m.tables[m.table]
			d := Column(1)
			if key.Matches(k, km.SortPrev) {
				d = numColumns - 1
			}
			b.sortBy = (b.sortBy + d) % numColumns
			b.asc = b.sortBy == ColName // names read A to Z, figures largest first
			b.sort(m.metric)
			m.clampTable()
		}
	case key.Matches(k, km.SortReverse):
		if m.table != TopSessions {
			b := &m.tables[m.table]
			b.asc = !b.asc
			b.sort(m.metric)
			m.clampTable()
		}
	case key.Matches(k, km.Metric):
		if m.metric == Tokens {
			m.metric = Cost
		} else {
			m.metric = Tokens
		}
		for i := range m.tables {
			if m.tables[i].sortBy == ColShare {
				m.tables[i].sort(m.metric)
			}
		}
		m.top.cursor, m.top.offset = 0, 0
	case key.Matches(k, km.Hourly), key.Matches(k, km.Daily):
		step := Daily
		if key.Matches(k, km.Hourly) {
			step = Hourly
		}
		if step != m.step {
			at := m.cursorTime()
			if step == Hourly { // a day's last hour (or now's, today)
				at = at.Add(23 * time.Hour)
				if at.After(m.now) {
					at = m.now
				}
			}
			m.step = step
			m.col = m.indexAt(at)
		}
	case key.Matches(k, km.Left):
		m.col = max(m.col-1, 0)
	case key.Matches(k, km.Right):
		m.col = min(m.col+1, len(m.series().buckets)-1)
	case key.Matches(k, km.Open):
		return m, m.enter()
	}
	return m, nil
}

func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// cursorTime is the start of the chart's bucket under the cursor.
func (m *Model) cursorTime() time.Time {
	s := m.series()
	if m.col < 0 || m.col >= len(s.buckets) {
		return m.now
	}
	return s.buckets[m.col].Start
}

// indexAt is the bucket holding t in the current series (clamped).
func (m *Model) indexAt(t time.Time) int {
	s := m.series()
	if len(s.buckets) == 0 {
		return -1
	}
	i := bucketIndex(s.step, s.start, s.step.floor(t))
	return min(max(i, 0), len(s.buckets)-1)
}

// rowCount is the number of rows of the table shown.
func (m *Model) rowCount() int {
	if m.table == TopSessions {
		return len(m.top.list(m.metric))
	}
	return len(m.tables[m.table].order)
}

// move moves the table cursor by d rows, clamped, and scrolls to it.
func (m *Model) move(d int) {
	n := m.rowCount()
	if n == 0 {
		return
	}
	if m.table == TopSessions {
		m.top.cursor = min(max(m.top.cursor+d, 0), n-1)
	} else {
		b := &m.tables[m.table]
		b.cursor = min(max(b.cursor+d, 0), n-1)
	}
	m.clampTable()
}

// clampTable keeps the cursor row on screen.
func (m *Model) clampTable() {
	rows := max(m.tableRows(), 1)
	cur, off := &m.top.cursor, &m.top.offset
	if m.table != TopSessions {
		cur, off = &m.tables[m.table].cursor, &m.tables[m.table].off
	}
	if *cur < *off {
		*off = *cur
	}
	if *cur >= *off+rows {
		*off = *cur - rows + 1
	}
	*off = max(min(*off, m.rowCount()-rows), 0)
}

// enter is the message for the row under the cursor, nil when none.
func (m *Model) enter() tea.Cmd {
	if m.table == TopSessions {
		l := m.top.list(m.metric)
		if m.top.cursor >= len(l) {
			return nil
		}
		return emit(OpenSessionMsg{ID: m.top.entries[l[m.top.cursor]].s.ID})
	}
	b := &m.tables[m.table]
	if b.cursor >= len(b.order) {
		return nil
	}
	r := &b.rows[b.order[b.cursor]]
	if r.ID == "" {
		return nil // "(none)": the filter language cannot ask for a missing field
	}
	switch b.by {
	case apiclient.UsageByAgent:
		return emit(NarrowMsg{Field: "agent", Value: r.ID, Query: "agent:" + m.agentTerm(b, r)})
	case apiclient.UsageByModel:
		return emit(NarrowMsg{Field: "model", Value: r.ID, Query: "model:" + quote(r.ID)})
	}
	return emit(NarrowMsg{Field: "source", Value: r.ID, Query: "source:" + quote(r.ID)})
}

// agentTerm names an agent for agent:, by display name when no other agent
// has it, else by id.
func (m *Model) agentTerm(b *breakdown, r *apiclient.UsageRow) string {
	name := safetext.Line(r.Key, 200)
	if name == "" || name == r.ID || strings.ContainsAny(name, `"\`) {
		return quote(r.ID)
	}
	for i := range b.rows {
		if b.rows[i].ID != r.ID && strings.EqualFold(b.rows[i].Key, r.Key) {
			return quote(r.ID)
		}
	}
	return quote(name)
}

// quote wraps a value holding spaces or commas in double quotes.
func quote(v string) string {
	v = safetext.Line(v, 200)
	if strings.ContainsAny(v, " ,\"") {
		return `"` + strings.ReplaceAll(v, `"`, "") + `"`
	}
	return v
}
