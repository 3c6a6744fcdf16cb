package common

import (
	"math"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
)

func TestFormatters(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
	if got := Plural(1, "message"); got != "1 message" {
		t.Errorf("Plural(1) = %q", got)
	}
	if got := Plural(1200, "message"); got != "1,200 messages" {
		t.Errorf("Plural(1200) = %q", got)
	}
	for r, want := range map[float64]string{0: "0.0%", 0.75: "75.0%", 0.0325: "3.2%", 1: "100.0%", math.NaN(): "—"} {
		if got := Percent(r); got != want {
			t.Errorf("Percent(%v) = %q, want %q", r, got, want)
		}
	}
	now := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{2 * time.Second: "now", 45 * time.Second: "45s", 3 * time.Hour: "3h", 20 * 24 * time.Hour: "2w"} {
		if got := Age(now, now.Add(-d)); got != want {
			t.Errorf("Age(-%v) = %q, want %q", d, got, want)
		}
	}
	for _, c := range []struct {
		usd  float64
		est  bool
		want string
	}{{1.234, false, "$1.23"}, {0.004, true, "~<$0.01"}, {0, false, "$0.00"}, {-1, false, "$?"}, {math.Inf(1), false, "$?"}} {
		if got := FormatCost(c.usd, c.est); got != c.want {
			t.Errorf("FormatCost(%v, %v) = %q, want %q", c.usd, c.est, got, c.want)
		}
	}
}

func TestActivityOf(t *testing.T) {
	for _, c := range []struct {
		s         apiclient.Session
		act, cell string
	}{
		{apiclient.Session{Activity: apiclient.ActivityFailed}, "failed", FailedGlyph + " failed"},
		{apiclient.Session{Status: apiclient.StatusIdle}, "idle", "idle"},
		{apiclient.Session{Status: "waiting_for_tool_results"}, "running", "waiting"},
		{apiclient.Session{Status: "x\x1b[2Jy"}, "xy", "xy"}, // sanitised
		{apiclient.Session{}, "unknown", "unknown"},
	} {
		if act, cell := ActivityOf(c.s); act != c.act || cell != c.cell {
			t.Errorf("ActivityOf(%+v) = %q, %q; want %q, %q", c.s, act, cell, c.act, c.cell)
		}
	}
}
