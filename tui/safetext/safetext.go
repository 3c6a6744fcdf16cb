// Package safetext turns untrusted server text into text that is safe to lay
// out in a terminal: no escape or control sequences, no bidi overrides, and a
// width measured in cells with the same function the layout uses.
//
// Server data (titles, tags, previews, transcripts) may hold CSI, OSC (OSC 52
// clipboard writes, OSC 8 links), DCS, C0 and C1 controls and megabytes of
// text. Everything passes through Line or Text once, when it arrives.
package safetext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Ellipsis marks truncated text.
const Ellipsis = "…"

// Line returns s as a single line: escape sequences and controls removed,
// line breaks and tabs turned into spaces, runs of spaces collapsed, and the
// result cut to at most maxBytes bytes (0 means no cap) with an ellipsis.
func Line(s string, maxBytes int) string {
	if isCleanLine(s, maxBytes) {
		return s // nothing to clean: no copy
	}
	return clean(s, maxBytes, false, false)
}

// Tag is Line for a name that must not pass for another one: an invisible
// format character (U+200B, U+00AD, U+2060, U+FEFF...) shows as U+FFFD
// instead of vanishing, so "res\u200bolved" reads "res\ufffdolved" and
// cannot be taken for "resolved".
func Tag(s string, maxBytes int) string {
	if isCleanLine(s, maxBytes) {
		return s
	}
	return clean(s, maxBytes, false, true)
}

// isCleanLine reports whether Line would return s unchanged: no escapes,
// controls, line breaks, tabs, invisible formats or invalid UTF-8, no leading,
// trailing or doubled spaces, and within maxBytes.
func isCleanLine(s string, maxBytes int) bool {
	if maxBytes > 0 && len(s) > maxBytes {
		return false
	}
	prevSpace := true // a leading space is dropped
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c < 0x20 || c == 0x7f:
				return false
			case c == ' ':
				if prevSpace {
					return false
				}
				prevSpace = true
			default:
				prevSpace = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 || r <= 0x9f || r == '\u2028' || r == '\u2029' || isInvisibleFormat(r) {
			return false
		}
		prevSpace = false
		i += size
	}
	return !prevSpace || len(s) == 0
}

// Text is Line for multi-line text: newlines are kept (CR LF and lone CR
// become LF), tabs become four spaces.
func Text(s string, maxBytes int) string {
	return clean(s, maxBytes, true, false)
}

// Width is the cell width of sanitised text. Layout must measure with this
// function (or lipgloss, which uses the same x/ansi measure) and nothing else.
func Width(s string) int {
	if w, ok := fastWidth(s); ok {
		return w
	}
	return ansi.StringWidth(s)
}

// fastWidth measures s without grapheme segmentation when that gives the
// same answer as ansi.StringWidth: printable ASCII counts one cell, a
// well-formed CSI sequence (colours) none, and a rune from a few ranges
// that never join a neighbour into a grapheme cluster (Latin-1 and Latin
// Extended letters, general punctuation, arrows, box drawing, geometric
// shapes) is measured alone. Anything else (other escapes, controls, wide
// or combining characters, emoji) reports ok == false.
func fastWidth(s string) (w int, ok bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			w++
			i++
		case c == 0x1b:
			if i+1 >= len(s) || s[i+1] != '[' {
				return 0, false
			}
			j := i + 2
			for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
				j++
			}
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
				j++
			}
			if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return 0, false
			}
			i = j + 1
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !standalone(r) {
				return 0, false
			}
			w += ansi.StringWidth(s[i : i+size])
			i += size
		default:
			return 0, false
		}
	}
	return w, true
}

// standalone reports runes that always form a grapheme cluster of their own
// next to ASCII or to each other: not Extend, ZWJ, SpacingMark, Prepend,
// Regional Indicator, Hangul or a control.
func standalone(r rune) bool {
	switch {
	case r >= 0x00a0 && r <= 0x024f, // Latin-1 Supplement, Latin Extended-A/B
		r >= 0x2010 && r <= 0x2027, // dashes, quotes, bullets, ellipsis
		r >= 0x2030 && r <= 0x205e, // per mille, primes, more punctuation
		r >= 0x2190 && r <= 0x21ff, // arrows
		r >= 0x2500 && r <= 0x25ff: // box drawing, block elements, geometric shapes
		return true
	}
	return false
}

// isPrintableASCII reports whether every byte of s is printable ASCII.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// Truncate cuts sanitised single-line text to at most w cells, ending with an
// ellipsis when something was cut.
//
// It walks grapheme clusters exactly as Width measures them. ansi.Truncate
// does not: it counts an ASCII byte on its own, so "0" + U+FE0F (2 cells
// for Width) counted as 1 and the result overflowed w.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	if isPrintableASCII(s) {
		return s[:w-1] + Ellipsis // one cell per byte, and the ellipsis takes one
	}
	limit := w - ansi.StringWidth(Ellipsis)
	var ends []int // cluster ends that fit in limit
	for i, n := 0, 0; i < len(s); {
		c, cw := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
		if len(c) == 0 || n+cw > limit {
			break
		}
		i, n = i+len(c), n+cw
		ends = append(ends, i)
	}
	// The ellipsis may join the last cluster (e.g. after a prepended mark)
	// and change its width: back off until the result really fits.
	for len(ends) > 0 && ansi.StringWidth(s[:ends[len(ends)-1]]+Ellipsis) > w {
		ends = ends[:len(ends)-1]
	}
	if len(ends) == 0 {
		return Ellipsis
	}
	return s[:ends[len(ends)-1]] + Ellipsis
}

// Pad truncates or right-pads s with spaces to exactly w cells.
func Pad(s string, w int) string {
	s = Truncate(s, w)
	// Usually one round. The first space can join a last cluster that ends in
	// a prepended mark (e.g. U+0600) without adding a cell; then pad again.
	for n := w - Width(s); n > 0; n = w - Width(s) {
		s += spaces(n)
	}
	return s
}

// Fit makes a rendered block (it may hold styles) exactly h lines, none
// wider than w: every component's View is bound to the rectangle it was
// handed, whatever it drew.
func Fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// PadStyled makes a rendered line (it may hold styles) exactly w cells
// wide: cut with an ellipsis when wider, padded with spaces when narrower.
func PadStyled(l string, w int) string {
	n := Width(l)
	if n > w {
		l = ansi.Truncate(l, w, Ellipsis)
		n = Width(l)
	}
	if n < w {
		l += spaces(w - n)
	}
	return l
}

// FitLines is Fit as lines, each exactly w cells wide (cut without an
// ellipsis, as Fit cuts, then padded): a block to frame or lay beside
// another without measuring it again.
func FitLines(s string, w, h int) []string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		n := Width(l)
		if n > w {
			l = ansi.Truncate(l, w, "")
			n = Width(l)
		}
		if n < w {
			l += spaces(w - n)
		}
		lines[i] = l
	}
	for len(lines) < h {
		lines = append(lines, spaces(max(w, 0)))
	}
	return lines
}

// blanks backs spaces for the usual widths without a strings.Repeat.
const blanks = "                                                                                                                                                                "

func spaces(n int) string {
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}

// clean does the work of Line and Text; mark shows format characters as
// U+FFFD (see Tag) rather than dropping them.
func clean(s string, maxBytes int, multiline, mark bool) string {
	var b strings.Builder
	b.Grow(min(len(s), capOr(maxBytes, len(s))))
	lastSpace := true // drop leading spaces in single-line mode
	for i := 0; i < len(s); {
		if maxBytes > 0 && b.Len() >= maxBytes {
			return cut(b.String(), maxBytes)
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			i += max(size, 1)
			r = '\uFFFD'
			b.WriteRune(r)
			lastSpace = false
			continue
		}
		switch {
		case r == 0x1b: // ESC
			i += skipEscape(s, i)
			continue
		case r >= 0x80 && r <= 0x9f: // C1 controls; 8-bit CSI/OSC/DCS carry payloads
			i += skipC1(s, i, r, size)
			continue
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			if multiline {
				if r == '\r' && i+1 < len(s) && s[i+1] == '\n' {
					i++
				}
				b.WriteByte('\n')
				lastSpace = true
				i += size
				continue
			}
			r = ' '
		case r == '\t':
			if multiline {
				b.WriteString("    ")
				i += size
				continue
			}
			r = ' '
		case r < 0x20 || r == 0x7f:
			i += size
			continue
		case isInvisibleFormat(r):
			i += size
			if mark && unicode.Is(unicode.Cf, r) {
				b.WriteRune('\uFFFD')
				lastSpace = false
			}
			continue
		}
		if r == ' ' && !multiline {
			if lastSpace {
				i += size
				continue
			}
			lastSpace = true
		} else {
			lastSpace = false
		}
		b.WriteRune(r)
		i += size
	}
	out := b.String()
	if !multiline {
		out = strings.TrimRight(out, " ")
	}
	if maxBytes > 0 && len(out) > maxBytes { // the last rune or tab overshot
		return cut(out, maxBytes)
	}
	return out
}

func capOr(n, def int) int {
	if n > 0 {
		return n + 4
	}
	return def
}

// cut shortens out to fit maxBytes including the ellipsis, on a rune boundary.
// A cap smaller than the ellipsis itself gets no ellipsis.
func cut(out string, maxBytes int) string {
	ell := Ellipsis
	if maxBytes < len(ell) {
		ell = ""
	}
	limit := maxBytes - len(ell)
	for limit > 0 && limit < len(out) && !utf8.RuneStart(out[limit]) {
		limit--
	}
	return strings.TrimRight(out[:limit], " \n") + ell
}

// IsInvisible reports a character Line and Text drop because it is not
// drawn as it measures: format characters (Unicode category Cf) such as
// zero-width spaces, bidi controls and soft hyphens, and emoji joiners and
// modifiers. The user's own input refuses them (a tag typed with one would
// look like another tag).
func IsInvisible(r rune) bool { return isInvisibleFormat(r) }

// isInvisibleFormat reports bidi controls and other format characters that
// can reorder or hide text on screen, or whose width terminals and our
// measure disagree on.
func isInvisibleFormat(r rune) bool {
	if r >= 0xad && unicode.Is(unicode.Cf, r) {
		// Every format character: U+200B, U+2060 and U+FEFF hide inside a
		// word; U+00AD draws as a hyphen in some terminals and as nothing in
		// others; the prepended concatenation marks (U+0600-U+0605, U+06DD,
		// U+070F, U+0890-U+0891, U+08E2, U+110BD, U+110CD) measure 0 cells
		// (and swallow the width of the next character into their
		// cluster) yet draw one, which pushes a line past its width.
		return true
	}
	switch {
	case r >= 0x202a && r <= 0x202e, // LRE RLE PDF LRO RLO
		r >= 0x2066 && r <= 0x2069,            // LRI RLI FSI PDI
		r == 0x200e, r == 0x200f, r == 0x061c, // LRM RLM ALM
		r == 0xfeff,                  // BOM / ZWNBSP
		r >= 0xfff9 && r <= 0xfffb,   // interlinear annotations
		r >= 0xe0000 && r <= 0xe007f: // tag characters
		return true
	case r == 0x200d, // zero-width joiner
		r >= 0xfe00 && r <= 0xfe0f,   // variation selectors (VS16 makes ❤ wide)
		r >= 0x1f3fb && r <= 0x1f3ff: // skin tone modifiers
		// Terminals disagree on how wide a joined emoji is: tmux and most
		// terminals add up code points (👩‍💻 is 4 cells, ❤️ is 1), others
		// join graphemes (2 and 2). Dropping the joiners leaves text that
		// every terminal and our layout measure alike, so rows stay aligned.
		return true
	}
	return false
}

// skipEscape returns how many bytes the escape sequence at s[i] (ESC) spans.
func skipEscape(s string, i int) int {
	if i+1 >= len(s) {
		return 1
	}
	switch s[i+1] {
	case '[':
		return 2 + skipCSI(s[i+2:])
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: string until ST
		return 2 + skipString(s[i+2:], s[i+1] == ']')
	}
	// ESC, intermediates 0x20-0x2f, then one final byte.
	j := i + 1
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
		j++
	}
	return j - i
}

// skipC1 handles a C1 control rune of size bytes at s[i].
func skipC1(s string, i int, r rune, size int) int {
	switch r {
	case 0x9b: // CSI
		return size + skipCSI(s[i+size:])
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
		return size + skipString(s[i+size:], r == 0x9d)
	}
	return size
}

// skipCSI returns the length of CSI parameters, intermediates and final byte.
// A malformed sequence ends at the first byte that cannot belong to it.
func skipCSI(s string) int {
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case c >= 0x30 && c <= 0x3f, c >= 0x20 && c <= 0x2f:
			continue
		case c >= 0x40 && c <= 0x7e:
			return j + 1
		default:
			return j
		}
	}
	return len(s)
}

// skipString returns the length of a control string up to and including its
// terminator (ST as ESC \ or 0x9c; BEL too for OSC). When there is no
// terminator only the introducer is dropped, so the rest of the text is not
// swallowed: its payload is then shown as plain, harmless characters.
func skipString(s string, bel bool) int {
	for j := 0; j < len(s); j++ {
		switch {
		case s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\':
			return j + 2
		case bel && s[j] == 0x07:
			return j + 1
		case s[j] == 0xc2 && j+1 < len(s) && s[j+1] == 0x9c: // U+009C ST
			return j + 2
		}
	}
	return 0
}
