package tui

import (
	"strings"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/querylang"
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
	act      string // activity (or the status's when the server sent none): tabs and colour
	cell     string // the status column: the activity in words that fit, with a glyph for failed
	pinned   bool
	title    string // sanitised title, or the preview when untitled
	untitled bool
	tags     []string // sanitised tags, for display
	tagsText string   // tags joined for the row column
	preview  string   // first user message, single line
	output   string   // last assistant answer, single line
	why      string   // a failed run's reason: run_summary, else the output's text
	agent    string
	source   string // sanitised source (chat, api, …), "" when none
	total    int64
	// subj is the session as the filter (querylang) sees it, built once
	// here; its Text starts with the lower-cased title, which titleKey
	// shares.
	subj     querylang.Subject
	titleKey string
	// Cell widths of status, title and tagsText, measured once by newRow.
	statusW, titleW, tagsW int
	measured               bool
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
	r.tags = cleanTags(s.Tags)
	r.tagsText = strings.Join(r.tags, " ")
	r.agent = safetext.Tag(s.AgentID, maxTagBytes)
	r.source = safetext.Line(string(s.Source), maxTagBytes)
	r.total = s.Usage.Total()
	r.subj = subjectOf(&s, r)
	r.titleKey = r.subj.Text[:r.subj.TitleLen]
	r.statusW, r.titleW, r.tagsW = safetext.Width(r.cell), safetext.Width(r.title), safetext.Width(r.tagsText)
	r.measured = true
	return r
}

// activityOf is the session's activity, falling back to what its status
// says when the server sent none, and the status column's word for it. A
// failed run carries a glyph so it shows without colour; waiting for client
// tool results is said in words that fit the column.
func activityOf(s apiclient.Session) (act, cell string) {
	st := s.Status.Normal()
	switch {
	case s.Activity != "":
		act = safetext.Line(string(s.Activity), maxTagBytes)
	case st.Running():
		act = string(apiclient.ActivityRunning)
	case st == apiclient.StatusIdle, st == apiclient.StatusStarted:
		act = string(apiclient.ActivityIdle)
	case st == apiclient.StatusPaused:
		act = string(apiclient.ActivityPaused)
	default:
		act = safetext.Line(string(s.Status), maxTagBytes)
	}
	if act == "" {
		act = "unknown"
	}
	cell = act
	switch {
	case act == string(apiclient.ActivityFailed):
		cell = failedGlyph + " failed"
	case st == apiclient.StatusWaitingForToolResults:
		cell = "waiting"
	}
	return act, cell
}

// Glyphs of one cell each, so they show without colour (NO_COLOR).
const (
	failedGlyph = "✗"
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

// subjectOf builds the filter's view of a row. Words search the title,
// the previews and the agent (never ids or tags: those have qualifiers).
// Lower-casing returns an already lower-case string itself, so the values
// apiclient interns (status, activity, source, agent id, tags) stay shared
// across rows and comparing them reads no cold memory.
func subjectOf(s *apiclient.Session, r *row) querylang.Subject {
	var text string
	var titleLen int
	var set querylang.ByteSet
	if r.untitled && r.title == r.preview {
		// The title is the preview: search it once.
		text, titleLen, set = querylang.BuildText(r.preview, r.output, r.agent)
	} else {
		text, titleLen, set = querylang.BuildText(r.title, r.preview, r.output, r.agent)
	}
	sub := querylang.Subject{
		ID: strings.ToLower(s.ID), Text: text, TitleLen: titleLen, TextSet: set,
		AgentID: strings.ToLower(s.AgentID), AgentName: strings.ToLower(r.agent),
		Status: strings.ToLower(string(s.Status)), Activity: strings.ToLower(string(s.Activity)),
		Source: strings.ToLower(string(s.Source)), Created: s.CreatedAt, Updated: s.UpdatedAt,
		Tokens: r.total, Pinned: s.Pinned(),
	}
	if s.ModelID != nil {
		sub.Model = strings.ToLower(*s.ModelID)
	}
	sub.Tags = s.Tags
	for i, t := range s.Tags {
		if lt := strings.ToLower(t); lt != t {
			sub.Tags = make([]string, len(s.Tags))
			copy(sub.Tags, s.Tags[:i])
			for j := i; j < len(s.Tags); j++ {
				sub.Tags[j] = strings.ToLower(s.Tags[j])
			}
			break
		}
	}
	if usd, _, ok := s.Cost(); ok {
		sub.Cost, sub.HasCost = usd, true
	}
	return sub
}

// hasTag reports whether the raw session carries tag.
func (r *row) hasTag(tag string) bool { return r.s.HasTag(tag) }
