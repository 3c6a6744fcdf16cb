package apiclient

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
)

// sessionKeys are the JSON names of Session's fields, from its struct tags.
var sessionKeys = func() map[string]struct{} {
	m := map[string]struct{}{}
	t := reflect.TypeOf(Session{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[name] = struct{}{}
		}
	}
	return m
}()

// sessionFields is Session without its methods, for the default codec.
type sessionFields Session

// UnmarshalJSON decodes the known fields with encoding/json and keeps the
// others in Extra. Finding the others is one pass over the top-level keys,
// far cheaper than the decode itself, and allocates only when there are some.
// (The nested decode re-validates b; pages avoid it, see DecodeSessionPage.)
func (s *Session) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, (*sessionFields)(s)); err != nil {
		return err
	}
	s.Extra = unknownMembers(b)
	return nil
}

// DecodeSessionPage decodes a list page (the body of GET /v1/sessions) as
// ListSessions does, keeping every item.
func DecodeSessionPage(body []byte) (*SessionPage, error) {
	var p SessionPage
	if err := p.decode(body, -1, nil, newInterner()); err != nil {
		return nil, err
	}
	return &p, nil
}

// keepExtras completes a session decoded without UnmarshalJSON from item
// (its bytes, possibly with a leading comma): the unknown members go to
// Extra, and repeated strings are shared through in.
func (s *Session) keepExtras(item []byte, in *interner) {
	if i := skipSpace(item, 0); i < len(item) && item[i] == ',' {
		item = item[i+1:]
	}
	s.Extra = unknownMembers(item)
	s.share(in)
}

// share replaces strings that repeat across sessions (ids of the org,
// agent, model, harness and owner; enum values; tags; the allowed actions
// without self_url) with one copy per load, and lets aliases share their
// original.
func (s *Session) share(in *interner) {
	str := func(p *string) { *p = in.intern(*p) }
	// Pointers to repeated values are shared too: the package never writes
	// through a session's pointers (it replaces them), nor may callers.
	ptr := func(p **string) { *p = in.internPtr(*p) }
	str(&s.OrganizationID)
	str(&s.HarnessID)
	str(&s.OwnerPrincipalID)
	str(&s.AgentID)
	ptr(&s.ModelID)
	ptr(&s.AgentVersionID)
	ptr(&s.AgentIdentityID)
	ptr(&s.BlueprintID)
	ptr(&s.Locale)
	ptr(&s.Goal)
	ptr(&s.ResolvedOwnerUserID)
	s.Status = Status(in.intern(string(s.Status)))
	s.Activity = Activity(in.intern(string(s.Activity)))
	s.Source = Source(in.intern(string(s.Source)))
	for i := range s.Tags {
		str(&s.Tags[i])
	}
	for i := range s.Features {
		str(&s.Features[i])
	}
	s.Owner, s.EffectiveOwner = in.internOwner(s.Owner), in.internOwner(s.EffectiveOwner)
	if s.UILink == s.ViewURL {
		s.UILink = s.ViewURL
	}
	// The id is the end of self_url: one copy of its bytes, not two.
	if n := len(s.SelfURL) - len(s.ID); n > 0 && s.SelfURL[n-1] == '/' && s.SelfURL[n:] == s.ID {
		s.ID = s.SelfURL[n:]
	}
	s.AllowedActions.compact(s.SelfURL, in)
}

// MarshalJSON writes the known fields, then the members in Extra (sorted by
// key) that do not collide with a known one.
func (s Session) MarshalJSON() ([]byte, error) {
	f := sessionFields(s)
	if f.AllowedActions.templ() {
		f.AllowedActions = RawActions(s.AllowedActions.JSON(s.SelfURL))
	}
	b, err := json.Marshal(f)
	if err != nil || len(s.Extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(s.Extra))
	for k := range s.Extra {
		if !isSessionKey(k) && json.Valid(s.Extra[k]) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1]) // drop the closing brace; the object is never empty (id is always written)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		buf.WriteByte(',')
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(s.Extra[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// isSessionKey reports whether encoding/json would put key in a field:
// it matches names case-insensitively.
func isSessionKey(key string) bool {
	if _, ok := sessionKeys[key]; ok {
		return true
	}
	for k := range sessionKeys {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// unknownMembers returns the top-level members of the JSON object b whose
// keys are not Session fields, or nil. b has been validated by the decoder.
func unknownMembers(b []byte) map[string]json.RawMessage {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil
	}
	var out map[string]json.RawMessage
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			return out // '}' or malformed: done
		}
		kStart := i
		i = skipString(b, i)
		rawKey := b[kStart:i]
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return out
		}
		i = skipSpace(b, i+1)
		vStart := i
		i = skipValue(b, i)
		if _, ok := sessionKeys[string(rawKey[1:len(rawKey)-1])]; !ok {
			var key string
			if json.Unmarshal(rawKey, &key) == nil && !isSessionKey(key) {
				if out == nil {
					out = map[string]json.RawMessage{}
				}
				out[key] = append(json.RawMessage(nil), b[vStart:i]...)
			}
		}
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ',' {
			return out
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	default: // number, true, false, null
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' &&
			b[i] != '\n' && b[i] != '\r' && b[i] != '\t' {
			i++
		}
		return i
	}
}
