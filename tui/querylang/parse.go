package querylang

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is what a term tests.
type Kind uint8

// The term kinds. KindWord and KindPhrase are free text; the others are
// qualifiers, written name:value (KindTag also as #value).
const (
	KindWord    Kind = iota // free word: fuzzy; digits only: substring
	KindPhrase              // "quoted phrase": substring
	KindTag                 // #tag, tag:a,b, tag:none
	KindStatus              // status:failed,waiting
	KindAgent               // agent:ops (name, display name or id prefix)
	KindSource              // source:api,schedule
	KindCreated             // created:>7d, created:2026-08-01
	KindUpdated             // updated:>1d
	KindTokens              // tokens:>100k
	KindCost                // cost:>0.50
	KindIs                  // is:pinned, is:resolved, is:archived
	KindID                  // id:01ab (prefix)
	KindModel               // model:claude-x (the model id, any case)
)

// qualifiers maps a qualifier name to its kind, in the order the help and
// the messages list them.
var qualifiers = []struct {
	name string
	kind Kind
}{
	{"tag", KindTag}, {"status", KindStatus}, {"agent", KindAgent},
	{"source", KindSource}, {"created", KindCreated}, {"updated", KindUpdated},
	{"tokens", KindTokens}, {"cost", KindCost}, {"is", KindIs}, {"id", KindID},
	{"model", KindModel},
}

// Name is the qualifier's name ("status"), or "word"/"phrase" for text.
func (k Kind) Name() string {
	switch k {
	case KindWord:
		return "word"
	case KindPhrase:
		return "phrase"
	}
	for _, q := range qualifiers {
		if q.kind == k {
			return q.name
		}
	}
	return "?"
}

func qualifierKind(name string) (Kind, bool) {
	for _, q := range qualifiers {
		if strings.EqualFold(q.name, name) {
			return q.kind, true
		}
	}
	return 0, false
}

// Value is one alternative of a term, as written (without its quotes).
type Value struct {
	Text   string
	Quoted bool
}

// Term is one space-separated part of a query. A session must match every
// term; a term matches when any of its Values does (Not inverts that).
type Term struct {
	Kind   Kind
	Not    bool    // written with a leading -
	Hash   bool    // written #tag: searched as text when no session has the tag
	Values []Value // one for words and phrases; the alternatives otherwise
	// Start and End are the byte span of the term in the input.
	Start, End int
}

// Problem is something wrong (or reinterpreted) in the input, for display
// under it. The part it points at is left out; the rest still applies.
type Problem struct {
	Start, End int    // byte span in the input, 0 <= Start <= End <= len
	Msg        string // short, lower case, fits under an 80-column input
	// Hint is set when nothing was dropped: the part was read another way
	// (an unknown qualifier searched as text, a tag nobody has).
	Hint bool
}

// Query is a parsed query: the terms that apply and the problems found.
type Query struct {
	Raw      string
	Terms    []Term
	Problems []Problem
}

// Empty reports whether the query has no terms (it matches everything).
func (q Query) Empty() bool { return len(q.Terms) == 0 }

// Parse reads s. It never fails: a malformed part becomes a Problem and is
// left out, and the rest of the query applies.
func Parse(s string) Query {
	p := parser{s: s, q: Query{Raw: s}}
	p.run()
	return p.q
}

type parser struct {
	s string
	i int
	q Query
}

func (p *parser) problem(start, end int, msg string) {
	p.q.Problems = append(p.q.Problems, Problem{Start: start, End: end, Msg: msg})
}

func (p *parser) hint(start, end int, msg string) {
	p.q.Problems = append(p.q.Problems, Problem{Start: start, End: end, Msg: msg, Hint: true})
}

// spaceAt reports whether a white-space rune starts at i, and its size.
func spaceAt(s string, i int) (bool, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f', 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r), n
}

func (p *parser) atSpace() bool {
	if p.i >= len(p.s) {
		return true
	}
	sp, _ := spaceAt(p.s, p.i)
	return sp
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		sp, n := spaceAt(p.s, p.i)
		if !sp {
			return
		}
		p.i += n
	}
}

// bareEnd is the end of the bare text starting at i: the next white space,
// or also the next comma when commas separate values.
func (p *parser) bareEnd(i int, commas bool) int {
	for i < len(p.s) {
		if commas && p.s[i] == ',' {
			return i
		}
		sp, n := spaceAt(p.s, i)
		if sp {
			return i
		}
		i += n
	}
	return i
}

// quoted reads a "quoted" text at p.i (on the opening quote). Inside, \"
// and \\ stand for " and \; any other backslash is kept. An unterminated
// quote runs to the end of the input and is reported.
func (p *parser) quoted() string {
	start := p.i
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String()
		case c == '\\' && p.i+1 < len(p.s) && (p.s[p.i+1] == '"' || p.s[p.i+1] == '\\'):
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	p.problem(start, p.i, "unterminated quote")
	return b.String()
}

func (p *parser) run() {
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return
		}
		p.term()
	}
}

// term reads one term at p.i (not white space).
func (p *parser) term() {
	start := p.i
	t := Term{Start: start}
	if p.s[p.i] == '-' {
		t.Not = true
		p.i++
		if p.atSpace() {
			p.problem(start, p.i, "- needs a word or filter after it")
			return
		}
	}
	switch c := p.s[p.i]; {
	case c == '"':
		t.Kind = KindPhrase
		text := p.quoted()
		if text == "" {
			p.problem(start, p.i, "empty quotes")
			return
		}
		t.Values = []Value{{Text: text, Quoted: true}}
	case c == '#':
		p.i++
		t.Kind, t.Hash = KindTag, true
		v, ok := p.value(false)
		if !ok {
			p.problem(start, p.i, "# needs a tag name")
			return
		}
		t.Values = []Value{v}
	default:
		end := p.bareEnd(p.i, false)
		word := p.s[p.i:end]
		name, _, isQual := strings.Cut(word, ":")
		if isQual {
			if kind, known := qualifierKind(name); known {
				p.i += len(name) + 1
				t.Kind = kind
				p.qualifier(&t)
				return
			}
			if isName(name) && !strings.HasPrefix(word[len(name)+1:], "/") {
				p.hint(p.i, p.i+len(name)+1, clip(name)+": is not a filter; searched as text")
			}
		}
		t.Kind = KindWord
		t.Values = []Value{{Text: word}}
		p.i = end
	}
	t.End = p.i
	p.q.Terms = append(p.q.Terms, t)
}

// isName reports whether s looks like a qualifier name (letters and _).
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if (c < 'a' || c > 'z') && s[i] != '_' {
			return false
		}
	}
	return true
}

// value reads one value: quoted, or bare up to white space (and commas
// when commas separate values). ok is false for an empty bare value.
func (p *parser) value(commas bool) (Value, bool) {
	if p.i < len(p.s) && p.s[p.i] == '"' {
		return Value{Text: p.quoted(), Quoted: true}, true
	}
	end := p.bareEnd(p.i, commas)
	v := Value{Text: p.s[p.i:end]}
	p.i = end
	return v, v.Text != ""
}

// qualifier reads the comma-separated values after "name:", checks each
// and keeps the valid ones; a term left with none is dropped.
func (p *parser) qualifier(t *Term) {
	name := t.Kind.Name()
	for first := true; ; first = false {
		vstart := p.i
		v, ok := p.value(true)
		switch {
		case !ok:
			if first && (p.i >= len(p.s) || p.s[p.i] != ',') {
				p.problem(t.Start, p.i, name+": use "+valueHelp(t.Kind))
			} else {
				p.problem(vstart, min(p.i+1, len(p.s)), name+": empty value")
			}
		case v.Quoted && v.Text == "":
			p.problem(vstart, p.i, name+": empty value")
		default:
			if msg, hint := checkValue(t.Kind, v); msg == "" {
				t.Values = append(t.Values, v)
			} else if hint {
				t.Values = append(t.Values, v)
				p.hint(vstart, p.i, msg)
			} else {
				p.problem(vstart, p.i, msg)
			}
		}
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		break
	}
	t.End = p.i
	if len(t.Values) > 0 {
		p.q.Terms = append(p.q.Terms, *t)
	}
}

// String writes q back as query text: only the terms that apply, so
// Parse(q.String()) has the same terms and no problems but hints.
func (q Query) String() string {
	var b strings.Builder
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.String())
	}
	return b.String()
}

// String writes one term as query text.
func (t Term) String() string {
	var b strings.Builder
	if t.Not {
		b.WriteByte('-')
	}
	switch {
	case t.Kind == KindWord:
		for _, v := range t.Values {
			b.WriteString(v.Text)
		}
		return b.String()
	case t.Kind == KindPhrase:
		for _, v := range t.Values {
			writeQuoted(&b, v.Text)
		}
		return b.String()
	case t.Hash:
		b.WriteByte('#')
	default:
		b.WriteString(t.Kind.Name())
		b.WriteByte(':')
	}
	for i, v := range t.Values {
		if i > 0 {
			b.WriteByte(',')
		}
		if v.Quoted {
			writeQuoted(&b, v.Text)
		} else {
			b.WriteString(v.Text)
		}
	}
	return b.String()
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}
