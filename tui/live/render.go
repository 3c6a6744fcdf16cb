package live

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/safetext"
)

// Render caps: what one part may draw, so a megabyte costs a bounded frame.
const (
	renderMaxBytes = 64 << 10 // of a text part (the head; the tail while streaming)
	renderMaxLines = 200      // of a text part
)

// TimeLayout is how message times are shown (UTC, as the detail view does).
const TimeLayout = "2006-01-02 15:04:05"

type renderCache struct {
	width, rev int
	lines      []string
}

// Lines lays the transcript out for a viewport width cells wide: each line
// at most width cells, styled from th. Items that did not change since the
// last call at the same width come from a cache, so calling it after every
// batch of events costs about the changed items only.
func (t *Transcript) Lines(th *theme.Theme, width int) []string {
	if width <= 0 {
		return nil
	}
	out := make([]string, 0, t.lastLines+8) // about last time's size: no regrowing
	if t.dropped > 0 {
		out = append(out, th.Live.Note.Render(safetext.Truncate(fmt.Sprintf("… %d earlier items not kept", t.dropped), width)))
	}
	var prev *Item
	for _, it := range t.items {
		// A blank line around messages; tool lines and notes stay together.
		if len(out) > 0 && (it.Kind == KindMessage || prev != nil && prev.Kind == KindMessage) {
			out = append(out, "")
		}
		prev = it
		c, ok := t.cache[it]
		if !ok || c.width != width || c.rev != it.rev {
			c = renderCache{width: width, rev: it.rev, lines: renderItem(th, it, width)}
			t.cache[it] = c
		}
		out = append(out, c.lines...)
	}
	if t.pend != nil {
		if len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, t.renderPending(th, width)...)
	}
	t.lastLines = len(out)
	return out
}

func (t *Transcript) renderPending(th *theme.Theme, width int) []string {
	p := t.pend
	head := header(th, apiclient.RoleAgent, 0, p.at, width, th.Live.Streaming.Render("▍ streaming"))
	lines := []string{head}
	body, w := indent(width)
	if len(p.text) == 0 {
		return append(lines, body+th.Live.Note.Render(safetext.Truncate("… thinking", w)))
	}
	text := string(p.text)
	hidden := false
	if len(text) > renderMaxBytes { // only the tail is drawn while streaming
		cut := len(text) - renderMaxBytes
		if nl := strings.IndexByte(text[cut:], '\n'); nl >= 0 {
			cut += nl + 1
		}
		text, hidden = text[cut:], true
	}
	wrapped := wrap(text, w, th.Value)
	if len(wrapped) > renderMaxLines {
		wrapped, hidden = wrapped[len(wrapped)-renderMaxLines:], true
	}
	if hidden {
		lines = append(lines, body+th.Live.Note.Render(safetext.Truncate("… (earlier text hidden)", w)))
	}
	for _, l := range wrapped {
		lines = append(lines, prefix(body, l))
	}
	if p.truncated {
		lines = append(lines, body+th.Live.Note.Render(safetext.Truncate("… (message too long, cut)", w)))
	}
	return lines
}

func renderItem(th *theme.Theme, it *Item, width int) []string {
	body, w := indent(width)
	switch it.Kind {
	case KindTool:
		return []string{body + toolLine(th, it.Tool, w)}
	case KindError:
		return wrap("✗ turn failed: "+it.Text, width, th.Live.TurnFailed)
	case KindNote:
		return []string{th.Live.Note.Render(safetext.Truncate("— "+it.Text, width))}
	}
	extra := ""
	if it.Incomplete {
		extra = th.Live.Note.Render("(incomplete)")
	}
	lines := []string{header(th, it.Role, it.Seq, it.At, width, extra)}
	for _, p := range it.Parts {
		switch p.Kind {
		case PartText:
			text, cut := p.Text, false
			if len(text) > renderMaxBytes {
				text, cut = safetext.Text(text, renderMaxBytes), true
			}
			wrapped := wrap(text, w, th.Value)
			if len(wrapped) > renderMaxLines {
				wrapped, cut = wrapped[:renderMaxLines], true
			}
			for _, l := range wrapped {
				lines = append(lines, prefix(body, l))
			}
			if cut {
				lines = append(lines, body+th.Muted.Render(safetext.Truncate("… (truncated)", w)))
			}
		case PartToolCall:
			lines = append(lines, body+toolLine(th, p.Call, w))
		case PartToolResult:
			s := "↳ result"
			if p.Text != "" {
				s += ": " + p.Text
			}
			lines = append(lines, body+th.Muted.Render(safetext.Truncate(s, w)))
			if p.Error != "" {
				lines = append(lines, body+th.Error.Render(safetext.Truncate("↳ error: "+p.Error, w)))
			}
		default:
			lines = append(lines, body+th.Muted.Render(safetext.Truncate(p.Text, w)))
		}
	}
	return lines
}

// toolLine is one tool call with its state: "⋯ read_file running",
// "✓ read_file 1.2s", "✗ run_sql: timed out", "→ tool call read_file".
func toolLine(th *theme.Theme, c *Tool, w int) string {
	name := c.Name
	if name == "" {
		name = c.ID
	}
	if name == "" {
		name = "(unnamed tool)"
	}
	var s string
	var st lipgloss.Style
	switch c.State {
	case ToolRunning:
		s, st = "⋯ "+name+" running", th.Live.ToolRunning
	case ToolDone:
		s, st = "✓ "+name, th.Live.ToolDone
		if c.Duration > 0 {
			s += " " + durText(c.Duration)
		}
	case ToolFailed:
		s, st = "✗ "+name+" failed", th.Live.ToolFailed
		if c.Err != "" {
			s += ": " + c.Err
		}
	default:
		s, st = "→ tool call "+name, th.RoleTool
	}
	return st.Render(safetext.Truncate(s, w))
}

func durText(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// header is "agent  #3 · 2026-08-01 12:00:00" plus an extra note.
func header(th *theme.Theme, role apiclient.MessageRole, seq int, at time.Time, width int, extra string) string {
	name, st := roleStyle(th, role)
	meta := ""
	if seq > 0 {
		meta += "  #" + strconv.Itoa(seq)
	}
	if !at.IsZero() {
		if meta == "" {
			meta = " "
		}
		meta += " · " + at.UTC().Format(TimeLayout)
	}
	s := st.Render(safetext.Truncate(name, width))
	used := safetext.Width(name)
	if rest := width - used; rest > 0 && meta != "" {
		s += th.Muted.Render(safetext.Truncate(meta, rest))
		used += min(safetext.Width(meta), rest)
	}
	if rest := width - used - 1; rest > 0 && extra != "" && lipgloss.Width(extra) <= rest {
		s += " " + extra
	}
	return s
}

func roleStyle(th *theme.Theme, r apiclient.MessageRole) (string, lipgloss.Style) {
	switch r {
	case apiclient.RoleUser:
		return "user", th.RoleUser
	case apiclient.RoleAgent:
		return "agent", th.RoleAgent
	case apiclient.RoleToolResult:
		return "tool_result", th.RoleTool
	case apiclient.RoleSystem:
		return "system", th.RoleSystem
	}
	s := label(string(r))
	if s == "" {
		s = "(no role)"
	}
	return s, th.RoleSystem
}

// indent is the body indent for a width and the width left for the body.
func indent(width int) (string, int) {
	if width < 10 {
		return "", width
	}
	return "  ", width - 2
}

func prefix(body, l string) string {
	if l == "" {
		return ""
	}
	return body + l
}

// wrap word-wraps sanitised text at w cells, styling each non-empty line.
func wrap(text string, w int, st lipgloss.Style) []string {
	text = strings.TrimRight(text, " \n")
	if text == "" || w <= 0 {
		return nil
	}
	var out []string
	for src := range strings.SplitSeq(text, "\n") {
		src = strings.TrimRight(src, " ")
		if src == "" {
			out = append(out, "")
			continue
		}
		if safetext.Width(src) > w {
			src = ansi.Wrap(src, w, "")
		}
		for l := range strings.SplitSeq(src, "\n") {
			l = safetext.Truncate(strings.TrimRight(l, " "), w)
			if l != "" {
				l = st.Render(l)
			}
			out = append(out, l)
		}
	}
	return out
}
