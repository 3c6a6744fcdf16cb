package tui

import (
	"time"

	"github.com/everruns/sessions/tui/common"
)

// compactTokens formats a token count for a narrow column: 999, 12.3k,
// 4.5M, 2.1B, 7T. A server may send any int64: a count past 999T shows as
// ">999T", and a negative one (a lie, or a sum that overflowed) as "?",
// never as a negative number.
func compactTokens(n int64) string { return common.CompactCount(n) }

// thousands formats n with thousands separators: 1,234,567.
func thousands(n int64) string { return common.Thousands(n) }

// age is a short relative age: now, 42s, 5m, 3h, 2d, 7w, 4mo, 2y.
func age(now, t time.Time) string { return common.Age(now, t) }

// plural is "1 session", "2 sessions", "1,000 sessions".
func plural(n int, noun string) string { return common.Plural(n, noun) }
