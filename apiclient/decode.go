package apiclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxMessageLen caps messages taken from bodies so a status bar stays one line.
const maxMessageLen = 200

// maxRetryAfterSeconds bounds APIError.RetryAfter (as parseRetryAfter bounds
// delay-seconds) so that converting it to a time.Duration cannot overflow.
const maxRetryAfterSeconds = 1 << 20

// decodeJSON decodes a 2xx body. Unknown fields are ignored (servers evolve);
// a malformed body is a clear error rather than a zero value.
func decodeJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidJSON, oneLine(err.Error(), maxMessageLen))
	}
	return nil
}

// errorBody is the union of every error shape seen from the server:
// {"error":"msg"}, {"error":{"code","message"}} and RFC 9457 problem+json.
type errorBody struct {
	Error             json.RawMessage `json:"error"`
	Message           string          `json:"message"`
	Title             string          `json:"title"`
	Detail            string          `json:"detail"`
	Code              json.RawMessage `json:"code"`
	RetryAfterSeconds *float64        `json:"retry_after_seconds"`
}

type nestedError struct {
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
}

// parseAPIError builds the APIError for a non-2xx response from whatever the
// body holds; it never fails, falling back to the status text.
func parseAPIError(status int, header http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{Status: status}
	var eb errorBody
	trimmed := bytes.TrimSpace(body)
	// An HTML content type wins even over a JSON-looking body: never show markup.
	html := looksLikeHTML(trimmed, header)
	isJSON := !html && len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &eb) == nil
	switch {
	case isJSON:
		e.Code = rawString(eb.Code)
		e.Message = eb.Message
		var s string
		var nested nestedError
		if json.Unmarshal(eb.Error, &s) == nil && s != "" {
			e.Message = s
		} else if json.Unmarshal(eb.Error, &nested) == nil && len(eb.Error) > 0 && eb.Error[0] == '{' {
			if c := rawString(nested.Code); c != "" {
				e.Code = c
			}
			if nested.Message != "" {
				e.Message = nested.Message
			}
		}
		if e.Message == "" {
			e.Message = eb.Detail
		}
		if e.Message == "" {
			e.Message = eb.Title
		}
		if eb.RetryAfterSeconds != nil && *eb.RetryAfterSeconds > 0 {
			e.RetryAfter = int(math.Ceil(min(*eb.RetryAfterSeconds, maxRetryAfterSeconds)))
		}
	case html:
		// A proxy's error page: its text is noise, the status says it all.
		e.Message = fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	default:
		e.Message = firstLine(string(trimmed))
	}
	e.Message = oneLine(e.Message, maxMessageLen)
	e.Code = oneLine(e.Code, 100)
	if e.Message == "" {
		e.Message = http.StatusText(status)
		if e.Message == "" {
			e.Message = fmt.Sprintf("HTTP %d", status)
		}
	}
	if status == http.StatusUnauthorized {
		e.Message += "; check " + EnvAPIKey
	}
	// The header is the standard signal; the body field is the fallback.
	if d, ok := parseRetryAfter(header.Get("Retry-After"), now); ok {
		e.RetryAfter = int(math.Ceil(min(d.Seconds(), maxRetryAfterSeconds)))
	}
	return e
}

// rawString reads a JSON string or number as text ("code" is not typed by the spec).
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func looksLikeHTML(body []byte, header http.Header) bool {
	if strings.Contains(strings.ToLower(header.Get("Content-Type")), "html") {
		return true
	}
	return len(body) > 0 && body[0] == '<'
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// oneLine makes s safe for a one-line UI: invalid UTF-8 and control
// and format characters (ANSI escapes' ESC, bidi overrides) become spaces, runs of spaces
// collapse, and the result is capped at max runes with an ellipsis.
func oneLine(s string, max int) string {
	var b strings.Builder
	space := false
	n := 0
	for _, r := range strings.ToValidUTF8(s, " ") {
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			space = b.Len() > 0
			continue
		}
		if need := n + 1 + boolInt(space); need > max {
			b.WriteString("…")
			return b.String()
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
