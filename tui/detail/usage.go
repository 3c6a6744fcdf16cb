package detail

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/safetext"
)

// barGlyph fills a bar; barTrack is the rest of its track.
const (
	barGlyph = "█"
	barTrack = "░"
)

// usageLabels are the four token counters, in display order.
var usageLabels = [4]string{"input", "output", "cache read", "cache creation"}

// usageLabelWidth is the width of the widest label above.
const usageLabelWidth = len("cache creation")

// usageValues returns input, output, cache read and cache creation tokens.
func usageValues(u *apiclient.TokenUsage) [4]int64 {
	if u == nil {
		return [4]int64{}
	}
	return [4]int64{u.InputTokens, u.OutputTokens, u.CacheRead(), u.CacheCreation()}
}

// barStyles are the bar styles matching usageLabels.
func barStyles(t *theme.Theme) [4]lipgloss.Style {
	return [4]lipgloss.Style{t.BarInput, t.BarOutput, t.BarCacheRead, t.BarCacheCreation}
}

// hitText is the share of prompt tokens served from the cache (apiclient's
// arithmetic: cache read / (input + cache read + cache creation)) as a
// percentage, or "—" when there is no prompt to divide by.
func hitText(u *apiclient.TokenUsage) string {
	if u.Prompt() <= 0 {
		return "—"
	}
	return common.Percent(u.CacheHitRatio())
}

// barLen scales v to a bar of at most w cells against the largest value.
// Any non-zero value gets at least one cell so it stays visible.
func barLen(v, largest int64, w int) int {
	if w <= 0 || v <= 0 || largest <= 0 {
		return 0
	}
	n := int((float64(v)/float64(largest))*float64(w) + 0.5)
	return max(1, min(n, w))
}

// usageCells renders the four counters as cells of exactly colW cells each
// (or less when colW is too small for anything but the numbers): a label,
// the number right-aligned with thousands separators, and a bar scaled to
// the largest of the four numbers.
func usageCells(t *theme.Theme, u *apiclient.TokenUsage, colW int) []string {
	vals := usageValues(u)
	styles := barStyles(t)
	var nums [4]string
	numW := 0
	var largest int64
	for i, v := range vals {
		nums[i] = common.Thousands(v)
		numW = max(numW, len(nums[i]))
		largest = max(largest, v)
	}
	barW := colW - usageLabelWidth - 1 - numW - 1
	cells := make([]string, 4)
	for i := range vals {
		label := t.Label.Render(safetext.Pad(usageLabels[i], usageLabelWidth))
		num := t.Value.Render(strings.Repeat(" ", numW-len(nums[i])) + nums[i])
		c := label + " " + num
		if barW >= 1 {
			n := barLen(vals[i], largest, barW)
			c += " "
			if n > 0 {
				c += styles[i].Render(strings.Repeat(barGlyph, n))
			}
			if barW-n > 0 {
				c += t.BarEmpty.Render(strings.Repeat(barTrack, barW-n))
			}
		}
		if lipgloss.Width(c) > colW {
			// Too narrow even for the numbers: fall back to plain truncation.
			plain := usageLabels[i] + " " + nums[i]
			c = t.Value.Render(safetext.Truncate(plain, colW))
		}
		cells[i] = c
	}
	return cells
}

// usageBlock renders the usage block in width w: the four counters in cols
// columns (1 or 2), then the cache-hit ratio line. Null usage is "no usage
// yet".
func usageBlock(t *theme.Theme, u *apiclient.TokenUsage, w, cols int) []string {
	if w <= 0 {
		return nil
	}
	if u == nil {
		return []string{
			fit(w, seg{safetext.Pad("tokens", usageLabelWidth) + " ", t.Label}, seg{"no usage yet", t.Muted}),
			hitLine(t, u, w),
		}
	}
	const gap = 3
	cols = max(1, min(cols, 2))
	colW := w
	if cols == 2 {
		colW = (w - gap) / 2
	}
	cells := usageCells(t, u, colW)
	var lines []string
	for i := 0; i < len(cells); i += cols {
		line := cells[i]
		if cols == 2 && i+1 < len(cells) {
			line += strings.Repeat(" ", max(0, colW-lipgloss.Width(line))+gap) + cells[i+1]
		}
		lines = append(lines, line)
	}
	return append(lines, hitLine(t, u, w))
}

// hitLine is "cache hit  87.5%  = cache read / prompt tokens".
func hitLine(t *theme.Theme, u *apiclient.TokenUsage, w int) string {
	return fit(w,
		seg{safetext.Pad("cache hit", usageLabelWidth) + " ", t.Label},
		seg{hitText(u), t.Value},
		seg{"  = cache read / prompt tokens", t.Muted},
	)
}
