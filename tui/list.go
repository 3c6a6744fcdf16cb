package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"

	"github.com/everruns/sessions/tui/safetext"
)

// listModel is the cursor and scroll window over the visible rows. It keeps
// the selected session by id so that reloads, sorts and filters can put the
// cursor back where the user left it.
type listModel struct {
	cursor, offset int
	height         int // rows the window shows
	selectedID     string
}

// rowDecor is per-row state the list shows but does not own.
type rowDecor struct {
	marked  func(id string) bool
	pending func(id string) (spinner string, ok bool)
	changed func(id string) bool
	q       query
}

func (l listModel) setHeight(h int, n int) listModel {
	l.height = max(h, 1)
	return l.clamp(n)
}

// setRows re-finds the selected session in a new row set. When it is gone,
// the cursor stays at the same position, clamped.
func (l listModel) setRows(rows []*row) listModel {
	if l.selectedID != "" {
		if i := indexOf(rows, l.selectedID, l.cursor); i >= 0 {
			// Keep the selection at the same place on screen.
			l.offset += i - l.cursor
			l.cursor = i
		}
	}
	l = l.clamp(len(rows))
	l.selectedID = ""
	if l.cursor < len(rows) {
		l.selectedID = rows[l.cursor].s.ID
	}
	return l
}

// indexOf finds id, looking near the old position first: after a refresh
// the row is almost always where it was.
func indexOf(rows []*row, id string, near int) int {
	if near >= 0 && near < len(rows) && rows[near].s.ID == id {
		return near
	}
	for d := 1; d < 64; d++ {
		for _, i := range [2]int{near - d, near + d} {
			if i >= 0 && i < len(rows) && rows[i].s.ID == id {
				return i
			}
		}
	}
	for i, r := range rows {
		if r.s.ID == id {
			return i
		}
	}
	return -1
}

func (l listModel) clamp(n int) listModel {
	if n == 0 {
		l.cursor, l.offset = 0, 0
		return l
	}
	l.cursor = min(max(l.cursor, 0), n-1)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+l.height {
		l.offset = l.cursor - l.height + 1
	}
	l.offset = min(max(l.offset, 0), max(n-l.height, 0))
	return l
}

// moveTo puts the cursor on index i of rows.
func (l listModel) moveTo(i int, rows []*row) listModel {
	l.cursor = i
	l = l.clamp(len(rows))
	if l.cursor < len(rows) {
		l.selectedID = rows[l.cursor].s.ID
	}
	return l
}

func (l listModel) selected(rows []*row) *row {
	if l.cursor >= 0 && l.cursor < len(rows) {
		return rows[l.cursor]
	}
	return nil
}

// column widths of the list, derived from the total width.
type columns struct {
	mark, status, title, tags, tokens, age int
}

func layoutColumns(width int) columns {
	c := columns{mark: 2, status: 10, tokens: 7, age: 4}
	rest := width - c.mark - c.status - c.tokens - c.age - 4 // 4 gaps
	c.tags = min(max(rest/4, 6), 28)
	c.title = max(rest-c.tags, 8)
	return c
}

func (c columns) header(ctx *Context, sortLabel string) string {
	cells := []string{
		strings.Repeat(" ", c.mark) + safetext.Pad("STATUS", c.status),
		safetext.Pad("TITLE", c.title),
		safetext.Pad("TAGS", c.tags),
		padLeft("TOKENS", c.tokens),
		padLeft("AGE", c.age),
	}
	return ctx.Theme.ColumnHeader.Render(strings.Join(cells, " "))
}

// view renders the window of rows: O(height), whatever the number of rows.
func (l listModel) view(ctx *Context, rows []*row, width int, d rowDecor) string {
	c := layoutColumns(width)
	lines := make([]string, 0, l.height)
	end := min(l.offset+l.height, len(rows))
	for i := l.offset; i < end; i++ {
		lines = append(lines, renderRow(ctx, rows[i], c, width, i == l.cursor, d))
	}
	for len(lines) < l.height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func renderRow(ctx *Context, r *row, c columns, width int, selected bool, d rowDecor) string {
	t := ctx.Theme
	mark := "  "
	if d.marked != nil && d.marked(r.s.ID) {
		mark = "● "
	}
	if d.pending != nil {
		if sp, ok := d.pending(r.s.ID); ok {
			mark = safetext.Pad(sp, 2)
		}
	}
	status := safetext.Pad(r.status, c.status)
	title := safetext.Pad(r.title, c.title)
	tags := safetext.Pad(r.tagsText, c.tags)
	tokens := padLeft(tokenCell(r), c.tokens)
	ago := padLeft(age(ctx.Now(), r.s.UpdatedAt), c.age)

	if selected {
		line := strings.Join([]string{mark + status, title, tags, tokens, ago}, " ")
		return t.RowSelected.Render(safetext.Pad(line, width))
	}
	titleStyle := t.RowTitle
	if r.untitled {
		titleStyle = t.RowUntitled
	}
	statusStyle := t.Status(r.status)
	if d.changed != nil && d.changed(r.s.ID) {
		// A row the last refresh changed: its status cell lights up briefly.
		statusStyle = statusStyle.Inherit(t.RowChanged)
	}
	line := strings.Join([]string{
		t.MarkGlyph.Render(mark) + statusStyle.Render(status),
		highlight(title, d.q, titleStyle, t.Match),
		t.RowTag.Render(tags),
		t.RowTokens.Render(tokens),
		t.RowAge.Render(ago),
	}, " ")
	return line
}

func tokenCell(r *row) string {
	if r.s.Usage == nil {
		return "—"
	}
	return compactTokens(r.total)
}

func padLeft(s string, w int) string {
	s = safetext.Truncate(s, w)
	if n := w - safetext.Width(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// highlight renders s with the query's matched characters emphasised.
func highlight(s string, q query, base, match lipgloss.Style) string {
	pos := q.matchPositions(s)
	if len(pos) == 0 {
		return base.Render(s)
	}
	hit := make(map[int]bool, len(pos))
	for _, p := range pos {
		hit[p] = true
	}
	var b strings.Builder
	start := 0
	for start < len(s) {
		on := hit[start]
		end := start + 1
		for end < len(s) && (hit[end] == on || !utf8.RuneStart(s[end])) {
			end++
		}
		if on {
			b.WriteString(match.Render(s[start:end]))
		} else {
			b.WriteString(base.Render(s[start:end]))
		}
		start = end
	}
	return b.String()
}
