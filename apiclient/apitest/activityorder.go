package apitest

import (
	"container/heap"
	"iter"
	"slices"
	"time"
)

// order=last_activity is updated_at desc, ties in list order (a stable sort
// of refsLocked). Sorting every session costs seconds on a lazy million, and
// the TUI asks the top page on every refresh; so the order is streamed
// instead. A generated session's updated_at lies within maxGenSpan after
// its created_at, and created_at decreases with the index: reading the base
// in index order into a small heap, the heap's newest can be emitted once
// no unread session can be newer, that is once it is not before
// created(next) + maxGenSpan (about a dozen sessions read ahead, as
// lazyGap is a minute). The materialised sessions, few, are sorted and
// merged in. The stream is lazy: a page near the top generates a few
// hundred sessions, a page at offset k about k of them.

// maxGenSpan bounds updated_at - created_at of a generated session (see
// genSessionID): started 0.2 to 3.2 s after creation, then up to 6 turns of
// up to 124 s each, capped at now. It is never negative.
const maxGenSpan = 6*124*time.Second + 3200*time.Millisecond

// activityLocked yields the sessions in order=last_activity. Without base,
// the lazy base's sessions are left out (none can match the request).
// A base session comes with its generated entry (ref.gen). Call with s.mu
// held.
func (s *Server) activityLocked(base bool, lo, hi int) iter.Seq[ref] {
	return func(yield func(ref) bool) {
		mat := slices.Clone(s.order) // s.order is in list order among itself
		slices.SortStableFunc(mat, func(a, b *entry) int { return b.s.UpdatedAt.Compare(a.s.UpdatedAt) })
		st := &genStream{z: s.lazy, over: s.over, next: lo, end: hi}
		if !base || s.lazy == nil {
			st.end = st.next
		}
		g, ok := st.pop()
		for _, e := range mat {
			for ok && genFirst(g, e) {
				if !yield(g.ref()) {
					return
				}
				g, ok = st.pop()
			}
			if !yield(ref{e: e}) {
				return
			}
		}
		for ; ok; g, ok = st.pop() {
			if !yield(g.ref()) {
				return
			}
		}
	}
}

// genFirst reports whether the generated g comes before the materialised e:
// newer, or as new and before it in list order, where refsLocked puts e
// before every base session created after it or at the same time.
func genFirst(g genItem, e *entry) bool {
	if c := g.e.s.UpdatedAt.Compare(e.s.UpdatedAt); c != 0 {
		return c > 0
	}
	return e.s.CreatedAt.Before(g.e.s.CreatedAt)
}

// genItem is a generated base session in the stream.
type genItem struct {
	idx int
	e   *entry
}

func (g genItem) ref() ref { return ref{idx: g.idx, gen: g.e} }

// genStream yields the base sessions of indices [next, end), skipping the
// materialised ones, by updated_at desc then index.
type genStream struct {
	z         *lazyBase
	over      map[int]bool
	next, end int
	h         genHeap
}

// pop returns the next session in order, reading ahead as far as needed.
func (st *genStream) pop() (genItem, bool) {
	for ; st.next < st.end; st.next++ {
		// An unread session j >= next has updated_at <= created(j) +
		// maxGenSpan <= created(next) + maxGenSpan; as new, it has the
		// larger index: the heap's top goes first either way.
		if len(st.h) > 0 && !st.h[0].e.s.UpdatedAt.Before(st.z.created(st.next).Add(maxGenSpan)) {
			break
		}
		if !st.over[st.next] {
			heap.Push(&st.h, genItem{idx: st.next, e: &entry{s: st.z.gen(st.next)}})
		}
	}
	if len(st.h) == 0 {
		return genItem{}, false
	}
	return heap.Pop(&st.h).(genItem), true
}

// genHeap is a max-heap by updated_at, then a min-heap by index.
type genHeap []genItem

func (h genHeap) Len() int { return len(h) }
func (h genHeap) Less(i, j int) bool {
	if c := h[i].e.s.UpdatedAt.Compare(h[j].e.s.UpdatedAt); c != 0 {
		return c > 0
	}
	return h[i].idx < h[j].idx
}
func (h genHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *genHeap) Push(x any)   { *h = append(*h, x.(genItem)) }
func (h *genHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
