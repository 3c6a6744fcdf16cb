package usageview

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/safetext"
)

// Fixed column widths of the breakdown tables, in cells.
const (
	wSessions = 8
	wPrompt   = 8
	wOutput   = 8
	wHit      = 9
	wCost     = 9
	wShare    = 6
	wYAxis    = 7 // the chart's value labels
	minName   = 8
)

// maxChartRows bounds the chart's height: taller, and a tall terminal's
// spare rows would stretch bars rather than show more.
const maxChartRows = 20

// layout is how the height is shared; View and the scrolling agree on it.
type layout struct {
	totals []string // one or two lines
	chartH int      // rows of bars; 0 hides the chart block
	rows   int      // table rows
}

// chartBlock is the chart's lines: bars, axis, and the cursor's figures.
func (l layout) chartBlock() int {
	if l.chartH == 0 {
		return 0
	}
	return l.chartH + 2
}

func (m *Model) layout() layout {
	l := layout{totals: m.totalsLines()}
	rest := m.h - 1 - len(l.totals) - 2 // heading, totals, tab bar, table header
	if rest >= 8 {
		l.chartH = min(max((m.h-12)/3, 2), maxChartRows)
		// Rows the breakdown tables leave go to the chart (the same on
		// every table, so that tab does not make it jump); a long table
		// keeps half the rows and scrolls.
		if spare := rest - (l.chartH + 2) - min(m.breakdownRows(), max(rest/2, 6)); spare > 0 {
			l.chartH = min(l.chartH+spare, maxChartRows)
		}
		rest -= l.chartH + 2
	}
	if m.table == TopSessions {
		rest-- // the bar scale
	}
	l.rows = max(rest, 0)
	return l
}

// breakdownRows is the longest breakdown table (1 for "no sessions").
func (m *Model) breakdownRows() int {
	n := 1
	for i := range m.tables {
		n = max(n, len(m.tables[i].order))
	}
	return n
}

// tableRows is how many table rows fit.
func (m *Model) tableRows() int { return m.layout().rows }

// View draws the view in its size: every line at most w cells, at most h lines.
func (m Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	m.clampTable() // a resize may have left the cursor off screen
	l := m.layout()
	u := &m.theme.Usage
	lines := make([]string, 0, m.h)
	step := m.series().step
	lines = append(lines, u.Title.Render("Token usage")+u.Note.Render(fmt.Sprintf(" · %s · per %s of created_at (UTC) · %s",
		plural(m.total.Sessions, "session"), step, m.metric)))
	for _, t := range l.totals {
		lines = append(lines, u.Total.Render(t))
	}
	if l.chartH > 0 {
		lines = append(lines, m.chart(l.chartH)...)
	}
	lines = append(lines, m.tabBar())
	if m.table == TopSessions {
		lines = append(lines, m.topView(l.rows)...)
	} else {
		lines = append(lines, m.breakdownView(l.rows)...)
	}
	if len(lines) > m.h {
		lines = lines[:m.h]
	}
	for i, s := range lines {
		if ansi.StringWidth(s) > m.w {
			lines[i] = ansi.Truncate(s, m.w, "")
		}
	}
	return strings.Join(lines, "\n")
}

// totalsLines is the totals in one or two lines of the width: the prompt's
// parts are dropped before anything is cut.
func (m *Model) totalsLines() []string {
	t := &m.total
	costs := []string{"cost —"}
	if t.CostedSessions > 0 {
		usd := fmtUSD(t.CostUSD)
		if sh := t.EstimatedShare(); sh > 0 {
			costs = []string{"cost ~" + usd + " (" + common.Percent(sh) + " estimated)", "cost ~" + usd + " (" + common.Percent(sh) + " est.)"}
		} else {
			costs = []string{"cost " + usd}
		}
		if n := t.Sessions - t.CostedSessions; n > 0 {
			long, short := costs[0]+", "+plural(n, "session")+" without", costs[len(costs)-1]+", none for "+groupDigits(int64(n))
			costs = []string{long, short}
		}
	}
	parts := fmt.Sprintf("prompt %s = input %s + cache read %s + cache write %s", common.CompactCount(t.Prompt()),
		common.CompactCount(t.InputTokens), common.CompactCount(t.CacheReadTokens), common.CompactCount(t.CacheCreationTokens))
	rest := []string{"output " + common.CompactCount(t.OutputTokens), "total " + common.CompactCount(t.Total()),
		"cache hit " + common.Percent(t.CacheHitRatio())}
	// The prompt's parts go only after the shorter cost wording did not help.
	var lines []string
	for _, prompt := range []string{parts, "prompt " + common.CompactCount(t.Prompt())} {
		for _, cost := range costs {
			segs := append(append([]string{prompt}, rest...), cost)
			if lines = wrap(segs, " · ", m.w); len(lines) <= 2 {
				return lines
			}
		}
	}
	for i := range lines {
		lines[i] = safetext.Truncate(lines[i], m.w)
	}
	return lines[:min(len(lines), 2)]
}

// value is a bucket's figure in the metric.
func (m *Model) value(r *apiclient.UsageRow) float64 {
	if m.metric == Cost {
		return r.CostUSD
	}
	return float64(r.Total())
}

func (m *Model) fmtValue(v float64) string {
	if m.metric == Cost {
		return fmtUSD(v)
	}
	return common.CompactCount(int64(min(v, 9.2e18)))
}

var eighths = []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// chartGeometry is the width of one bucket's column (wider when few
// buckets) and how many buckets fit.
func (m *Model) chartGeometry() (colW, fit int) {
	width := max(m.w-wYAxis-1, 1)
	n := max(len(m.series().buckets), 1)
	colW = min(max(width/n, 1), 6)
	return colW, width / colW
}

// window is the buckets shown: the newest that fit, or from the cursor
// when it went further back.
func (m *Model) window() (from, to int) {
	_, fit := m.chartGeometry()
	n := len(m.series().buckets)
	from = max(0, min(n-fit, m.col))
	return from, min(from+fit, n)
}

// chart is the time series: bars scaled to the largest bucket shown, the
// axis with the first and last bucket shown, ticks between them and the
// cursor (▲), and the cursor's figures.
func (m *Model) chart(h int) []string {
	u := &m.theme.Usage
	s := m.series()
	colW, _ := m.chartGeometry()
	from, to := m.window()
	var top float64
	for i := from; i < to; i++ {
		top = max(top, m.value(&s.buckets[i]))
	}
	levels := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		v := m.value(&s.buckets[i])
		level := 0
		if top > 0 && v > 0 {
			level = max(int(v/top*float64(h*8)+0.5), 1) // any usage shows
		}
		levels = append(levels, level)
	}
	cell := func(level, r int) string {
		g := eighths[min(max(level-r*8, 0), 8)]
		if colW > 1 {
			g = strings.Repeat(g, colW-1) + " " // a gap between wide columns
		}
		return g
	}
	lines := make([]string, 0, h+2)
	for r := h - 1; r >= 0; r-- {
		axis := strings.Repeat(" ", wYAxis)
		switch r {
		case h - 1:
			axis = padLeft(m.fmtValue(top), wYAxis)
		case 0:
			axis = padLeft("0", wYAxis)
		}
		var before, at, after strings.Builder
		for i, level := range levels {
			switch {
			case from+i < m.col:
				before.WriteString(cell(level, r))
			case from+i == m.col:
				at.WriteString(cell(level, r))
			default:
				after.WriteString(cell(level, r))
			}
		}
		lines = append(lines, u.Axis.Render(axis+"│")+u.Bar.Render(before.String())+
			u.BarCursor.Render(at.String())+u.Bar.Render(after.String()))
	}
	axis := []rune(strings.Repeat("─", max(len(levels)*colW, 1)))
	if to > from {
		put := func(at int, text string) {
			for i, r := range []rune(text) {
				if at+i >= 0 && at+i < len(axis) {
					axis[at+i] = r
				}
			}
		}
		first, last := bucketLabel(s.step, s.buckets[from].Start), bucketLabel(s.step, s.buckets[to-1].Start)
		put(0, first)
		lastAt := len(axis) // no label there
		if len(axis) >= len(first)+len(last)+3 {
			lastAt = len(axis) - len(last)
			put(lastAt, last)
		}
		// The cursor's mark, unless on a label (the line below names it).
		c := -10
		if at := (m.col - from) * colW; m.col >= from && m.col < to && at > len(first) && at < lastAt-1 {
			c = at
			put(c, "▲")
		}
		// Ticks between the ends where they fit, clear of the mark.
		free := len(first) + 1
		for i := from + 1; i < to-1; i++ {
			text, ok := tickLabel(s.step, s.buckets[i].Start, colW)
			at := (i - from) * colW
			if !ok || at < free || at+len(text)+2 > lastAt || (c >= at-1 && c <= at+len(text)) {
				continue
			}
			put(at, text)
			free = at + len(text) + 1
		}
	}
	lines = append(lines, u.Axis.Render(strings.Repeat(" ", wYAxis)+"└"+string(axis)))
	lines = append(lines, m.cursorLine())
	return lines
}

// bucketLabel names a bucket on the axis: 2026-08-19, or 08-19 21h.
func bucketLabel(step Step, t time.Time) string {
	if step == Hourly {
		return t.Format("01-02 15h")
	}
	return t.Format(time.DateOnly)
}

// tickLabel names a bucket inside the axis when it starts a period worth a
// mark at this column width: midnights (and every 6 hours when wide) on an
// hourly chart; months, Mondays or every day on a daily one.
func tickLabel(step Step, t time.Time, colW int) (string, bool) {
	if step == Hourly {
		switch {
		case t.Hour() == 0:
			return t.Format("01-02"), true
		case colW >= 2 && t.Hour()%6 == 0:
			return t.Format("15h"), true
		}
		return "", false
	}
	switch {
	case colW >= 6, colW >= 2 && t.Weekday() == time.Monday:
		return t.Format("01-02"), true
	case t.Day() == 1 && t.Month() == time.January:
		return t.Format("2006"), true
	case t.Day() == 1:
		return t.Format("Jan"), true
	}
	return "", false
}

// cursorLine is the figures of the bucket under the chart's cursor.
func (m *Model) cursorLine() string {
	u := &m.theme.Usage
	s := m.series()
	if m.col < 0 || m.col >= len(s.buckets) {
		return u.Note.Render("no sessions")
	}
	b := &s.buckets[m.col]
	when := b.Start.Format(time.DateOnly)
	if s.step == Hourly {
		when = b.Start.Format("2006-01-02 15:00")
	}
	cost := "no cost"
	if b.CostedSessions > 0 {
		cost = fmtUSD(b.CostUSD)
		if b.EstimatedShare() > 0 {
			cost = "~" + cost
		}
	}
	text := fmt.Sprintf("▸ %s UTC: %s · %s tokens · %s · %s %s/%s", when, plural(b.Sessions, "session"),
		common.CompactCount(b.Total()), cost, s.step, groupDigits(int64(m.col+1)), groupDigits(int64(len(s.buckets))))
	if s.outside > 0 {
		text += fmt.Sprintf(" · %s outside the chart", plural(s.outside, "session"))
	}
	return u.Note.Render(safetext.Truncate(text, m.w))
}

// tabBar names the tables, the one shown marked, and its order.
func (m *Model) tabBar() string {
	u := &m.theme.Usage
	var b strings.Builder
	for t := range numTables {
		if t > 0 {
			b.WriteString(u.Tab.Render(" │ "))
		}
		if t == m.table { // bracketed, as the list's tab: visible without colour
			b.WriteString(u.TabActive.Render("[" + t.String() + "]"))
		} else {
			b.WriteString(u.Tab.Render(t.String()))
		}
	}
	note := "  by " + m.metric.String() + " (c)"
	if m.table != TopSessions {
		bd := &m.tables[m.table]
		dir := "▼"
		if bd.asc {
			dir = "▲"
		}
		note = "  sort " + m.columnTitle(bd.sortBy) + " " + dir + " (s/r)"
	}
	return b.String() + u.Note.Render(note)
}

func (m *Model) columnTitle(c Column) string {
	if c == ColShare {
		return "share of " + m.metric.String()
	}
	return c.String()
}

// breakdownView is the table header and the rows shown.
func (m *Model) breakdownView(rows int) []string {
	u := &m.theme.Usage
	bd := &m.tables[m.table]
	free := m.w - 2 - wSessions - wPrompt - wOutput - wHit - wCost - wShare - 6
	nameW := max(min(free, 40), minName)
	barW := free - nameW - 2 // wide screens: a bar of each row's share
	if barW < 10 {
		barW = 0
	}
	head := func(c Column, w int) string {
		name := c.String()
		if c == ColShare {
			name = "share"
		}
		if c == bd.sortBy {
			if bd.asc {
				name += "▲"
			} else {
				name += "▼"
			}
		}
		st := u.Header
		if c == bd.sortBy {
			st = u.SortHeader
		}
		if c == ColName {
			return st.Render(safetext.Pad(name, w))
		}
		return st.Render(padLeft(name, w))
	}
	out := []string{"  " + head(ColName, nameW) + " " + head(ColSessions, wSessions) + " " + head(ColPrompt, wPrompt) +
		" " + head(ColOutput, wOutput) + " " + head(ColCacheHit, wHit) + " " + head(ColCost, wCost) + " " + head(ColShare, wShare)}
	denom := m.value(&m.total)
	var largest float64
	if barW > 0 {
		out[0] += "  " + u.Header.Render(safetext.Pad(m.columnTitle(ColShare)+" (bar: 0 to the largest row)", barW))
		for i := range bd.rows {
			largest = max(largest, m.value(&bd.rows[i]))
		}
	}
	for i := bd.off; i < len(bd.order) && i < bd.off+rows; i++ {
		r := &bd.rows[bd.order[i]]
		cost := "—"
		if r.CostedSessions > 0 {
			cost = fmtUSD(r.CostUSD)
			if r.EstimatedShare() > 0 {
				cost = "~" + cost
			}
		}
		share := "—"
		if denom > 0 {
			share = common.Percent(m.value(r) / denom)
		}
		line := safetext.Pad(bd.labels[bd.order[i]], nameW) + " " + padLeft(groupDigits(int64(r.Sessions)), wSessions) +
			" " + padLeft(common.CompactCount(r.Prompt()), wPrompt) + " " + padLeft(common.CompactCount(r.OutputTokens), wOutput) +
			" " + padLeft(common.Percent(r.CacheHitRatio()), wHit) + " " + padLeft(cost, wCost) + " " + padLeft(share, wShare)
		var bar string
		if barW > 0 && largest > 0 {
			n := int(m.value(r)/largest*float64(barW) + 0.5)
			if m.value(r) > 0 {
				n = max(n, 1)
			}
			bar = "  " + u.Bar.Render(strings.Repeat("█", min(n, barW)))
		}
		if i == bd.cursor {
			out = append(out, u.BarCursor.Render("▸ ")+u.RowCursor.Render(line)+bar)
		} else {
			out = append(out, "  "+u.Row.Render(line)+bar)
		}
	}
	if len(bd.order) == 0 {
		out = append(out, u.Note.Render("  no sessions"))
	}
	return out
}

// topView is the top sessions: rank, title, a bar scaled from the smallest
// to the largest value shown (so that close values still differ), the value.
func (m *Model) topView(rows int) []string {
	u := &m.theme.Usage
	l := m.top.list(m.metric)
	rankW := len(groupDigits(int64(len(l)))) + 1
	valW := 9
	titleW := max(min((m.w-2-rankW-valW-3)/2, 60), minName)
	barW := max(m.w-2-rankW-titleW-valW-3, 1)
	out := []string{"  " + u.Header.Render(padLeft("#", rankW)+" "+safetext.Pad("session", titleW)+" "+
		safetext.Pad("bar", barW)+" "+padLeft(m.metric.String()+"▼", valW))}
	from, to := m.top.offset, min(m.top.offset+rows, len(l))
	lo, hi := 0.0, 0.0
	for i := from; i < to; i++ {
		v := m.top.entries[l[i]].value(m.metric)
		if i == from || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	for i := from; i < to; i++ {
		e := &m.top.entries[l[i]]
		v := e.value(m.metric)
		n := barW
		if hi > lo {
			n = 1 + int((v-lo)/(hi-lo)*float64(barW-1)+0.5)
		}
		val := m.fmtValue(v)
		if m.metric == Cost && e.estimated {
			val = "~" + val
		}
		title := safetext.Line(e.s.TitleOrEmpty(), 400)
		if title == "" {
			title = safetext.Line(e.s.PreviewOrEmpty(), 400)
		}
		if title == "" {
			title = safetext.Line(e.s.ID, 200)
		}
		text := padLeft(groupDigits(int64(i+1)), rankW) + " " + safetext.Pad(title, titleW) + " "
		bar := strings.Repeat("█", n) + strings.Repeat(" ", barW-n)
		if i == m.top.cursor {
			out = append(out, u.BarCursor.Render("▸ ")+u.RowCursor.Render(text)+u.BarCursor.Render(bar)+" "+u.RowCursor.Render(padLeft(val, valW)))
		} else {
			out = append(out, "  "+u.Row.Render(text)+u.Bar.Render(bar)+" "+u.Row.Render(padLeft(val, valW)))
		}
	}
	if len(l) == 0 {
		out = append(out, u.Note.Render("  no usage in these sessions"))
	}
	for len(out) < rows+1 {
		out = append(out, "")
	}
	scale := "bar scale: linear, " + m.fmtValue(lo) + " (min shown) → " + m.fmtValue(hi) + " (max shown)"
	if len(l) > 0 {
		scale += fmt.Sprintf(" · %d–%d of %s", from+1, to, groupDigits(int64(len(l))))
	}
	return append(out, u.Note.Render(safetext.Truncate(scale, m.w)))
}
