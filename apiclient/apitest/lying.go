package apitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// Lies makes the server answer with well-formed HTTP that is not true: what
// a misconfigured proxy, a load balancer or a buggy deploy produces. The
// zero value tells no lie. Lies apply after Faults (a request that gets a
// fault is not lied to) and are logged with Fault "lie-<kind>".
type Lies struct {
	// List answers (GET .../v1/sessions). Any of these makes the server
	// build the page itself from All(), ignoring agent_id.

	// Total, when set, is claimed as the total (e.g. 1e12).
	Total *int64
	// EchoOffset, when set, gives the offset claimed for a requested one
	// (-5, 1e12, always 0, ...).
	EchoOffset func(requested int) int64
	// IgnoreOffset serves the page at offset 0 whatever was asked.
	IgnoreOffset bool
	// ExtraItems adds that many sessions beyond the limit asked for.
	ExtraItems int
	// MangleItem, when set, may change each list item as JSON (index is its
	// position in the list) to make it a bad session.
	MangleItem func(index int, item map[string]any)

	// RedirectStatus, when set, answers matching requests (RedirectMatch, or
	// all) with that status and a Location of RedirectTo (a base URL like
	// URL(); default this server's URL) plus the path after the prefix and
	// the query. RedirectCount bounds how many are redirected (0: all).
	RedirectStatus int
	RedirectTo     string
	RedirectMatch  func(*http.Request) bool
	RedirectCount  int

	// PatchAnswer, when set, answers every PATCH with 200 and this body
	// (e.g. "{}") without saving anything. PatchAnswerWith does the same
	// with the stored session of that id (another session's data).
	PatchAnswer     string
	PatchAnswerWith string
}

// Int64 returns a pointer to n, for Lies.Total.
func Int64(n int64) *int64 { return &n }

// SetLies replaces the lies told and resets their counter.
func (s *Server) SetLies(l Lies) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.lies = l
	s.faults.redirected = 0
}

func (l *Lies) listLies() bool {
	return l.Total != nil || l.EchoOffset != nil || l.IgnoreOffset || l.ExtraItems > 0 || l.MangleItem != nil
}

// applyLies answers r with a lie when one applies and returns its name.
func (s *Server) applyLies(w http.ResponseWriter, r *http.Request) string {
	fs := &s.faults
	fs.mu.Lock()
	l := fs.lies
	redirect := l.RedirectStatus != 0 && (l.RedirectMatch == nil || l.RedirectMatch(r)) &&
		(l.RedirectCount == 0 || fs.redirected < l.RedirectCount)
	if redirect {
		fs.redirected++
	}
	fs.mu.Unlock()
	rest, inPrefix := strings.CutPrefix(r.URL.Path, s.prefix)
	switch {
	case redirect:
		to := l.RedirectTo
		if to == "" {
			to = s.URL()
		}
		loc := strings.TrimRight(to, "/") + rest
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", loc)
		markFault(w, "lie-redirect")
		w.WriteHeader(l.RedirectStatus)
		return "lie-redirect"
	case !inPrefix:
		return ""
	case r.Method == http.MethodPatch && l.PatchAnswer != "":
		markFault(w, "lie-patch")
		writeRaw(w, http.StatusOK, "application/json", []byte(l.PatchAnswer))
		return "lie-patch"
	case r.Method == http.MethodPatch && l.PatchAnswerWith != "":
		x, ok := s.Get(l.PatchAnswerWith)
		if !ok {
			return ""
		}
		markFault(w, "lie-patch")
		writeJSON(w, http.StatusOK, s.wireDefault(&x))
		return "lie-patch"
	case r.Method == http.MethodGet && strings.TrimRight(rest, "/") == "/v1/sessions" && l.listLies():
		markFault(w, "lie-list")
		s.lyingList(w, r, &l)
		return "lie-list"
	}
	return ""
}

func (s *Server) lyingList(w http.ResponseWriter, r *http.Request, l *Lies) {
	q := r.URL.Query()
	requested, _ := strconv.Atoi(q.Get("offset"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 || limit > 100 {
		limit = 20
	}
	all := s.All()
	from := max(requested, 0)
	if l.IgnoreOffset {
		from = 0
	}
	items := []map[string]any{}
	for i := from; i < len(all) && i < from+limit+l.ExtraItems; i++ {
		b, _ := json.Marshal(s.wireDefault(&all[i]))
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		if l.MangleItem != nil {
			l.MangleItem(i, m)
		}
		items = append(items, m)
	}
	page := map[string]any{"data": items, "total": int64(len(all)), "offset": int64(requested), "limit": limit}
	if l.Total != nil {
		page["total"] = *l.Total
	}
	if l.EchoOffset != nil {
		page["offset"] = l.EchoOffset(requested)
	}
	writeJSON(w, http.StatusOK, page)
}

// NewTLSTestServer is NewTestServer over https (a self-signed certificate).
// The transport it returns trusts that certificate.
func NewTLSTestServer(t testing.TB, opts Options) (*Server, http.RoundTripper) {
	t.Helper()
	s := New(opts)
	ts := httptest.NewTLSServer(s.Handler())
	s.httpMu.Lock()
	s.url = ts.URL + s.prefix
	s.httpMu.Unlock()
	t.Cleanup(func() {
		s.StopActivity()
		s.CloseStreams() // ts.Close waits for every handler, an SSE stream too
		ts.Close()
	})
	return s, ts.Client().Transport
}
