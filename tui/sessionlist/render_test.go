package sessionlist

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/querylang"
	"github.com/everruns/sessions/tui/safetext"
)

// renderRowSlow is the straightforward rendering (every cell through
// lipgloss Render, every width measured) that renderRow must reproduce
// byte for byte.
func renderRowSlow(t *theme.Theme, now time.Time, r *Row, c Columns, width int, selected bool, d Decor) string {
	cursor, mark := " ", " "
	if selected {
		cursor = "▸"
	}
	if d.Marked != nil && d.Marked(r.S.ID) {
		mark = "●"
	}
	mark = cursor + mark
	pin, pinCell := " ", " "
	if r.Pinned {
		pin, pinCell = PinnedGlyph, t.Pinned.Render(PinnedGlyph)
	}
	done, doneCell := " ", " "
	if r.HasTag("resolved") {
		done, doneCell = ResolvedGlyph, t.StatusCompleted.Render(ResolvedGlyph)
	}
	cell := r.Cell
	if r.Act == "running" && d.Frame != "" {
		cell = d.Frame + " " + cell
	}
	status := safetext.Pad(cell, c.status)
	title := safetext.Pad(r.Title, c.title)
	tags := safetext.Pad(r.TagsText, c.tags)
	tokens := PadLeft(TokenCell(r), c.tokens)
	at := r.S.UpdatedAt
	if c.created {
		at = r.S.CreatedAt
	}
	ago := PadLeft(common.Age(now, at), c.ageW)
	if selected {
		line := strings.Join([]string{mark + pin + done + " " + status, title, tags, tokens, ago}, " ")
		return t.RowSelected.Render(safetext.Pad(line, width))
	}
	titleStyle := t.RowTitle
	if r.Untitled {
		titleStyle = t.RowUntitled
	}
	statusStyle := t.Status(r.Act)
	if d.Changed != nil && d.Changed(r.S.ID) {
		statusStyle = statusStyle.Inherit(t.RowChanged)
	}
	return strings.Join([]string{
		t.MarkGlyph.Render(mark) + pinCell + doneCell + " " + statusStyle.Render(status),
		highlightSlow(title, d.Q, titleStyle, t.Match),
		t.RowTag.Render(tags),
		t.RowTokens.Render(tokens),
		t.RowAge.Render(ago),
	}, " ")
}

func highlightSlow(s string, q Query, base, match lipgloss.Style) string {
	pos := q.MatchPositions(s)
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

func TestRenderRowMatchesLipgloss(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	sessions := append(apitest.HostileSessions(now, "org", "agent"), apitest.Generate(60, 3, now)...)
	defer lipgloss.SetColorProfile(lipgloss.ColorProfile())
	for _, prof := range []termenv.Profile{termenv.TrueColor, termenv.ANSI256, termenv.ANSI, termenv.Ascii} {
		lipgloss.SetColorProfile(prof)
		for _, th := range []*theme.Theme{theme.New(theme.Dark, false), theme.New(theme.Light, false), theme.New(theme.Auto, true)} {
			k := NewStyleKit(th)
			for _, width := range []int{80, 96, 160} {
				c := LayoutColumns(width)
				for qi, q := range []string{"", "refund", "café", "数据", "e", "#p1 ord", "zz"} {
					c.created = qi%2 == 0
					d := Decor{
						Marked:  func(id string) bool { return len(id)%3 == 0 },
						Changed: func(id string) bool { return len(id)%5 == 0 },
						Q:       CompileQuery(q, querylang.Env{Now: now}),
						Frame:   ActivityFrame(now.Add(time.Duration(qi) * ActivityPeriod)),
					}
					for i, s := range sessions {
						r := NewRow(s)
						sel := (i+qi)%7 == 0
						got, want := RenderRow(k, now, r, c, width, sel, d), renderRowSlow(th, now, r, c, width, sel, d)
						if got != want {
							t.Fatalf("profile %v width %d query %q row %d selected %v:\n got %q\nwant %q", prof, width, q, i, sel, got, want)
						}
					}
				}
			}
		}
	}
}
