package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/everruns/sessions/tui/safetext"
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
	body := m.bodyView()
	screen := strings.Join([]string{m.headerView(), m.tabsView(), body, m.statusView(), m.helpView()}, "\n")
	return fitScreen(screen, w, h)
}

func (m Model) bodyView() string {
	w, bh := m.ctx.Width, m.bodyHeight()
	var s string
	switch m.mode {
	case modeDetail:
		ctx := m.ctx
		ctx.Height = bh + 3 // the detail view leaves three lines of chrome
		s = m.detail.SetContext(&ctx).View()
	case modeEdit:
		ctx := m.ctx
		ctx.Height = bh + 2 // the form leaves two lines of chrome
		s = lipgloss.Place(w, bh, lipgloss.Center, lipgloss.Center, m.form.SetContext(&ctx).View())
	case modeHelp:
		s = lipgloss.Place(w, bh, lipgloss.Center, lipgloss.Center, m.help.FullHelpView(m.fullHelp()))
	case modeUsage:
		s = m.usage.View(w, bh)
	case modeAgents:
		s = m.agents.View(w, bh)
	default:
		s = m.listView()
	}
	return fitBlock(s, w, bh)
}

func (m Model) listView() string {
	lw := m.listWidth()
	rows := m.view.rows
	d := rowDecor{
		marked: func(id string) bool { return m.marked[id] },
		pending: func(id string) (string, bool) {
			if m.ops.busy[id] > 0 {
				return m.spin.View(), true
			}
			return "", false
		},
		changed: func(id string) bool { _, ok := m.changed[id]; return ok },
		q:       m.spec.q,
	}
	fresh := make([]*row, 0, m.list.height)
	end := min(m.list.offset+m.list.height, len(rows))
	for i := m.list.offset; i < end; i++ {
		fresh = append(fresh, m.fresh(rows[i]))
	}
	window := m.list
	window.offset, window.cursor = 0, m.list.cursor-m.list.offset
	var list string
	if len(rows) == 0 {
		list = fitBlock(m.emptyView(), lw, m.list.height)
	} else {
		list = window.view(&m.ctx, fresh, lw, d)
	}
	table := layoutColumns(lw).header(&m.ctx, "") + "\n" + list
	sel := m.selected()
	if sel != nil {
		sel = m.fresh(sel)
	}
	if m.wide() {
		pw := m.ctx.Width - lw - 1
		pane := previewView(&m.ctx, sel, pw, m.bodyHeight())
		return lipgloss.JoinHorizontal(lipgloss.Top, fitBlock(table, lw, m.bodyHeight()), " ", pane)
	}
	return table + "\n" + previewView(&m.ctx, sel, m.ctx.Width, previewHeight)
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
	inner := max(width-4, 10)
	if r == nil {
		return t.Pane.Width(inner).Height(max(height-2, 1)).Render(t.Muted.Render("no session selected"))
	}
	wrap := func(s string, lines int) string {
		if s == "" {
			return t.Muted.Render("—")
		}
		out := ansi.Wordwrap(s, inner, "")
		parts := strings.Split(out, "\n")
		if len(parts) > lines {
			parts = parts[:lines]
			parts[lines-1] = safetext.Truncate(parts[lines-1]+" "+safetext.Ellipsis, inner)
		}
		return strings.Join(parts, "\n")
	}
	title := r.title
	titleStyle := t.PaneTitle
	if r.untitled {
		title, titleStyle = "(untitled)", t.RowUntitled
	}
	tags := t.Muted.Render("no tags")
	if r.tagsText != "" {
		tags = t.RowTag.Render(r.tagsText)
	}
	usage := t.Muted.Render("no usage yet")
	if u := r.s.Usage; u != nil {
		usage = t.Value.Render(compactTokens(r.total)+" tokens") +
			t.Muted.Render(fmt.Sprintf(" (in %s · out %s · cache %s)", compactTokens(u.InputTokens), compactTokens(u.OutputTokens), compactTokens(u.CacheRead())))
	}
	var updated string
	switch a := age(ctx.Now(), r.s.UpdatedAt); a { // never "updated now ago"
	case "now":
		updated = "updated just now"
	case "—":
		updated = "updated —"
	default:
		updated = "updated " + a + " ago"
	}
	meta := t.Status(r.status).Render(r.status) + t.Muted.Render(" · "+updated+" · "+r.id)
	room := height - 2 // border
	var body string
	if room >= 12 {
		head := strings.Join([]string{
			titleStyle.Render(safetext.Truncate(title, inner)),
			ansi.Truncate(meta, inner, safetext.Ellipsis), // meta is styled: ANSI-aware
			t.Label.Render("tags   ") + tags,
			t.Label.Render("usage  ") + usage,
			t.Label.Render("agent  ") + t.Muted.Render(r.agent),
		}, "\n")
		rest := room - 5 - 3 // head, blank, two labels
		each := rest / 2
		body = head + "\n\n" + t.Label.Render("Preview (first user message)") + "\n" + wrap(r.preview, each) +
			"\n" + t.Label.Render("Output (last answer)") + "\n" + wrap(r.output, rest-each)
	} else {
		body = strings.Join([]string{
			titleStyle.Render(safetext.Truncate(title, inner)),
			ansi.Truncate(meta, inner, safetext.Ellipsis), // meta is styled: ANSI-aware
			t.Label.Render("tags    ") + tags + t.Muted.Render(" · ") + usage,
			t.Label.Render("Preview ") + r.preview,
			t.Label.Render("Output  ") + r.output,
		}, "\n")
	}
	content := fitBlock(body, inner, max(height-2, 1))
	return t.Pane.Width(inner + 2).Render(content)
}

func (m Model) headerView() string {
	t := m.ctx.Theme
	c := m.headerCounts()
	parts := []string{t.HeaderTitle.Render("sessions")}
	parts = append(parts, t.HeaderCount.Render(thousands(int64(m.st.loaded)))+t.HeaderInfo.Render(" total"))
	for _, s := range []string{"active", "idle", "started"} {
		parts = append(parts, t.Status(s).Render(s)+" "+t.HeaderInfo.Render(thousands(int64(c[s]))))
	}
	other := 0
	for s, n := range c {
		if tabOf(s) == tabOther {
			other += n
		}
	}
	parts = append(parts, t.StatusOther.Render("other")+" "+t.HeaderInfo.Render(thousands(int64(other))))
	if m.load.agentID != "" {
		parts = append(parts, t.HeaderInfo.Render("agent ")+t.Value.Render(safetext.Truncate(safetext.Line(m.load.agentID, 64), 24)))
	}
	left := strings.Join(parts, t.HeaderInfo.Render(" · "))

	var right []string
	if m.load.active {
		right = append(right, m.spin.View()+" "+progressText(m.load.loaded, m.load.total, 10))
	}
	if b := m.ops.bulk; b != nil {
		right = append(right, fmt.Sprintf("%s %s", b.verb, progressText(b.done, b.total, 10)))
	}
	if len(m.marked) > 0 {
		right = append(right, t.MarkGlyph.Render(fmt.Sprintf("● %d marked", len(m.marked))))
	}
	switch {
	case m.refresh.failed:
		right = append(right, t.Warning.Render("⚠ refresh failed"))
	case m.refresh.paused:
		right = append(right, t.Muted.Render("⏸ paused"))
	}
	return spread(left, strings.Join(right, "  "), m.ctx.Width)
}

// headerCounts counts the loaded sessions by status; cached per version
// by the derive step would be nicer, but the header needs all rows, not
// the filtered ones, and the view result has the filtered counts only.
func (m Model) headerCounts() map[string]int { return m.view.statusAll }

func progressText(done, total, width int) string {
	if total <= 0 {
		return fmt.Sprintf("loading %s", thousands(int64(done)))
	}
	filled := min(width*done/total, width)
	return fmt.Sprintf("%s %s/%s", strings.Repeat("▰", filled)+strings.Repeat("▱", width-filled), thousands(int64(done)), thousands(int64(total)))
}

func (m Model) tabsView() string {
	t := m.ctx.Theme
	var tabs []string
	for i := range statusTabs {
		label := fmt.Sprintf("%s %s", statusTab(i), thousands(int64(m.view.tabCounts[i])))
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
	right := t.Label.Render("sort ") + t.Value.Render(m.spec.sort.String()+" "+dir)
	if m.mode == modeFilter {
		return spread(left, m.filter.View(), m.ctx.Width)
	}
	if m.spec.q.raw != "" {
		right = t.Label.Render("filter ") + t.Match.Render(safetext.Truncate(m.spec.q.raw, 30)) +
			t.Muted.Render(fmt.Sprintf(" %s matches", thousands(int64(len(m.view.rows))))) + "  " + right
	}
	return spread(left, right, m.ctx.Width)
}

func (m Model) statusView() string {
	t := m.ctx.Theme
	switch m.status.kind {
	case statusToast:
		if m.status.warn {
			return t.Warning.Render("⏳ " + m.status.text)
		}
		return t.Toast.Render("✓ " + m.status.text)
	case statusError:
		return t.Error.Render("✗ " + m.status.text)
	case statusInfo:
		return t.StatusLine.Render(m.status.text)
	}
	if len(m.ops.inflight) > 0 {
		return t.StatusLine.Render(m.spin.View() + " saving…")
	}
	return ""
}

func (m Model) helpView() string {
	return m.help.ShortHelpView(fitHelp(m.shortHelp(), m.ctx.Width-2))
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
		return []key.Binding{k.Up, k.Down, k.Edit, k.Resolve, k.Undo, k.Back, k.Help}
	case modeEdit:
		return []key.Binding{k.Save, k.NextField, k.Toggle, k.Back}
	case modeFilter:
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		}
	case modeHelp:
		return []key.Binding{k.Back}
	case modeUsage, modeAgents:
		return []key.Binding{k.Up, k.Down, k.Open, k.Back}
	}
	return []key.Binding{k.Down, k.Open, k.Edit, k.Resolve, k.Undo, k.Filter, k.Mark, k.Help, k.Quit}
}

func (m Model) fullHelp() [][]key.Binding {
	k := m.ctx.Keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Edit, k.Resolve, k.Undo, k.Reload, k.CopyID},
		{k.Filter, k.StatusNext, k.StatusPrev, k.Sort, k.SortReverse, k.Agent},
		{k.Mark, k.MarkAll, k.BulkTags, k.Usage, k.Pause},
		{k.Save, k.NextField, k.Toggle, k.Back, k.Help, k.Quit, k.ForceQuit},
	}
}

// spread puts left and right on one line of width w, right-aligned.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, max(w-lipgloss.Width(right)-1, 0), "…") + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// fitBlock makes s exactly h lines, none wider than w.
func fitBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// fitScreen is the last guard: whatever a component drew, the frame never
// exceeds the terminal, so the layout cannot scroll or wrap.
func fitScreen(s string, w, h int) string { return fitBlock(s, w, h) }
