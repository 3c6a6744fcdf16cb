package detail

import (
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/safetext"
)

// timeLayout is how absolute timestamps are shown (always UTC).
const timeLayout = "2006-01-02 15:04:05"

// wideWidth is the width from which fields and usage sit side by side in
// two columns.
const wideWidth = 120

// Caps on server strings shown in the fields block.
const (
	maxCaps      = 64
	maxCapsBytes = 1024
)

// Row is the session to show: the raw copy (ids, timestamps, usage,
// capabilities) and the display strings the list already sanitised, so
// server text is cleaned once for both views.
type Row struct {
	Session apiclient.Session
	ID      string // sanitised id
	Status  string // sanitised status word
	Act     string // activity, for the colour
	Cell    string // activity in words (common.ActivityOf)
	Title   string // "" when untitled
	Agent   string // the agent's display name or id; "" when none
	Tags    string // joined tags; "" when none
	OrgName string // the organisation's name, when known (sanitised)
}

// fields is a session's fields as the detail view shows them: every server
// string sanitised once, when the row is set.
type fields struct {
	title    string // "" when untitled
	id       string
	status   string
	act      string // activity, for the colour
	cell     string // activity in words (see common.ActivityOf)
	cost     string // "—" when none
	source   string // "—" when none
	agent    string
	model    string // "—" when null
	org      string
	tags     string // "—" when none
	caps     string // "—" when none
	created  *time.Time
	started  *time.Time
	finished *time.Time
	updated  *time.Time
	usage    *apiclient.TokenUsage
}

func newFields(r Row) fields {
	s := r.Session
	f := fields{
		title:    r.Title,
		id:       r.ID,
		status:   r.Status,
		act:      r.Act,
		cell:     r.Cell,
		cost:     common.CostText(&s),
		source:   safetext.Line(string(s.Source), common.MaxTagBytes),
		agent:    r.Agent,
		model:    "—",
		org:      orgText(r.OrgName, s.OrganizationID),
		tags:     "—",
		caps:     "—",
		started:  s.StartedAt,
		finished: s.FinishedAt,
	}
	if s.ModelID != nil {
		if m := safetext.Line(*s.ModelID, common.MaxTagBytes); m != "" {
			f.model = m
		}
	}
	for _, p := range []*string{&f.agent, &f.cost, &f.source, &f.org} {
		if *p == "" {
			*p = "—"
		}
	}
	if r.Tags != "" {
		f.tags = r.Tags
	}
	var caps []string
	n := 0
	for _, c := range s.Capabilities {
		ref := safetext.Line(c.Ref, common.MaxTagBytes)
		if ref == "" {
			continue
		}
		if len(caps) == maxCaps || n+len(ref) > maxCapsBytes {
			caps = append(caps, "…")
			break
		}
		caps = append(caps, ref)
		n += len(ref) + 2
	}
	if len(caps) > 0 {
		f.caps = strings.Join(caps, ", ")
	}
	if !s.CreatedAt.IsZero() {
		t := s.CreatedAt
		f.created = &t
	}
	if !s.UpdatedAt.IsZero() {
		t := s.UpdatedAt
		f.updated = &t
	}
	if s.Usage != nil {
		u := *s.Usage
		f.usage = &u
	}
	return f
}

// header renders the fields and usage block. Its number of lines depends on
// the width and the fields only, never on now: relative ages have a fixed
// budget, so layout can measure it with a zero time.
func (m Model) header(now time.Time) []string {
	t, w := m.ctx.Theme, m.w
	if w == 0 {
		return nil
	}
	f := m.f
	title := seg{f.title, t.PaneTitle}
	if f.title == "" {
		title = seg{"(untitled)", t.RowUntitled}
	}
	identity := []cell{
		{label: "id", segs: []seg{{f.id, t.Value}}},
		{label: "status", segs: statusSegs(t, f)},
		{label: "agent", segs: []seg{{f.agent, t.Value}}},
		{label: "model", segs: []seg{{f.model, t.Value}}},
		{label: "org", segs: []seg{{f.org, t.Value}}},
		{label: "tags", segs: []seg{{f.tags, t.RowTag}}},
		{label: "caps", segs: []seg{{f.caps, t.Value}}},
		{label: "source", segs: []seg{{f.source, t.Value}}},
		{label: "cost", segs: []seg{{f.cost, t.Value}}},
	}
	if f.tags == "—" {
		identity[5].segs[0].style = t.Muted
	}
	times := []cell{
		timeCell(t, "created", f.created, now),
		timeCell(t, "started", f.started, now),
		timeCell(t, "finished", f.finished, now),
		timeCell(t, "updated", f.updated, now),
	}
	if w >= wideWidth {
		const gap = 3
		leftW := (w - gap) / 2
		rightW := w - gap - leftW
		left := append([]string{fit(leftW, title)}, flow(t.Label, identity, leftW)...)
		right := append(flow(t.Label, times, rightW), usageBlock(t, f.usage, rightW, 1)...)
		out := make([]string, max(len(left), len(right)))
		for i := range out {
			var l, r string
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			if r == "" {
				out[i] = l
				continue
			}
			out[i] = l + strings.Repeat(" ", max(0, leftW-lipgloss.Width(l))+gap) + r
		}
		return out
	}
	out := []string{fit(w, title)}
	out = append(out, flow(t.Label, identity, w)...)
	out = append(out, flow(t.Label, times, w)...)
	cols := 1
	if (w-3)/2 >= usageLabelWidth+1+11+1+6 {
		cols = 2
	}
	return append(out, usageBlock(t, f.usage, w, cols)...)
}

// statusSegs is the activity first, then the status word when it says more.
func statusSegs(t *theme.Theme, f fields) []seg {
	segs := []seg{{f.cell, t.Status(f.act)}}
	if f.status != f.act && f.status != "" {
		segs = append(segs, seg{" (" + f.status + ")", t.Muted})
	}
	return segs
}

// ageWidth is the cell budget of a relative age such as "(364d ago)".
const ageWidth = 10

// timeCell is "created  2024-01-02 15:04:05 (3m ago)" or "created  —".
// Its natural width is fixed so that layout does not depend on the clock.
func timeCell(t *theme.Theme, label string, ts *time.Time, now time.Time) cell {
	c := cell{label: label, width: len(timeLayout) + 1 + ageWidth}
	if ts == nil || ts.IsZero() {
		c.segs = []seg{{"—", t.Muted}}
		return c
	}
	age := safetext.Truncate("("+relAge(*ts, now)+")", ageWidth)
	c.segs = []seg{{ts.UTC().Format(timeLayout), t.Value}, {" " + age, t.Muted}}
	return c
}

// relAge is the list's age with a direction: "just now", "45s ago",
// "3m ago", "2w ago"; "in 3m" for times in the future.
func relAge(ts, now time.Time) string {
	if ts.After(now) {
		if a := common.Age(ts, now); a != "now" {
			return "in " + a
		}
		return "just now"
	}
	if a := common.Age(now, ts); a != "now" {
		return a + " ago"
	}
	return "just now"
}

// seg is a piece of sanitised single-line text and its style.
type seg struct {
	text  string
	style lipgloss.Style
}

// fit renders segs on one line of at most w cells. Plain text is truncated
// before it is styled, so no style sequence is ever cut.
func fit(w int, segs ...seg) string {
	var b strings.Builder
	left := w
	for _, s := range segs {
		if left <= 0 {
			break
		}
		txt := s.text
		if safetext.Width(txt) > left {
			txt = safetext.Truncate(txt, left)
		}
		if txt == "" {
			continue
		}
		b.WriteString(s.style.Render(txt))
		left -= safetext.Width(txt)
	}
	return b.String()
}

// cell is a labelled field. width is the natural width of its value; 0
// means "measure the segments".
type cell struct {
	label string
	segs  []seg
	width int
}

func (c cell) valueWidth() int {
	if c.width > 0 {
		return c.width
	}
	n := 0
	for _, s := range c.segs {
		n += safetext.Width(s.text)
	}
	return n
}

// flow lays cells out left to right in width w, starting a new line when the
// next cell does not fit; a cell alone on its line is truncated to w.
// Labels are padded to the widest label of the group so stacked cells align.
func flow(label lipgloss.Style, cells []cell, w int) []string {
	const gap = 2
	labelW := 0
	for _, c := range cells {
		labelW = max(labelW, len(c.label))
	}
	var out []string
	var line strings.Builder
	used := 0
	for _, c := range cells {
		nat := labelW + 1 + c.valueWidth()
		if used > 0 && used+gap+nat <= w {
			line.WriteString(strings.Repeat(" ", gap))
			used += gap
		} else if used > 0 {
			out = append(out, strings.TrimRight(line.String(), " "))
			line.Reset()
			used = 0
		}
		avail := w - used
		segs := append([]seg{{safetext.Pad(c.label, labelW) + " ", label}}, c.segs...)
		s := fit(avail, segs...)
		sw := lipgloss.Width(s)
		line.WriteString(s)
		used += sw
		if sw < nat && used+(nat-sw) <= w {
			// Pad a short value (a "—" time) to its natural width so the
			// next cell on the line stays aligned.
			line.WriteString(strings.Repeat(" ", nat-sw))
			used += nat - sw
		}
	}
	if used > 0 {
		out = append(out, strings.TrimRight(line.String(), " "))
	}
	return out
}

// orgText is the organisation as the detail view names it: "Name (id)",
// or the id alone while the name is unknown.
func orgText(name, id string) string {
	id = safetext.Line(id, common.MaxTagBytes)
	switch {
	case name == "":
		return id
	case id == "":
		return name
	}
	return name + " (" + id + ")"
}
