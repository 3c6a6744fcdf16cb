package tui

import (
	"time"

	"github.com/everruns/sessions/tui/common"
)

// compactTokens formats a token count for a narrow column (see
// common.CompactTokens).
func compactTokens(n int64) string { return common.CompactTokens(n) }

// thousands formats n with thousands separators: 1,234,567.
func thousands(n int64) string { return common.Thousands(n) }

// age is a short relative age: now, 42s, 5m, 3h, 2d, 7w, 4mo, 2y.
func age(now, t time.Time) string { return common.Age(now, t) }

// plural is "1 session", "2 sessions", "1,000 sessions".
func plural(n int, noun string) string { return common.Plural(n, noun) }
