package apiclient

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
)

// ActionList is allowed_actions as the server sent it, kept compactly. The
// raw list is the largest part of a listed session (~700 bytes), yet it is
// nearly the same for every session: the links differ only by the session's
// self_url. Decoding a page cuts self_url out of it (see compact), leaving a
// template that a page's interner shares between sessions; Session.Actions,
// Session.Can and MarshalJSON put self_url back.
type ActionList struct {
	text string // JSON; a template when it holds selfMark, for every self_url cut
}

// selfMark stands for self_url in a template. A raw NUL cannot occur in
// JSON text (control characters are escaped in strings), so the cut is
// reversible.
const selfMark = "\x00"

// RawActions returns an ActionList holding raw as is.
func RawActions(raw json.RawMessage) ActionList { return ActionList{text: string(raw)} }

// IsZero reports whether the list is absent (omitted by MarshalJSON).
func (a ActionList) IsZero() bool { return a.text == "" }

// UnmarshalJSON keeps the value's text (null is absent).
func (a *ActionList) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*a = ActionList{}
		return nil
	}
	*a = ActionList{text: string(b)}
	return nil
}

// MarshalJSON writes the text; a template cannot be written without its
// self_url, so Session.MarshalJSON expands it first (and it always does).
func (a ActionList) MarshalJSON() ([]byte, error) {
	if a.text == "" {
		return []byte("null"), nil
	}
	return []byte(strings.ReplaceAll(a.text, selfMark, "")), nil // a template is not reached through Session

}

func (a ActionList) templ() bool { return strings.Contains(a.text, selfMark) }

// JSON returns the list as the server sent it, given the session's self_url.
func (a ActionList) JSON(self string) json.RawMessage {
	if !a.templ() {
		return json.RawMessage(a.text)
	}
	return json.RawMessage(strings.ReplaceAll(a.text, selfMark, jsonStringBody(self)))
}

// compact cuts self out of the list and shares the template through in
// (nil: no sharing, then the cut saves nothing and is skipped).
func (a *ActionList) compact(self string, in *interner) {
	if in == nil || a.text == "" || a.templ() {
		return
	}
	enc := jsonStringBody(self)
	if enc == "" || !strings.Contains(a.text, enc) {
		a.text = in.intern(a.text)
		return
	}
	// The template is built in a pooled buffer: most are already interned,
	// and the lookup by bytes allocates nothing.
	bp := templBufs.Get().(*[]byte)
	b, rest := (*bp)[:0], a.text
	for {
		j := strings.Index(rest, enc)
		if j < 0 {
			break
		}
		b = append(append(b, rest[:j]...), selfMark...)
		rest = rest[j+len(enc):]
	}
	b = append(b, rest...)
	a.text = in.internBytes(b)
	*bp = b
	templBufs.Put(bp)
}

var templBufs = sync.Pool{New: func() any { return new([]byte) }}

// jsonStringBody is s as it appears between the quotes of a JSON string
// written by encoding/json ("" when s is empty).
func jsonStringBody(s string) string {
	if s == "" {
		return ""
	}
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
	}
	if plain {
		return s // nothing to escape: the common case, a URL
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) != nil {
		return ""
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return string(b[1 : len(b)-1])
}

// RawJSON is a JSON value kept as the server sent it, like json.RawMessage
// but in a string (immutable, 16 bytes). "" is absent; null is kept.
type RawJSON string

// UnmarshalJSON keeps the value's text.
func (r *RawJSON) UnmarshalJSON(b []byte) error {
	*r = RawJSON(b)
	return nil
}

// MarshalJSON writes the text (null when empty).
func (r RawJSON) MarshalJSON() ([]byte, error) {
	if r == "" {
		return []byte("null"), nil
	}
	return []byte(r), nil
}
