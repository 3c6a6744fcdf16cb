package detail

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/safetext"
)

// maxQueryBytes caps what the search input takes.
const maxQueryBytes = 256

// search is the transcript search: the input while typing, then the query
// applied, its matches and the current one. Matching is case-insensitive
// over the text as shown (sanitised, styles stripped), line by line.
type search struct {
	input  *textinput.Model // while typing (copy on write)
	typing bool
	query  string // applied and sanitised; "" when none
	fold   []rune // query, lower-cased
	hits   []hit  // in line order, then column order
	cur    int    // index into hits
}

// hit is a match: cells [from, to) of transcript line line.
type hit struct{ line, from, to int }

// SearchActive reports whether a search is applied (its line is shown and
// the root's back key clears it before leaving the view).
func (m Model) SearchActive() bool { return m.search.query != "" }

// Searching reports whether the search input has the keys: every key but
// the program's force-quit goes to the view.
func (m Model) Searching() bool { return m.search.typing }

// Matches is the number of matches of the applied search and the 1-based
// position of the current one (0 when none).
func (m Model) Matches() (current, total int) {
	if len(m.search.hits) == 0 {
		return 0, 0
	}
	return m.search.cur + 1, len(m.search.hits)
}

// searchLines is how many lines the search takes below the viewport.
func (m Model) searchLines() int {
	if m.search.typing || m.search.query != "" {
		return 1
	}
	return 0
}

// openSearch shows the input, empty, at the bottom of the view.
func (m Model) openSearch() (Model, tea.Cmd) {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "search the transcript"
	in.CharLimit = maxQueryBytes
	cmd := in.Focus()
	m.search.input, m.search.typing = &in, true
	return m.relayout(), cmd
}

// relayout is layout for the search line coming or going: a view at the
// bottom stays there, so the line never hides the newest transcript line.
func (m Model) relayout() Model {
	bottom := m.vp.AtBottom()
	m = m.layout()
	if bottom {
		m.vp.GotoBottom()
	}
	return m
}

// updateInput handles a message while the input has the keys.
func (m Model) updateInput(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, m.keys.SearchRun):
			return m.runSearch(m.search.input.Value()), nil
		case key.Matches(k, m.keys.SearchCancel):
			// The search applied before, if any, stays.
			m.search.input, m.search.typing = nil, false
			return m.relayout(), nil
		}
	}
	if _, ok := msg.(tea.MouseMsg); ok {
		m.search.typing = false // let the wheel scroll: route as usual
		m, cmd := m.Update(msg)
		m.search.typing = true
		return m, cmd
	}
	in, cmd := m.search.input.Update(msg)
	m.search.input = &in
	return m, cmd
}

// runSearch applies q: the matches are found and highlighted, and the view
// goes to the first one at or below the top of the view (wrapping). An empty
// query clears the search.
func (m Model) runSearch(q string) Model {
	m.search.input, m.search.typing = nil, false
	q = safetext.Line(q, maxQueryBytes)
	if strings.TrimSpace(q) == "" {
		m.clearSearch()
		return m
	}
	m.search.query = q
	m.search.fold = foldRunes([]rune(q))
	m.search.find(m.lines)
	m = m.relayout()
	m.search.cur = 0
	for i, h := range m.search.hits {
		if h.line >= m.vp.YOffset {
			m.search.cur = i
			break
		}
	}
	m.setContent()
	m.reveal()
	return m
}

// clearSearch drops the applied search and its highlights.
func (m *Model) clearSearch() {
	m.search = search{}
	*m = m.relayout()
	m.setContent()
}

// step moves to the next (delta 1) or previous (-1) match, wrapping.
func (m *Model) step(delta int) {
	n := len(m.search.hits)
	if n == 0 {
		return
	}
	m.search.cur = ((m.search.cur+delta)%n + n) % n
	m.setContent()
	m.reveal()
}

// reveal scrolls the current match into view, a third down the viewport
// when it was outside; the view stops following unless that is the bottom.
func (m *Model) reveal() {
	if len(m.search.hits) == 0 || m.vp.Height <= 0 {
		return
	}
	line := m.search.hits[m.search.cur].line
	y := m.vp.YOffset
	if line >= y && line < y+m.vp.Height {
		return
	}
	m.vp.SetYOffset(line - m.vp.Height/3)
	m.follow.Scrolled(!m.vp.AtBottom(), m.vp.AtBottom())
}

// find computes the matches of the applied query in lines, keeping the
// current match's index (clamped) when the transcript grows or is laid out
// again.
func (s *search) find(lines []string) {
	if s.query == "" {
		s.hits, s.cur = nil, 0
		return
	}
	var hits []hit
	for i, l := range lines {
		for _, r := range matchCells(ansi.Strip(l), s.fold) {
			hits = append(hits, hit{line: i, from: r[0], to: r[1]})
		}
	}
	s.hits = hits
	s.cur = max(0, min(s.cur, len(hits)-1))
}

// foldRunes lower-cases rune by rune, so positions in the folded text are
// positions in the original.
func foldRunes(rs []rune) []rune {
	for i, r := range rs {
		rs[i] = unicode.ToLower(r)
	}
	return rs
}

// matchCells finds the non-overlapping occurrences of fold in plain, any
// case, as cell ranges.
func matchCells(plain string, fold []rune) [][2]int {
	if len(fold) == 0 || len(plain) < len(fold) {
		return nil
	}
	rs := []rune(plain)
	low := foldRunes(append([]rune(nil), rs...))
	var out [][2]int
	cells, at := 0, 0 // cells of rs[:at]
	for i := 0; i+len(fold) <= len(low); {
		if !runesAt(low, i, fold) {
			i++
			continue
		}
		cells += ansi.StringWidth(string(rs[at:i]))
		from := cells
		cells += ansi.StringWidth(string(rs[i : i+len(fold)]))
		out = append(out, [2]int{from, cells})
		i += len(fold)
		at = i
	}
	return out
}

func runesAt(s []rune, i int, sub []rune) bool {
	for j, r := range sub {
		if s[i+j] != r {
			return false
		}
	}
	return true
}

// highlight is lines with the matches styled (the current one apart); the
// lines are returned as they are when there is no match.
func (s *search) highlight(t *theme.Theme, lines []string) []string {
	if len(s.hits) == 0 || t == nil {
		return lines
	}
	out := append([]string(nil), lines...)
	for i := 0; i < len(s.hits); {
		j := i
		for j < len(s.hits) && s.hits[j].line == s.hits[i].line {
			j++
		}
		n := s.hits[i].line
		if n < len(out) {
			out[n] = highlightLine(t, lines[n], s.hits[i:j], s.cur-i)
		}
		i = j
	}
	return out
}

// highlightLine restyles the cells of hs in line; cur is the index in hs of
// the current match (out of range when it is on another line). The pieces
// between keep their styles (ansi.Cut keeps the escape sequences), and the
// result is never wider than line.
func highlightLine(t *theme.Theme, line string, hs []hit, cur int) string {
	plain := ansi.Strip(line)
	var b strings.Builder
	pos := 0
	for i, h := range hs {
		b.WriteString(ansi.Cut(line, pos, h.from))
		style := t.Match
		if i == cur {
			style = t.MatchCurrent
		}
		b.WriteString(style.Render(ansi.Cut(plain, h.from, h.to)))
		pos = h.to
	}
	b.WriteString(ansi.Cut(line, pos, ansi.StringWidth(line)))
	return b.String()
}

// searchLine is the input while typing, else the applied query and where
// the current match is: "/login  match 3/7  n next · N prev · esc clear".
func (m Model) searchLine(w int) string {
	t := m.ctx.Theme
	if m.search.typing && m.search.input != nil {
		return safetext.Truncate(m.search.input.View(), w)
	}
	k := m.keys
	q := seg{"/" + m.search.query, t.Value}
	if len(m.search.hits) == 0 {
		return fit(w, q, seg{"  no match", t.Warning}, seg{"  " + k.ClearSearch.Help().Key + " clear", t.Muted})
	}
	pos := "  match " + strconv.Itoa(m.search.cur+1) + "/" + strconv.Itoa(len(m.search.hits))
	hint := "  " + k.SearchNext.Help().Key + " next · " + k.SearchPrev.Help().Key + " prev · " +
		k.ClearSearch.Help().Key + " clear"
	return fit(w, q, seg{pos, t.PaneTitle}, seg{hint, t.Muted})
}
