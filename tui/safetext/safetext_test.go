package safetext

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestLine(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "hello world", "hello world"},
		{"csi colour", "\x1b[31mred\x1b[0m text", "red text"},
		{"osc52 bel", "a\x1b]52;c;ZXZpbA==\x07b", "ab"},
		{"osc8 link", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"dcs", "x\x1bP1$qm\x1b\\y", "xy"},
		{"unterminated osc keeps rest", "t\x1b]0;title and more", "t0;title and more"},
		{"c0", "a\rb\bc\ad", "a bcd"},
		{"c1 csi", "a\u009b31mb", "ab"},
		{"c1 other", "a\u0085b", "ab"},
		{"bidi", "abc\u202eevil\u2066x\u2069", "abcevilx"},
		{"newlines", "one\ntwo\r\n\tthree", "one two three"},
		{"collapse", "  a   b  ", "a b"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"wide", "数据库 🚀", "数据库 🚀"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Line(c.in, 0); got != c.want {
				t.Fatalf("Line(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestTextKeepsNewlines(t *testing.T) {
	got := Text("a\r\nb\rc\x1b[2Jd\te", 0)
	if got != "a\nb\ncd    e" {
		t.Fatalf("Text = %q", got)
	}
}

func TestCap(t *testing.T) {
	big := strings.Repeat("数", 1<<20)
	got := Line(big, 100)
	if len(got) > 100 || !strings.HasSuffix(got, Ellipsis) {
		t.Fatalf("len %d, suffix %q", len(got), got[len(got)-5:])
	}
}

func TestTruncateAndPad(t *testing.T) {
	for _, s := range []string{"hello world", "数据库迁移计划", "🇩🇪 flag ❤️ heart", "e\u0301e\u0301"} {
		for w := 1; w < 12; w++ {
			tr := Truncate(s, w)
			if Width(tr) > w {
				t.Fatalf("Truncate(%q,%d) = %q width %d", s, w, tr, Width(tr))
			}
			if p := Pad(s, w); Width(p) != w {
				t.Fatalf("Pad(%q,%d) = %q width %d", s, w, p, Width(p))
			}
		}
	}
}

// Joined emoji are split into their parts: their width is then the same in
// terminals that add up code points (tmux) and in those that join graphemes.
func TestJoinersDropped(t *testing.T) {
	cases := map[string]string{
		"❤️":      "❤",
		"👩‍💻":     "👩💻",
		"👍🏽":      "👍",
		"1️⃣":     "1⃣",
		"🇯🇵 flag": "🇯🇵 flag",
	}
	for in, want := range cases {
		if got := Line(in, 0); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
	if w := Width(Line("👩‍💻", 0)); w != 4 {
		t.Errorf("width %d, want 4 (two emoji side by side)", w)
	}
}

// invisibles are the format characters a hostile server used to lie about
// widths: the prepended concatenation marks measure 0 cells but draw one,
// and the rest hide inside a word.
var invisibles = []struct {
	r    rune
	name string
}{
	{0x0600, "ARABIC NUMBER SIGN"},
	{0x0601, "ARABIC SIGN SANAH"},
	{0x0602, "ARABIC FOOTNOTE MARKER"},
	{0x0603, "ARABIC SIGN SAFHA"},
	{0x0604, "ARABIC SIGN SAMVAT"},
	{0x0605, "ARABIC NUMBER MARK ABOVE"},
	{0x06DD, "ARABIC END OF AYAH"},
	{0x070F, "SYRIAC ABBREVIATION MARK"},
	{0x0890, "ARABIC POUND MARK ABOVE"},
	{0x08E2, "ARABIC DISPUTED END OF AYAH"},
	{0x110BD, "KAITHI NUMBER SIGN"},
	{0x110CD, "KAITHI NUMBER SIGN ABOVE"},
	{0x00AD, "SOFT HYPHEN"},
	{0x200B, "ZERO WIDTH SPACE"},
	{0x200C, "ZERO WIDTH NON-JOINER"},
	{0x2060, "WORD JOINER"},
	{0xFEFF, "ZERO WIDTH NO-BREAK SPACE"},
	{0x180E, "MONGOLIAN VOWEL SEPARATOR"},
	{0xE0001, "LANGUAGE TAG"},
}

func TestInvisibleFormatsStripped(t *testing.T) {
	for _, c := range invisibles {
		t.Run(c.name, func(t *testing.T) {
			ch := string(c.r)
			if !IsInvisible(c.r) {
				t.Fatalf("IsInvisible(%U) = false", c.r)
			}
			if got := Line("res"+ch+"olved", 0); got != "resolved" {
				t.Fatalf("Line(res %U olved) = %q, want %q", c.r, got, "resolved")
			}
			if got := Text("a"+ch+"\n"+ch+"b", 0); got != "a\nb" {
				t.Fatalf("Text = %q, want %q", got, "a\nb")
			}
			// A title made of the character alone would measure 0 cells
			// (and never be cut) while terminals draw one cell each.
			if got := Line(strings.Repeat(ch+"x", 50), 0); got != strings.Repeat("x", 50) || Width(got) != 50 {
				t.Fatalf("Line(%U x ...) = %q, width %d", c.r, got, Width(got))
			}
			if got := Line(strings.Repeat(ch, 100), 0); got != "" {
				t.Fatalf("Line(%U * 100) = %q, want empty", c.r, got)
			}
			// In a tag it shows, so the tag cannot pass for another.
			if got := Tag("res"+ch+"olved", 0); got != "res\uFFFDolved" {
				t.Fatalf("Tag(res %U olved) = %q", c.r, got)
			}
		})
	}
}

func TestTagKeepsCleanTagsAndStripsEscapes(t *testing.T) {
	cases := map[string]string{
		"resolved":                 "resolved",
		"needs review":             "needs review",
		"a\x1b[31mb":               "ab",
		"x\u202ey":                 "x\uFFFDy", // a bidi override is a format character too
		"\u200b":                   "\uFFFD",
		"tag\u200b\u200b":          "tag\uFFFD\uFFFD",
		"\u0600\u0600\u0600\u0600": "\uFFFD\uFFFD\uFFFD\uFFFD",
	}
	for in, want := range cases {
		if got := Tag(in, 0); got != want {
			t.Errorf("Tag(%q) = %q, want %q", in, got, want)
		}
		if got := Tag(in, 0); Width(got) != len([]rune(got)) {
			t.Errorf("Tag(%q) = %q: width %d, want one cell a rune", in, got, Width(got))
		}
	}
}

// Fit makes a styled block exactly h lines, none wider than w.
func TestFit(t *testing.T) {
	in := "\x1b[1mbold and long\x1b[0m\nshort\nthird\nfourth"
	got := Fit(in, 6, 3)
	lines := strings.Split(got, "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %q", len(lines), got)
	}
	if w := Width(ansi.Strip(lines[0])); w != 6 || !strings.HasPrefix(lines[0], "\x1b[1m") {
		t.Fatalf("first line %q (%d cells)", lines[0], w)
	}
	if lines[1] != "short" || lines[2] != "third" {
		t.Fatalf("lines %q", lines)
	}
	if got := Fit("a", 5, 3); got != "a\n\n" {
		t.Fatalf("padded to 3 lines: %q", got)
	}
}

// PadStyled and FitLines keep styles intact and make every line exactly w
// cells: cut (PadStyled with an ellipsis, FitLines without, as Fit) or
// padded.
func TestPadStyledAndFitLines(t *testing.T) {
	bold := "\x1b[1mbold and long\x1b[0m"
	if got := PadStyled(bold, 6); Width(got) != 6 || !strings.HasPrefix(got, "\x1b[1m") || !strings.Contains(got, Ellipsis) {
		t.Fatalf("cut: %q (%d cells)", got, Width(got))
	}
	if got := PadStyled("日本", 5); got != "日本 " {
		t.Fatalf("padded wide text: %q", got)
	}
	if got := PadStyled("日本語", 5); Width(got) != 5 {
		t.Fatalf("cut inside a wide character: %q (%d cells)", got, Width(got))
	}
	lines := FitLines(bold+"\nshort\n日本語テキスト\nfourth", 6, 5)
	want := []int{6, 6, 6, 6, 6}
	if len(lines) != 5 {
		t.Fatalf("%d lines: %q", len(lines), lines)
	}
	for i, l := range lines {
		if Width(l) != want[i] {
			t.Fatalf("line %d %q is %d cells", i, l, Width(l))
		}
	}
	if lines[1] != "short " || lines[4] != "      " || strings.Contains(lines[0], Ellipsis) {
		t.Fatalf("lines %q", lines)
	}
	if got := FitLines("a\nb\nc", 2, 2); len(got) != 2 || got[0] != "a " || got[1] != "b " {
		t.Fatalf("cut to 2 lines: %q", got)
	}
}
