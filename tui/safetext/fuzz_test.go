package safetext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/ and run as ordinary
// tests under plain `go test`. Run a fuzzer with e.g.
//
//	go test -run '^$' -fuzz '^FuzzLine$' -fuzztime 60s ./tui/safetext/

// checkSafe reports the first rune of out that must never reach a terminal.
func checkSafe(t *testing.T, fn, in, out string, multiline bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q: invalid UTF-8", fn, in, out)
	}
	for i, r := range out {
		bad := ""
		switch {
		case r == '\n' && !multiline:
			bad = "newline"
		case r == 0x1b:
			bad = "ESC"
		case r < 0x20 && r != '\n':
			bad = "C0 control"
		case r == 0x7f:
			bad = "DEL"
		case r >= 0x80 && r <= 0x9f:
			bad = "C1 control"
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			bad = "bidi override/isolate"
		case r == 0x200e, r == 0x200f, r == 0x061c:
			bad = "bidi mark"
		case unicode.Is(unicode.Cf, r):
			// Zero-width spaces, soft hyphens, prepended concatenation
			// marks: measured and drawn differently, or hidden in a word.
			bad = "format character"
		}
		if bad != "" {
			t.Fatalf("%s(%q) = %q: %s %U at byte %d", fn, in, out, bad, r, i)
		}
	}
}

// checkCap asserts the documented byte cap: at most maxBytes bytes, the
// ellipsis included; 0 means no cap.
func checkCap(t *testing.T, fn, in, out string, maxBytes int) {
	t.Helper()
	if maxBytes > 0 && len(out) > maxBytes {
		t.Fatalf("%s(%q, %d) = %q: %d bytes > cap", fn, in, maxBytes, out, len(out))
	}
	if maxBytes == 0 && strings.Count(out, Ellipsis) > strings.Count(in, Ellipsis) {
		t.Fatalf("%s(%q, 0) = %q: ellipsis added without a cap", fn, in, out)
	}
}

// checkWidth asserts that every measure the layout may use agrees, line by line.
func checkWidth(t *testing.T, fn, out string) {
	t.Helper()
	widest := 0
	for _, line := range strings.Split(out, "\n") {
		w := Width(line)
		if aw := ansi.StringWidth(line); aw != w {
			t.Fatalf("%s: line %q: Width %d != ansi.StringWidth %d", fn, line, w, aw)
		}
		if lw := lipgloss.Width(line); lw != w {
			t.Fatalf("%s: line %q: Width %d != lipgloss.Width %d", fn, line, w, lw)
		}
		widest = max(widest, w)
	}
	if lw := lipgloss.Width(out); lw != widest {
		t.Fatalf("%s: %q: lipgloss.Width %d != widest line %d", fn, out, lw, widest)
	}
	if !strings.Contains(out, "\n") && Width(out) != widest {
		t.Fatalf("%s: %q: Width %d != %d", fn, out, Width(out), widest)
	}
}

func FuzzLine(f *testing.F) {
	f.Add("\x1b[31mred\x1b[0m text", uint16(0))
	f.Add("a\x1b]52;c;ZXZpbA==\x07b", uint16(8))
	f.Add("数据库迁移计划", uint16(4))
	f.Fuzz(func(t *testing.T, s string, maxBytes uint16) {
		m := int(maxBytes)
		out := Line(s, m)
		checkSafe(t, "Line", s, out, false)
		checkCap(t, "Line", s, out, m)
		checkWidth(t, "Line", out)
		if strings.Trim(out, " ") != out {
			t.Fatalf("Line(%q) = %q: leading or trailing spaces", s, out)
		}
		if strings.Contains(out, "  ") {
			t.Fatalf("Line(%q) = %q: uncollapsed spaces", s, out)
		}
		if again := Line(out, m); again != out {
			t.Fatalf("Line not idempotent at cap %d: Line(%q) = %q, again %q", m, s, out, again)
		}
		if m == 0 {
			if again := Text(out, 0); again != out {
				t.Fatalf("Text(Line(%q)) = %q, want %q", s, again, out)
			}
		}
	})
}

func FuzzText(f *testing.F) {
	f.Add("a\r\nb\rc\x1b[2Jd\te", uint16(0))
	f.Add("one\ntwo\u2028three", uint16(6))
	f.Fuzz(func(t *testing.T, s string, maxBytes uint16) {
		m := int(maxBytes)
		out := Text(s, m)
		checkSafe(t, "Text", s, out, true)
		checkCap(t, "Text", s, out, m)
		checkWidth(t, "Text", out)
		if strings.Contains(out, "\t") || strings.Contains(out, "\r") {
			t.Fatalf("Text(%q) = %q: tab or CR left", s, out)
		}
		if again := Text(out, m); again != out {
			t.Fatalf("Text not idempotent at cap %d: Text(%q) = %q, again %q", m, s, out, again)
		}
		if m == 0 {
			joined := Line(out, 0)
			if want := Line(s, 0); joined != want {
				t.Fatalf("Line(Text(%q)) = %q, Line = %q", s, joined, want)
			}
		}
	})
}

func FuzzTag(f *testing.F) {
	f.Add("res\u200bolved", uint16(0))
	f.Add("\u0600\u0601\u06dd\u070f\u08e2\U000110bd\U000110cd", uint16(0))
	f.Add("soft\u00adhyphen\u2060\ufeff", uint16(9))
	f.Fuzz(func(t *testing.T, s string, maxBytes uint16) {
		m := int(maxBytes)
		out := Tag(s, m)
		checkSafe(t, "Tag", s, out, false)
		checkCap(t, "Tag", s, out, m)
		checkWidth(t, "Tag", out)
		if again := Tag(out, m); again != out {
			t.Fatalf("Tag not idempotent at cap %d: Tag(%q) = %q, again %q", m, s, out, again)
		}
		// Tag differs from Line only by the marks it shows (and so by
		// the spaces a mark kept from being leading or doubled).
		if m == 0 {
			norm := func(s string) string {
				return strings.Join(strings.Fields(strings.ReplaceAll(s, "\uFFFD", "")), " ")
			}
			if norm(out) != norm(Line(s, 0)) {
				t.Fatalf("Tag(%q) = %q, Line = %q", s, out, Line(s, 0))
			}
		}
	})
}

func FuzzTruncate(f *testing.F) {
	f.Add("hello world")
	f.Add("🇩🇪 flag ❤️ heart 👩‍💻 数据库")
	f.Fuzz(func(t *testing.T, s string) {
		line := Line(s, 0)
		full := Width(line)
		for w := 0; w <= 40; w++ {
			tr := Truncate(line, w)
			checkSafe(t, "Truncate", line, tr, false)
			tw := Width(tr)
			if tw > w {
				t.Fatalf("Truncate(%q, %d) = %q: width %d", line, w, tr, tw)
			}
			if lw := lipgloss.Width(tr); lw != tw {
				t.Fatalf("Truncate(%q, %d) = %q: lipgloss.Width %d != Width %d", line, w, tr, lw, tw)
			}
			if full <= w && w > 0 && tr != line {
				t.Fatalf("Truncate(%q, %d) = %q: cut text that fits", line, w, tr)
			}
			if full > w && w > 0 && !strings.HasSuffix(tr, Ellipsis) {
				t.Fatalf("Truncate(%q, %d) = %q: cut without ellipsis", line, w, tr)
			}
			if full > w && !strings.HasPrefix(line, strings.TrimSuffix(tr, Ellipsis)) {
				t.Fatalf("Truncate(%q, %d) = %q: not a prefix", line, w, tr)
			}
			p := Pad(line, w)
			if pw := Width(p); pw != w {
				t.Fatalf("Pad(%q, %d) = %q: width %d", line, w, p, pw)
			}
			if lw := lipgloss.Width(p); lw != w {
				t.Fatalf("Pad(%q, %d) = %q: lipgloss.Width %d", line, w, p, lw)
			}
		}
	})
}
