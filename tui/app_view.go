package tui

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/safetext"
	"github.com/everruns/sessions/tui/sessionlist"
)

// Smallest terminal the layout is made for.
const minWidth, minHeight = 80, 24

// wideWidth is where the preview moves beside the list instead of under it.
const wideWidth = 120

// previewHeight is the preview pane under the list on narrow terminals.
const previewHeight = 8

// Chrome: two header lines, a status line and a help line.
const headerLines, footerLines = 2, 2

func (m Model) bodyHeight() int { return max(m.ctx.Height-headerLines-footerLines, 1) }

func (m Model) wide() bool { return m.ctx.Width >= wideWidth }

func (m Model) listWidth() int {
	if m.wide() {
		return m.ctx.Width * 3 / 5
	}
	return m.ctx.Width
}

// listTop is the screen row of the first list row (for mouse clicks).
func (m Model) listTop() int { return headerLines + 1 }

func (m Model) listHeight() int {
	h := m.bodyHeight() - 1 // column header
	if !m.wide() {
		h -= previewHeight
	}
	return max(h, 1)
}

// View is a pure function of the model and costs O(screen).
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	w, h := m.ctx.Width, m.ctx.Height
	if w < minWidth || h < minHeight {
		msg := fmt.Sprintf("terminal too small: %dx%d\nsessions needs at least %dx%d", w, h, minWidth, minHeight)
		return fitScreen(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, msg), w, h)
	}
	if m.mode == modeList || m.mode == modeFilter {
		// The hot path: every part is drawn to exactly its size, so the
		// frame needs no second measuring pass.
		header, tabs, status, help := m.cachedHeader(), m.cachedTabs(), clipTo(m.statusView(), w), m.cachedHelp()
		p := m.listParts()
		var b strings.Builder
		b.Grow(len(header) + len(tabs) + p.size() + len(status) + len(help) + 4)
		for _, s := range []string{header, "\n", tabs, "\n"} {
			b.WriteString(s)
		}
		p.writeTo(&b)
		for _, s := range []string{"\n", status, "\n", help} {
			b.WriteString(s)
		}
		return b.String()
	}
	screen := strings.Join([]string{m.cachedHeader(), m.tabsView(), m.bodyView(), m.statusView(), m.cachedHelp()}, "\n")
	return fitScreen(screen, w, h)
}

// headerKey is everything the header line shows.
type headerKey struct {
	result                *viewResult
	loaded, width         int
	loading               bool
	spin                  string
	progress, bulk, marks string
	refreshFailed, paused bool
	agent                 string
	theme                 *theme.Theme
	facets                *apiclient.Facets
	names                 *agentNames
	org                   orgState
	total                 int // the server's, shown when bounded
	counts                *apiclient.Stats
	bounded               bool
	news, window          string // rows a refresh held; the loaded window
	view                  string // the saved view in force
	hideResolved          bool
}

func (m Model) cachedHeader() string {
	k := headerKey{result: m.view, loaded: m.st.loaded, width: m.ctx.Width, loading: m.load.active,
		marks: strconv.Itoa(len(m.marked)), refreshFailed: m.refresh.failed, paused: m.refresh.paused,
		agent: m.load.agentID, theme: m.ctx.Theme, facets: m.facts.facets, names: m.ctx.names,
		org: m.org, total: m.st.total, bounded: m.st.bounded, counts: m.st.counts,
		news: m.refresh.hold.announce(m.spec.reverse), window: m.windowText(),
		view: m.currentView(), hideResolved: m.spec.hideResolved}
	if m.load.active {
		k.spin = m.spin.View()
		k.progress = strconv.Itoa(m.load.loaded) + "/" + strconv.Itoa(m.load.total)
	}
	if b := m.ops.bulk; b != nil {
		k.bulk = strconv.Itoa(b.done) + "/" + strconv.Itoa(b.total)
	}
	if m.cache == nil {
		return m.headerView()
	}
	if m.cache.headerKey != k || m.cache.header == "" {
		m.cache.headerKey, m.cache.header = k, m.headerView()
	}
	return m.cache.header
}

// tabsKey is everything the tabs line shows outside the filter mode.
type tabsKey struct {
	view         *viewResult
	tab          statusTab
	sort         sortKey
	reverse      bool
	query        string
	width, shown int
	theme        *theme.Theme
	facets       *apiclient.Facets
	partial      bool
	counts       *apiclient.Stats // the server's, when bounded
}

func (m Model) cachedTabs() string {
	if m.cache == nil || m.mode == modeFilter { // the filter input has a cursor
		return m.tabsView()
	}
	k := tabsKey{view: m.view, tab: m.spec.tab, sort: m.spec.sort, reverse: m.spec.reverse,
		query: m.spec.q.Raw, width: m.ctx.Width, shown: len(m.view.rows), theme: m.ctx.Theme,
		facets: m.facts.facets, partial: m.partial(), counts: m.st.counts}
	if m.cache.tabsKey != k || m.cache.tabs == "" {
		m.cache.tabsKey, m.cache.tabs = k, m.tabsView()
	}
	return m.cache.tabs
}

type helpKey struct {
	mode   mode
	width  int
	theme  *theme.Theme
	typing bool // the footer changes while the agent picker's filter or the detail's search is typed
}

func (m Model) cachedHelp() string {
	typing := (m.mode == modeAgents && m.agents.Typing()) || (m.mode == modeDetail && m.detail.Searching())
	k := helpKey{mode: m.mode, width: m.ctx.Width, theme: m.ctx.Theme, typing: typing}
	if m.cache == nil {
		return m.helpView()
	}
	if m.cache.helpKey != k || m.cache.help == "" {
		m.cache.helpKey, m.cache.help = k, m.helpView()
	}
	return m.cache.help
}

func (m Model) bodyView() string {
	w, bh := m.ctx.Width, m.bodyHeight()
	var s string
	switch m.mode {
	case modeDetail:
		s = m.detail.View()
	case modeEdit:
		s = m.form.View()
	case modeHelp:
		s = m.keys.View()
	case modeUsage:
		if m.usage != nil {
			s = m.usage.View()
		}
	case modeAgents:
		s = m.agents.View()
	case modeOrgs:
		s = m.orgs.View()
	case modeViews:
		s = m.pickViews.View()
	case modeJump:
		s = m.jumpView()
	default:
		s = m.listView()
	}
	return fitBlock(s, w, bh)
}

// listParts are the pieces of the list screen's body, drawn but not yet
// laid out: the column header (or the query's problem), the rows and the
// preview pane.
type listParts struct {
	head, pane string
	list       []string
	listExact  bool // every list line is exactly lw cells (no measuring)
	lw, h      int  // the list's width; the body's height (wide layout)
	wide       bool // the pane beside the list, else below it
}

func (m Model) listParts() listParts {
	lw := m.listWidth()
	rows := m.view.rows
	// The decorations capture only what they read: a closure over m would
	// move the whole Model to the heap on every frame.
	marked, busy, changed, st := m.marked, m.ops.busy, m.changed, m.st
	spin := ""
	if len(busy) > 0 {
		spin = m.spin.View()
	}
	d := rowDecor{
		Marked: func(id string) bool { return marked[id] },
		Pending: func(id string) (string, bool) {
			if busy[id] > 0 {
				return spin, true
			}
			return "", false
		},
		Changed: func(id string) bool { _, ok := changed[id]; return ok },
		Found:   st.isOutside,
		Q:       m.spec.q,
		// AGE follows the order: creation for the server's (created) order.
		AgeCreated: m.spec.sort == sortServer,
		Names:      m.ctx.names,
		Order:      m.opts.columns,
		Frame:      sessionlist.ActivityFrame(m.ctx.Now()),
		Fresh: func(r *row) *row {
			if f := st.get(r.S.ID); f != nil {
				return f
			}
			return r
		},
	}
	if m.cache != nil {
		if m.cache.lines == nil {
			m.cache.lines = map[rowLineKey]string{}
		}
		d.Lines = m.cache.lines
	}
	p := listParts{lw: lw, h: m.bodyHeight(), wide: m.wide()}
	if len(rows) == 0 {
		p.list = strings.Split(fitBlock(m.emptyView(), lw, m.list.Height), "\n")
	} else {
		p.list, p.listExact = m.list.Lines(m.ctx.styles(), m.ctx.Now(), rows, d), true
	}
	p.head = m.list.Header(m.ctx.styles(), d)
	if pr := m.queryProblemLine(lw); pr != "" {
		p.head = pr // right under the input, in place of the column names
	} else if n := m.queryNote(); n != "" && m.mode == modeFilter {
		p.head = m.ctx.Theme.Muted.Render(safetext.Truncate("ⓘ "+n, max(lw, 1)))
	}
	sel := m.selected()
	if sel != nil {
		sel = m.fresh(sel)
	}
	if p.wide {
		p.pane = m.cachedPreview(sel, m.ctx.Width-lw-1, p.h)
	} else {
		p.pane = m.cachedPreview(sel, m.ctx.Width, previewHeight)
	}
	return p
}

// size is about the bytes writeTo writes: what a builder should grow by.
func (p listParts) size() int {
	n := len(p.head) + len(p.pane) + 2*p.h + p.lw + 8
	for _, l := range p.list {
		n += len(l) + 1
	}
	return n
}

// writeTo lays the parts out into b: in the wide layout the pane goes
// beside the header and the rows (what lipgloss.JoinHorizontal does,
// without measuring the rows again), else below them.
func (p listParts) writeTo(b *strings.Builder) {
	if !p.wide {
		b.WriteString(padTo(p.head, p.lw))
		for _, l := range p.list {
			b.WriteByte('\n')
			b.WriteString(l)
		}
		b.WriteByte('\n')
		b.WriteString(p.pane)
		return
	}
	pane := lines{s: p.pane}
	for i := range p.h {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch {
		case i == 0:
			b.WriteString(padTo(p.head, p.lw))
		case i <= len(p.list) && p.listExact:
			b.WriteString(p.list[i-1])
		case i <= len(p.list):
			b.WriteString(padTo(p.list[i-1], p.lw))
		default:
			b.WriteString(sessionlist.Blank(p.lw))
		}
		b.WriteByte(' ')
		r, _ := pane.next()
		b.WriteString(r)
	}
}

// lines walks a block line by line without splitting it.
type lines struct {
	s    string
	done bool
}

func (c *lines) next() (string, bool) {
	if c.done {
		return "", false
	}
	l, rest, found := strings.Cut(c.s, "\n")
	c.s, c.done = rest, !found
	return l, true
}

func (m Model) listView() string {
	p := m.listParts()
	var b strings.Builder
	b.Grow(p.size())
	p.writeTo(&b)
	return b.String()
}

// clipTo cuts a rendered line to at most w cells.
func clipTo(l string, w int) string {
	if safetext.Width(l) > w {
		return ansi.Truncate(l, w, "")
	}
	return l
}

// padTo makes a rendered line exactly w cells wide.
func padTo(l string, w int) string { return safetext.PadStyled(l, w) }

// viewCache memoises parts of the frame that cost more to draw than the
// rest together; keyed on everything they depend on, so View stays a
// function of the model.
type viewCache struct {
	previewKey previewKey
	preview    string
	headerKey  headerKey
	header     string
	helpKey    helpKey
	help       string
	lines      map[rowLineKey]string
	tabsKey    tabsKey
	tabs       string
}

type previewKey struct {
	r     *row
	w, h  int
	age   string // the pane shows "updated … ago"
	theme *theme.Theme
	names *agentNames
}

func (m Model) cachedPreview(r *row, w, h int) string {
	m.ctx.found = m.st.isOutside // a copy: the preview says "found on server"
	key := previewKey{r: r, w: w, h: h, theme: m.ctx.Theme, names: m.ctx.names}
	if r != nil {
		key.age = age(m.ctx.Now(), r.S.UpdatedAt)
	}
	if m.cache == nil {
		return previewView(&m.ctx, r, w, h)
	}
	if m.cache.previewKey != key || m.cache.preview == "" {
		m.cache.previewKey, m.cache.preview = key, previewView(&m.ctx, r, w, h)
	}
	return m.cache.preview
}

func (m Model) emptyView() string {
	t := m.ctx.Theme
	switch {
	case m.load.active && m.st.loaded == 0:
		return t.Muted.Render("  " + m.spin.View() + " loading sessions…")
	case m.st.loaded == 0 && m.load.err != nil:
		return t.Muted.Render("  no sessions loaded — ctrl+r to retry")
	case m.st.loaded == 0:
		return t.Muted.Render("  no sessions")
	}
	return t.Muted.Render("  no sessions match — esc clears the filter")
}

// previewView shows the selected session's first user message and last
// assistant answer without any key press.
func previewView(ctx *Context, r *row, width, height int) string {
	t := ctx.Theme
	k := ctx.styles()
	inner := max(width-4, 10)
	if r == nil {
		return drawPane(t, k.Muted.Render("no session selected"), inner, height)
	}
	wrap := func(s string, lines int) string {
		if s == "" {
			return k.Muted.Render("—")
		}
		out := ansi.Wordwrap(s, inner, "")
		parts := strings.Split(out, "\n")
		if len(parts) > lines {
			parts = parts[:lines]
			parts[lines-1] = safetext.Truncate(parts[lines-1]+" "+safetext.Ellipsis, inner)
		}
		return strings.Join(parts, "\n")
	}
	title := r.Title
	titleStyle := &k.PaneTitle
	if r.Untitled {
		title, titleStyle = "(untitled)", &k.Untitled
	}
	tags := k.Muted.Render("no tags")
	if r.TagsText != "" {
		tags = k.Tag.Render(r.TagsText)
	}
	usage := k.Muted.Render("no usage yet")
	if u := r.S.Usage; u != nil {
		usage = k.Value.Render(compactTokens(r.Total)+" tokens") +
			k.Muted.Render(fmt.Sprintf(" (in %s · out %s · cache %s)", compactTokens(u.InputTokens), compactTokens(u.OutputTokens), compactTokens(u.CacheRead())))
	}
	cost := k.Muted.Render("—")
	if c := costText(&r.S); c != "" {
		cost = k.Value.Render(c)
	}
	source := ""
	if r.Source != "" {
		source = k.Muted.Render(" · via ") + k.Value.Render(r.Source)
	}
	var updated string
	switch a := age(ctx.Now(), r.S.UpdatedAt); a { // never "updated now ago"
	case "now":
		updated = "updated just now"
	case "—":
		updated = "updated —"
	default:
		updated = "updated " + a + " ago"
	}
	if ctx.found != nil && ctx.found(r) {
		updated = "found on server · " + updated // not among the loaded sessions
	}
	meta := metaLine(k, r, "", updated)
	room := height - 2 // border
	// A failed run leads with why it failed.
	var failure string
	if r.Act == string(apiclient.ActivityFailed) {
		why := r.Why
		if why == "" {
			why = "no reason given"
		}
		lines := 1
		if room >= 12 {
			lines = 2
		}
		var fl []string
		for _, l := range strings.Split(wrap(sessionlist.FailedGlyph+" failed: "+why, lines), "\n") {
			fl = append(fl, k.Failed.Render(l))
		}
		failure = strings.Join(fl, "\n")
		room -= lines
	}
	var body string
	if room >= 12 {
		head := strings.Join([]string{
			titleStyle.Render(safetext.Truncate(title, inner)),
			ansi.Truncate(meta, inner, safetext.Ellipsis), // meta is styled: ANSI-aware
			k.Label.Render("tags   ") + tags,
			k.Label.Render("usage  ") + usage,
			k.Label.Render("cost   ") + cost,
			k.Label.Render("agent  ") + k.Value.Render(ctx.agentLabel(r.S.AgentID)) + source,
		}, "\n")
		rest := room - 6 - 3 // head, blank, two labels
		each := rest / 2
		body = head + "\n\n" + k.Label.Render("Preview (first user message)") + "\n" + wrap(r.Preview, each) +
			"\n" + k.Label.Render("Output (last answer)") + "\n" + wrap(r.Output, rest-each)
	} else {
		if r.S.AgentID != "" { // no room for an agent line: it joins the meta line
			meta = metaLine(k, r, ctx.agentLabel(r.S.AgentID), updated)
		}
		body = strings.Join([]string{
			titleStyle.Render(safetext.Truncate(title, inner)),
			ansi.Truncate(meta, inner, safetext.Ellipsis), // meta is styled: ANSI-aware
			k.Label.Render("tags    ") + tags + k.Muted.Render(" · ") + cost + k.Muted.Render(" · ") + usage,
			k.Label.Render("Preview ") + r.Preview,
			k.Label.Render("Output  ") + r.Output,
		}, "\n")
	}
	if failure != "" {
		body = failure + "\n" + body
	}
	return drawPane(t, body, inner, height)
}

// metaLine is the preview's line of state: pinned, activity, the agent
// (when given), age and id.
func metaLine(k *styleKit, r *row, agent, updated string) string {
	meta := k.Status(r.Act).Render(r.Cell)
	if r.Pinned {
		meta = k.Pinned.Render(sessionlist.PinnedGlyph+" pinned") + k.Muted.Render(" · ") + meta
	}
	if agent != "" {
		meta += k.Muted.Render(" · ") + k.Value.Render(agent)
	}
	return meta + k.Muted.Render(" · "+updated+" · "+r.ID)
}

// drawPane draws the rounded pane around body by hand: the same frame as
// theme.Pane, at a fraction of lipgloss's cost, since the preview is
// redrawn on every cursor move.
func drawPane(t *theme.Theme, body string, inner, height int) string {
	side := t.PaneBorder.Render("│")
	rule := strings.Repeat("─", inner+2)
	lines := safetext.FitLines(body, inner, max(height-2, 1))
	var b strings.Builder
	// Body, two borders a line, padding (at most the pane's width) and the
	// two rules: one allocation.
	b.Grow(len(body) + height*(2*len(side)+inner+4) + 2*len(rule) + 64)
	b.WriteString(t.PaneBorder.Render("╭" + rule + "╮"))
	for _, l := range lines {
		b.WriteByte('\n')
		b.WriteString(side)
		b.WriteByte(' ')
		b.WriteString(l)
		b.WriteByte(' ')
		b.WriteString(side)
	}
	b.WriteByte('\n')
	b.WriteString(t.PaneBorder.Render("╰" + rule + "╯"))
	return b.String()
}

func (m Model) headerView() string {
	t := m.ctx.Theme
	c := m.headerCounts()
	parts := []string{t.HeaderTitle.Render("sessions")}
	if org := m.orgHeader(); org != "" {
		parts[0] += " " + t.Value.Render(org)
	}
	if w := m.windowText(); w != "" {
		parts = append(parts, t.HeaderInfo.Render(w)) // scrolled past the newest (window.go)
	} else if m.st.bounded && m.st.total > m.st.loaded {
		// Counts come from the server's total, not from what is kept.
		parts = append(parts, t.HeaderInfo.Render("newest ")+t.HeaderCount.Render(thousands(int64(m.st.loaded)))+
			t.HeaderInfo.Render(" of ")+t.HeaderCount.Render(thousands(int64(m.st.total)))+t.HeaderInfo.Render(" loaded"))
	} else if m.load.active && m.st.total > m.st.loaded {
		// Mid-load the kept rows are not the total: say how far it got.
		parts = append(parts, t.HeaderCount.Render(thousands(int64(m.st.loaded)))+t.HeaderInfo.Render(" of ")+
			t.HeaderCount.Render(thousands(int64(m.st.total)))+t.HeaderInfo.Render(" loaded"))
	} else if m.st.loaded == 0 && apiclient.IsOrgRequired(m.load.err) {
		// Nothing is known yet, not "0 total": the server waits for a choice.
		parts = append(parts, t.HeaderInfo.Render("choose an organisation (O)"))
	} else {
		parts = append(parts, t.HeaderCount.Render(thousands(int64(m.st.loaded)))+t.HeaderInfo.Render(" total"))
	}
	if f := m.facts.facets; f != nil {
		// The organisation's figures, from the facets of the last load or refresh.
		parts = append(parts, t.StatusActive.Render(compactTokens(max(f.ActiveNow, 0)))+t.HeaderInfo.Render(" active"),
			t.StatusFailed.Render(compactTokens(max(f.FailedToday, 0)))+t.HeaderInfo.Render(" failed today"),
			t.HeaderCount.Render(compactTokens(max(f.TokensToday, 0)))+t.HeaderInfo.Render(" tokens today"))
		if f.P95DurationMS > 0 {
			parts = append(parts, t.HeaderInfo.Render("p95 ")+t.HeaderCount.Render(p95Text(f.P95DurationMS)))
		}
	} else if c != nil {
		for _, a := range []string{"running", "failed"} {
			parts = append(parts, t.Status(a).Render(a)+" "+t.HeaderInfo.Render(thousands(int64(c[a]))))
		}
	}
	if m.load.agentID != "" {
		parts = append(parts, t.HeaderInfo.Render("agent ")+t.Value.Render(safetext.Truncate(m.ctx.agentLabel(m.load.agentID), 24)))
	}
	left := strings.Join(parts, t.HeaderInfo.Render(" · "))

	var right []string
	if v := m.currentView(); v != "" {
		// Named in words, so it reads without colour.
		right = append(right, t.Label.Render("view ")+t.Match.Render(safetext.Truncate(v, 24)))
	}
	if m.spec.hideResolved {
		right = append(right, t.Muted.Render("resolved hidden"))
	}
	if m.load.active {
		right = append(right, m.spin.View()+" "+progressText(m.load.loaded, m.load.total, 10))
	}
	if b := m.ops.bulk; b != nil {
		right = append(right, fmt.Sprintf("%s %s", b.verb, progressText(b.done, b.total, 10)))
	}
	if len(m.marked) > 0 {
		right = append(right, t.MarkGlyph.Render(fmt.Sprintf("● %d marked", len(m.marked))))
	}
	if a := m.refresh.hold.announce(m.spec.reverse); a != "" {
		right = append(right, t.Toast.Render(a)) // held by the refresh, taken in by a move
	}
	switch {
	case m.refresh.failed:
		right = append(right, t.Warning.Render("⚠ refresh failed"))
	case m.refresh.paused:
		right = append(right, t.Muted.Render("⏸ paused"))
	}
	return spread(left, strings.Join(right, "  "), m.ctx.Width)
}

// p95Text is a duration in milliseconds, short: 850ms, 12s, 4m, 2h.
func p95Text(ms int64) string {
	d := time.Duration(min(ms, int64(math.MaxInt64/time.Millisecond))) * time.Millisecond
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", ms)
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 1000*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return "long"
}

// headerCounts counts the loaded sessions by activity, for the header
// until the facets arrive; nil while the list holds less than the server
// (the kept rows would understate, and the server's stats count statuses,
// not activities).
func (m Model) headerCounts() map[string]int {
	if m.partial() {
		return nil
	}
	return m.view.statusAll
}

func progressText(done, total, width int) string {
	if total <= 0 {
		return fmt.Sprintf("loading %s", thousands(int64(done)))
	}
	filled := min(width*done/total, width)
	return fmt.Sprintf("%s %s/%s", strings.Repeat("▰", filled)+strings.Repeat("▱", width-filled), thousands(int64(done)), thousands(int64(total)))
}

// partial reports whether the list holds less than the server has: a load
// under way or one that never finished.
func (m Model) partial() bool {
	return m.load.active || !m.load.complete || m.st.bounded && m.st.total > m.st.loaded
}

// tabCounts are the tabs' counts: the server's facets while the list is
// partial and no words filter it, else the loaded rows counted here.
func (m Model) tabCounts() [statusTabs]int64 {
	var out [statusTabs]int64
	if f := m.facts.facets; f != nil && m.partial() && m.spec.q.Empty() && !m.spec.hideResolved {
		out[tabAll] = max(f.Total, 0)
		for i := tabAll + 1; i < statusTabs; i++ {
			out[i], _ = m.facts.activityCount(i.activity())
		}
		return out
	}
	for i, n := range m.view.tabCounts {
		out[i] = int64(n)
		if c, ok := m.serverTabCount(statusTab(i)); ok {
			out[i] = int64(c)
		}
	}
	return out
}

func (m Model) tabsView() string {
	t := m.ctx.Theme
	var tabs []string
	counts := m.tabCounts()
	for i := range statusTabs {
		label := fmt.Sprintf("%s %s", statusTab(i), thousands(counts[i]))
		if i == m.spec.tab {
			// Brackets keep the active tab visible without colour.
			tabs = append(tabs, t.RowSelected.Render("["+label+"]"))
		} else {
			tabs = append(tabs, t.Muted.Render(" "+label+" "))
		}
	}
	left := strings.Join(tabs, "")
	dir := "↓"
	if m.spec.reverse {
		dir = "↑"
	}
	right := t.Label.Render("sort ") + t.Value.Render(m.spec.sortLabel()+" "+dir)
	if m.mode == modeFilter {
		return spread(left, m.filter.View(), m.ctx.Width)
	}
	if m.spec.q.Raw != "" {
		right = t.Label.Render("filter ") + t.Match.Render(safetext.Truncate(m.spec.q.Raw, 30)) +
			t.Muted.Render(fmt.Sprintf(" %s matches", thousands(int64(len(m.view.rows))))) + "  " + right
	}
	return spread(left, right, m.ctx.Width)
}

// queryProblemLine says what is wrong with the query being typed (the rest
// of it applies), or "" when nothing is.
func (m Model) queryProblemLine(width int) string {
	if m.mode != modeFilter {
		return ""
	}
	probs := m.spec.q.Problems()
	if len(probs) == 0 {
		return ""
	}
	t := m.ctx.Theme
	p := probs[0]
	text := p.Msg
	if extra := len(probs) - 1; extra > 0 {
		text += fmt.Sprintf(" (+%d more)", extra)
	}
	style, mark := t.Warning, "✗ "
	if p.Hint {
		style, mark = t.Muted, "ⓘ "
	}
	return style.Render(safetext.Truncate(mark+safetext.Line(text, 512), max(width, 1)))
}

func (m Model) statusView() string {
	t := m.ctx.Theme
	if p := m.quitPrompt(); p != "" {
		return t.Warning.Render(safetext.Truncate(p, max(m.ctx.Width, 1)))
	}
	if p := m.pending; p != nil && p.typed != nil {
		k := m.ctx.Keys
		hint := " " + k.TypedConfirm.Help().Key + "/" + k.TypedCancel.Help().Key
		return t.Warning.Render(safetext.Truncate(p.question, max(m.ctx.Width-24, 1))) + p.typed.View() + t.Muted.Render(hint)
	}
	if p := m.pending; p != nil {
		k := m.ctx.Keys
		return t.Warning.Render(safetext.Truncate(p.question+" "+k.Confirm.Help().Key+"/"+k.Deny.Help().Key, max(m.ctx.Width, 1)))
	}
	switch m.status.kind {
	case statusToast:
		if m.status.warn {
			return t.Warning.Render("⏳ " + m.status.text)
		}
		return t.Toast.Render("✓ " + m.status.text)
	case statusError:
		return t.Error.Render("✗ " + m.status.text)
	case statusWarning:
		return t.Warning.Render("⚠ " + m.status.text)
	case statusInfo:
		return t.StatusLine.Render(m.status.text)
	}
	if len(m.ops.inflight) > 0 {
		return t.StatusLine.Render(m.spin.View() + " saving…")
	}
	if n := m.queryNote(); n != "" && m.mode == modeList && m.spec.q.Raw != "" {
		return t.Muted.Render("ⓘ " + n) // a kept filter: what its count covers
	}
	return ""
}

func (m Model) helpView() string {
	return m.help.ShortHelpView(keepHelp(m.shortHelp(), m.ctx.Keys.Help, m.ctx.Width-2))
}

// keepHelp fits bindings in width like fitHelp, but never drops the help
// binding (when the mode has one): the footer always says how to get help,
// and gives up others first.
func keepHelp(bindings []key.Binding, help key.Binding, width int) []key.Binding {
	i := slices.IndexFunc(bindings, func(b key.Binding) bool { return slices.Equal(b.Keys(), help.Keys()) })
	if fit := fitHelp(bindings, width); i < 0 || len(fit) > i {
		return fit
	}
	rest := append(slices.Clone(bindings[:i]), bindings[i+1:]...)
	hw := safetext.Width(help.Help().Key) + 1 + safetext.Width(help.Help().Desc) + 3
	return append(fitHelp(rest, width-hw), help)
}

// fitHelp keeps the bindings whose short help fits in width. bubbles/help
// adds an item that overflows when its ellipsis would not fit, so the
// list is cut here instead.
func fitHelp(bindings []key.Binding, width int) []key.Binding {
	used := 0
	for i, b := range bindings {
		w := safetext.Width(b.Help().Key) + 1 + safetext.Width(b.Help().Desc)
		if i > 0 {
			w += 3 // " • "
		}
		if used+w > width {
			return bindings[:i]
		}
		used += w
	}
	return bindings
}

func (m Model) shortHelp() []key.Binding {
	k := m.ctx.Keys
	switch m.mode {
	case modeDetail:
		if m.detail.Searching() {
			return append(m.detail.ShortHelp(), k.ForceQuit)
		}
		out := append(m.detail.ShortHelp(), k.Edit)
		out = append(out, m.shortActionBindings(inDetail)...)
		return append(out, k.Undo, k.Back, k.Help)
	case modeEdit:
		return m.form.ShortHelp()
	case modeFilter:
		return []key.Binding{k.FilterKeep, k.FilterClear}
	case modeHelp:
		return m.keys.ShortHelp()
	case modeAgents:
		return m.agents.ShortHelp()
	case modeOrgs:
		return m.orgs.ShortHelp()
	case modeViews:
		return m.pickViews.ShortHelp()
	case modeJump:
		if m.jump.offer != nil {
			return []key.Binding{k.Confirm, k.Deny}
		}
		return []key.Binding{k.Open, k.Back}
	case modeUsage:
		if m.usage != nil {
			return m.usage.ShortHelp()
		}
		return []key.Binding{k.Back}
	}
	out := append([]key.Binding{k.Down, k.Open, k.Edit}, m.shortActionBindings(inList|inMarked)...)
	return append(out, k.Undo, k.Filter, k.Mark, k.Help, k.Quit)
}

// spread puts left and right on one line of width w, right-aligned.
func spread(left, right string, w int) string {
	gap := w - safetext.Width(left) - safetext.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, max(w-safetext.Width(right)-1, 0), "…") + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// fitBlock makes s exactly h lines, none wider than w.
func fitBlock(s string, w, h int) string { return safetext.Fit(s, w, h) }

// fitScreen is the last guard: whatever a component drew, the frame never
// exceeds the terminal, so the layout cannot scroll or wrap.
func fitScreen(s string, w, h int) string { return fitBlock(s, w, h) }
