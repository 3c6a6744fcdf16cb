package sessionlist

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/safetext"
)

// Decor is per-row state the list shows but does not own.
type Decor struct {
	// Fresh, when set, is the row as it is now (the root's store may hold
	// a newer copy than the derived rows).
	Fresh   func(r *Row) *Row
	Marked  func(id string) bool
	Pending func(id string) (spinner string, ok bool)
	Changed func(id string) bool
	Found   func(r *Row) bool // found by the server's search, not loaded
	Q       Query
	// AgeCreated: the AGE column counts from creation (the list is in
	// creation order), not from the last update.
	AgeCreated bool
	Names      *AgentNames // for the AGENT column
	Order      []ColKind   // the columns shown; nil: the default set
	// Frame is the activity indicator of running rows this frame (see
	// ActivityFrame); "" shows none.
	Frame string
	// Lines, when set, memoises rendered rows across frames: a cursor move
	// redraws two rows, not the whole window.
	Lines map[LineKey]string
}

// LineKey is everything one rendered row depends on.
type LineKey struct {
	r                        *Row
	width                    int
	selected, marked, change bool
	spin, age, query, frame  string
	theme                    *theme.Theme
	names                    *AgentNames
}

// maxCachedLines bounds the row memo; it is simply emptied when full.
const maxCachedLines = 1024

func (l Model) renderCached(k *StyleKit, now time.Time, r *Row, c Columns, width int, selected bool, d Decor) string {
	if d.Lines == nil {
		return RenderRow(k, now, r, c, width, selected, d)
	}
	key := LineKey{r: r, width: width, selected: selected, age: c.age(now, r), query: d.Q.Raw, theme: k.Theme, names: d.Names}
	if slices.Contains(c.order, ColCreated) || slices.Contains(c.order, ColUpdated) {
		key.age += "|" + common.Age(now, r.S.CreatedAt) + "|" + common.Age(now, r.S.UpdatedAt)
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
	if r.Act == RunningAct {
		key.frame = d.Frame
	}
	if line, ok := d.Lines[key]; ok {
		return line
	}
	line := RenderRow(k, now, r, c, width, selected, d)
	if len(d.Lines) >= maxCachedLines {
		clear(d.Lines)
	}
	d.Lines[key] = line
	return line
}

// RenderRow is one row as the list draws it.
func RenderRow(k *StyleKit, now time.Time, r *Row, c Columns, width int, selected bool, d Decor) string {
	var b strings.Builder
	RenderRowTo(&b, k, now, r, c, width, selected, d)
	return b.String()
}

// RenderRowTo writes one row. Styles come pre-rendered from the kit, and
// cells of known width are padded without measuring them again.
func RenderRowTo(b *strings.Builder, k *StyleKit, now time.Time, r *Row, c Columns, width int, selected bool, d Decor) {
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
		mark = FoundGlyph
	}
	if d.Pending != nil {
		if sp, ok := d.Pending(r.S.ID); ok {
			mark = safetext.Pad(sp, 1)
		}
	}
	pin := " "
	if r.Pinned {
		pin = PinnedGlyph // the third cell: one cell wide, shows without colour
	}
	done := " "
	if r.Resolved() {
		done = ResolvedGlyph // the fourth
	}
	mark = cursor + mark
	const gap = " "
	sw, tw, gw := -1, -1, -1
	if r.Measured {
		sw, tw, gw = r.StatusW, r.TitleW, r.TagsW
	}
	status := r.Cell
	if r.Act == RunningAct && d.Frame != "" {
		// A running row moves: its status leads with the activity frame.
		status = d.Frame + " " + r.Cell
		if sw >= 0 {
			sw += 1 + safetext.Width(d.Frame)
		}
	}
	cell := func(k ColKind) string {
		switch k {
		case ColStatus:
			return padKnown(status, sw, c.status)
		case ColTitle:
			return padKnown(r.Title, tw, c.title)
		case ColTags:
			return padKnown(r.TagsText, gw, c.tags)
		}
		t := c.cellText(k, now, r, d.Names)
		if rightAligned(k) {
			return PadLeft(t, c.width[k])
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
		titleStyle = &k.Untitled
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
		case ColStatus:
			if d.Changed != nil && d.Changed(r.S.ID) {
				// A row the last refresh changed: its status cell lights up briefly.
				b.WriteString(k.Theme.Status(r.Act).Inherit(k.Theme.RowChanged).Render(text))
			} else {
				k.Status(r.Act).renderTo(b, text)
			}
		case ColTitle:
			highlightTo(b, text, d.Q, titleStyle, &k.match)
		case ColTags:
			k.Tag.renderTo(b, text)
		case ColAge, ColCreated, ColUpdated:
			k.age.renderTo(b, text)
		case ColAgent, ColSource:
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
		return s + Blank(w-sw)
	}
	return safetext.Pad(s, w)
}

const blanks = "                                                                                                                                                                "

func Blank(n int) string {
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}

func TokenCell(r *Row) string {
	if r.S.Usage == nil {
		return "—"
	}
	return common.CompactCount(r.Total)
}

func PadLeft(s string, w int) string {
	s = safetext.Truncate(s, w)
	if n := w - safetext.Width(s); n > 0 {
		return Blank(n) + s
	}
	return s
}

func highlightTo(b *strings.Builder, s string, q Query, base, match *fastStyle) {
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

// GutterWidth is the cells before the first column: cursor, mark, pinned,
// resolved, gap.
const GutterWidth = 5

// ResolvedGlyph marks a resolved row in the gutter; one cell, so it shows
// without colour.
const ResolvedGlyph = "✓"

// RunningAct is the activity of a running row, which shows activityFrame.
const RunningAct = "running"

// ActivityFrames animate running rows. The frame is a function of the
// clock, not of a tick count: the spinner's ticks redraw the screen, and
// the frame drawn depends only on the time (pinned in tests), so a frame
// costs the running rows on screen, never the data.
var ActivityFrames = [...]string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// ActivityPeriod is how long one frame of activityFrames shows.
const ActivityPeriod = 100 * time.Millisecond

// ActivityFrame is the frame of running rows at now.
func ActivityFrame(now time.Time) string {
	i := (now.UnixNano() / int64(ActivityPeriod)) % int64(len(ActivityFrames))
	if i < 0 {
		i += int64(len(ActivityFrames))
	}
	return ActivityFrames[i]
}

// FoundGlyph marks a row found on the server, in the mark cell (one cell
// wide, so it shows without colour).
const FoundGlyph = "⌕"
