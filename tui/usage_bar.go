package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/safetext"
)

// usageBarGlyph fills a bar; usageBarTrack is the rest of its track.
const (
	usageBarGlyph = "█"
	usageBarTrack = "░"
)

// usageBarLabels are the four token counters, in display order.
var usageBarLabels = [4]string{"input", "output", "cache read", "cache creation"}

// usageBarLabelWidth is the width of the widest label above.
const usageBarLabelWidth = len("cache creation")

// usageBarValues returns input, output, cache read and cache creation tokens.
func usageBarValues(u *apiclient.TokenUsage) [4]int64 {
	if u == nil {
		return [4]int64{}
	}
	return [4]int64{u.InputTokens, u.OutputTokens, u.CacheRead(), u.CacheCreation()}
}

// usageBarStyles are the bar styles matching usageBarLabels.
func usageBarStyles(t *theme.Theme) [4]lipgloss.Style {
	return [4]lipgloss.Style{t.BarInput, t.BarOutput, t.BarCacheRead, t.BarCacheCreation}
}

// usageBarHitRatio is the share of prompt tokens served from the cache:
//
//	cache_read / (input + cache_read + cache_creation)
//
// The API's prompt buckets are disjoint, so the sum is every prompt token the
// model saw (apiclient's arithmetic). ok is false when there is no usage or
// no prompt (nothing to divide), shown as "—".
func usageBarHitRatio(u *apiclient.TokenUsage) (ratio float64, ok bool) {
	if u.Prompt() <= 0 {
		return 0, false
	}
	return u.CacheHitRatio(), true
}

// usageBarHitText is the ratio as a percentage, or "—".
func usageBarHitText(u *apiclient.TokenUsage) string {
	r, ok := usageBarHitRatio(u)
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", r*100)
}

// usageBarLen scales v to a bar of at most w cells against the largest value
// max. Any non-zero value gets at least one cell so it stays visible.
func usageBarLen(v, largest int64, w int) int {
	if w <= 0 || v <= 0 || largest <= 0 {
		return 0
	}
	n := int((float64(v)/float64(largest))*float64(w) + 0.5)
	return max(1, min(n, w))
}

// usageBarCells renders the four counters as cells of exactly colW cells each
// (or less when colW is too small for anything but the numbers): a label, the
// number right-aligned with thousands separators, and a bar scaled to the
// largest of the four numbers.
func usageBarCells(t *theme.Theme, u *apiclient.TokenUsage, colW int) []string {
	vals := usageBarValues(u)
	styles := usageBarStyles(t)
	var nums [4]string
	numW := 0
	var largest int64
	for i, v := range vals {
		nums[i] = thousands(v)
		numW = max(numW, len(nums[i]))
		largest = max(largest, v)
	}
	barW := colW - usageBarLabelWidth - 1 - numW - 1
	cells := make([]string, 4)
	for i := range vals {
		label := t.Label.Render(safetext.Pad(usageBarLabels[i], usageBarLabelWidth))
		num := t.Value.Render(strings.Repeat(" ", numW-len(nums[i])) + nums[i])
		cell := label + " " + num
		if barW >= 1 {
			n := usageBarLen(vals[i], largest, barW)
			cell += " "
			if n > 0 {
				cell += styles[i].Render(strings.Repeat(usageBarGlyph, n))
			}
			if barW-n > 0 {
				cell += t.BarEmpty.Render(strings.Repeat(usageBarTrack, barW-n))
			}
		}
		if lipgloss.Width(cell) > colW {
			// Too narrow even for the numbers: fall back to plain truncation.
			plain := usageBarLabels[i] + " " + nums[i]
			cell = t.Value.Render(safetext.Truncate(plain, colW))
		}
		cells[i] = cell
	}
	return cells
}

// usageBarBlock renders the usage block in width w: the four counters in cols
// columns (1 or 2), then the cache-hit ratio line. Null usage is "no usage
// yet".
func usageBarBlock(t *theme.Theme, u *apiclient.TokenUsage, w, cols int) []string {
	if w <= 0 {
		return nil
	}
	if u == nil {
		return []string{
			detailFit(w, detailSeg{safetext.Pad("tokens", usageBarLabelWidth) + " ", t.Label}, detailSeg{"no usage yet", t.Muted}),
			usageBarHitLine(t, u, w),
		}
	}
	const gap = 3
	cols = max(1, min(cols, 2))
	colW := w
	if cols == 2 {
		colW = (w - gap) / 2
	}
	cells := usageBarCells(t, u, colW)
	var lines []string
	for i := 0; i < len(cells); i += cols {
		line := cells[i]
		if cols == 2 && i+1 < len(cells) {
			line += strings.Repeat(" ", max(0, colW-lipgloss.Width(line))+gap) + cells[i+1]
		}
		lines = append(lines, line)
	}
	return append(lines, usageBarHitLine(t, u, w))
}

// usageBarHitLine is "cache hit  87.5%  = cache read / prompt tokens" (prompt = input + cache read + cache creation).
func usageBarHitLine(t *theme.Theme, u *apiclient.TokenUsage, w int) string {
	return detailFit(w,
		detailSeg{safetext.Pad("cache hit", usageBarLabelWidth) + " ", t.Label},
		detailSeg{usageBarHitText(u), t.Value},
		detailSeg{"  = cache read / prompt tokens", t.Muted},
	)
}
