package safetext

import (
	"strings"
	"testing"
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
