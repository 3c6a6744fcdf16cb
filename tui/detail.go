package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/live"
	"github.com/everruns/sessions/tui/safetext"
)

// detailTimeLayout is how absolute timestamps are shown (always UTC).
const detailTimeLayout = "2006-01-02 15:04:05"

// detailFetchTimeout bounds the refetch of the session after a turn.
const detailFetchTimeout = 30 * time.Second

// detailWide is the terminal width from which fields and usage sit side by
// side in two columns.
const detailWide = 120

// Caps on server strings shown in the fields block.
const (
	detailMaxCaps      = 64
	detailMaxCapsBytes = 1024
)

// detailFields is a session's fields as the detail view shows them: every
// server string sanitised once, in SetRow.
type detailFields struct {
	title    string // "" when untitled
	id       string
	status   string
	act      string // activity, for the colour
	cell     string // activity in words (see activityOf)
	cost     string // "—" when none
	source   string // "—" when none
	agent    string
	model    string // "—" when null
	org      string
	tags     string // "—" when none
	caps     string // "—" when none
	created  *time.Time
	started  *time.Time
	finished *time.Time
	updated  *time.Time
	usage    *apiclient.TokenUsage
}

func newDetailFields(r *row) detailFields {
	s := r.s
	f := detailFields{
		id:       r.id,
		status:   r.status,
		act:      r.act,
		cell:     r.cell,
		cost:     costText(&r.s),
		source:   safetext.Line(string(s.Source), maxTagBytes),
		agent:    r.agent,
		model:    "—",
		org:      safetext.Line(s.OrganizationID, maxTagBytes),
		tags:     "—",
		caps:     "—",
		started:  s.StartedAt,
		finished: s.FinishedAt,
	}
	if !r.untitled {
		f.title = r.title
	}
	if s.ModelID != nil {
		if m := safetext.Line(*s.ModelID, maxTagBytes); m != "" {
			f.model = m
		}
	}
	if f.agent == "" {
		f.agent = "—"
	}
	if f.cost == "" {
		f.cost = "—"
	}
	if f.source == "" {
		f.source = "—"
	}
	if f.org == "" {
		f.org = "—"
	}
	if r.tagsText != "" {
		f.tags = r.tagsText
	}
	var caps []string
	n := 0
	for _, c := range s.Capabilities {
		ref := safetext.Line(c.Ref, maxTagBytes)
		if ref == "" {
			continue
		}
		if len(caps) == detailMaxCaps || n+len(ref) > detailMaxCapsBytes {
			caps = append(caps, "…")
			break
		}
		caps = append(caps, ref)
		n += len(ref) + 2
	}
	if len(caps) > 0 {
		f.caps = strings.Join(caps, ", ")
	}
	if !s.CreatedAt.IsZero() {
		t := s.CreatedAt
		f.created = &t
	}
	if !s.UpdatedAt.IsZero() {
		t := s.UpdatedAt
		f.updated = &t
	}
	if s.Usage != nil {
		u := *s.Usage
		f.usage = &u
	}
	return f
}

// detailModel shows one session: its fields and token usage on top, its
// transcript in a scrollable viewport below.
//
// Server text is sanitised when it arrives (SetRow, tui/live) and the
// transcript is laid out then and on resize; View only assembles the fixed
// fields block (which depends on ctx.Now for relative ages) and the viewport's
// visible lines, so its cost is O(screen).
type detailModel struct {
	ctx *Context
	w   int // the rectangle the root hands out (SetSize)
	h   int
	row *row
	gen int
	f   detailFields

	loading  bool
	errText  string // sanitised one-line error of the last transcript request
	renderW  int    // width the transcript was laid out at
	contentN int    // number of transcript lines

	headerN int // lines of the fields block at the current width
	vp      viewport.Model

	// The live transcript (see detail_live.go): tr is nil until the
	// stored transcript arrives; stream is nil when not following.
	api    API
	cancel context.CancelFunc
	tr     *live.Transcript
	stream *apiclient.Stream
	follow live.Follow
}

// newDetail opens the detail view of r; gen stamps what OpenLive starts.
func newDetail(ctx *Context, r *row, gen int) detailModel {
	m := detailModel{ctx: ctx, row: r, gen: gen, loading: true}
	if ctx != nil {
		m.w, m.h = ctx.Width, ctx.Height
	}
	m.vp = viewport.New(0, 0)
	if r != nil {
		m.f = m.fieldsOf(r)
	}
	m = m.layout()
	m.renderTranscript()
	return m
}

// ID is the raw id of the session shown.
func (m detailModel) ID() string {
	if m.row == nil {
		return ""
	}
	return m.row.s.ID
}

// SetSize hands the view its rectangle and lays out again; the transcript
// is laid out anew only when the width changes.
func (m detailModel) SetSize(w, h int) detailModel {
	m.w, m.h = max(w, 0), max(h, 0)
	m = m.layout()
	if m.w != m.renderW {
		m.renderTranscript()
	}
	return m
}

// SetRow replaces the session shown (after a save or a refresh) and keeps the
// transcript and its scroll position.
func (m detailModel) SetRow(r *row) detailModel {
	if r == nil {
		return m
	}
	m.row = r
	m.f = m.fieldsOf(r)
	if m.tr != nil {
		// A fresh copy of the session is authoritative (usage, cost).
		m.tr.SetSession(r.s)
	}
	m.applyLive()
	return m.layout()
}

// fieldsOf is newDetailFields with the agent's display name when known.
func (m detailModel) fieldsOf(r *row) detailFields {
	f := newDetailFields(r)
	if m.ctx != nil && r.s.AgentID != "" {
		f.agent = m.ctx.agentLabel(r.s.AgentID)
	}
	return f
}

// Update handles the transcript arriving and scrolling.
func (m detailModel) Update(msg tea.Msg) (detailModel, tea.Cmd) {
	if lm, cmd, ok := m.updateLive(msg); ok {
		return lm, cmd
	}
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.ctx == nil || m.ctx.Keys == nil {
			return m, nil
		}
		k := m.ctx.Keys
		switch {
		case key.Matches(msg, k.Up):
			m.vp.ScrollUp(1)
			m.follow.Scrolled(true, m.vp.AtBottom())
		case key.Matches(msg, k.Down):
			m.vp.ScrollDown(1)
			m.follow.Scrolled(false, m.vp.AtBottom())
		case key.Matches(msg, k.PageUp):
			m.vp.PageUp()
			m.follow.Scrolled(true, m.vp.AtBottom())
		case key.Matches(msg, k.PageDown):
			m.vp.PageDown()
			m.follow.Scrolled(false, m.vp.AtBottom())
		case key.Matches(msg, k.Top):
			m.vp.GotoTop()
			m.follow.Scrolled(true, m.vp.AtBottom())
		case key.Matches(msg, k.Bottom):
			// G: back to the bottom, following again.
			m.vp.GotoBottom()
			m.follow.Resume()
		}
		return m, nil

	case tea.MouseMsg:
		var cmd tea.Cmd
		y := m.vp.YOffset
		m.vp, cmd = m.vp.Update(msg)
		if m.vp.YOffset != y {
			m.follow.Scrolled(m.vp.YOffset < y, m.vp.AtBottom())
		}
		return m, cmd
	}
	return m, nil
}

// height is the number of lines View may use.
func (m detailModel) height() int {
	return m.h
}

func (m detailModel) width() int {
	return m.w
}

// layout sizes the viewport below the fields block and the rule line.
func (m detailModel) layout() detailModel {
	if m.ctx == nil || m.ctx.Theme == nil {
		return m
	}
	h := m.height()
	m.headerN = min(len(m.header(time.Time{})), detailHeaderCap(h))
	m.vp.Width = m.width()
	m.vp.Height = max(0, h-m.headerN-1)
	m.vp.SetYOffset(m.vp.YOffset) // clamp to the new height
	return m
}

// renderTranscript lays the transcript out at the current width and hands it
// to the viewport, keeping the scroll position.
func (m *detailModel) renderTranscript() {
	if m.ctx == nil || m.ctx.Theme == nil {
		return
	}
	t, w := m.ctx.Theme, m.width()
	m.renderW = m.w
	before := m.contentN
	defer m.afterContent(before)
	var lines []string
	if m.errText != "" {
		lines = append(lines, detailFit(w,
			detailSeg{"Could not load transcript: ", t.Error},
			detailSeg{m.errText, t.Error}))
	}
	switch {
	case m.loading:
		lines = append(lines, t.Muted.Render(safetext.Truncate("Loading transcript…", w)))
	case m.tr != nil:
		if m.errText != "" {
			lines = append(lines, "")
		}
		tl := m.tr.Lines(t, w)
		if len(tl) == 0 && m.errText == "" {
			tl = []string{t.Muted.Render(safetext.Truncate("(no messages)", w))}
		}
		lines = append(lines, tl...)
	}
	m.contentN = len(lines)
	m.vp.SetContent(strings.Join(lines, "\n"))
	m.vp.SetYOffset(m.vp.YOffset)
}

// View renders the fields block, a rule and the transcript viewport: at most
// the w x h cells given to SetSize.
func (m detailModel) View() string {
	if m.ctx == nil || m.ctx.Theme == nil {
		return ""
	}
	h, w := m.height(), m.width()
	if h == 0 || w == 0 {
		return ""
	}
	now := time.Now()
	if m.ctx.Now != nil {
		now = m.ctx.Now()
	}
	lines := m.header(now)
	if n := detailHeaderCap(h); len(lines) > n {
		// Short terminal: the fields give way to the transcript.
		lines = lines[:n]
	}
	lines = append(lines, m.rule(w))
	if m.vp.Height > 0 && len(lines) < h {
		lines = append(lines, strings.Split(m.vp.View(), "\n")...)
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = safetext.Truncate(l, w)
		}
	}
	return strings.Join(lines, "\n")
}

// detailHeaderCap is how many lines of fields fit in h lines while the rule
// and at least a third of the height stay for the transcript.
func detailHeaderCap(h int) int {
	return max(0, h-1-h/3)
}

// rule separates the fields from the transcript and tells where the
// viewport is: "── transcript · 12 messages ─────── 40% ─".
func (m detailModel) rule(w int) string {
	t := m.ctx.Theme
	label := " transcript "
	switch {
	case m.loading:
		label += "· loading "
	case m.tr != nil:
		// Whether it is live, reconnecting or stopped, and why.
		c := m.tr.Conn()
		n := 0
		for _, it := range m.tr.Items() {
			if it.Kind == live.KindMessage {
				n++
			}
		}
		label += "· " + plural(n, "message") + " · "
		pos := ""
		if n := m.follow.Unseen(); n > 0 {
			pos = " " + strconv.Itoa(n) + " new ↓ G "
		} else if m.contentN > m.vp.Height && m.vp.Height > 0 {
			pos = " " + strconv.Itoa(int(m.vp.ScrollPercent()*100+0.5)) + "% "
		}
		cl := safetext.Truncate(c.Label(), max(1, w-safetext.Width(label)-safetext.Width(pos)-5))
		fill := w - 2 - safetext.Width(label) - safetext.Width(cl) - 1 - safetext.Width(pos) - 1
		if fill < 1 {
			return safetext.Truncate(t.Muted.Render("──")+t.PaneTitle.Render(label)+c.Style(t).Render(cl), w)
		}
		return t.Muted.Render("──") + t.PaneTitle.Render(label) + c.Style(t).Render(cl) +
			t.Muted.Render(" "+strings.Repeat("─", fill)+pos+"─")
	case m.errText != "":
		label += "· error "
	}
	pos := ""
	if m.contentN > m.vp.Height && m.vp.Height > 0 {
		pos = " " + strconv.Itoa(int(m.vp.ScrollPercent()*100+0.5)) + "% "
	}
	lead := "──"
	fill := w - safetext.Width(lead) - safetext.Width(label) - safetext.Width(pos) - 1
	if fill < 1 {
		return t.Muted.Render(safetext.Truncate(strings.Repeat("─", w), w))
	}
	return t.Muted.Render(lead) + t.PaneTitle.Render(label) +
		t.Muted.Render(strings.Repeat("─", fill)+pos+"─")
}

// header renders the fields and usage block. Its number of lines depends on
// the width and the fields only, never on now: relative ages have a fixed
// budget, so layout can measure it with a zero time.
func (m detailModel) header(now time.Time) []string {
	t, w := m.ctx.Theme, m.width()
	if w == 0 {
		return nil
	}
	f := m.f
	title := detailSeg{f.title, t.PaneTitle}
	if f.title == "" {
		title = detailSeg{"(untitled)", t.RowUntitled}
	}
	identity := []detailCell{
		{label: "id", segs: []detailSeg{{f.id, t.Value}}},
		{label: "status", segs: statusSegs(t, f)},
		{label: "agent", segs: []detailSeg{{f.agent, t.Value}}},
		{label: "model", segs: []detailSeg{{f.model, t.Value}}},
		{label: "org", segs: []detailSeg{{f.org, t.Value}}},
		{label: "tags", segs: []detailSeg{{f.tags, t.RowTag}}},
		{label: "caps", segs: []detailSeg{{f.caps, t.Value}}},
		{label: "source", segs: []detailSeg{{f.source, t.Value}}},
		{label: "cost", segs: []detailSeg{{f.cost, t.Value}}},
	}
	if f.tags == "—" {
		identity[5].segs[0].style = t.Muted
	}
	times := []detailCell{
		detailTimeCell(m, "created", f.created, now),
		detailTimeCell(m, "started", f.started, now),
		detailTimeCell(m, "finished", f.finished, now),
		detailTimeCell(m, "updated", f.updated, now),
	}
	if w >= detailWide {
		const gap = 3
		leftW := (w - gap) / 2
		rightW := w - gap - leftW
		left := append([]string{detailFit(leftW, title)}, detailFlow(t.Label, identity, leftW)...)
		right := append(detailFlow(t.Label, times, rightW), usageBarBlock(t, f.usage, rightW, 1)...)
		out := make([]string, max(len(left), len(right)))
		for i := range out {
			var l, r string
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			if r == "" {
				out[i] = l
				continue
			}
			out[i] = l + strings.Repeat(" ", max(0, leftW-lipgloss.Width(l))+gap) + r
		}
		return out
	}
	out := []string{detailFit(w, title)}
	out = append(out, detailFlow(t.Label, identity, w)...)
	out = append(out, detailFlow(t.Label, times, w)...)
	cols := 1
	if (w-3)/2 >= usageBarLabelWidth+1+11+1+6 {
		cols = 2
	}
	return append(out, usageBarBlock(t, f.usage, w, cols)...)
}

// statusSegs is the activity first, then the status word when it says more.
func statusSegs(t *theme.Theme, f detailFields) []detailSeg {
	segs := []detailSeg{{f.cell, t.Status(f.act)}}
	if f.status != f.act && f.status != "" {
		segs = append(segs, detailSeg{" (" + f.status + ")", t.Muted})
	}
	return segs
}

// detailAgeWidth is the cell budget of a relative age such as "(364d ago)".
const detailAgeWidth = 10

// detailTimeCell is "created  2024-01-02 15:04:05 (3m ago)" or "created  —".
// Its natural width is fixed so that layout does not depend on the clock.
func detailTimeCell(m detailModel, label string, ts *time.Time, now time.Time) detailCell {
	t := m.ctx.Theme
	c := detailCell{label: label, width: len(detailTimeLayout) + 1 + detailAgeWidth}
	if ts == nil || ts.IsZero() {
		c.segs = []detailSeg{{"—", t.Muted}}
		return c
	}
	age := safetext.Truncate("("+detailAge(*ts, now)+")", detailAgeWidth)
	c.segs = []detailSeg{{ts.UTC().Format(detailTimeLayout), t.Value}, {" " + age, t.Muted}}
	return c
}

// detailAge is the list's age with a direction: "just now", "45s ago",
// "3m ago", "2w ago"; "in 3m" for times in the future.
func detailAge(ts, now time.Time) string {
	if ts.After(now) {
		if a := age(ts, now); a != "now" {
			return "in " + a
		}
		return "just now"
	}
	if a := age(now, ts); a != "now" {
		return a + " ago"
	}
	return "just now"
}

// detailSeg is a piece of sanitised single-line text and its style.
type detailSeg struct {
	text  string
	style lipgloss.Style
}

// detailFit renders segs on one line of at most w cells. Plain text is
// truncated before it is styled, so no style sequence is ever cut.
func detailFit(w int, segs ...detailSeg) string {
	var b strings.Builder
	left := w
	for _, s := range segs {
		if left <= 0 {
			break
		}
		txt := s.text
		if safetext.Width(txt) > left {
			txt = safetext.Truncate(txt, left)
		}
		if txt == "" {
			continue
		}
		b.WriteString(s.style.Render(txt))
		left -= safetext.Width(txt)
	}
	return b.String()
}

// detailCell is a labelled field. width is the natural width of its value;
// 0 means "measure the segments".
type detailCell struct {
	label string
	segs  []detailSeg
	width int
}

func (c detailCell) valueWidth() int {
	if c.width > 0 {
		return c.width
	}
	n := 0
	for _, s := range c.segs {
		n += safetext.Width(s.text)
	}
	return n
}

// detailFlow lays cells out left to right in width w, starting a new line when
// the next cell does not fit; a cell alone on its line is truncated to w.
// Labels are padded to the widest label of the group so stacked cells align.
func detailFlow(label lipgloss.Style, cells []detailCell, w int) []string {
	const gap = 2
	labelW := 0
	for _, c := range cells {
		labelW = max(labelW, len(c.label))
	}
	var out []string
	var line strings.Builder
	used := 0
	for _, c := range cells {
		nat := labelW + 1 + c.valueWidth()
		if used > 0 && used+gap+nat <= w {
			line.WriteString(strings.Repeat(" ", gap))
			used += gap
		} else if used > 0 {
			out = append(out, strings.TrimRight(line.String(), " "))
			line.Reset()
			used = 0
		}
		avail := w - used
		segs := append([]detailSeg{{safetext.Pad(c.label, labelW) + " ", label}}, c.segs...)
		s := detailFit(avail, segs...)
		sw := lipgloss.Width(s)
		line.WriteString(s)
		used += sw
		if sw < nat && used+(nat-sw) <= w {
			// Pad a short value (a "—" time) to its natural width so the
			// next cell on the line stays aligned.
			line.WriteString(strings.Repeat(" ", nat-sw))
			used += nat - sw
		}
	}
	if used > 0 {
		out = append(out, strings.TrimRight(line.String(), " "))
	}
	return out
}
