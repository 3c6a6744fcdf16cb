package tui

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"

	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/picker"
	"github.com/everruns/sessions/tui/safetext"
)

// listModel is the cursor and scroll window over the visible rows. It keeps
// the selected session by id so that reloads, sorts and filters can put the
// cursor back where the user left it.
type listModel struct {
	Cursor, Offset int
	Height         int // rows the window shows
	SelectedID     string
}

// rowDecor is per-row state the list shows but does not own.
type rowDecor struct {
	Marked  func(id string) bool
	Pending func(id string) (spinner string, ok bool)
	Changed func(id string) bool
	Found   func(r *row) bool // found by the server's search, not loaded
	Q       query
	// AgeCreated: the AGE column counts from creation (the list is in
	// creation order), not from the last update.
	AgeCreated bool
	Names      *agentNames // for the AGENT column
	Order      []colKind   // the columns shown; nil: the default set
	// Frame is the activity indicator of running rows this Frame (see
	// activityFrame); "" shows none.
	Frame string
	// Lines, when set, memoises rendered rows across frames: a cursor move
	// redraws two rows, not the whole window.
	Lines map[rowLineKey]string
}

// rowLineKey is everything one rendered row depends on.
type rowLineKey struct {
	r                        *row
	width                    int
	selected, marked, change bool
	spin, age, query, frame  string
	theme                    *theme.Theme
	names                    *agentNames
}

// maxCachedLines bounds the row memo; it is simply emptied when full.
const maxCachedLines = 1024

func (l listModel) SetHeight(h int, n int) listModel {
	l.Height = max(h, 1)
	return l.Clamp(n)
}

// SetRows re-finds the selected session in a new row set. When it is gone,
// the cursor stays at the same position, clamped.
func (l listModel) SetRows(rows []*row) listModel {
	if l.SelectedID != "" {
		if i := indexOf(rows, l.SelectedID, l.Cursor); i >= 0 {
			// Keep the selection at the same place on screen.
			l.Offset += i - l.Cursor
			l.Cursor = i
		}
	}
	l = l.Clamp(len(rows))
	l.SelectedID = ""
	if l.Cursor < len(rows) {
		l.SelectedID = rows[l.Cursor].S.ID
	}
	return l
}

// indexOf finds id, looking near the old position first: after a refresh
// the row is almost always where it was.
func indexOf(rows []*row, id string, near int) int {
	if near >= 0 && near < len(rows) && rows[near].S.ID == id {
		return near
	}
	for d := 1; d < 64; d++ {
		for _, i := range [2]int{near - d, near + d} {
			if i >= 0 && i < len(rows) && rows[i].S.ID == id {
				return i
			}
		}
	}
	for i, r := range rows {
		if r.S.ID == id {
			return i
		}
	}
	return -1
}

func (l listModel) Clamp(n int) listModel {
	w := picker.Window{Cursor: l.Cursor, Offset: l.Offset, Height: l.Height}.Clamp(n)
	l.Cursor, l.Offset = w.Cursor, w.Offset
	return l
}

// MoveTo puts the cursor on index i of rows.
func (l listModel) MoveTo(i int, rows []*row) listModel {
	l.Cursor = i
	l = l.Clamp(len(rows))
	if l.Cursor < len(rows) {
		l.SelectedID = rows[l.Cursor].S.ID
	}
	return l
}

// JumpTo moves far: the row lands mid-window, not at an edge.
func (l listModel) JumpTo(i int, rows []*row) listModel {
	l.Offset = i - l.Height/2
	return l.MoveTo(i, rows)
}

func (l listModel) renderCached(b *strings.Builder, k *styleKit, now time.Time, r *row, c columns, width int, selected bool, d rowDecor) {
	if d.Lines == nil {
		renderRowTo(b, k, now, r, c, width, selected, d)
		return
	}
	key := rowLineKey{r: r, width: width, selected: selected, age: c.age(now, r), query: d.Q.Raw, theme: k.Theme, names: d.Names}
	if slices.Contains(c.order, colCreated) || slices.Contains(c.order, colUpdated) {
		key.age += "|" + age(now, r.S.CreatedAt) + "|" + age(now, r.S.UpdatedAt)
	}
	if d.Marked != nil {
		key.marked = d.Marked(r.S.ID)
	}
	if d.Changed != nil {
		key.change = d.Changed(r.S.ID)
	}
	if d.Pending != nil {
		key.spin, _ = d.Pending(r.S.ID)
	}
	if r.Act == runningAct {
		key.frame = d.Frame
	}
	if line, ok := d.Lines[key]; ok {
		b.WriteString(line)
		return
	}
	var lb strings.Builder
	renderRowTo(&lb, k, now, r, c, width, selected, d)
	if len(d.Lines) >= maxCachedLines {
		clear(d.Lines)
	}
	d.Lines[key] = lb.String()
	b.WriteString(d.Lines[key])
}

func (l listModel) Selected(rows []*row) *row {
	if l.Cursor >= 0 && l.Cursor < len(rows) {
		return rows[l.Cursor]
	}
	return nil
}

// column widths of the list, derived from the total width.
type columns struct {
	mark, status, title, tags, tokens, ageW int
	created                                 bool // AGE counts from creation, not the last update
	order                                   []colKind
	width                                   [colKinds]int
}

// age is the row's AGE cell: since creation or since the last update,
// following the order of the list, as the header says.
func (c columns) age(now time.Time, r *row) string {
	if c.created {
		return age(now, r.S.CreatedAt)
	}
	return age(now, r.S.UpdatedAt)
}

func layoutColumns(width int) columns { return layoutColumnsOf(width, nil) }

// layoutColumnsOf lays out the given columns (nil: the default set): fixed
// widths first, then title and tags share the rest.
func layoutColumnsOf(width int, order []colKind) columns {
	if len(order) == 0 {
		order = defaultColumns
	}
	c := columns{mark: gutterWidth, order: order}
	rest := width - c.mark - (len(order) - 1)
	for _, k := range order {
		c.width[k] = fixedWidth[k]
		rest -= fixedWidth[k]
	}
	if slices.Contains(order, colTags) {
		c.width[colTags] = min(max(rest/4, 6), 28)
		if !slices.Contains(order, colTitle) {
			c.width[colTags] = max(rest, 6)
		}
		rest -= c.width[colTags]
	}
	if slices.Contains(order, colTitle) {
		c.width[colTitle] = max(rest, 8)
	}
	c.status, c.title, c.tags, c.tokens, c.ageW = c.width[colStatus], c.width[colTitle], c.width[colTags], c.width[colTokens], c.width[colAge]
	return c
}

func (c columns) header(ctx *Context) string {
	var b strings.Builder
	b.WriteString(blank(c.mark))
	for i, k := range c.order {
		if i > 0 {
			b.WriteByte(' ')
		}
		if rightAligned(k) {
			b.WriteString(padLeft(c.headerOf(k), c.width[k]))
		} else {
			b.WriteString(safetext.Pad(c.headerOf(k), c.width[k]))
		}
	}
	return ctx.styles().Header.Render(b.String())
}

// ageLabel names the AGE column by what it counts from.
func (c columns) ageLabel() string {
	if c.created {
		return "CREATED"
	}
	return "UPDATED"
}

// View renders the window of rows: O(height), whatever the number of rows.
func (l listModel) View(ctx *Context, rows []*row, width int, d rowDecor) string {
	c := layoutColumnsOf(width, d.Order)
	c.created = d.AgeCreated
	k := ctx.styles()
	now := ctx.Now()
	var b strings.Builder
	b.Grow(l.Height * (width + 160))
	end := min(l.Offset+l.Height, len(rows))
	n := 0
	for i := l.Offset; i < end; i++ {
		if n > 0 {
			b.WriteByte('\n')
		}
		l.renderCached(&b, k, now, rows[i], c, width, i == l.Cursor, d)
		n++
	}
	for ; n < l.Height; n++ {
		if n > 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func renderRow(ctx *Context, r *row, c columns, width int, selected bool, d rowDecor) string {
	var b strings.Builder
	renderRowTo(&b, ctx.styles(), ctx.Now(), r, c, width, selected, d)
	return b.String()
}

// renderRowTo writes one row. Styles come pre-rendered from the kit, and
// cells of known width are padded without measuring them again.
func renderRowTo(b *strings.Builder, k *styleKit, now time.Time, r *row, c columns, width int, selected bool, d rowDecor) {
	// The gutter (gutterWidth cells): the cursor (so the selection shows
	// even without colour, as with NO_COLOR), the mark or a save's spinner,
	// pinned, resolved, and a gap.
	cursor, mark := " ", " "
	if selected {
		cursor = "▸"
	}
	if d.Marked != nil && d.Marked(r.S.ID) {
		mark = "●"
	}
	if mark == " " && d.Found != nil && d.Found(r) {
		mark = foundGlyph
	}
	if d.Pending != nil {
		if sp, ok := d.Pending(r.S.ID); ok {
			mark = safetext.Pad(sp, 1)
		}
	}
	pin := " "
	if r.Pinned {
		pin = pinnedGlyph // the third cell: one cell wide, shows without colour
	}
	done := " "
	if r.Resolved() {
		done = resolvedGlyph // the fourth
	}
	mark = cursor + mark
	const gap = " "
	sw, tw, gw := -1, -1, -1
	if r.Measured {
		sw, tw, gw = r.StatusW, r.TitleW, r.TagsW
	}
	status := r.Cell
	if r.Act == runningAct && d.Frame != "" {
		// A running row moves: its status leads with the activity frame.
		status = d.Frame + " " + r.Cell
		if sw >= 0 {
			sw += 1 + safetext.Width(d.Frame)
		}
	}
	cell := func(k colKind) string {
		switch k {
		case colStatus:
			return padKnown(status, sw, c.status)
		case colTitle:
			return padKnown(r.Title, tw, c.title)
		case colTags:
			return padKnown(r.TagsText, gw, c.tags)
		}
		t := c.cellText(k, now, r, d.Names)
		if rightAligned(k) {
			return padLeft(t, c.width[k])
		}
		return safetext.Pad(t, c.width[k])
	}

	if selected {
		var lb strings.Builder
		lb.WriteString(mark + pin + done + gap)
		for i, k := range c.order {
			if i > 0 {
				lb.WriteByte(' ')
			}
			lb.WriteString(cell(k))
		}
		b.WriteString(k.Selected.Render(safetext.Pad(lb.String(), width)))
		return
	}
	titleStyle := &k.title
	if r.Untitled {
		titleStyle = &k.untitled
	}
	k.mark.renderTo(b, mark)
	if r.Pinned {
		k.Pinned.renderTo(b, pin)
	} else {
		b.WriteString(pin)
	}
	if r.Resolved() {
		k.resolved.renderTo(b, done)
	} else {
		b.WriteString(done)
	}
	b.WriteString(gap)
	for i, kind := range c.order {
		if i > 0 {
			b.WriteByte(' ')
		}
		text := cell(kind)
		switch kind {
		case colStatus:
			if d.Changed != nil && d.Changed(r.S.ID) {
				// A row the last refresh changed: its status cell lights up briefly.
				b.WriteString(k.Theme.Status(r.Act).Inherit(k.Theme.RowChanged).Render(text))
			} else {
				k.Status(r.Act).renderTo(b, text)
			}
		case colTitle:
			highlightTo(b, text, d.Q, titleStyle, &k.match)
		case colTags:
			k.tag.renderTo(b, text)
		case colAge, colCreated, colUpdated:
			k.age.renderTo(b, text)
		case colAgent, colSource:
			k.Value.renderTo(b, text)
		default:
			k.tokens.renderTo(b, text)
		}
	}
}

// padKnown is safetext.Pad for a string whose width sw is already known.
func padKnown(s string, sw, w int) string {
	if sw >= 0 && sw <= w {
		if sw == w {
			return s
		}
		return s + blank(w-sw)
	}
	return safetext.Pad(s, w)
}

const blanks = "                                                                                                                                                                "

func blank(n int) string {
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}

func tokenCell(r *row) string {
	if r.S.Usage == nil {
		return "—"
	}
	return compactTokens(r.Total)
}

func padLeft(s string, w int) string {
	s = safetext.Truncate(s, w)
	if n := w - safetext.Width(s); n > 0 {
		return blank(n) + s
	}
	return s
}

func highlightTo(b *strings.Builder, s string, q query, base, match *fastStyle) {
	pos := q.MatchPositions(s)
	if len(pos) == 0 {
		base.renderTo(b, s)
		return
	}
	slices.Sort(pos)
	hit := func(i int) bool {
		_, ok := slices.BinarySearch(pos, i)
		return ok
	}
	start := 0
	for start < len(s) {
		on := hit(start)
		end := start + 1
		for end < len(s) && (hit(end) == on || !utf8.RuneStart(s[end])) {
			end++
		}
		if on {
			match.renderTo(b, s[start:end])
		} else {
			base.renderTo(b, s[start:end])
		}
		start = end
	}
}

// fastStyle renders a lipgloss style by wrapping text in the escape
// sequences the style produces, found once by rendering probes. It is only
// used where that gives byte for byte what Render gives (checked on the
// probes: plain colours and attributes, no width, padding or border);
// otherwise, and for text with tabs or line breaks, it calls Render.
type fastStyle struct {
	st       lipgloss.Style
	pre, suf string
	mode     uint8 // 0: Render; 1: pre+text+suf; 2: pre+rune+suf per rune, for text without spaces
}

func newFastStyle(st lipgloss.Style) fastStyle {
	f := fastStyle{st: st}
	const probe = "x"
	r := st.Render(probe)
	i := strings.Index(r, probe)
	if i < 0 {
		return f
	}
	pre, suf := r[:i], r[i+len(probe):]
	wrap := func(s string) string { return pre + s + suf }
	if st.Render("ab c—é 数") == wrap("ab c—é 数") && st.Render("Q") == wrap("Q") {
		f.pre, f.suf, f.mode = pre, suf, 1
		return f
	}
	if st.Render("aé数") == wrap("a")+wrap("é")+wrap("数") {
		f.pre, f.suf, f.mode = pre, suf, 2
	}
	return f
}

func (f *fastStyle) Render(s string) string {
	if f.mode == 1 && s != "" && !strings.ContainsAny(s, "\t\n\r") {
		return f.pre + s + f.suf
	}
	var b strings.Builder
	f.renderTo(&b, s)
	return b.String()
}

func (f *fastStyle) renderTo(b *strings.Builder, s string) {
	switch {
	case s == "" || strings.ContainsAny(s, "\t\n\r"):
	case f.mode == 1:
		b.WriteString(f.pre)
		b.WriteString(s)
		b.WriteString(f.suf)
		return
	case f.mode == 2 && !strings.ContainsRune(s, ' ') && isASCIIorSimple(s):
		for _, r := range s {
			b.WriteString(f.pre)
			b.WriteRune(r)
			b.WriteString(f.suf)
		}
		return
	}
	b.WriteString(f.st.Render(s))
}

// isASCIIorSimple: no other kind of whitespace, which lipgloss styles apart.
func isASCIIorSimple(s string) bool {
	for _, r := range s {
		if unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// styleKit is the list's styles of one theme, pre-rendered.
type styleKit struct {
	Theme                                          *theme.Theme
	mark, title, untitled, tag, tokens, age, match fastStyle
	Selected, Header                               fastStyle
	started, active, idle, other                   fastStyle
	failed, completed, paused, Pinned              fastStyle
	resolved                                       fastStyle
	Muted, Label, Value, PaneTitle                 fastStyle // the preview pane
}

// Status mirrors theme.Status.
func (k *styleKit) Status(s string) *fastStyle {
	switch s {
	case "started":
		return &k.started
	case "active", "running":
		return &k.active
	case "idle":
		return &k.idle
	case "failed":
		return &k.failed
	case "completed":
		return &k.completed
	case "paused":
		return &k.paused
	}
	return &k.other
}

// newStyleKit pre-renders the theme's styles for the colour profile in
// use. The root model builds one and hands it down in the Context.
func newStyleKit(t *theme.Theme) *styleKit {
	return &styleKit{
		Theme:    t,
		mark:     newFastStyle(t.MarkGlyph),
		title:    newFastStyle(t.RowTitle),
		untitled: newFastStyle(t.RowUntitled),
		tag:      newFastStyle(t.RowTag),
		tokens:   newFastStyle(t.RowTokens),
		age:      newFastStyle(t.RowAge),
		match:    newFastStyle(t.Match),
		Selected: newFastStyle(t.RowSelected),
		Header:   newFastStyle(t.ColumnHeader),
		started:  newFastStyle(t.Status("started")),
		active:   newFastStyle(t.Status("active")),
		idle:     newFastStyle(t.Status("idle")),
		other:    newFastStyle(t.Status("")),

		failed:    newFastStyle(t.StatusFailed),
		completed: newFastStyle(t.StatusCompleted),
		paused:    newFastStyle(t.StatusPaused),
		Pinned:    newFastStyle(t.Pinned),
		resolved:  newFastStyle(t.StatusCompleted),

		Muted:     newFastStyle(t.Muted),
		Label:     newFastStyle(t.Label),
		Value:     newFastStyle(t.Value),
		PaneTitle: newFastStyle(t.PaneTitle),
	}
}

// gutterWidth is the cells before the first column: cursor, mark, pinned,
// resolved, gap.
const gutterWidth = 5

// resolvedGlyph marks a resolved row in the gutter; one cell, so it shows
// without colour.
const resolvedGlyph = "✓"

// runningAct is the activity of a running row, which shows activityFrame.
const runningAct = "running"

// activityFrames animate running rows. The frame is a function of the
// clock, not of a tick count: the spinner's ticks redraw the screen, and
// the frame drawn depends only on the time (pinned in tests), so a frame
// costs the running rows on screen, never the data.
var activityFrames = [...]string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// activityPeriod is how long one frame of activityFrames shows.
const activityPeriod = 100 * time.Millisecond

// activityFrame is the frame of running rows at now.
func activityFrame(now time.Time) string {
	i := (now.UnixNano() / int64(activityPeriod)) % int64(len(activityFrames))
	if i < 0 {
		i += int64(len(activityFrames))
	}
	return activityFrames[i]
}
