package tui

import (
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/sessionlist"
)

// store holds the loaded sessions in server order. Slots are indexed by the
// offset each page was requested at, so that pages arriving out of order
// land in place; a nil slot is a page still on its way. The offset a
// response body echoes is never used: a lying one would overwrite earlier
// pages, index before the start or size a huge allocation.
type store struct {
	slots  []*row
	byID   map[string]int
	total  int // what the server reported: shown, never allocated from
	loaded int
	// bounded: the load stopped at Options.MaxRows while the server had
	// more; total then stays the server's claim (the header says so).
	bounded bool
	counts  *apiclient.Stats // the server's counts of a bounded load (servercounts.go)
	// outside are rows shown beside the window, not in it: the sessions
	// the server's search found (serverquery.go). get finds them, upsert
	// updates them in place, remove drops them, and a page that brings one
	// into the window takes it from here.
	outside   []*row
	outsideID map[string]int
	// base is the number of the server's newest rows before the first
	// slot: more than 0 once scrolling past the window dropped them
	// (window.go).
	base int
	// misplaced counts rows put at the end because their requested offset
	// lay further ahead than the rows received could justify.
	misplaced int
	// version changes with every change to the rows. Versions come from
	// one counter for every store, so a store that replaces another never
	// repeats its version: whatever was derived from the old one is stale.
	version int
}

var storeVersions atomic.Int64

// changed gives the store a new version.
func (s *store) changed() { s.version = int(storeVersions.Add(1)) }

// maxGapPerRow bounds the empty slots a page may open ahead of the rows
// already held: out-of-order pages leave gaps of a few pages, never more
// than a small multiple of what has arrived. Growth stays proportional to
// rows actually received, whatever offsets are asked for.
const maxGapPerRow = 16

func newStore() *store {
	s := &store{byID: map[string]int{}}
	s.changed()
	return s
}

// applyPage places one page at the offset it was requested at.
func (s *store) applyPage(offset int, p apiclient.SessionPage) {
	s.applyRows(offset, p.Total, rowsOf(p.Data))
}

// rowsOf sanitises and measures sessions: the costly part of taking a page
// in, done by the load's goroutine rather than in Update.
func rowsOf(sessions []apiclient.Session) []*row {
	rows := make([]*row, len(sessions))
	for i := range sessions {
		rows[i] = sessionlist.NewRow(sessions[i])
	}
	return rows
}

// applyRows places rows built from a page at the offset it was requested
// at. The slots grow by at most maxGapPerRow per row held or received: an
// offset further ahead (or negative) puts the rows after the last slot
// instead, so nothing is lost and memory follows the data.
func (s *store) applyRows(offset, total int, rows []*row) {
	if total > s.total {
		s.total = total
	}
	if len(rows) == 0 {
		return
	}
	s.changed()
	limit := len(s.slots) + maxGapPerRow*(s.loaded+len(rows))
	if offset < 0 || offset > limit {
		offset = len(s.slots)
		s.misplaced += len(rows)
	}
	need := offset + len(rows)
	if need > len(s.slots) {
		s.slots = append(s.slots, make([]*row, need-len(s.slots))...)
	}
	for i, r := range rows {
		sess := &r.S
		at := offset + i
		s.dropOutside(sess.ID) // in the window now
		if old, ok := s.byID[sess.ID]; ok && old != at {
			// The same session moved (new sessions pushed it down): keep one copy.
			s.slots[old] = nil
			s.loaded--
		}
		if s.slots[at] == nil {
			s.loaded++
		} else if s.slots[at].S.ID != sess.ID {
			delete(s.byID, s.slots[at].S.ID)
		}
		s.slots[at] = r
		s.byID[sess.ID] = at
	}
}

// upsert replaces the row of a session by id, or puts a new one on top.
// It returns the row and whether the session was new.
func (s *store) upsert(sess apiclient.Session) (*row, bool) {
	r := sessionlist.NewRow(sess)
	s.changed()
	if at, ok := s.byID[sess.ID]; ok {
		s.slots[at] = r
		return r, false
	}
	if at, ok := s.outsideID[sess.ID]; ok {
		s.outside[at] = r // found on the server: it stays where it was
		return r, false
	}
	s.slots = append([]*row{r}, s.slots...)
	for id, at := range s.byID {
		s.byID[id] = at + 1
	}
	s.byID[sess.ID] = 0
	s.loaded++
	s.total++
	return r, true
}

// keepNewer puts back the rows of old that are newer than this store's
// copy: a save that landed while a reload's page was on its way.
func (s *store) keepNewer(old *store) {
	for id, at := range s.byID {
		if o := old.get(id); o != nil && o.S.UpdatedAt.After(s.slots[at].S.UpdatedAt) {
			s.slots[at] = o
			s.changed()
		}
	}
}

// get returns the row of a session id, in the window or outside it.
func (s *store) get(id string) *row {
	if at, ok := s.byID[id]; ok {
		return s.slots[at]
	}
	if at, ok := s.outsideID[id]; ok {
		return s.outside[at]
	}
	return nil
}

// setOutside replaces the rows outside the window (those in it are left out).
func (s *store) setOutside(rows []*row) {
	s.changed()
	s.outside, s.outsideID = nil, nil
	for _, r := range rows {
		if _, in := s.byID[r.S.ID]; in {
			continue
		}
		if _, dup := s.outsideID[r.S.ID]; dup {
			continue
		}
		if s.outsideID == nil {
			s.outsideID = map[string]int{}
		}
		s.outsideID[r.S.ID] = len(s.outside)
		s.outside = append(s.outside, r)
	}
}

// isOutside reports whether r is a row outside the window (the very row).
func (s *store) isOutside(r *row) bool {
	at, ok := s.outsideID[r.S.ID]
	return ok && s.outside[at] == r
}

// dropOutside drops id from the rows outside the window, if there.
func (s *store) dropOutside(id string) bool {
	at, ok := s.outsideID[id]
	if !ok {
		return false
	}
	s.changed()
	s.outside = slices.Delete(s.outside, at, at+1)
	delete(s.outsideID, id)
	for i := at; i < len(s.outside); i++ {
		s.outsideID[s.outside[i].S.ID] = i
	}
	return true
}

// rows returns the loaded rows in server order, skipping pages not yet here.
func (s *store) rows() []*row {
	out := make([]*row, 0, s.loaded)
	for _, r := range s.slots {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// knownTags is every tag seen in the loaded sessions, raw, sorted.
func (s *store) knownTags() []string {
	seen := map[string]struct{}{}
	for _, r := range s.slots {
		if r == nil {
			continue
		}
		for _, t := range r.S.Tags {
			seen[t] = struct{}{}
		}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// newestCreated is the latest creation time loaded, and whether the store
// holds the server's newest rows.
func (s *store) newestCreated() (time.Time, bool) {
	var t time.Time
	for _, r := range s.slots {
		if r != nil && r.S.CreatedAt.After(t) {
			t = r.S.CreatedAt
		}
	}
	return t, s.base == 0
}

// trimTo drops the oldest rows (the last slots) until at most n are kept:
// sessions created after a bounded load arrive on top through refreshes,
// and the bound holds for the whole run, not just the load.
func (s *store) trimTo(n int) {
	if n <= 0 || s.loaded <= n {
		return
	}
	s.changed()
	end := len(s.slots)
	for end > 0 && s.loaded > n {
		end--
		if r := s.slots[end]; r != nil {
			delete(s.byID, r.S.ID)
			s.loaded--
		}
	}
	clear(s.slots[end:]) // no reference keeps a dropped row alive
	s.slots = s.slots[:end]
}

// appendRows puts rows after the last slot (an older page of the server's
// list), skipping sessions already held; it returns how many it added.
func (s *store) appendRows(rows []*row) int {
	fresh := s.unheld(rows)
	if len(fresh) > 0 {
		s.applyRows(len(s.slots), 0, fresh)
	}
	return len(fresh)
}

// prependRows puts rows before the first slot (the page before the
// window, asked at server offset offset), skipping sessions already held;
// it returns how many it added.
func (s *store) prependRows(rows []*row, offset int) int {
	fresh := s.unheld(rows)
	if len(fresh) == 0 {
		return 0
	}
	s.changed()
	s.slots = append(fresh, s.slots...)
	for _, r := range fresh {
		s.dropOutside(r.S.ID)
	}
	for id, at := range s.byID {
		s.byID[id] = at + len(fresh)
	}
	for i, r := range fresh {
		s.byID[r.S.ID] = i
	}
	s.loaded += len(fresh)
	s.base = max(min(offset, s.base-len(fresh)), 0)
	return len(fresh)
}

// unheld is rows without the sessions the store holds, each once.
func (s *store) unheld(rows []*row) []*row {
	out := make([]*row, 0, len(rows))
	seen := map[string]bool{}
	for _, r := range rows {
		if _, ok := s.byID[r.S.ID]; !ok && !seen[r.S.ID] {
			seen[r.S.ID] = true
			out = append(out, r)
		}
	}
	return out
}

// dropFront drops the first rows (the newest) until n fewer are held:
// the window moved on past them. base counts the slots dropped.
func (s *store) dropFront(n int) {
	if n <= 0 {
		return
	}
	s.changed()
	cut := 0
	for cut < len(s.slots) && n > 0 {
		if r := s.slots[cut]; r != nil {
			delete(s.byID, r.S.ID)
			s.loaded--
			n--
		}
		cut++
	}
	// A new array: the old one's front would keep the dropped rows alive.
	s.slots = append([]*row(nil), s.slots[cut:]...)
	for id, at := range s.byID {
		s.byID[id] = at - cut
	}
	s.base += cut
}
