package apitest

import (
	"iter"
	"time"
)

// The store's interface: every handler reaches the sessions through these
// methods, never through s.order or s.byID directly, so that a lazy server
// (lazy.go) answers like one holding every session. s.order and s.byID hold
// the materialised sessions: all of them on an ordinary server; on a lazy
// one, those created, put, changed or asked for by id, while the rest are
// generated from the formula as the iteration passes them.

// ref is one session in list order: a materialised entry, or (e == nil)
// the lazy base's session idx, not generated yet or generated into gen
// (not kept) by an iteration that needed it (activityorder.go).
type ref struct {
	e   *entry
	idx int
	gen *entry
}

// refsLocked yields every session newest first: the materialised ones
// merged, by creation time, with the base's sessions not materialised.
// Cheap per step; nothing is generated. Call with s.mu held.
func (s *Server) refsLocked() iter.Seq[ref] {
	return func(yield func(ref) bool) {
		j := 0
		n := 0
		if s.lazy != nil {
			n = s.lazy.n
		}
		for i := 0; i < n; i++ {
			if s.over[i] {
				continue
			}
			c := s.lazy.created(i)
			for ; j < len(s.order) && !s.order[j].s.CreatedAt.Before(c); j++ {
				if !yield(ref{e: s.order[j]}) {
					return
				}
			}
			if !yield(ref{idx: i}) {
				return
			}
		}
		for ; j < len(s.order); j++ {
			if !yield(ref{e: s.order[j]}) {
				return
			}
		}
	}
}

// entryOf is r's entry; a base session is generated into a new entry that
// is not kept (changes to it are lost: use lookupLocked to change one).
func (s *Server) entryOf(r ref) *entry {
	if r.e != nil {
		return r.e
	}
	if r.gen != nil {
		return r.gen
	}
	return &entry{s: s.lazy.gen(r.idx)}
}

// entriesLocked yields every session's entry newest first (see entryOf).
func (s *Server) entriesLocked() iter.Seq[*entry] {
	return func(yield func(*entry) bool) {
		for r := range s.refsLocked() {
			if !yield(s.entryOf(r)) {
				return
			}
		}
	}
}

// lenLocked is the number of sessions.
func (s *Server) lenLocked() int {
	if s.lazy == nil {
		return len(s.order)
	}
	return len(s.order) + s.lazy.n - len(s.over)
}

// lookupLocked finds a session by id to read or change it: a base session
// is materialised first (call with s.mu held for writing).
func (s *Server) lookupLocked(id string) (*entry, bool) {
	if e, ok := s.byID[id]; ok {
		return e, true
	}
	if s.lazy == nil {
		return nil, false
	}
	i, ok := s.lazy.index(id)
	if !ok || s.over[i] {
		return nil, false // not a base id, or materialised then deleted
	}
	s.putLocked(s.lazy.gen(i)) // marks i as materialised
	return s.byID[id], true
}

// peekLocked finds a session by id without materialising it (read lock).
func (s *Server) peekLocked(id string) (*entry, bool) {
	if e, ok := s.byID[id]; ok {
		return e, true
	}
	if s.lazy == nil {
		return nil, false
	}
	if i, ok := s.lazy.index(id); ok && !s.over[i] {
		return &entry{s: s.lazy.gen(i)}, true
	}
	return nil, false
}

// topLocked materialises and returns the k newest sessions, for the
// simulated activity that changes them.
func (s *Server) topLocked(k int) []*entry {
	var idx []int
	out := make([]*entry, 0, k)
	for r := range s.refsLocked() {
		if len(out)+len(idx) >= k {
			break
		}
		if r.e != nil {
			out = append(out, r.e)
		} else {
			idx = append(idx, r.idx)
		}
	}
	if len(idx) == 0 {
		return out
	}
	for _, i := range idx {
		s.putLocked(s.lazy.gen(i))
	}
	out = out[:0]
	for r := range s.refsLocked() {
		if len(out) >= k {
			break
		}
		out = append(out, r.e) // the k newest are all materialised now
	}
	return out
}

// newestCreatedLocked is the creation time of the newest session (zero when none).
func (s *Server) newestCreatedLocked() time.Time {
	for r := range s.refsLocked() {
		if r.e != nil {
			return r.e.s.CreatedAt
		}
		return s.lazy.created(r.idx)
	}
	return time.Time{}
}

// markMaterialisedLocked records that the base session with x's id (if it
// is one) now lives in the ordinary store, or nowhere.
func (s *Server) markMaterialisedLocked(id string) {
	if s.lazy == nil {
		return
	}
	if i, ok := s.lazy.index(id); ok {
		if s.over == nil {
			s.over = map[int]bool{}
		}
		s.over[i] = true
	}
}
