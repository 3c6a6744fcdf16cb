package tui

import (
	"strings"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/querylang"
	"github.com/everruns/sessions/tui/safetext"
)

// Caps on what is kept of server text for display. The server's previews are
// meant to be short; a hostile one may be megabytes.
const (
	maxTitleBytes   = 512
	maxTagBytes     = common.MaxTagBytes
	maxPreviewBytes = 2048
)

// row is a session as the views need it: every server string sanitised and
// measured once, when it arrives, so View never touches raw server text.
// A loaded organisation keeps up to Options.MaxRows of them: what the row
// can read from its session or derive cheaply is not stored twice (see
// subject).
type row struct {
	s apiclient.Session // raw copy, for ids, timestamps, usage and saving

	id       string // sanitised (ids are shown too)
	status   string // sanitised status word, verbatim otherwise
	act      string // activity (or the status's when the server sent none): tabs and colour
	cell     string // the status column: the activity in words that fit, with a glyph for failed
	title    string // sanitised title, or the preview when untitled
	tagsText string // sanitised tags joined for the row column
	preview  string // first user message, single line
	output   string // last assistant answer, single line
	why      string // a failed run's reason: run_summary, else the output's text
	agent    string
	source   string // sanitised source (chat, api, …), "" when none
	total    int64

	// What the filter (querylang) reads beyond the session: the text free
	// words search, built once here (it starts with the lower-cased title,
	// the title sort's key), its byte set and the cost; lower holds the
	// lower-cased values that differ from the raw ones (nil when none
	// does, nearly always: apiclient interns them lower-case already).
	text    string
	textSet querylang.ByteSet
	cost    float64
	lower   *rowLower
	// Cell widths of status, title and tagsText, measured once by newRow.
	statusW, titleW, tagsW int
	titleLen               int32
	pinned, untitled       bool
	hasCost, measured      bool
}

// rowLower is what the filter compares of a session, lower-cased, for the
// rare session where that differs from what the server sent.
type rowLower struct {
	id, agentID, agentName, status, activity, source, model string
	tags                                                    []string
}

func newRow(s apiclient.Session) *row {
	r := &row{s: s}
	r.id = safetext.Tag(s.ID, maxTitleBytes) // a lookalike id shows its invisible characters
	r.status = safetext.Line(string(s.Status), maxTagBytes)
	if r.status == "" {
		r.status = "unknown"
	}
	r.act, r.cell = activityOf(s)
	r.pinned = s.Pinned()
	r.preview = safetext.Line(s.PreviewOrEmpty(), maxPreviewBytes)
	r.output = safetext.Line(s.OutputPreviewOrEmpty(), maxPreviewBytes)
	if r.act == string(apiclient.ActivityFailed) {
		if s.RunSummary != nil {
			r.why = safetext.Line(*s.RunSummary, maxPreviewBytes)
		}
		if r.why == "" {
			r.why = r.output
		}
	}
	r.title = safetext.Line(s.TitleOrEmpty(), maxTitleBytes)
	if r.title == "" {
		r.untitled = true
		r.title = r.preview // already clean; cut only when too long for a title
		if len(r.title) > maxTitleBytes {
			r.title = safetext.Line(s.PreviewOrEmpty(), maxTitleBytes)
		}
		if r.title == "" {
			r.title = "(untitled)"
		}
	}
	r.tagsText = strings.Join(cleanTags(s.Tags), " ")
	r.agent = safetext.Tag(s.AgentID, maxTagBytes)
	r.source = safetext.Line(string(s.Source), maxTagBytes)
	r.total = s.Usage.Total()
	r.matchable()
	r.statusW, r.titleW, r.tagsW = safetext.Width(r.cell), safetext.Width(r.title), safetext.Width(r.tagsText)
	r.measured = true
	return r
}

// activityOf is the session's activity and its status column's word (see
// common.ActivityOf).
func activityOf(s apiclient.Session) (act, cell string) { return common.ActivityOf(s) }

// Glyphs of one cell each, so they show without colour (NO_COLOR).
const (
	failedGlyph = common.FailedGlyph
	pinnedGlyph = "★"
)

// cleanTags makes tags displayable (see tagLabel), dropping ones that clean
// to nothing. Clean tags (nearly all) are shared, not copied.
func cleanTags(tags []string) []string {
	for i, t := range tags {
		if c := tagLabel(t); c != t || c == "" {
			out := append(make([]string, 0, len(tags)), tags[:i]...)
			for _, t := range tags[i:] {
				if c := tagLabel(t); c != "" {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return tags
}

// tagLabel is a tag as the list and the detail view show it, side by side
// with other tags: sanitised with its invisible characters made visible
// (safetext.Tag), and quoted when it holds a space, a comma or a quote, so
// that one tag "a, b" cannot read as two.
func tagLabel(raw string) string {
	c := safetext.Tag(raw, maxTagBytes)
	if c == "" || !strings.ContainsAny(c, " ,\"") {
		return c
	}
	return `"` + strings.ReplaceAll(c, `"`, `\"`) + `"`
}

// matchable builds what the filter needs beyond the session (see subject).
// Words search the title, the previews and the agent (never ids or tags:
// those have qualifiers).
func (r *row) matchable() {
	s := &r.s
	var titleLen int
	if r.untitled && r.title == r.preview {
		// The title is the preview: search it once.
		r.text, titleLen, r.textSet = querylang.BuildText(r.preview, r.output, r.agent)
	} else {
		r.text, titleLen, r.textSet = querylang.BuildText(r.title, r.preview, r.output, r.agent)
	}
	r.titleLen = int32(titleLen) // the title is at most maxTitleBytes
	if usd, _, ok := s.Cost(); ok {
		r.cost, r.hasCost = usd, true
	}
	// Lower-casing returns an already lower-case string itself, so the
	// values apiclient interns (status, activity, source, agent id, tags)
	// stay shared across rows and comparing them reads no cold memory.
	l := rowLower{
		id: strings.ToLower(s.ID), agentID: strings.ToLower(s.AgentID), agentName: strings.ToLower(r.agent),
		status: strings.ToLower(string(s.Status)), activity: strings.ToLower(string(s.Activity)),
		source: strings.ToLower(string(s.Source)), tags: lowerTags(s.Tags),
	}
	if s.ModelID != nil {
		l.model = strings.ToLower(*s.ModelID)
	}
	if l.id != s.ID || l.agentID != s.AgentID || l.agentName != r.agent || l.status != string(s.Status) ||
		l.activity != string(s.Activity) || l.source != string(s.Source) ||
		s.ModelID != nil && l.model != *s.ModelID || !sameSlice(l.tags, s.Tags) {
		r.lower = &l
	}
}

// lowerTags is tags lower-cased: tags itself when they already are.
func lowerTags(tags []string) []string {
	for i, t := range tags {
		if lt := strings.ToLower(t); lt != t {
			out := make([]string, len(tags))
			copy(out, tags[:i])
			for j := i; j < len(tags); j++ {
				out[j] = strings.ToLower(tags[j])
			}
			return out
		}
	}
	return tags
}

// sameSlice reports whether a and b are the same slice (not just equal).
func sameSlice(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// subject is the row as the filter (querylang) sees it, assembled from the
// session and what matchable kept: a value to pass to Match, never stored.
func (r *row) subject() querylang.Subject {
	s := &r.s
	sub := querylang.Subject{
		ID: s.ID, Text: r.text, TitleLen: int(r.titleLen), TextSet: r.textSet,
		AgentID: s.AgentID, AgentName: r.agent, Tags: s.Tags,
		Status: string(s.Status), Activity: string(s.Activity), Source: string(s.Source),
		Created: s.CreatedAt, Updated: s.UpdatedAt, Tokens: r.total,
		Cost: r.cost, HasCost: r.hasCost, Pinned: r.pinned,
	}
	if s.ModelID != nil {
		sub.Model = *s.ModelID
	}
	if l := r.lower; l != nil {
		sub.ID, sub.AgentID, sub.AgentName, sub.Tags = l.id, l.agentID, l.agentName, l.tags
		sub.Status, sub.Activity, sub.Source, sub.Model = l.status, l.activity, l.source, l.model
	}
	return sub
}

// titleKey is the title lower-cased: the title sort's key.
func (r *row) titleKey() string { return r.text[:r.titleLen] }

// hasTag reports whether the raw session carries tag.
func (r *row) hasTag(tag string) bool { return r.s.HasTag(tag) }
