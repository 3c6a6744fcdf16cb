package querylang

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ByteSet is which bytes a string holds: printable ASCII exactly, other
// bytes folded into the 32 control-character slots (which sanitised text
// never holds). A text can only match a word whose bytes it all has, so
// the set rejects most rows without a scan.
type ByteSet [2]uint64

// SetOf returns the bytes of s.
func SetOf(s string) ByteSet {
	var m ByteSet
	for i := 0; i < len(s); i++ {
		m.add(s[i])
	}
	return m
}

func (m *ByteSet) add(c byte) {
	if c < 0x80 {
		m[c>>6] |= 1 << (c & 63)
	} else {
		m[0] |= 1 << (c & 31)
	}
}

// Within reports whether every byte of m is in o.
func (m ByteSet) Within(o ByteSet) bool { return m[0]&^o[0] == 0 && m[1]&^o[1] == 0 }

// textSep separates the fields of a Subject's Text. Sanitised text never
// holds it and typed words cannot, so a phrase never matches across two
// fields.
const textSep = '\n'

// BuildText makes a Subject's Text, TitleLen and TextSet from the fields
// free words search: the title first, then the previews and the agent's
// name. It lower-cases as strings.ToLower does, with one allocation.
// Ids and tags are not part of it: words never match inside ids, and tags
// have their own syntax.
func BuildText(title string, rest ...string) (text string, titleLen int, set ByteSet) {
	n := len(title)
	for _, f := range rest {
		n += len(f) + 1
	}
	var b strings.Builder
	b.Grow(n + 8)
	writeLower(&b, title, &set)
	titleLen = b.Len()
	for _, f := range rest {
		b.WriteByte(textSep)
		writeLower(&b, f, &set)
	}
	return b.String(), titleLen, set
}

// writeLower writes s lower-cased, adding its bytes to set.
func writeLower(b *strings.Builder, s string, set *ByteSet) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			set.add(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		var buf [utf8.UTFMax]byte
		w := utf8.EncodeRune(buf[:], unicode.ToLower(r))
		b.Write(buf[:w])
		for _, c := range buf[:w] {
			set.add(c)
		}
		i += size
	}
}

// fuzzyGap is how many characters a fuzzy match may skip in all: a word
// typed with a slip ("refnd") still matches, letters scattered across a
// whole preview do not. As the window grows by one with each typed
// character, a longer word never matches where its prefix did not, which
// keeps narrowing from the previous keystroke's result exact.
const fuzzyGap = 4

// titleBonus puts title matches ahead of every match elsewhere.
const titleBonus = 2000

// substrScore scores a contiguous match of pat at i in hay.
func substrScore(hay string, i, n int) int {
	score := 1000 + 10*n
	if i == 0 || hay[i-1] == ' ' || hay[i-1] == textSep {
		score += 500
	}
	return score
}

// matchWord matches pat (lower case) in text, whose first titleLen bytes
// are the title. substr asks for a contiguous match only. The score is
// higher for contiguous matches, at word starts, and in the title.
func matchWord(text string, titleLen int, pat string, substr bool) (int, bool) {
	if substr {
		i := strings.Index(text, pat)
		if i < 0 {
			return 0, false
		}
		score := substrScore(text, i, len(pat))
		if i+len(pat) <= titleLen { // the earliest occurrence
			score += titleBonus
		}
		return score, true
	}
	// One scan finds the first window match; a contiguous occurrence is
	// one too, so it can only start there or later.
	start, end, ok := windowMatch(text, pat)
	if !ok {
		return 0, false
	}
	var score int
	if i := strings.Index(text[start:], pat); i >= 0 {
		score = substrScore(text, start+i, len(pat))
	} else {
		score = 500 - (end - start)
	}
	// Greedy spans move right with their start: the first one is in the
	// title if any match (contiguous or not) is.
	if end <= titleLen {
		score += titleBonus
	}
	return score, true
}

// windowMatch finds the first start from which pat is a subsequence of hay
// within a window of len(pat)+fuzzyGap bytes; greedy matching from a fixed
// start ends earliest, so trying every start is exact. It returns the
// matched span [start, end).
func windowMatch(hay, pat string) (start, end int, ok bool) {
	if pat == "" {
		return 0, 0, true
	}
	limit := len(pat) + fuzzyGap
	for from := 0; from < len(hay); {
		k := strings.IndexByte(hay[from:], pat[0])
		if k < 0 {
			return 0, 0, false
		}
		s := from + k
		stop := min(len(hay), s+limit)
		// The window is a few bytes: a plain loop beats IndexByte calls.
		j, pos := 1, s+1
		for ; j < len(pat) && pos < stop; pos++ {
			if hay[pos] == pat[j] {
				j++
			}
		}
		if j == len(pat) {
			return s, pos, true
		}
		from = s + 1
	}
	return 0, 0, false
}
