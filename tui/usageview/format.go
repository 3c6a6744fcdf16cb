package usageview

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/everruns/sessions/tui/safetext"
)

// label is a row key made safe for the terminal; "(none)" when empty.
func label(s string) string {
	if s = safetext.Line(s, 400); s == "" {
		return "(none)"
	}
	return s
}

// fmtUSD is a compact dollar amount: $0, <$0.01, $0.14, $2.38, $123, $4.5k.
func fmtUSD(v float64) string {
	switch {
	case math.IsNaN(v) || v < 0:
		return "?"
	case v == 0:
		return "$0"
	case v < 0.01:
		return "<$0.01"
	case v < 100:
		return fmt.Sprintf("$%.2f", v)
	case v < 1000:
		return fmt.Sprintf("$%.0f", v)
	}
	for _, unit := range [...]string{"k", "M", "B", "T"} {
		v /= 1000
		if v < 999.95 {
			return "$" + strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + unit
		}
	}
	return ">$999T"
}

// padLeft right-aligns s in w cells (s is ASCII or measured by safetext).
func padLeft(s string, w int) string {
	s = safetext.Truncate(s, w)
	if n := w - safetext.Width(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// plural is "1 session", "2 sessions".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return groupDigits(int64(n)) + " " + word + "s"
}

// groupDigits is n with comma separators.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 || n < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// wrap joins segments with sep into lines of at most w cells, breaking
// between segments only.
func wrap(segs []string, sep string, w int) []string {
	var lines []string
	cur := ""
	for _, s := range segs {
		switch {
		case cur == "":
			cur = s
		case safetext.Width(cur)+safetext.Width(sep)+safetext.Width(s) <= w:
			cur += sep + s
		default:
			lines = append(lines, cur)
			cur = s
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
