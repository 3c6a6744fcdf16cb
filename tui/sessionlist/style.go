package sessionlist

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/lipgloss"
	"github.com/everruns/sessions/theme"
)

// fastStyle renders a lipgloss style by wrapping text in the escape
// sequences the style produces, found once by rendering probes. It is only
// used where that gives byte for byte what Render gives (checked on the
// probes: plain colours and attributes, no width, padding or border);
// otherwise, and for text with tabs or line breaks, it calls Render.
type fastStyle struct {
	st       lipgloss.Style
	pre, suf string
	mode     uint8 // 0: Render; 1: pre+text+suf; 2: pre+rune+suf per rune, for text without spaces
}

func newFastStyle(st lipgloss.Style) fastStyle {
	f := fastStyle{st: st}
	const probe = "x"
	r := st.Render(probe)
	i := strings.Index(r, probe)
	if i < 0 {
		return f
	}
	pre, suf := r[:i], r[i+len(probe):]
	wrap := func(s string) string { return pre + s + suf }
	if st.Render("ab c—é 数") == wrap("ab c—é 数") && st.Render("Q") == wrap("Q") {
		f.pre, f.suf, f.mode = pre, suf, 1
		return f
	}
	if st.Render("aé数") == wrap("a")+wrap("é")+wrap("数") {
		f.pre, f.suf, f.mode = pre, suf, 2
	}
	return f
}

func (f *fastStyle) Render(s string) string {
	if f.mode == 1 && s != "" && !strings.ContainsAny(s, "\t\n\r") {
		return f.pre + s + f.suf
	}
	var b strings.Builder
	f.renderTo(&b, s)
	return b.String()
}

func (f *fastStyle) renderTo(b *strings.Builder, s string) {
	switch {
	case s == "" || strings.ContainsAny(s, "\t\n\r"):
	case f.mode == 1:
		b.WriteString(f.pre)
		b.WriteString(s)
		b.WriteString(f.suf)
		return
	case f.mode == 2 && !strings.ContainsRune(s, ' ') && isASCIIorSimple(s):
		for _, r := range s {
			b.WriteString(f.pre)
			b.WriteRune(r)
			b.WriteString(f.suf)
		}
		return
	}
	b.WriteString(f.st.Render(s))
}

// isASCIIorSimple: no other kind of whitespace, which lipgloss styles apart.
func isASCIIorSimple(s string) bool {
	for _, r := range s {
		if unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// StyleKit is the list's styles of one theme, pre-rendered.
type StyleKit struct {
	Theme                                          *theme.Theme
	mark, title, Untitled, Tag, tokens, age, match fastStyle
	Selected, Header                               fastStyle
	started, active, idle, other                   fastStyle
	Failed, completed, paused, Pinned              fastStyle
	resolved                                       fastStyle
	Muted, Label, Value, PaneTitle                 fastStyle // the preview pane
}

// Status mirrors theme.Status.
func (k *StyleKit) Status(s string) *fastStyle {
	switch s {
	case "started":
		return &k.started
	case "active", "running":
		return &k.active
	case "idle":
		return &k.idle
	case "failed":
		return &k.Failed
	case "completed":
		return &k.completed
	case "paused":
		return &k.paused
	}
	return &k.other
}

// NewStyleKit pre-renders the theme's styles for the colour profile in
// use. The root model builds one and hands it down in the Context.
func NewStyleKit(t *theme.Theme) *StyleKit {
	return &StyleKit{
		Theme:    t,
		mark:     newFastStyle(t.MarkGlyph),
		title:    newFastStyle(t.RowTitle),
		Untitled: newFastStyle(t.RowUntitled),
		Tag:      newFastStyle(t.RowTag),
		tokens:   newFastStyle(t.RowTokens),
		age:      newFastStyle(t.RowAge),
		match:    newFastStyle(t.Match),
		Selected: newFastStyle(t.RowSelected),
		Header:   newFastStyle(t.ColumnHeader),
		started:  newFastStyle(t.Status("started")),
		active:   newFastStyle(t.Status("active")),
		idle:     newFastStyle(t.Status("idle")),
		other:    newFastStyle(t.Status("")),

		Failed:    newFastStyle(t.StatusFailed),
		completed: newFastStyle(t.StatusCompleted),
		paused:    newFastStyle(t.StatusPaused),
		Pinned:    newFastStyle(t.Pinned),
		resolved:  newFastStyle(t.StatusCompleted),

		Muted:     newFastStyle(t.Muted),
		Label:     newFastStyle(t.Label),
		Value:     newFastStyle(t.Value),
		PaneTitle: newFastStyle(t.PaneTitle),
	}
}
