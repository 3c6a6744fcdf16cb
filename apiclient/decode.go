package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
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
// a malformed body is a clear error rather than a zero value. The error's
// text can quote the body (a bad time value), so key is scrubbed from it.
func decodeJSON(body []byte, v any, key string) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidJSON, cutScrubbed(err.Error(), key))
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
// body holds; it never fails, falling back to the status text. scrub (nil for
// none) runs on the full texts before they are cut to one short line, so a
// key straddling the cut cannot survive minus its last characters.
func parseAPIError(status int, header http.Header, body []byte, now time.Time, scrub func(string) string) *APIError {
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
	e.Message = cutLine(e.Message, maxMessageLen, scrub)
	e.Code = cutLine(e.Code, 100, scrub)
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

// PageCheck is what the client found while decoding a page, beside the
// sessions it kept. SessionPage embeds it; none of it is sent by the server.
type PageCheck struct {
	// EchoedOffset is the offset the server's answer claimed. ListSessions
	// sets SessionPage.Offset to the offset it asked for, where the rows
	// belong, whatever the server echoed.
	EchoedOffset int
	// Problems lists the items that could not be decoded as sessions. They
	// are left out of Data; the rest of the page is kept.
	Problems []ItemProblem
	// Excess counts items beyond the limit asked for, which were ignored.
	Excess int
}

// ItemProblem is one item of a page that is not a usable session.
type ItemProblem struct {
	Index int    // position in the page's data (add the page's Offset for the list position)
	ID    string // the item's id when readable, sanitised for one line; "" otherwise
	Err   error  // why, one line, wraps ErrInvalidJSON
}

func (p ItemProblem) String() string {
	who := "item " + fmt.Sprint(p.Index)
	if p.ID != "" {
		who = "session " + p.ID
	}
	return who + ": " + p.Err.Error()
}

// UnmarshalJSON decodes a page item by item: a bad session becomes an
// ItemProblem and the others are kept. Only a body that is not a page at all
// (not JSON, not an object, data not an array) is an error.
func (p *SessionPage) UnmarshalJSON(b []byte) error { return p.decode(b, -1, nil, nil) }

// decode is UnmarshalJSON keeping at most maxItems sessions (< 0: all), so a
// page's work is bounded by what was asked for, not by what was sent. Items
// past maxItems are counted in Excess and only skipped over. scrub (nil for
// none) cleans the problems' texts; in (nil for none) shares repeated
// strings between the sessions of a load.
//
// A page whose items are all sessions is decoded in one pass (decodeWhole);
// any doubt sends it item by item, which tells the bad items from the good.
func (p *SessionPage) decode(b []byte, maxItems int, scrub func(string) string, in *interner) error {
	if p.decodeWhole(b, maxItems, in) {
		return nil
	}
	type plain SessionPage // without this method
	var raw struct {
		plain
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*p = SessionPage(raw.plain)
	p.PageCheck = PageCheck{EchoedOffset: raw.Offset}
	p.Data = nil
	if len(raw.Data) == 0 || string(raw.Data) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw.Data))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return &json.UnmarshalTypeError{Value: "non-array", Field: "data", Type: reflect.TypeFor[[]Session]()}
	}
	// Each item is decoded straight from the stream; the decoder reads a
	// whole value before decoding it, so a bad item cannot desynchronise the
	// next one, and its bytes are found again by offset for its problem.
	for i := 0; dec.More(); i++ {
		start := dec.InputOffset()
		if maxItems >= 0 && len(p.Data)+len(p.Problems) >= maxItems {
			var skip struct{}
			if err := dec.Decode(&skip); err != nil && !isItemError(err) {
				return err // cannot happen: raw.Data was checked by Unmarshal
			}
			p.Excess++
			continue
		}
		p.Data = append(p.Data, Session{})
		s := &p.Data[len(p.Data)-1]
		// Decoded without Session.UnmarshalJSON, whose nested decode would
		// scan the item again; keepExtras then finds its unknown members.
		var w sessionWire
		err := dec.Decode(&w)
		if err != nil && !isItemError(err) {
			return err
		}
		if err == nil {
			*s = w.toSession()
		}
		if err == nil {
			s.keepExtras(raw.Data[start:dec.InputOffset()], in)
		}
		if err == nil && s.ID == "" {
			err = errors.New("no id")
		}
		if err != nil {
			p.Data = p.Data[:len(p.Data)-1]
			item := bytes.TrimLeft(raw.Data[start:dec.InputOffset()], ", \t\r\n")
			p.Problems = append(p.Problems, ItemProblem{Index: i, ID: itemID(item, scrub),
				Err: fmt.Errorf("%w: %s", ErrInvalidJSON, cutLine(err.Error(), 120, scrub))})
		}
	}
	if len(p.Data) == 0 {
		p.Data = nil // as when no item came: one page, one shape
	}
	return nil
}

// isItemError tells an item that is not a session (wrong types, a bad time,
// ...) from a broken stream.
func isItemError(err error) bool {
	var syn *json.SyntaxError
	return !errors.As(err, &syn) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF)
}

// itemID reads the id of a bad item for its problem line, when it is a string.
func itemID(item json.RawMessage, scrub func(string) string) string {
	var v struct {
		ID json.RawMessage `json:"id"`
	}
	var id string
	if json.Unmarshal(item, &v) != nil || json.Unmarshal(v.ID, &id) != nil {
		return ""
	}
	return cutLine(id, 80, scrub)
}

// cutLine is s as one line of at most max runes, scrubbed (when scrub is
// not nil) before the cut and again after it, for a piece left at the cut.
func cutLine(s string, max int, scrub func(string) string) string {
	if scrub == nil {
		return oneLine(s, max)
	}
	out := scrub(oneLine(scrub(s), max)) // again after the cut: a piece of the key left there
	if utf8.RuneCountInString(out) > max+1 {
		// The piece at the cut (8 characters or more) became "[redacted]"
		// (10): cut shorter, so the line keeps its bound.
		out = scrub(oneLine(scrub(s), max-len(redactedMark)))
	}
	return out
}

// decodeWhole is decode's fast path: one encoding/json pass over the page
// into the plain fields, then the unknown members of each item from its
// bytes. It reports false, leaving p to the item-by-item decode, when the
// page is not clean: a bad item, an item without id, more items than
// maxItems, or a data member it cannot find by its exact name.
func (p *SessionPage) decodeWhole(b []byte, maxItems int, in *interner) bool {
	type plain SessionPage
	var whole struct {
		plain
		Data []sessionWire `json:"data"`
	}
	if json.Unmarshal(b, &whole) != nil {
		return false
	}
	items, ok := dataItems(b)
	if !ok || len(items) != len(whole.Data) || maxItems >= 0 && len(items) > maxItems {
		return false
	}
	for i := range whole.Data {
		if whole.Data[i].ID == "" {
			return false
		}
	}
	*p = SessionPage(whole.plain)
	p.PageCheck = PageCheck{EchoedOffset: whole.Offset}
	p.Data = nil
	if len(items) > 0 {
		p.Data = make([]Session, len(items))
		for i := range items {
			p.Data[i] = whole.Data[i].toSession()
			p.Data[i].keepExtras(items[i], in)
		}
	}
	return true
}

// dataItems returns the bytes of each item of the top-level "data" array of
// the valid JSON object b, in one pass. It reports false when data is
// missing, not an array, or spelled in a way encoding/json would also match
// ("Data").
func dataItems(b []byte) ([][]byte, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	var items [][]byte
	found := false
	for i++; ; i++ {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			break
		}
		k := i
		i = skipString(b, i)
		key := b[k:i]
		i = skipSpace(b, skipSpace(b, i)+1) // past ':'
		switch {
		case string(key) == `"data"`:
			found = true
			items = items[:0]
			if i < len(b) && b[i] == '[' {
				i = arrayItems(b, i, &items)
			} else if string(b[i:min(i+4, len(b))]) == "null" {
				items, i = nil, i+4
			} else {
				return nil, false
			}
		case bytes.EqualFold(key, []byte(`"data"`)) || bytes.IndexByte(key, '\\') >= 0:
			return nil, false
		default:
			i = skipValue(b, i)
		}
		if i = skipSpace(b, i); i >= len(b) || b[i] != ',' {
			break
		}
	}
	return items, found
}

// arrayItems appends the bytes of each item of the array at b[i] == '['
// to items and returns the index after the array.
func arrayItems(b []byte, i int, items *[][]byte) int {
	for i++; ; i++ {
		i = skipSpace(b, i)
		if i >= len(b) {
			return i
		}
		if b[i] == ']' {
			return i + 1
		}
		start := i
		i = skipValue(b, i)
		*items = append(*items, b[start:i])
		if i = skipSpace(b, i); i >= len(b) || b[i] != ',' {
			return min(i+1, len(b)) // past ']'
		}
	}
}
