package apiclient

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"sync"
	"sync/atomic"
)

// ListSummary is what EachSession found, besides the rows it passed on.
type ListSummary struct {
	Rows       int  // sessions passed to fn
	Total      int  // the first page's total: a claim, shown, never used to size anything
	Bounded    bool // stopped at opts.MaxRows while the server had more
	Unreadable int  // items that were not sessions (left out)
	// Problems are the first maxSummaryProblems of them, each with Index
	// as its position in the list (0 is the first row asked for).
	Problems []ItemProblem
	Warnings []string // one line per kind, as PageEvent.Warnings
	// MaxHeld is the most sessions EachSession held at once (decoded and not
	// yet passed to fn): its memory, bounded by the pages in flight
	// ((DefaultConcurrency+1) pages), whatever the size of the list.
	MaxHeld int
}

const maxSummaryProblems = 100

type pageResult struct {
	page *SessionPage
	err  error
}

// EachSession pages through the list like ListAll, with the same stops on
// evidence (a short or empty page, a page of sessions already seen, the
// first page's total, opts.MaxRows), but keeps nothing: it calls fn for
// each session in server order as pages arrive, with at most
// DefaultConcurrency pages in flight or waiting, so its memory does not grow
// with the list. A page is asked for only once the first page was full.
// Sessions repeated by the neighbouring page (the list moved while paging)
// are passed once. An error from fn stops the listing (no further page is
// asked for; those in flight are cancelled) and is returned.
func (c *Client) EachSession(ctx context.Context, opts ListOptions, fn func(Session) error) (ListSummary, error) {
	opts.Limit = pageSize(opts)
	var sum ListSummary
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := newInterner()
	var held, maxHeld atomic.Int64
	hold := func(n int) {
		v := held.Add(int64(n))
		for m := maxHeld.Load(); v > m && !maxHeld.CompareAndSwap(m, v); m = maxHeld.Load() {
		}
	}
	fetch := func(off int) pageResult {
		o := opts
		o.Offset = off
		p, err := c.listSessions(ctx, o, in)
		if err == nil {
			hold(len(p.Data))
		}
		return pageResult{p, err}
	}
	first := fetch(opts.Offset)
	if first.err != nil {
		return sum, first.err
	}
	st := &streamState{opts: opts, stride: opts.Limit, total: first.page.Total, fn: fn, hold: hold,
		warned: map[string]bool{}, pages: map[uint64]bool{}, sum: &sum}
	if l := first.page.Limit; l > 0 && l < st.stride && len(first.page.Data)+len(first.page.Problems) <= l {
		st.stride = l // the server capped our page size, and its page agrees
	}
	sum.Total = st.total
	last := (maxListOffset - max(opts.Offset, 0)) / st.stride // index of the last page worth asking for
	if opts.MaxRows > 0 {
		last = min(last, (opts.MaxRows+st.stride-1)/st.stride-1)
	}
	end, err := st.take(0, first.page)

	// The dispatcher asks for pages in order and hands each one's answer to
	// the loop below through queue, whose capacity bounds what is in
	// flight or waiting.
	queue := make(chan chan pageResult, max(DefaultConcurrency-1, 0))
	var wg sync.WaitGroup
	if !end && err == nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(queue)
			for k := 1; k <= last; k++ {
				off := opts.Offset + k*st.stride
				if off >= st.total {
					return
				}
				ch := make(chan pageResult, 1)
				select {
				case queue <- ch:
				case <-ctx.Done():
					return
				}
				wg.Add(1)
				go func() { defer wg.Done(); ch <- fetch(off) }()
			}
		}()
		for k := 1; !end && err == nil; k++ {
			ch, ok := <-queue
			if !ok {
				break
			}
			r := <-ch
			if r.err != nil {
				err = r.err
				break
			}
			end, err = st.take(k, r.page)
		}
	}
	cancel()
	wg.Wait()
	sum.MaxHeld = int(maxHeld.Load())
	if err == nil && !end && parent.Err() != nil {
		err = parent.Err() // cancelled between pages, before any request saw it
	}
	return sum, err
}

// streamState is EachSession's paging state: only the previous page's ids
// are remembered, so it stays the size of a page.
type streamState struct {
	opts          ListOptions
	stride, total int
	fn            func(Session) error
	hold          func(int)
	prev          map[string]bool
	pages         map[uint64]bool // a fingerprint of each page's ids: 8 bytes a page
	warned        map[string]bool
	sum           *ListSummary
}

func (st *streamState) warn(kind, msg string) {
	if !st.warned[kind] {
		st.warned[kind] = true
		st.sum.Warnings = append(st.sum.Warnings, msg)
	}
}

// take passes page k's new sessions to fn and reports whether it was the
// last page.
func (st *streamState) take(k int, p *SessionPage) (end bool, err error) {
	requested := st.opts.Offset + k*st.stride
	got := len(p.Data)
	defer func() { st.hold(-got) }() // whatever was not passed on is dropped too
	if p.EchoedOffset != requested {
		st.warn("offset", fmt.Sprintf("the server answered offset %d when asked for %d; rows are placed where they were asked for",
			p.EchoedOffset, requested))
	}
	if n := len(p.Data) + len(p.Problems); n > st.stride || p.Excess > 0 {
		p.Data = p.Data[:min(len(p.Data), st.stride)]
		st.warn("excess", "the server sent more sessions in a page than asked for; the extra ones were ignored")
	}
	positions := len(p.Data) + len(p.Problems)
	st.sum.Unreadable += len(p.Problems)
	for _, pr := range p.Problems {
		if len(st.sum.Problems) < maxSummaryProblems {
			pr.Index += k * st.stride
			st.sum.Problems = append(st.sum.Problems, pr)
		}
	}
	rows := p.Data
	if room := st.opts.MaxRows - k*st.stride; st.opts.MaxRows > 0 && positions >= room {
		st.sum.Bounded = positions > room || st.total > st.opts.MaxRows
		rows = rows[:min(len(rows), room)]
		end = true
	}
	repeated := false
	if len(rows) > 0 {
		// A page seen before, not only the previous one: a server cycling
		// through a few pages whatever the offset would otherwise be
		// listed again and again up to its claimed total.
		h := fnv.New64a()
		for i := range rows {
			h.Write([]byte(rows[i].ID))
			h.Write([]byte{0})
		}
		if fp := h.Sum64(); st.pages[fp] {
			repeated, rows = true, nil
		} else {
			st.pages[fp] = true
		}
	}
	cur := make(map[string]bool, len(rows))
	fresh := 0
	for i := range rows {
		s := rows[i]
		rows[i] = Session{} // not held once passed on
		got--
		st.hold(-1)
		if st.prev[s.ID] || cur[s.ID] {
			continue
		}
		cur[s.ID] = true
		fresh++
		st.sum.Rows++
		if err := st.fn(s); err != nil {
			return true, err
		}
	}
	if (len(rows) > 0 && fresh == 0 || repeated) && k > 0 {
		st.warn("repeat", fmt.Sprintf("the server sent the same sessions again for offset %d (it may ignore offset); each session is listed once",
			requested))
		end = true
	}
	if positions < st.stride {
		end = true // a short or empty page is the last one
	}
	st.prev = cur
	return end, nil
}

var errStopped = errors.New("stopped by the caller")

// Sessions is EachSession as an iterator: each session with a nil error,
// then, when paging failed, one zero Session with the error. Breaking out
// of the loop stops the paging.
func (c *Client) Sessions(ctx context.Context, opts ListOptions) iter.Seq2[Session, error] {
	return func(yield func(Session, error) bool) {
		_, err := c.EachSession(ctx, opts, func(s Session) error {
			if !yield(s, nil) {
				return errStopped
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopped) {
			yield(Session{}, err)
		}
	}
}
