package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/safetext"
)

// Caps on what one content part may render to, so that a megabyte of text (or
// JSON) costs a bounded amount of work and screen.
const (
	transcriptMaxPartBytes   = 64 << 10  // sanitised bytes kept of a text part
	transcriptMaxPartLines   = 200       // rendered lines of a text part
	transcriptMaxJSONBytes   = 4 << 10   // sanitised bytes kept of arguments/results JSON
	transcriptMaxJSONLines   = 6         // rendered lines of arguments/results JSON
	transcriptMaxResultLines = 20        // rendered lines of a string tool result or error
	transcriptCompactLimit   = 256 << 10 // larger JSON is not re-compacted, only sanitised
	transcriptMaxLabelBytes  = 128       // names, ids, roles, part types
)

// transcriptTruncated marks a part that was cut.
const transcriptTruncated = "… (truncated)"

// transcriptRender lays out the whole transcript for a viewport of the given
// width: every server string sanitised, wrapped and capped, every line at
// most width cells. It runs once when messages arrive and on resize, never in
// View.
func transcriptRender(t *theme.Theme, msgs []apiclient.Message, width int) []string {
	if width <= 0 {
		return nil
	}
	indent := "  "
	if width < 10 {
		indent = ""
	}
	bodyW := width - len(indent)
	var out []string
	for i, msg := range msgs {
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, transcriptHeader(t, msg, width))
		for _, p := range msg.Content {
			for _, l := range transcriptPart(t, p, bodyW) {
				if l == "" {
					out = append(out, "")
					continue
				}
				out = append(out, indent+l)
			}
		}
	}
	return out
}

// transcriptHeader is "user  #3 · 2024-01-02 15:04:05".
func transcriptHeader(t *theme.Theme, msg apiclient.Message, width int) string {
	role, style := transcriptRole(t, msg.Role)
	meta := "  #" + strconv.Itoa(msg.Sequence)
	if !msg.CreatedAt.IsZero() {
		meta += " · " + msg.CreatedAt.UTC().Format(detailTimeLayout)
	}
	return detailFit(width, detailSeg{role, style}, detailSeg{meta, t.Muted})
}

// transcriptRole returns the label and style of a role; unknown roles are
// shown verbatim (sanitised).
func transcriptRole(t *theme.Theme, r apiclient.MessageRole) (string, lipgloss.Style) {
	switch r {
	case apiclient.RoleUser:
		return "user", t.RoleUser
	case apiclient.RoleAgent:
		return "agent", t.RoleAgent
	case apiclient.RoleToolResult:
		return "tool_result", t.RoleTool
	case apiclient.RoleSystem:
		return "system", t.RoleSystem
	}
	s := safetext.Line(string(r), transcriptMaxLabelBytes)
	if s == "" {
		s = "(no role)"
	}
	return s, t.RoleSystem
}

// transcriptPart renders one content part as lines of at most w cells.
func transcriptPart(t *theme.Theme, p apiclient.ContentPart, w int) []string {
	label := func(s string, style lipgloss.Style) string {
		return style.Render(safetext.Truncate(s, w))
	}
	switch p.Type {
	case apiclient.PartText:
		return transcriptText(t, p.Text, w, transcriptMaxPartLines, t.Value)

	case apiclient.PartToolCall:
		name := safetext.Line(p.Name, transcriptMaxLabelBytes)
		lines := []string{label("tool call "+name, t.RoleTool)}
		return append(lines, transcriptJSON(t, p.Arguments, w)...)

	case apiclient.PartToolResult:
		id := safetext.Line(p.ToolCallID, transcriptMaxLabelBytes)
		lines := []string{label("tool result "+id, t.RoleTool)}
		if p.Error != nil {
			lines = append(lines, transcriptText(t, "error: "+*p.Error, w, transcriptMaxResultLines, t.Error)...)
		}
		var str string
		if len(p.Result) > 0 && p.Result[0] == '"' && json.Unmarshal(p.Result, &str) == nil {
			return append(lines, transcriptText(t, str, w, transcriptMaxResultLines, t.Value)...)
		}
		if len(p.Result) > 0 && string(p.Result) != "null" {
			lines = append(lines, transcriptJSON(t, p.Result, w)...)
		}
		return lines

	case apiclient.PartImage:
		return []string{label(transcriptImage(p), t.Muted)}

	case apiclient.PartImageFile:
		name := ""
		if p.Filename != nil {
			name = safetext.Line(*p.Filename, transcriptMaxLabelBytes)
		}
		if name == "" {
			name = safetext.Line(p.ImageID, transcriptMaxLabelBytes)
		}
		return []string{label("[image file "+name+"]", t.Muted)}
	}
	typ := safetext.Line(p.Type, transcriptMaxLabelBytes)
	if typ == "" {
		typ = "unknown part"
	}
	lines := []string{label("["+typ+"]", t.Muted)}
	if p.Text != "" {
		lines = append(lines, transcriptText(t, p.Text, w, transcriptMaxResultLines, t.Value)...)
	}
	return lines
}

// transcriptImage labels an inline image: its URL (shortened) or its media
// type and size, never its data.
func transcriptImage(p apiclient.ContentPart) string {
	var parts []string
	if p.MediaType != nil {
		if mt := safetext.Line(*p.MediaType, transcriptMaxLabelBytes); mt != "" {
			parts = append(parts, mt)
		}
	}
	if p.URL != nil {
		u := *p.URL
		if strings.HasPrefix(u, "data:") {
			parts = append(parts, "data URL")
		} else if u = safetext.Line(u, 256); u != "" {
			parts = append(parts, u)
		}
	}
	if p.Base64 != nil {
		parts = append(parts, transcriptSize(len(*p.Base64)/4*3))
	}
	if len(parts) == 0 {
		return "[image]"
	}
	return "[image " + strings.Join(parts, ", ") + "]"
}

// transcriptSize is a byte count for humans.
func transcriptSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// transcriptText sanitises raw text, word-wraps it at w cells and keeps at most
// maxLines lines, adding the truncation marker when anything was cut.
func transcriptText(t *theme.Theme, raw string, w, maxLines int, style lipgloss.Style) []string {
	clean := safetext.Text(raw, transcriptMaxPartBytes)
	cut := len(raw) > transcriptMaxPartBytes && strings.HasSuffix(clean, safetext.Ellipsis)
	clean = strings.TrimRight(clean, " \n")
	if clean == "" {
		return nil
	}
	var lines []string
	for src := range strings.SplitSeq(clean, "\n") {
		if len(lines) >= maxLines {
			cut = true
			break
		}
		src = strings.TrimRight(src, " ")
		if src == "" {
			lines = append(lines, "")
			continue
		}
		if safetext.Width(src) > w {
			src = ansi.Wrap(src, w, "")
		}
		for l := range strings.SplitSeq(src, "\n") {
			if len(lines) >= maxLines {
				cut = true
				break
			}
			l = safetext.Truncate(strings.TrimRight(l, " "), w)
			if l != "" {
				l = style.Render(l)
			}
			lines = append(lines, l)
		}
	}
	if cut {
		lines = append(lines, t.Muted.Render(safetext.Truncate(transcriptTruncated, w)))
	}
	return lines
}

// transcriptJSON renders JSON compactly, hard-wrapped at w cells and capped to
// a few lines. Invalid JSON is shown as sanitised text all the same.
func transcriptJSON(t *theme.Theme, raw json.RawMessage, w int) []string {
	if len(raw) == 0 {
		return nil
	}
	src := []byte(raw)
	if len(raw) <= transcriptCompactLimit {
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil {
			src = buf.Bytes()
		}
	}
	if len(src) > 2*transcriptMaxJSONBytes {
		// Sanitising stops at the cap anyway; don't copy more than needed.
		src = src[:2*transcriptMaxJSONBytes]
	}
	clean := safetext.Line(string(src), transcriptMaxJSONBytes)
	cut := len(raw) > transcriptMaxJSONBytes && strings.HasSuffix(clean, safetext.Ellipsis)
	if clean == "" {
		return nil
	}
	var lines []string
	for l := range strings.SplitSeq(ansi.Hardwrap(clean, w, true), "\n") {
		if len(lines) >= transcriptMaxJSONLines {
			cut = true
			break
		}
		lines = append(lines, t.Muted.Render(safetext.Truncate(l, w)))
	}
	if cut {
		lines = append(lines, t.Muted.Render(safetext.Truncate(transcriptTruncated, w)))
	}
	return lines
}
