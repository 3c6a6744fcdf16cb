package usageview

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
)

// TestViewGolden pins the view at 80x24 (40 sessions over 14 hours: the
// hourly chart) and 160x45 (300 sessions over six days: daily), on each
// table. Read testdata/TestViewGolden/*.golden after -update.
func TestViewGolden(t *testing.T) {
	for _, c := range []struct {
		name     string
		sessions int
		w, h     int
		keys     []string
	}{
		{"80x24_agents", 40, 80, 24, nil},
		{"80x24_sources_by_name", 40, 80, 24, []string{"tab", "tab", "S", "S", "S", "S", "S", "S"}},
		{"80x24_top_by_cost", 40, 80, 24, []string{"shift+tab", "c", "down"}},
		{"160x45_models", 300, 160, 45, []string{"tab", "left", "left"}},
		{"160x45_top", 300, 160, 45, []string{"shift+tab", "pgdown"}},
		{"160x45_hourly", 300, 160, 45, []string{"h", "c"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newSized(seedData(c.sessions), c.w, c.h)
			m, _ = press(t, m, c.keys...)
			v := m.View()
			checkFits(t, v, c.w, c.h)
			golden.RequireEqual(t, []byte(v))
		})
	}
}

func checkFits(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if v != "" && len(lines) > h {
		t.Fatalf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Fatalf("%dx%d: line %d is %d cells: %q", w, h, i, n, l)
		}
	}
}

// The view never exceeds its size: any size, any table, colours on or off,
// hostile text included.
func TestViewFitsEverySize(t *testing.T) {
	d := seedData(120)
	for _, s := range apitest.HostileSessions(testNow, "org_x", "agent_\x1b[31mx") {
		d.Sessions = append(d.Sessions, &s)
	}
	for _, th := range []*theme.Theme{plainTheme(), theme.New(theme.Dark, false)} {
		base := New(d, th)
		for _, keys := range [][]string{nil, {"tab"}, {"tab", "tab", "G"}, {"shift+tab", "G"}, {"h", "c"}} {
			m, _ := press(t, base, keys...)
			for w := 0; w <= 170; w += 7 {
				for h := 0; h <= 50; h += 3 {
					m.SetSize(w, h)
					v := m.View()
					checkFits(t, v, w, h)
					if th.NoColor && strings.Contains(v, "\x1b") {
						t.Fatalf("%dx%d: escape in the plain view", w, h)
					}
				}
			}
		}
	}
}

// The totals fit 80 columns in at most two lines, wrapping rather than
// cutting, for small and large figures.
func TestTotalsWrap(t *testing.T) {
	for _, n := range []int{0, 1, 40, 5000} {
		m := newSized(seedData(n), 80, 24)
		lines := m.totalsLines()
		if len(lines) == 0 || len(lines) > 2 {
			t.Fatalf("%d sessions: %d totals lines", n, len(lines))
		}
		joined := strings.Join(lines, " · ")
		for _, want := range []string{"prompt ", "output ", "total ", "cache hit ", "cost "} {
			if !strings.Contains(joined, want) {
				t.Fatalf("%d sessions: totals lack %q: %q", n, want, joined)
			}
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > 80 || strings.HasSuffix(l, "…") {
				t.Fatalf("%d sessions: cut line %q", n, l)
			}
		}
	}
	// Large figures: the prompt's parts stay, the cost is worded shorter.
	bm := newSized(seedData(5000), 80, 24)
	big := strings.Join(bm.totalsLines(), "\n")
	if !strings.Contains(big, "= input ") || !strings.Contains(big, "(22.4% est.), none for 690") {
		t.Fatalf("5000 sessions at 80 columns:\n%s", big)
	}
	wide := newSized(seedData(40), 160, 45)
	if l := wide.totalsLines(); len(l) != 1 || !strings.Contains(l[0], "= input ") {
		t.Fatalf("160 columns: %q", l)
	}
}

// BenchmarkUsageView opens the view on the apitest seed (aggregation once)
// and renders it once; View alone is measured too, since it runs per frame.
func BenchmarkUsageView(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		d := seedData(n)
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m := New(d, plainTheme())
				m.SetSize(160, 45)
				_ = m.View()
			}
		})
		b.Run(fmt.Sprintf("sessions=%d/view", n), func(b *testing.B) {
			m := New(d, plainTheme())
			m.SetSize(160, 45)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// The time axis is labelled between its ends: months on a long daily
// chart, midnights on an hourly one, never over the cursor's mark.
func TestChartAxisTicks(t *testing.T) {
	var d Data
	d.Now = testNow
	for day := range 120 {
		s := apiclient.Session{ID: fmt.Sprint("s", day), CreatedAt: testNow.AddDate(0, 0, -day),
			Usage: &apiclient.TokenUsage{InputTokens: int64(1000 + day)}}
		d.Sessions = append(d.Sessions, &s)
	}
	axis := func(m Model) string {
		for _, l := range strings.Split(m.View(), "\n") {
			if strings.Contains(l, "└") {
				return l
			}
		}
		t.Fatalf("no axis:\n%s", m.View())
		return ""
	}
	m := newSized(d, 160, 45)
	if a := axis(m); !strings.Contains(a, "└2026-04-23") || !strings.Contains(a, "─Jun─") ||
		!strings.Contains(a, "─Jul─") || !strings.Contains(a, "─Aug─") || !strings.HasSuffix(a, "2026-08-20") {
		t.Errorf("daily axis: %q", a)
	}
	m, _ = press(t, m, "h") // the last day's hours and the days before
	if a := axis(m); !strings.Contains(a, "─08-15─") || !strings.Contains(a, "─08-19─") || !strings.HasSuffix(a, "08-20 14h") {
		t.Errorf("hourly axis: %q", a)
	}
	for range 14 + 24 { // to 08-19 00h
		m, _ = press(t, m, "left")
	}
	if a := axis(m); !strings.Contains(a, "─▲─") || strings.Contains(a, "08-19") {
		t.Errorf("the cursor's mark on 08-19 00h is not clear of the 08-19 tick: %q", a)
	}
}

// The chart gets the rows the tables leave: at 80x20 (the body of an 80x24
// terminal) it is more than a strip, and the agents table still shows
// whole; a longer table keeps half the rows and scrolls.
func TestLayoutSharesRows(t *testing.T) {
	m := newSized(seedData(5000), 80, 20)
	l := m.layout()
	if l.chartH < 5 || l.rows < len(m.tables[ByAgent].order) || l.rows >= m.breakdownRows() {
		t.Fatalf("80x20: chart %d rows, table %d rows (agents %d, longest %d)", l.chartH, l.rows,
			len(m.tables[ByAgent].order), m.breakdownRows())
	}
	m, _ = press(t, m, "tab", "tab")
	if l2 := m.layout(); l2.chartH != l.chartH {
		t.Fatalf("the chart changed height with the table: %d → %d", l.chartH, l2.chartH)
	}
	if got := len(strings.Split(m.View(), "\n")); got != 20 {
		t.Fatalf("sources view is %d lines, want the whole 20", got)
	}
}
