package common

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// Thousands formats n with thousands separators: 1,234,567.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// Plural is "1 session", "2 sessions", "1,000 sessions".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Thousands(int64(n)) + " " + noun + "s"
}

// Age is a short relative age: now, 42s, 5m, 3h, 2d, 7w, 4mo, 2y.
func Age(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := now.Sub(t)
	switch {
	case d < 5*time.Second:
		return "now"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 14*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%dw", int(d.Hours()/24/7))
	case d < 365*24*time.Hour:
		return fmt.Sprintf("%dmo", int(d.Hours()/24/30))
	}
	return fmt.Sprintf("%dy", int(d.Hours()/24/365))
}

// Percent is a ratio in [0, 1] as a percentage with one decimal: "87.5%".
func Percent(r float64) string {
	if math.IsNaN(r) {
		return "—"
	}
	return strconv.FormatFloat(100*r, 'f', 1, 64) + "%"
}

// CostText is the session's cost as the views show it: effective, else
// actual, else estimated (marked "~"), in dollars to the cent; "" when the
// session has none.
func CostText(s *apiclient.Session) string {
	usd, kind, ok := s.Cost()
	if !ok {
		return ""
	}
	return FormatCost(usd, kind == apiclient.CostEstimated)
}

// FormatCost writes usd as "$1.23"; a cost under a cent but above zero
// reads "<$0.01" rather than a misleading "$0.00". A value no real cost
// has (negative, not a number, absurdly large) is shown as "?", never sized
// or trusted.
func FormatCost(usd float64, estimated bool) string {
	prefix := ""
	if estimated {
		prefix = "~"
	}
	switch {
	case math.IsNaN(usd) || math.IsInf(usd, 0) || usd < 0 || usd >= 1e12:
		return prefix + "$?"
	case usd == 0:
		return prefix + "$0.00"
	case usd < 0.01:
		return prefix + "<$0.01"
	}
	return prefix + fmt.Sprintf("$%.2f", usd)
}

// CompactCount is a compact count for narrow columns: 950, 12.3k, 4.5M,
// 1.2B; "?" for a negative (impossible) count.
func CompactCount(n int64) string {
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
			return strings.TrimSuffix(s, ".0") + unit
		}
	}
	return ">999T"
}
