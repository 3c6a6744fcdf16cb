package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// Column widths of the list table, in cells.
const (
	colStatus = 12
	colTitle  = 48
	colTags   = 32
	colTokens = 10
)

// line sanitises server text for one table cell or field: escape sequences,
// controls and bidi overrides removed, capped in bytes before measuring.
func line(s string) string { return safetext.Line(s, 4096) }

// displayTitle is the title, or the first message preview when untitled.
func displayTitle(s *apiclient.Session) string {
	if t := line(s.TitleOrEmpty()); t != "" {
		return t
	}
	return line(s.PreviewOrEmpty())
}

// tagList joins sanitised tags with sep. A tag holding a comma or a quote
// is printed quoted (with \" and \\ escaped), so "a,b" does not read as
// two tags.
func tagList(tags []string, sep string) string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t = line(t); t != "" {
			if strings.ContainsAny(t, `,"`) {
				t = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(t) + `"`
			}
			out = append(out, t)
		}
	}
	return strings.Join(out, sep)
}

// fmtTokens shows a token count from the server. Counts that do not fit the
// column are shortened, and a negative one (an overflow or a lie) shows "?".
func fmtTokens(n int64) string {
	switch {
	case n < 0:
		return "?"
	case n < 10_000_000_000:
		return strconv.FormatInt(n, 10)
	case n < 1_000_000_000_000_000:
		return strconv.FormatFloat(float64(n)/1e12, 'f', 1, 64) + "T"
	}
	return ">1000000T"
}

// tokenTotal is the session's total without wrapping around: a sum past
// the int64 range (a lying server) is clamped, not shown negative.
func tokenTotal(u *apiclient.TokenUsage) int64 {
	t := u.Total()
	if u != nil && t < 0 && u.InputTokens >= 0 && u.OutputTokens >= 0 {
		return math.MaxInt64
	}
	return t
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// writeTable prints sessions as aligned columns. Every cell is sanitised.
func writeTable(w io.Writer, sessions []apiclient.Session) error {
	idW := len("ID")
	for i := range sessions {
		idW = max(idW, safetext.Width(line(sessions[i].ID)))
	}
	idW = min(idW, 48)
	var b strings.Builder
	row := func(id, status, title, tags, tokens, updated string) {
		b.WriteString(safetext.Pad(id, idW))
		b.WriteString("  ")
		b.WriteString(safetext.Pad(status, colStatus))
		b.WriteString("  ")
		b.WriteString(safetext.Pad(title, colTitle))
		b.WriteString("  ")
		b.WriteString(safetext.Pad(tags, colTags))
		b.WriteString("  ")
		tokens = safetext.Truncate(tokens, colTokens)
		b.WriteString(strings.Repeat(" ", colTokens-safetext.Width(tokens)) + tokens)
		b.WriteString("  ")
		b.WriteString(updated)
		b.WriteByte('\n')
	}
	row("ID", "STATUS", "TITLE", "TAGS", "TOKENS", "UPDATED")
	for i := range sessions {
		s := &sessions[i]
		row(line(s.ID), line(string(s.Status)), displayTitle(s), tagList(s.Tags, ","),
			fmtTokens(tokenTotal(s.Usage)), fmtTime(s.UpdatedAt))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeDetail prints one session as "field: value" lines.
func writeDetail(w io.Writer, s *apiclient.Session) error {
	var b strings.Builder
	field := func(name, value string) {
		if value == "" {
			value = "-"
		}
		fmt.Fprintf(&b, "%-15s %s\n", name+":", value)
	}
	field("ID", line(s.ID))
	field("Status", line(string(s.Status)))
	field("Title", line(s.TitleOrEmpty()))
	field("Tags", tagList(s.Tags, ", "))
	field("Agent", line(s.AgentID))
	if s.ModelID != nil {
		field("Model", line(*s.ModelID))
	}
	field("Organization", line(s.OrganizationID))
	field("Created", fmtTime(s.CreatedAt))
	if s.StartedAt != nil {
		field("Started", fmtTime(*s.StartedAt))
	}
	if s.FinishedAt != nil {
		field("Finished", fmtTime(*s.FinishedAt))
	}
	field("Updated", fmtTime(s.UpdatedAt))
	if u := s.Usage; u != nil {
		field("Tokens", fmt.Sprintf("%s total (%s input, %s output, %s cache read, %s cache write)",
			fmtTokens(tokenTotal(u)), fmtTokens(u.InputTokens), fmtTokens(u.OutputTokens),
			fmtTokens(u.CacheRead()), fmtTokens(u.CacheCreation())))
	} else {
		field("Tokens", "")
	}
	field("Preview", safetext.Line(s.PreviewOrEmpty(), 500))
	field("Output preview", safetext.Line(s.OutputPreviewOrEmpty(), 500))
	_, err := io.WriteString(w, b.String())
	return err
}

// marshalJSON encodes v without HTML escaping and then escapes what
// encoding/json leaves raw but a terminal may act on: DEL, C1 controls
// (U+0080-U+009F, e.g. the 8-bit CSI U+009B) and bidi/invisible format
// characters. encoding/json already escapes C0 controls, ESC included, as
// \u001b. Such runes only ever occur inside JSON strings, so escaping them
// keeps the document valid and equal in meaning.
func marshalJSON(v any, indent bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return escapeUnsafeRunes(buf.Bytes()), nil
}

func escapeUnsafeRunes(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if unsafeRune(r) {
			if out == nil {
				out = append(make([]byte, 0, len(b)+16), b[:i]...)
			}
			if r > 0xffff {
				hi, lo := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		} else if out != nil {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}

func unsafeRune(r rune) bool {
	switch {
	case r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x200e, r == 0x200f, r == 0x061c, r == 0xfeff,
		r >= 0xfff9 && r <= 0xfffb:
		return true
	case r >= 0xe0000 && r <= 0xe007f: // tag characters: outside the BMP, need a surrogate pair
		return true
	}
	return false
}
