package apiclient

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
)

// ListAll fetches every page: the first page alone, then the next ones with
// at most concurrency requests in flight (<= 0 means DefaultConcurrency).
// It pages on evidence, never on the numbers the server claims: a page is
// only asked for while the pages so far were full, the offsets are the ones
// it computes (rows go where they were asked for), and it stops at a short
// or empty page, a page that repeats sessions already seen (a server
// ignoring offset), the first page's total, opts.MaxRows (the newest rows;
// the PageEvent where the bound cut the list has Bounded set), or
// MaxListSessions. A page larger than asked is cut to size. onPage is called once per page,
// serially, in arrival order; the first call is the first page. It returns
// every session once, in server order. On error it cancels the pages in
// flight and returns the sessions that did arrive with the error.
func (c *Client) ListAll(ctx context.Context, opts ListOptions, concurrency int, onPage func(PageEvent)) ([]Session, error) {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	opts.Limit = pageSize(opts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	in := newInterner() // shared by the pages of this load
	first, err := c.listSessions(ctx, opts, in)
	if err != nil {
		return nil, err
	}
	stride := opts.Limit
	if l := first.Limit; l > 0 && l < stride && len(first.Data)+len(first.Problems) <= l {
		stride = l // the server capped our page size, and its page agrees
	}
	lctx, cancel := context.WithCancel(ctx) // cancels pages in flight on error
	defer cancel()
	l := &listing{
		base: opts.Offset, stride: stride, total: first.Total, end: math.MaxInt, maxRows: opts.MaxRows,
		pages: map[int][]Session{}, seen: map[string]bool{}, warned: map[string]bool{},
		onPage: onPage, cancel: cancel,
	}
	l.take(0, first)

	var wg sync.WaitGroup
	sem := make(chan struct{}, concurrency)
dispatch:
	for k := 1; ; k++ {
		select {
		case sem <- struct{}{}:
		case <-lctx.Done():
			break dispatch
		}
		off, ok := l.next(k)
		if !ok || lctx.Err() != nil {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			o := opts
			o.Offset = off
			page, err := c.listSessions(lctx, o, in)
			if err != nil {
				l.fail(k, err)
				return
			}
			l.take(k, page)
		}()
	}
	wg.Wait()
	return l.result(ctx)
}

// listing is the state of one ListAll. Everything in it grows only with
// what the server really sent (pages, sessions), never with a number it
// claimed.
type listing struct {
	base, stride, total int
	maxRows             int // 0: none
	onPage              func(PageEvent)
	cancel              context.CancelFunc

	mu     sync.Mutex // serialises onPage; guards what follows
	pages  map[int][]Session
	seen   map[string]bool
	warned map[string]bool
	loaded int
	end    int // index of the last page worth asking for (math.MaxInt: not known yet)
	err    error
}

// maxListOffset bounds the offsets ListAll asks for (the server's own limit).
const maxListOffset = math.MaxInt32

// next is the offset of page k, or false when it must not be asked for.
func (l *listing) next(k int) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil || k > l.end || k > (maxListOffset-l.base)/l.stride ||
		l.maxRows > 0 && k >= (l.maxRows+l.stride-1)/l.stride {
		return 0, false
	}
	off := l.base + k*l.stride
	return off, off < l.total
}

func (l *listing) fail(k int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil && k <= l.end {
		l.err = err
		l.cancel()
	}
}

// take files page k: cut to the stride, stripped of sessions already seen,
// reported, and checked for the end of the list.
func (l *listing) take(k int, page *SessionPage) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil || k > l.end {
		return // a sibling failed, or the list ended before this page
	}
	requested := l.base + k*l.stride
	var warnings []string
	warn := func(kind, msg string) {
		if !l.warned[kind] {
			l.warned[kind] = true
			warnings = append(warnings, msg)
		}
	}
	if page.EchoedOffset != requested {
		warn("offset", fmt.Sprintf("the server answered offset %d when asked for %d; rows are placed where they were asked for",
			page.EchoedOffset, requested))
	}
	if n := len(page.Data) + len(page.Problems); n > l.stride || page.Excess > 0 {
		page.Excess += max(n-l.stride, 0)
		page.Data = page.Data[:min(len(page.Data), l.stride)]
		warn("excess", "the server sent more sessions in a page than asked for; the extra ones were ignored")
	}
	positions := len(page.Data) + len(page.Problems)
	bounded := false
	if room := l.maxRows - k*l.stride; l.maxRows > 0 && positions >= room {
		// The bound is positional, newest first: rows past it are dropped
		// whatever order the pages arrive in.
		bounded = positions > room || l.total > l.maxRows
		page.Data = page.Data[:min(len(page.Data), room)]
		l.end = min(l.end, k)
	}
	fresh := make([]Session, 0, len(page.Data))
	for _, s := range page.Data {
		if !l.seen[s.ID] {
			l.seen[s.ID] = true
			fresh = append(fresh, s)
		}
	}
	if len(page.Data) > 0 && len(fresh) == 0 && k > 0 {
		warn("repeat", fmt.Sprintf("the server sent the same sessions again for offset %d (it may ignore offset); each session is listed once",
			requested))
		l.end = min(l.end, k)
	}
	if positions < l.stride {
		l.end = min(l.end, k) // a short or empty page is the last one
	}
	l.pages[k] = fresh
	l.loaded += len(fresh)
	if l.loaded > MaxListSessions {
		l.err = fmt.Errorf("%w: stopped after %d sessions", ErrListTooLong, MaxListSessions)
		l.cancel()
		return
	}
	page.Data = fresh
	page.Offset = requested
	if l.onPage != nil {
		l.onPage(PageEvent{Page: *page, RequestedOffset: requested, Loaded: l.loaded, Total: l.total,
			Warnings: warnings, Bounded: bounded})
	}
}

// result assembles the pages in server order once no page is in flight.
func (l *listing) result(ctx context.Context) ([]Session, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.err
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // canceled between pages, before any request saw it
	}
	keys := make([]int, 0, len(l.pages))
	for k := range l.pages {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	all := make([]Session, 0, l.loaded)
	for _, k := range keys {
		if k <= l.end {
			all = append(all, l.pages[k]...)
		}
	}
	return all, err
}

// pageSize is the limit to ask for: DefaultPageSize when none, and no more
// than MaxRows, so that a small bound costs one small request.
func pageSize(opts ListOptions) int {
	n := opts.Limit
	if n <= 0 {
		n = DefaultPageSize
	}
	if opts.MaxRows > 0 && opts.MaxRows < n {
		n = opts.MaxRows
	}
	return n
}
