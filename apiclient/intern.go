package apiclient

import "sync"

// interner shares the strings that repeat across the sessions of a load
// (organisation, agent, model and owner ids, enum values, tags, action
// templates), so that a kept session holds a reference, not a copy. It is
// bounded: past maxInternEntries distinct strings it stops adding, so a
// server sending a new value every time costs no more than without it.
// (unique.Make shares only until the next GC once no handle is held.)
type interner struct {
	mu     sync.Mutex
	m      map[string]string
	ptrs   map[string]*string
	owners map[ownerKey]*PrincipalSummary
	lists  map[string][]string // by the values joined with NUL
	key    []byte              // lists' lookup key, reused under mu
}

type ownerKey struct{ id, kind, subject string }

const (
	maxInternEntries = 1 << 12
	maxInternLen     = 2 << 10
)

func newInterner() *interner {
	return &interner{m: map[string]string{}, ptrs: map[string]*string{}, owners: map[ownerKey]*PrincipalSummary{},
		lists: map[string][]string{}}
}

// intern returns the shared copy of s, adding s when there is room.
func (in *interner) intern(s string) string {
	if in == nil || s == "" || len(s) > maxInternLen {
		return s
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if c, ok := in.m[s]; ok {
		return c
	}
	if len(in.m) < maxInternEntries {
		in.m[s] = s
	}
	return s
}

// internPtr returns a shared pointer to *p's value (p itself when there is
// no room, or p is nil).
func (in *interner) internPtr(p *string) *string {
	if in == nil || p == nil || len(*p) > maxInternLen {
		return p
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if c, ok := in.ptrs[*p]; ok {
		return c
	}
	if len(in.ptrs) < maxInternEntries {
		in.ptrs[*p] = p
	}
	return p
}

// internOwner returns a shared copy of o when it has no metadata (owners
// are a few principals over many sessions), with its strings shared.
func (in *interner) internOwner(o *PrincipalSummary) *PrincipalSummary {
	if in == nil || o == nil {
		return o
	}
	o.ID, o.Kind = in.intern(o.ID), in.intern(o.Kind)
	o.SubjectID = in.internPtr(o.SubjectID)
	if len(o.Metadata) > 0 || o.SubjectID != nil && len(*o.SubjectID) > maxInternLen || len(o.ID) > maxInternLen {
		return o
	}
	k := ownerKey{o.ID, o.Kind, "\x00"}
	if o.SubjectID != nil {
		k.subject = *o.SubjectID
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if c, ok := in.owners[k]; ok {
		return c
	}
	if len(in.owners) < maxInternEntries {
		in.owners[k] = o
	}
	return o
}

// internBytes is intern for a string held in b (which it does not keep).
func (in *interner) internBytes(b []byte) string {
	if in == nil || len(b) > maxInternLen {
		return string(b)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if c, ok := in.m[string(b)]; ok {
		return c
	}
	s := string(b)
	if len(in.m) < maxInternEntries {
		in.m[s] = s
	}
	return s
}

// internList returns a shared copy of a short list of (interned) strings,
// tags or features: their combinations repeat across sessions. The copy
// is clipped (len == cap), so that appending to it copies; nobody writes
// into a session's lists (see Session).
func (in *interner) internList(l []string) []string {
	if in == nil || len(l) == 0 {
		return l
	}
	n := 0
	for _, v := range l {
		n += len(v) + 1
	}
	if n > maxInternLen {
		return l
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	k := in.key[:0]
	for _, v := range l {
		k = append(append(k, v...), 0) // NUL cannot end a JSON string's text unescaped, nor split one
	}
	in.key = k
	if c, ok := in.lists[string(k)]; ok {
		return c
	}
	c := append(make([]string, 0, len(l)), l...)
	if len(in.lists) < maxInternEntries {
		in.lists[string(k)] = c
	}
	return c
}
