package tui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// Caps on what is kept of server text for display. The server's previews are
// meant to be short; a hostile one may be megabytes.
const (
	maxTitleBytes   = 512
	maxTagBytes     = 128
	maxPreviewBytes = 2048
)

// row is a session as the views need it: every server string sanitised and
// measured once, when it arrives, so View never touches raw server text.
type row struct {
	s apiclient.Session // raw copy, for ids, timestamps, usage and saving

	id       string // sanitised (ids are shown too)
	status   string // sanitised status word, verbatim otherwise
	title    string // sanitised title, or the preview when untitled
	untitled bool
	tags     []string // sanitised tags, for display
	tagsText string   // tags joined for the row column
	preview  string   // first user message, single line
	output   string   // last assistant answer, single line
	agent    string
	total    int64
	// search is the lower-cased haystack the filter matches against; it
	// starts with the lower-cased title, which titleKey shares.
	search    string
	searchSet byteSet // the bytes of search
	titleKey  string
	// Cell widths of status, title and tagsText, measured once by newRow.
	statusW, titleW, tagsW int
	measured               bool
}

func newRow(s apiclient.Session) *row {
	r := &row{s: s}
	r.id = safetext.Line(s.ID, maxTitleBytes)
	r.status = safetext.Line(string(s.Status), maxTagBytes)
	if r.status == "" {
		r.status = "unknown"
	}
	r.preview = safetext.Line(s.PreviewOrEmpty(), maxPreviewBytes)
	r.output = safetext.Line(s.OutputPreviewOrEmpty(), maxPreviewBytes)
	r.title = safetext.Line(s.TitleOrEmpty(), maxTitleBytes)
	if r.title == "" {
		r.untitled = true
		r.title = safetext.Line(s.PreviewOrEmpty(), maxTitleBytes)
		if r.title == "" {
			r.title = "(untitled)"
		}
	}
	r.tags = make([]string, 0, len(s.Tags))
	for _, t := range s.Tags {
		if c := safetext.Line(t, maxTagBytes); c != "" {
			r.tags = append(r.tags, c)
		}
	}
	r.tagsText = strings.Join(r.tags, " ")
	r.agent = safetext.Line(s.AgentID, maxTagBytes)
	r.total = s.Usage.Total()
	r.search, r.titleKey = buildSearch(r.title, r.preview, r.output, r.tagsText, r.id)
	r.searchSet = byteSetOf(r.search)
	r.statusW, r.titleW, r.tagsW = safetext.Width(r.status), safetext.Width(r.title), safetext.Width(r.tagsText)
	r.measured = true
	return r
}

// buildSearch lower-cases the fields into one haystack with a single
// allocation; the first field's part is returned too (the title sort key).
func buildSearch(fields ...string) (search, first string) {
	n := len(fields)
	for _, f := range fields {
		n += len(f)
	}
	var b strings.Builder
	b.Grow(n + 8)
	firstEnd := 0
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		writeLower(&b, f)
		if i == 0 {
			firstEnd = b.Len()
		}
	}
	search = b.String()
	return search, search[:firstEnd]
}

// writeLower writes s lower-cased, as strings.ToLower would, without the
// intermediate string.
func writeLower(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(unicode.ToLower(r))
		i += size
	}
}

// hasTag reports whether the raw session carries tag.
func (r *row) hasTag(tag string) bool { return r.s.HasTag(tag) }
