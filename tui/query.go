package tui

import (
	"slices"
	"strings"
)

// query is the parsed filter text: free words matched fuzzily, #tag to keep
// sessions with a tag, -#tag to drop them.
type query struct {
	raw     string
	terms   []string  // lower-cased
	masks   []byteSet // bytes of each term, to reject rows without a scan
	withTag []string
	without []string
}

// byteSet is which bytes a string holds: printable ASCII exactly, other
// bytes folded into the 32 control-character slots (which sanitised text
// never holds). A row can only match a term whose bytes it all has.
type byteSet [2]uint64

func byteSetOf(s string) byteSet {
	var m byteSet
	for i := 0; i < len(s); i++ {
		m.add(s[i])
	}
	return m
}

// add puts one byte in the set.
func (m *byteSet) add(c byte) {
	if c < 0x80 {
		m[c>>6] |= 1 << (c & 63)
	} else {
		m[0] |= 1 << (c & 31)
	}
}

// within reports whether every byte of m is in o.
func (m byteSet) within(o byteSet) bool { return m[0]&^o[0] == 0 && m[1]&^o[1] == 0 }

func parseQuery(s string) query {
	q := query{raw: s}
	for _, f := range strings.Fields(s) {
		switch {
		case strings.HasPrefix(f, "-#") && len(f) > 2:
			q.without = append(q.without, f[2:])
		case strings.HasPrefix(f, "#") && len(f) > 1:
			q.withTag = append(q.withTag, f[1:])
		case f == "#" || f == "-#" || f == "-":
			// still being typed
		default:
			t := strings.ToLower(f)
			q.terms = append(q.terms, t)
			q.masks = append(q.masks, byteSetOf(t))
		}
	}
	return q
}

func (q query) empty() bool {
	return len(q.terms) == 0 && len(q.withTag) == 0 && len(q.without) == 0
}

// narrows reports whether every session matching q also matches prev, so
// that q can be evaluated on prev's matches alone. True when q only extends
// prev: same tag clauses, and each of prev's words is a prefix of q's word at
// the same place (a longer fuzzy pattern matches a subset).
func (q query) narrows(prev query) bool {
	if len(prev.terms) > len(q.terms) || !slices.Equal(q.withTag, prev.withTag) || !slices.Equal(q.without, prev.without) {
		return false
	}
	for i, t := range prev.terms {
		if !strings.HasPrefix(q.terms[i], t) {
			return false
		}
	}
	return true
}

// matchRow reports whether r matches q, and a score (higher is better).
func (q query) matchRow(r *row) (int, bool) {
	for _, t := range q.withTag {
		if !rowHasTagFold(r, t) {
			return 0, false
		}
	}
	for _, t := range q.without {
		if rowHasTagFold(r, t) {
			return 0, false
		}
	}
	score := 0
	for i, t := range q.terms {
		if i < len(q.masks) && r.measured && !q.masks[i].within(r.searchSet) {
			return 0, false
		}
		s, ok := fuzzyScore(r.search, t)
		if !ok {
			return 0, false
		}
		// The title is what the user reads in the list: a match there
		// ranks above one in a preview, an output or a tag.
		if _, inTitle := fuzzyScore(r.titleKey, t); inTitle {
			s += titleBonus
		}
		score += s
	}
	return score, true
}

func rowHasTagFold(r *row, tag string) bool {
	for _, t := range r.s.Tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// fuzzyGap is how many characters a fuzzy match may skip in all. A word
// typed with a slip ("refnd", "pstgres") still matches; letters scattered
// across a whole preview do not. Because the window grows by one with each
// typed character, a longer pattern never matches where its prefix did not,
// which keeps narrowing from the previous result exact.
const fuzzyGap = 4

// titleBonus puts title matches ahead of every match elsewhere.
const titleBonus = 2000

// fuzzyScore matches pattern (lower case) in hay (lower case): contiguous
// scores best, more so at a word start; otherwise as a subsequence within a
// window of len(pat)+fuzzyGap bytes, scored by how tight it is.
func fuzzyScore(hay, pat string) (int, bool) {
	if pat == "" {
		return 0, true
	}
	if i := strings.Index(hay, pat); i >= 0 {
		score := 1000 + 10*len(pat)
		if i == 0 || hay[i-1] == ' ' {
			score += 500
		}
		return score, true
	}
	start, end, ok := windowMatch(hay, pat)
	if !ok {
		return 0, false
	}
	return 500 - (end - start), true
}

// windowMatch finds the first start from which pat is a subsequence of hay
// within the window; greedy matching from a fixed start ends earliest, so
// trying every start is exact. It returns the matched span [start, end).
func windowMatch(hay, pat string) (start, end int, ok bool) {
	limit := len(pat) + fuzzyGap
	for from := 0; from < len(hay); {
		k := strings.IndexByte(hay[from:], pat[0])
		if k < 0 {
			return 0, 0, false
		}
		s := from + k
		stop := min(len(hay), s+limit)
		pos, matched := s+1, true
		for j := 1; j < len(pat); j++ {
			kk := strings.IndexByte(hay[pos:stop], pat[j])
			if kk < 0 {
				matched = false
				break
			}
			pos += kk + 1
		}
		if matched {
			return s, pos, true
		}
		from = s + 1
	}
	return 0, 0, false
}

// matchPositions returns the byte offsets in s (a display string) of the
// characters matched by the query's words, for highlighting. Case-folding
// is ASCII-only here; it only drives emphasis, never filtering.
func (q query) matchPositions(s string) []int {
	if len(q.terms) == 0 {
		return nil
	}
	lower := strings.ToLower(s)
	if len(lower) != len(s) {
		return nil // case-folding changed byte offsets; skip emphasis
	}
	var pos []int
	for _, t := range q.terms {
		if i := strings.Index(lower, t); i >= 0 {
			for k := 0; k < len(t); k++ {
				pos = append(pos, i+k)
			}
			continue
		}
		start, _, ok := windowMatch(lower, t)
		if !ok {
			continue
		}
		at := start
		for j := 0; j < len(t); j++ {
			k := strings.IndexByte(lower[at:], t[j])
			pos = append(pos, at+k)
			at += k + 1
		}
	}
	return pos
}
