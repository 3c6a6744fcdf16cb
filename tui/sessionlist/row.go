package sessionlist

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
	MaxTitleBytes   = 512
	maxTagBytes     = common.MaxTagBytes
	maxPreviewBytes = 2048
)

// Row is a session as the views need it: every server string sanitised and
// measured once, when it arrives, so View never touches raw server text.
// A loaded organisation keeps up to Options.MaxRows of them: what the row
// can read from its session or derive cheaply is not stored twice (see
// subject).
type Row struct {
	S apiclient.Session // raw copy, for ids, timestamps, usage and saving

	ID       string // sanitised (ids are shown too)
	Status   string // sanitised status word, verbatim otherwise
	Act      string // activity (or the status's when the server sent none): tabs and colour
	Cell     string // the status column: the activity in words that fit, with a glyph for failed
	Title    string // sanitised title, or the preview when untitled
	TagsText string // sanitised tags joined for the row column
	Preview  string // first user message, single line
	Output   string // last assistant answer, single line
	Why      string // a failed run's reason: run_summary, else the output's text
	Agent    string
	Source   string // sanitised source (chat, api, …), "" when none
	Total    int64

	// What the filter (querylang) reads beyond the session: the Text free
	// words search, built once here (it starts with the lower-cased title,
	// the title sort's key), its byte set and the cost; lower holds the
	// lower-cased values that differ from the raw ones (nil when none
	// does, nearly always: apiclient interns them lower-case already).
	Text    string
	TextSet querylang.ByteSet
	cost    float64
	lower   *rowLower
	// Cell widths of status, title and tagsText, measured once by newRow.
	StatusW, TitleW, TagsW int
	titleLen               int32
	Pinned, Untitled       bool
	hasCost, Measured      bool
}

// rowLower is what the filter compares of a session, lower-cased, for the
// rare session where that differs from what the server sent.
type rowLower struct {
	id, agentID, agentName, status, activity, source, model string
	tags                                                    []string
}

func NewRow(s apiclient.Session) *Row {
	r := &Row{S: s}
	r.ID = safetext.Tag(s.ID, MaxTitleBytes) // a lookalike id shows its invisible characters
	r.Status = safetext.Line(string(s.Status), maxTagBytes)
	if r.Status == "" {
		r.Status = "unknown"
	}
	r.Act, r.Cell = common.ActivityOf(s)
	r.Pinned = s.Pinned()
	r.Preview = safetext.Line(s.PreviewOrEmpty(), maxPreviewBytes)
	r.Output = safetext.Line(s.OutputPreviewOrEmpty(), maxPreviewBytes)
	if r.Act == string(apiclient.ActivityFailed) {
		if s.RunSummary != nil {
			r.Why = safetext.Line(*s.RunSummary, maxPreviewBytes)
		}
		if r.Why == "" {
			r.Why = r.Output
		}
	}
	r.Title = safetext.Line(s.TitleOrEmpty(), MaxTitleBytes)
	if r.Title == "" {
		r.Untitled = true
		r.Title = r.Preview // already clean; cut only when too long for a title
		if len(r.Title) > MaxTitleBytes {
			r.Title = safetext.Line(s.PreviewOrEmpty(), MaxTitleBytes)
		}
		if r.Title == "" {
			r.Title = "(untitled)"
		}
	}
	r.TagsText = strings.Join(CleanTags(s.Tags), " ")
	r.Agent = safetext.Tag(s.AgentID, maxTagBytes)
	r.Source = safetext.Line(string(s.Source), maxTagBytes)
	r.Total = s.Usage.Total()
	r.matchable()
	r.StatusW, r.TitleW, r.TagsW = safetext.Width(r.Cell), safetext.Width(r.Title), safetext.Width(r.TagsText)
	r.Measured = true
	return r
}

// Glyphs of one cell each, so they show without colour (NO_COLOR).
const (
	FailedGlyph = common.FailedGlyph
	PinnedGlyph = "★"
)

// CleanTags makes tags displayable (see tagLabel), dropping ones that clean
// to nothing. Clean tags (nearly all) are shared, not copied.
func CleanTags(tags []string) []string {
	for i, t := range tags {
		if c := TagLabel(t); c != t || c == "" {
			out := append(make([]string, 0, len(tags)), tags[:i]...)
			for _, t := range tags[i:] {
				if c := TagLabel(t); c != "" {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return tags
}

// TagLabel is a tag as the list and the detail view show it, side by side
// with other tags: sanitised with its invisible characters made visible
// (safetext.Tag), and quoted when it holds a space, a comma or a quote, so
// that one tag "a, b" cannot read as two.
func TagLabel(raw string) string {
	c := safetext.Tag(raw, maxTagBytes)
	if c == "" || !strings.ContainsAny(c, " ,\"") {
		return c
	}
	return `"` + strings.ReplaceAll(c, `"`, `\"`) + `"`
}

// matchable builds what the filter needs beyond the session (see subject).
// Words search the title, the previews and the agent (never ids or tags:
// those have qualifiers).
func (r *Row) matchable() {
	s := &r.S
	var titleLen int
	if r.Untitled && r.Title == r.Preview {
		// The title is the preview: search it once.
		r.Text, titleLen, r.TextSet = querylang.BuildText(r.Preview, r.Output, r.Agent)
	} else {
		r.Text, titleLen, r.TextSet = querylang.BuildText(r.Title, r.Preview, r.Output, r.Agent)
	}
	r.titleLen = int32(titleLen) // the title is at most maxTitleBytes
	if usd, _, ok := s.Cost(); ok {
		r.cost, r.hasCost = usd, true
	}
	// Lower-casing returns an already lower-case string itself, so the
	// values apiclient interns (status, activity, source, agent id, tags)
	// stay shared across rows and comparing them reads no cold memory.
	l := rowLower{
		id: strings.ToLower(s.ID), agentID: strings.ToLower(s.AgentID), agentName: strings.ToLower(r.Agent),
		status: strings.ToLower(string(s.Status)), activity: strings.ToLower(string(s.Activity)),
		source: strings.ToLower(string(s.Source)), tags: lowerTags(s.Tags),
	}
	if s.ModelID != nil {
		l.model = strings.ToLower(*s.ModelID)
	}
	if l.id != s.ID || l.agentID != s.AgentID || l.agentName != r.Agent || l.status != string(s.Status) ||
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

// Subject is the row as the filter (querylang) sees it, assembled from the
// session and what matchable kept: a value to pass to Match, never stored.
func (r *Row) Subject() querylang.Subject {
	s := &r.S
	sub := querylang.Subject{
		ID: s.ID, Text: r.Text, TitleLen: int(r.titleLen), TextSet: r.TextSet,
		AgentID: s.AgentID, AgentName: r.Agent, Tags: s.Tags,
		Status: string(s.Status), Activity: string(s.Activity), Source: string(s.Source),
		Created: s.CreatedAt, Updated: s.UpdatedAt, Tokens: r.Total,
		Cost: r.cost, HasCost: r.hasCost, Pinned: r.Pinned,
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

// TitleKey is the title lower-cased: the title sort's key.
func (r *Row) TitleKey() string { return r.Text[:r.titleLen] }

// HasTag reports whether the raw session carries tag.
func (r *Row) HasTag(tag string) bool { return r.S.HasTag(tag) }

// Resolved reports whether the row carries the resolved tag (as r toggles it
// and is:resolved finds it).
func (r *Row) Resolved() bool { return r.HasTag(apiclient.ResolvedTag) }
