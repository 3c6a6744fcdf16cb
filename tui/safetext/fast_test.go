package safetext

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The fast paths must give exactly what the slow paths give.
var fastPieces = []string{
	"a", "b", "Z", " ", "  ", "~", "#", "é", "Ü", "ß", "—", "…", "·", "●", "▰", "▱", "↓", "↑", "╭", "─",
	"\u00ad", "\u0301", "\u200d", "\ufe0f", "数", "据", "🚀", "🇩🇪", "\u0600", "가", "\t", "\n", "\r", "\x7f",
	"\x1b[31m", "\x1b[0m", "\x1b[1;38;2;10;20;30m", "\x1b[", "\x1b]8;;x\x1b\\", "\x1b", "\u009b31m", "\xff",
	"\u2028", "\u202e", "\u2066", "\ufeff",
}

func randText(rng *rand.Rand) string {
	var b strings.Builder
	for k := rng.Intn(12); k >= 0; k-- {
		b.WriteString(fastPieces[rng.Intn(len(fastPieces))])
	}
	return b.String()
}

func TestFastPathsMatchSlowPaths(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 30000; i++ {
		s := randText(rng)
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Fatalf("Width(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
		for _, max := range []int{0, 3, 8} {
			if got, want := Line(s, max), clean(s, max, false, false); got != want {
				t.Fatalf("Line(%q, %d) = %q, clean = %q", s, max, got, want)
			}
		}
		c := clean(s, 0, false, false)
		for w := 1; w <= 12; w++ {
			if got := Width(Truncate(c, w)); got > w {
				t.Fatalf("Truncate(%q, %d) is %d cells", c, w, got)
			}
			if got := ansi.StringWidth(Pad(c, w)); got != w && ansi.StringWidth(c) <= w {
				t.Fatalf("Pad(%q, %d) is %d cells", c, w, got)
			}
		}
		if a := strings.Repeat("ab cd", rng.Intn(5)); len(a) > 3 {
			for w := 1; w < len(a); w++ {
				if got, want := Truncate(a, w), a[:w-1]+Ellipsis; got != want {
					t.Fatalf("Truncate(%q, %d) = %q, want %q", a, w, got, want)
				}
			}
		}
	}
}

func TestLineReturnsCleanInputUncopied(t *testing.T) {
	s := strings.Repeat("Refund request for order #1234 ", 3) + "done"
	if got := Line(s, 0); got != s || (len(s) > 0 && &[]byte(got)[0] == nil) {
		t.Fatal("changed")
	}
	if n := testing.AllocsPerRun(100, func() { _ = Line(s, 0) }); n != 0 {
		t.Fatalf("Line of clean text allocates %v times", n)
	}
}
