package usageview

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

func TestTablesCycle(t *testing.T) {
	m := newSized(seedData(40), 80, 24)
	var got []Table
	for range 5 {
		got = append(got, m.table)
		m, _ = press(t, m, "tab")
	}
	if want := []Table{ByAgent, ByModel, BySource, TopSessions, ByAgent}; !reflect.DeepEqual(got, want) {
		t.Fatalf("tab: %v", got)
	}
	m, _ = press(t, m, "shift+tab") // from models
	if m.table != ByAgent {
		t.Fatalf("shift+tab went to %v, want Agents", m.table)
	}
	m, _ = press(t, m, "shift+tab")
	if m.table != TopSessions {
		t.Fatalf("shift+tab went to %v, want Top sessions", m.table)
	}
	if v := m.View(); !strings.Contains(v, "bar scale: linear") {
		t.Fatalf("top sessions view:\n%s", v)
	}
}

// A table longer than the screen scrolls to its last row and back.
func TestScrollToTheEnd(t *testing.T) {
	d := seedData(300)
	m := newSized(d, 80, 16)
	m, _ = press(t, m, "tab", "tab") // sources: 11 rows, 7 fit
	rows := m.tableRows()
	b := &m.tables[BySource]
	if len(b.order) <= rows {
		t.Fatalf("%d sources fit in %d rows: nothing to scroll", len(b.order), rows)
	}
	lastLabel := b.labels[b.order[len(b.order)-1]]
	if strings.Contains(m.View(), lastLabel+" ") {
		t.Fatalf("last row %q shown before scrolling", lastLabel)
	}
	m, _ = press(t, m, "G")
	b = &m.tables[BySource]
	if b.cursor != len(b.order)-1 || !strings.Contains(m.View(), "▸ "+lastLabel) {
		t.Fatalf("G: cursor %d of %d\n%s", b.cursor, len(b.order), m.View())
	}
	m, _ = press(t, m, "down", "down")
	if c := m.tables[BySource].cursor; c != len(b.order)-1 {
		t.Fatalf("down past the end: cursor %d", c)
	}
	first := b.labels[b.order[0]]
	m, _ = press(t, m, "g")
	if !strings.Contains(m.View(), "▸ "+first) {
		t.Fatalf("g: first row %q not under the cursor\n%s", first, m.View())
	}

	// Top sessions go beyond 20, to the last one.
	m, _ = press(t, m, "tab")
	n := len(m.top.byTokens)
	if n <= 20 {
		t.Fatalf("%d sessions with usage", n)
	}
	for range n {
		m, _ = press(t, m, "pgdown")
	}
	v := m.View()
	if m.top.cursor != n-1 || !strings.Contains(v, "▸ "+padLeft(groupDigits(int64(n)), len(groupDigits(int64(n)))+1)) ||
		!strings.Contains(v, " of "+groupDigits(int64(n))) {
		t.Fatalf("pgdown to the end: cursor %d of %d\n%s", m.top.cursor, n, v)
	}
	m, _ = press(t, m, "pgup")
	if m.top.cursor != n-1-(m.tableRows()-1) {
		t.Fatalf("pgup: cursor %d", m.top.cursor)
	}
}

// Every column sorts, both ways, and the cursor stays on its row.
func TestSortEveryColumn(t *testing.T) {
	m := newSized(seedData(300), 160, 45)
	m, _ = press(t, m, "tab") // models
	b := &m.tables[ByModel]
	if b.sortBy != ColShare || b.asc {
		t.Fatalf("default sort %v asc=%v", b.sortBy, b.asc)
	}
	m, _ = press(t, m, "down")
	held := m.tables[ByModel].order[1]
	val := func(b *breakdown, i int) float64 {
		r := &b.rows[i]
		return [...]float64{0, float64(r.Sessions), float64(r.Prompt()), float64(r.OutputTokens),
			r.CacheHitRatio(), r.CostUSD, float64(r.Total())}[b.sortBy]
	}
	seen := map[Column]bool{}
	for range numColumns {
		m, _ = press(t, m, "s")
		b := &m.tables[ByModel]
		seen[b.sortBy] = true
		for _, asc := range []bool{b.asc, !b.asc} {
			for i := 1; i < len(b.order); i++ {
				x, y := b.order[i-1], b.order[i]
				var c int
				if b.sortBy == ColName {
					c = strings.Compare(strings.ToLower(b.labels[x]), strings.ToLower(b.labels[y]))
				} else if vx, vy := val(b, x), val(b, y); vx < vy {
					c = -1
				} else if vx > vy {
					c = 1
				}
				if (asc && c > 0) || (!asc && c < 0) {
					t.Fatalf("sort %v asc=%v: rows %d,%d out of order", b.sortBy, asc, i-1, i)
				}
			}
			if b.order[b.cursor] != held {
				t.Fatalf("sort %v: cursor left its row", b.sortBy)
			}
			if !strings.Contains(m.View(), "sort "+m.columnTitle(b.sortBy)) {
				t.Fatalf("sort %v not named on screen", b.sortBy)
			}
			m, _ = press(t, m, "r")
			b = &m.tables[ByModel]
		}
	}
	if len(seen) != int(numColumns) {
		t.Fatalf("s reached %d of %d columns", len(seen), numColumns)
	}
	m, _ = press(t, m, "S")
	if m.tables[ByModel].sortBy != ColCost {
		t.Fatalf("S from share went to %v", m.tables[ByModel].sortBy)
	}
	if m.tables[ByAgent].sortBy != ColShare {
		t.Fatal("sorting models sorted agents")
	}
}

// c switches the chart, the top sessions and the share between tokens and cost.
func TestMetricToggle(t *testing.T) {
	m := newSized(seedData(300), 80, 24)
	m, _ = press(t, m, "shift+tab") // top sessions
	byTokens := m.top.entries[m.top.byTokens[0]].s.ID
	m, _ = press(t, m, "c")
	if m.metric != Cost || !strings.Contains(m.View(), "cost▼") {
		t.Fatalf("c: metric %v\n%s", m.metric, m.View())
	}
	l := m.top.byCost
	for i := 1; i < len(l); i++ {
		if m.top.entries[l[i-1]].cost < m.top.entries[l[i]].cost {
			t.Fatal("top by cost out of order")
		}
	}
	if m.top.entries[l[0]].s.ID == byTokens {
		t.Log("the same session leads by tokens and by cost")
	}
	_, msgs := press(t, m, "enter")
	if want := (OpenSessionMsg{ID: m.top.entries[l[0]].s.ID}); len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("enter on the top session by cost: %v, want %v", msgs, want)
	}
	m, _ = press(t, m, "c")
	if m.metric != Tokens {
		t.Fatal("c twice")
	}
}

func TestHourDayAndChartCursor(t *testing.T) {
	m := newSized(seedData(40), 80, 24) // 14 hours: hourly
	if m.step != Hourly || !strings.Contains(m.View(), "per hour of created_at (UTC)") {
		t.Fatalf("40 sessions: step %v\n%s", m.step, m.View())
	}
	last := len(m.hourly.buckets) - 1
	if m.col != last {
		t.Fatalf("cursor %d, want the last hour %d", m.col, last)
	}
	m, _ = press(t, m, "left", "left")
	at := m.cursorTime()
	if !at.Equal(testNow.Truncate(time.Hour).Add(-2 * time.Hour)) {
		t.Fatalf("left twice: %v", at)
	}
	m, _ = press(t, m, "d")
	if m.step != Daily || !m.cursorTime().Equal(time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("d: %v at %v", m.step, m.cursorTime())
	}
	m, _ = press(t, m, "h") // today: now's hour
	if m.step != Hourly || m.col != last {
		t.Fatalf("h: %v at %v", m.step, m.cursorTime())
	}
	days := newSized(seedData(300), 80, 24)
	days, _ = press(t, days, "left", "h") // yesterday: its last hour
	if days.step != Hourly || !days.cursorTime().Equal(time.Date(2026, 8, 19, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("left, h: %v at %v", days.step, days.cursorTime())
	}
	for range 100 {
		m, _ = press(t, m, "left")
	}
	if m.col != 0 || !strings.Contains(m.View(), "hour 1/") {
		t.Fatalf("left to the start: col %d", m.col)
	}
	for range 100 {
		m, _ = press(t, m, "right")
	}
	if m.col != last {
		t.Fatalf("right to the end: col %d", m.col)
	}

	long := newSized(seedData(3000), 80, 24) // weeks: daily
	if long.step != Daily || !strings.Contains(long.View(), "per day of created_at (UTC)") {
		t.Fatalf("3000 sessions: step %v", long.step)
	}
}

func TestEnterMessages(t *testing.T) {
	d := seedData(300)
	m := newSized(d, 80, 24)
	agent := m.tables[ByAgent].rows[m.tables[ByAgent].order[0]]
	_, msgs := press(t, m, "enter")
	want := NarrowMsg{Field: "agent", Value: agent.ID, Query: `agent:"Support Triage"`}
	if len(msgs) != 1 || msgs[0] != want || d.Agents[agent.ID] != "Support Triage" {
		t.Fatalf("enter on an agent: %v, want %v", msgs, want)
	}
	m, _ = press(t, m, "tab")
	mb := &m.tables[ByModel]
	row := mb.rows[mb.order[0]]
	if row.ID == "" {
		m, _ = press(t, m, "down")
		row = mb.rows[mb.order[1]]
	}
	_, msgs = press(t, m, "enter")
	if want := (NarrowMsg{Field: "model", Value: row.ID, Query: "model:" + row.ID}); len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("enter on a model: %v, want %v", msgs, want)
	}
	// The sessions without a model cannot be asked for: enter does nothing.
	m, _ = press(t, m, "g")
	for i, r := range mb.order {
		if mb.rows[r].ID == "" {
			mm, _ := press(t, m, strings.Split(strings.Repeat("down,", i), ",")[:i]...)
			if _, msgs := press(t, mm, "enter"); len(msgs) != 0 {
				t.Fatalf("enter on (none): %v", msgs)
			}
		}
	}
	m, _ = press(t, m, "tab")
	sb := &m.tables[BySource]
	_, msgs = press(t, m, "enter")
	if want := (NarrowMsg{Field: "source", Value: sb.rows[sb.order[0]].ID, Query: "source:chat"}); len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("enter on a source: %v, want %v", msgs, want)
	}
	m, _ = press(t, m, "tab", "down")
	_, msgs = press(t, m, "enter")
	if want := (OpenSessionMsg{ID: m.top.entries[m.top.byTokens[1]].s.ID}); len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("enter on the second top session: %v, want %v", msgs, want)
	}
	if _, msgs = press(t, m, "esc"); len(msgs) != 1 || msgs[0] != (CloseMsg{}) {
		t.Fatalf("esc: %v", msgs)
	}
	if m2, cmd := m.Update(tea.WindowSizeMsg{Width: 10, Height: 10}); cmd != nil || m2.w != 80 {
		t.Fatal("a non-key message changed the view")
	}
}

// An agent name shared by two agents, or holding a quote, narrows by id.
func TestAgentQueryAmbiguous(t *testing.T) {
	ss := []*apiclient.Session{
		{ID: "s1", AgentID: "agent_1", CreatedAt: testNow, Usage: &apiclient.TokenUsage{InputTokens: 30}},
		{ID: "s2", AgentID: "agent_2", CreatedAt: testNow, Usage: &apiclient.TokenUsage{InputTokens: 20}},
		{ID: "s3", AgentID: "agent_3", CreatedAt: testNow, Usage: &apiclient.TokenUsage{InputTokens: 10}},
	}
	m := newSized(Data{Sessions: ss, Agents: map[string]string{"agent_1": "Ops", "agent_2": "ops", "agent_3": `say "hi"`}, Now: testNow}, 80, 24)
	var got []string
	for i := range 3 {
		mm, _ := press(t, m, slices.Repeat([]string{"down"}, i)...)
		_, msgs := press(t, mm, "enter")
		got = append(got, msgs[0].(NarrowMsg).Query)
	}
	if want := []string{"agent:agent_1", "agent:agent_2", "agent:agent_3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("queries %v, want %v", got, want)
	}
}

// A lying server's numbers neither wrap nor break the layout; its text
// reaches the screen without escape sequences.
func TestHostileData(t *testing.T) {
	title := "\x1b]52;c;ZXZpbA==\x07evil \x1b[31mred\x1b[0m \u202etxt"
	ss := []*apiclient.Session{
		{ID: "s1", AgentID: "agent_\x1b[2J", Title: &title, CreatedAt: testNow, Source: "\x1b[5mblink",
			Usage: &apiclient.TokenUsage{InputTokens: math.MaxInt64, OutputTokens: math.MaxInt64, EstimatedCostUSD: ptr(math.MaxFloat64)}},
		{ID: "s2", AgentID: "agent_x", CreatedAt: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
			Usage: &apiclient.TokenUsage{InputTokens: -5, OutputTokens: 10, ActualCostUSD: ptr(-1.0)}},
		{ID: "s3", CreatedAt: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), Usage: &apiclient.TokenUsage{InputTokens: 1}},
	}
	m := newSized(Data{Sessions: ss, Agents: map[string]string{"agent_x": "X\x1b[1mbold"}, Now: testNow}, 100, 30)
	for _, keys := range [][]string{nil, {"tab"}, {"tab", "tab"}, {"tab", "tab", "tab"}, {"c"}, {"h"}, {"d"}} {
		mm, _ := press(t, m, keys...)
		v := mm.View()
		if strings.ContainsAny(v, "\x1b\a\u202e") {
			t.Fatalf("%v: escape on screen:\n%q", keys, v)
		}
		if strings.Contains(v, "-9") || strings.Contains(v, "NaN") || strings.Contains(v, "Inf") {
			t.Fatalf("%v: wrapped or broken figures:\n%s", keys, v)
		}
	}
	if m.total.Total() != math.MaxInt64 {
		t.Fatalf("total %d", m.total.Total())
	}
	if s := m.series(); s.outside != 2 {
		t.Fatalf("%d sessions outside the chart, want 2 (year 1 and year 9999)", s.outside)
	}
}

func ptr[T any](v T) *T { return &v }

// A refresh (SetData) keeps what the developer chose and where they were.
func TestSetDataKeepsChoices(t *testing.T) {
	d := seedData(300)
	m := newSized(d, 80, 24)
	m, _ = press(t, m, "tab", "S", "down", "down", "left", "left", "c")
	b := &m.tables[ByModel]
	id, sortBy, col, at := b.rows[b.order[b.cursor]].ID, b.sortBy, m.col, m.cursorTime()
	d.Sessions = d.Sessions[5:] // five sessions fewer; the rest the same
	m.SetData(d)
	b = &m.tables[ByModel]
	if m.table != ByModel || m.metric != Cost || b.sortBy != sortBy || b.rows[b.order[b.cursor]].ID != id ||
		m.col != col || !m.cursorTime().Equal(at) || m.total.Sessions != 295 {
		t.Fatalf("after SetData: table %v metric %v sort %v row %q col %d at %v sessions %d",
			m.table, m.metric, b.sortBy, b.rows[b.order[b.cursor]].ID, m.col, m.cursorTime(), m.total.Sessions)
	}
	fresh := newSized(d, 80, 24)
	if fresh.table != ByAgent || fresh.metric != Tokens || fresh.tables[ByModel].sortBy != ColShare {
		t.Fatal("New does not start from the defaults")
	}
}

// The view is a help.KeyMap: every binding it handles is in the full help.
func TestHelpListsEveryBinding(t *testing.T) {
	var km help.KeyMap = Model{Keys: DefaultKeyMap()}
	listed := map[string]bool{}
	for _, col := range km.FullHelp() {
		for _, b := range col {
			listed[b.Help().Key] = true
		}
	}
	v := reflect.ValueOf(DefaultKeyMap())
	for i := range v.NumField() {
		b := v.Field(i).Interface().(key.Binding)
		if !listed[b.Help().Key] {
			t.Errorf("%s (%s) is not in the full help", v.Type().Field(i).Name, b.Help().Key)
		}
	}
	if len(km.ShortHelp()) == 0 {
		t.Fatal("no short help")
	}
}
