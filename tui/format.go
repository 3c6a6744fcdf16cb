package tui

import (
	"strconv"
	"time"

	"github.com/everruns/sessions/tui/common"
)

// compactTokens formats a token count for a narrow column: 999, 12.3k,
// 4.5M, 2.1B, 7T. A server may send any int64: a count past 999T shows as
// ">999T", and a negative one (a lie, or a sum that overflowed) as "?",
// never as a negative number.
func compactTokens(n int64) string {
	if n < 0 {
		return "?"
	}
	if n < 1000 {
		return strconv.FormatInt(n, 10)
	}
	v := float64(n)
	for _, unit := range [...]string{"k", "M", "B", "T"} {
		v /= 1000
		// Rounded to one decimal; 999.96k reads 1M, not 1000k.
		if s := strconv.FormatFloat(v, 'f', 1, 64); v < 999.95 {
			return trimZero(s) + unit
		}
	}
	return ">999T"
}

func trimZero(s string) string {
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}

// thousands formats n with thousands separators: 1,234,567.
func thousands(n int64) string { return common.Thousands(n) }

// age is a short relative age: now, 42s, 5m, 3h, 2d, 7w, 4mo, 2y.
func age(now, t time.Time) string { return common.Age(now, t) }

// plural is "1 session", "2 sessions", "1,000 sessions".
func plural(n int, noun string) string { return common.Plural(n, noun) }
