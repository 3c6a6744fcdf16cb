// Package detail is the detail view of one session: its fields and token
// usage on top, its live transcript in a scrollable viewport below, and a
// search over that transcript. It is a component of the root (tui): it draws
// inside the rectangle SetSize gives it, knows nothing of the root's chrome,
// and reads the theme and clock from a common.Context.
package detail

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
	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/live"
	"github.com/everruns/sessions/tui/safetext"
)

// Model shows one session.
//
// Server text is sanitised when it arrives (the root's row, tui/live) and
// the transcript is laid out then and on resize; View only assembles the
// fixed fields block (which depends on the clock for relative ages) and the
// viewport's visible lines, so its cost is O(screen).
type Model struct {
	ctx  common.Context
	keys *KeyMap // never changed: the model is copied on every message
	w, h int     // the rectangle the root hands out (SetSize)
	row  *Row    // replaced, never changed
	gen  int
	f    fields

	loading  bool
	errText  string   // sanitised one-line error of the last transcript request
	renderW  int      // width the transcript was laid out at
	contentN int      // number of transcript lines
	lines    []string // the transcript lines as laid out (replaced, never changed)

	headerN int // lines of the fields block at the current width
	vp      viewport.Model

	search search // the transcript search (search.go)

	// The live transcript (live.go): tr is nil until the stored
	// transcript arrives; stream is nil when not following.
	api    API
	cancel context.CancelFunc
	tr     *live.Transcript
	stream *apiclient.Stream
	follow live.Follow
}

// New is the detail view of r; gen stamps what OpenLive starts. It draws
// nothing until SetSize.
func New(ctx common.Context, keys KeyMap, r Row, gen int) Model {
	m := Model{ctx: ctx, keys: &keys, row: &r, gen: gen, loading: true}
	m.vp = viewport.New(0, 0)
	m.f = newFields(r)
	m = m.layout()
	m.renderTranscript()
	return m
}

// ID is the raw id of the session shown.
func (m Model) ID() string {
	if m.row == nil {
		return ""
	}
	return m.row.Session.ID
}

// Gen is the generation of the stream the view follows (-1 once closed).
func (m Model) Gen() int { return m.gen }

// Loading reports whether the stored transcript is still on its way.
func (m Model) Loading() bool { return m.loading }

// Transcript is the live transcript, nil until it arrives.
func (m Model) Transcript() *live.Transcript { return m.tr }

// SetSize hands the view its rectangle and lays out again; the transcript
// is laid out anew only when the width changes.
func (m Model) SetSize(w, h int) Model {
	m.w, m.h = max(w, 0), max(h, 0)
	m = m.layout()
	if m.w != m.renderW {
		m.renderTranscript()
	}
	return m
}

// SetRow replaces the session shown (after a save or a refresh) and keeps
// the transcript, its scroll position and the search.
func (m Model) SetRow(r Row) Model {
	m.row = &r
	m.f = newFields(r)
	if m.tr != nil {
		// A fresh copy of the session is authoritative (usage, cost).
		m.tr.SetSession(r.Session)
	}
	m.applyLive()
	return m.layout()
}

// Update handles the transcript arriving, scrolling and searching.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if lm, cmd, ok := m.updateLive(msg); ok {
		return lm, cmd
	}
	if m.search.typing {
		return m.updateInput(msg)
	}
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.keys == nil {
			return m, nil
		}
		k := m.keys
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
		case key.Matches(msg, k.Search):
			return m.openSearch()
		case key.Matches(msg, k.SearchNext):
			m.step(1)
		case key.Matches(msg, k.SearchPrev):
			m.step(-1)
		case key.Matches(msg, k.ClearSearch) && m.SearchActive():
			m.clearSearch()
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

// layout sizes the viewport below the fields block and the rule line, and
// above the search line when there is one.
func (m Model) layout() Model {
	if m.ctx.Theme == nil {
		return m
	}
	m.headerN = min(len(m.header(time.Time{})), headerCap(m.h))
	m.vp.Width = m.w
	m.vp.Height = max(0, m.h-m.headerN-1-m.searchLines())
	m.vp.SetYOffset(m.vp.YOffset) // clamp to the new height
	if m.search.input != nil {
		in := *m.search.input
		in.Width = max(1, m.w-safetext.Width(in.Prompt)-1)
		m.search.input = &in
	}
	return m
}

// renderTranscript lays the transcript out at the current width and hands it
// to the viewport, keeping the scroll position and the search.
func (m *Model) renderTranscript() {
	if m.ctx.Theme == nil {
		return
	}
	t, w := m.ctx.Theme, m.w
	m.renderW = m.w
	before := m.contentN
	defer m.afterContent(before)
	var lines []string
	if m.errText != "" {
		lines = append(lines, fit(w,
			seg{"Could not load transcript: ", t.Error},
			seg{m.errText, t.Error}))
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
	m.lines = lines
	m.search.find(lines)
	m.setContent()
}

// setContent hands the lines to the viewport, the search's matches
// highlighted.
func (m *Model) setContent() {
	m.vp.SetContent(strings.Join(m.search.highlight(m.ctx.Theme, m.lines), "\n"))
	m.vp.SetYOffset(m.vp.YOffset)
}

// View renders the fields block, a rule, the transcript viewport and the
// search line: at most the w x h cells given to SetSize.
func (m Model) View() string {
	if m.ctx.Theme == nil {
		return ""
	}
	h, w := m.h, m.w
	if h == 0 || w == 0 {
		return ""
	}
	lines := m.header(m.ctx.Time())
	if n := headerCap(h); len(lines) > n {
		// Short terminal: the fields give way to the transcript.
		lines = lines[:n]
	}
	lines = append(lines, m.rule(w))
	if m.vp.Height > 0 && len(lines) < h {
		lines = append(lines, strings.Split(m.vp.View(), "\n")...)
	}
	if m.searchLines() > 0 {
		// The search line stays whatever else gives way.
		lines = append(lines[:min(len(lines), h-1)], m.searchLine(w))
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

// headerCap is how many lines of fields fit in h lines while the rule and
// at least a third of the height stay for the transcript.
func headerCap(h int) int {
	return max(0, h-1-h/3)
}

// rule separates the fields from the transcript and tells where the
// viewport is: "── transcript · 12 messages ─────── 40% ─".
func (m Model) rule(w int) string {
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
		label += "· " + common.Plural(n, "message") + " · "
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
