package sessionlist

import (
	"github.com/everruns/sessions/tui/safetext"
	"strings"
	"time"

	"github.com/everruns/sessions/tui/picker"
)

// Model is the session list: the cursor and scroll window over the rows
// the root derives, drawn in its rectangle. It keeps the selected session
// by id so that reloads, sorts and filters can put the cursor back where
// the user left it. The rows are the root's: each call that needs them
// gets them, so the list never holds a stale copy.
type Model struct {
	Cursor, Offset int
	Height         int // rows the window shows
	SelectedID     string
	Width          int    // cells a row fills
	Keys           KeyMap // filled by the root from its KeyMap
}

// New is an empty list w cells wide with the root's keys.
func New(keys KeyMap, w int) Model { return Model{Keys: keys, Width: w} }

// SetSize is the list's rectangle: w cells by h rows (at least one). A
// new height may leave the cursor off the window: Clamp it to the rows.
func (l Model) SetSize(w, h int) Model {
	l.Width, l.Height = w, max(h, 1)
	return l
}

// Reset forgets the cursor and the selection (the rows are another
// organisation's), keeping the size and keys.
func (l Model) Reset() Model { return Model{Height: l.Height, Width: l.Width, Keys: l.Keys} }

// SetRows re-finds the selected session in a new row set. When it is gone,
// the cursor stays at the same position, clamped.
func (l Model) SetRows(rows []*Row) Model {
	if l.SelectedID != "" {
		if i := IndexOf(rows, l.SelectedID, l.Cursor); i >= 0 {
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

// IndexOf finds id, looking near the old position first: after a refresh
// the row is almost always where it was.
func IndexOf(rows []*Row, id string, near int) int {
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

func (l Model) Clamp(n int) Model {
	w := picker.Window{Cursor: l.Cursor, Offset: l.Offset, Height: l.Height}.Clamp(n)
	l.Cursor, l.Offset = w.Cursor, w.Offset
	return l
}

// MoveTo puts the cursor on index i of rows.
func (l Model) MoveTo(i int, rows []*Row) Model {
	l.Cursor = i
	l = l.Clamp(len(rows))
	if l.Cursor < len(rows) {
		l.SelectedID = rows[l.Cursor].S.ID
	}
	return l
}

// JumpTo moves far: the row lands mid-window, not at an edge.
func (l Model) JumpTo(i int, rows []*Row) Model {
	l.Offset = i - l.Height/2
	return l.MoveTo(i, rows)
}

// Header is the line of column names above the rows, laid out as View
// lays out the rows.
func (l Model) Header(k *StyleKit, d Decor) string {
	c := LayoutColumnsOf(l.Width, d.Order)
	c.created = d.AgeCreated
	return c.Header(k)
}

// Selected is the row under the cursor, nil when there is none.
func (l Model) Selected(rows []*Row) *Row {
	if l.Cursor >= 0 && l.Cursor < len(rows) {
		return rows[l.Cursor]
	}
	return nil
}

// View renders the window of rows: O(height), whatever the number of
// rows. Styles come from k; d is what the root adds to each row.
//
// The result is exactly Height lines of exactly Width cells each, so a
// caller can lay it beside something else without measuring it again.
func (l Model) View(k *StyleKit, now time.Time, rows []*Row, d Decor) string {
	return strings.Join(l.Lines(k, now, rows, d), "\n")
}

// Lines is View as its lines, for a caller that lays them out itself: a
// row remembered in d.Lines comes back without being copied.
func (l Model) Lines(k *StyleKit, now time.Time, rows []*Row, d Decor) []string {
	width := l.Width
	c := LayoutColumnsOf(width, d.Order)
	c.created = d.AgeCreated
	lines := make([]string, 0, max(l.Height, 0))
	end := min(l.Offset+l.Height, len(rows))
	for i := l.Offset; i < end; i++ {
		r := rows[i]
		if d.Fresh != nil {
			r = d.Fresh(r)
		}
		lines = append(lines, l.renderCached(k, now, r, c, width, i == l.Cursor, d))
	}
	for len(lines) < l.Height {
		lines = append(lines, Blank(max(width, 0)))
	}
	if c.Total() != width {
		// Too narrow for the columns' minimum widths: rows come out wider
		// than the list, so each is cut to it (rare; measures every line).
		for i, line := range lines {
			lines[i] = safetext.PadStyled(line, width)
		}
	}
	return lines
}
