package apiclient

import "sync"

// interner shares the strings that repeat across the sessions of a load
// (organisation, agent, model and owner ids, enum values, tags, action
// templates), so that a kept session holds a reference, not a copy. It is
// bounded: past maxInternEntries distinct strings it stops adding, so a
// server sending a new value every time costs no more than without it.
// (unique.Make shares only until the next GC once no handle is held.)
type interner struct {
	mu sync.Mutex
	m  map[string]string
}

const (
	maxInternEntries = 1 << 12
	maxInternLen     = 2 << 10
)

func newInterner() *interner { return &interner{m: make(map[string]string)} }

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
