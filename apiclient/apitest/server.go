// Package apitest is an in-memory, Everruns-compatible session server for
// tests, benchmarks and the demo. It implements the session endpoints of
// apiclient/testdata/everruns-sessions-openapi.json with net/http only, plus
// deterministic seed data, optional simulated activity and fault injection.
//
// Routes are served under a path prefix (default "/api"), so URL() returns
// e.g. "http://127.0.0.1:PORT/api" and a client must keep the prefix.
package apitest

import (
	"errors"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// Options configures a Server. The zero value is an empty server without auth.
type Options struct {
	// APIKey, when set, is the credential of the first user; requests without
	// a valid credential get 401. The header forms follow the real server:
	// "Bearer <token>" for a personal access token (evr_pat_ + 64 hex) or a
	// JWT, "ApiKey <PAT>", or a bare PAT; anything else is refused. A key
	// that is not PAT-shaped stands for a JWT, so it is accepted as Bearer only.
	APIKey string
	// MoreKeys are the credentials of further users (pins are per user; "mine"
	// is the user's sessions). They only count when APIKey is set.
	MoreKeys []string
	// StrictOrg applies the X-Org-Id rules: a malformed id gives 401, an
	// organisation other than the server's gives 404. Off by default, so
	// tests may send any org id; the demo turns it on.
	StrictOrg bool
	// Prefix is the path before /v1 (default "/api"; "/" serves at the root).
	Prefix string
	// Sessions is how many sessions to generate (0 for none).
	Sessions int
	// Seed drives the generator and simulated activity (default 1).
	Seed int64
	// Now is the clock for generated timestamps and updates (default time.Now).
	// Tests pass a fixed clock so golden output is stable.
	Now func() time.Time
	// Hostile adds HostileSessions (escape sequences, bidi, wide runes, 1 MB preview) at the top.
	Hostile bool
	// Activity starts a simulated-activity ticker when the server is started
	// with Start, Serve or ListenAndServe (interval ActivityInterval, default 2s).
	Activity         bool
	ActivityInterval time.Duration
	// OrgID is the id of the primary organisation, which holds Sessions and
	// created sessions (default: the generated org).
	OrgID string
	// OrgName names the primary organisation (default OrgName); OrgKeys are
	// the credentials of its members (nil: every user).
	OrgName string
	OrgKeys []string
	// Orgs are further organisations with their own sessions and agents
	// (orgs.go). With more than one organisation every session endpoint is
	// scoped to the one the request selects, and the X-Org-Id rules apply
	// as with StrictOrg: a personal access token of several organisations
	// must send X-Org-Id (400 otherwise); GET /v1/orgs and /v1/resolve-org
	// need none.
	Orgs []OrgSeed
	// ConsoleURL is the web console that view_url points into
	// (default https://app.everruns.com).
	ConsoleURL string
	// Lazy generates the sessions on demand instead of holding them (see
	// lazy.go); it is on by itself above LazyThreshold sessions. Its
	// sessions differ from Generate's: tests that depend on seed values
	// use the ordinary server.
	Lazy bool
}

// Server is the in-memory server. All methods are safe for concurrent use.
type Server struct {
	opts    Options
	now     func() time.Time
	prefix  string
	org     string
	agents  []Agent
	orgs    []*org // the primary organisation first; fixed after New
	orgByID map[string]*org

	mu    sync.RWMutex
	byID  map[string]*entry
	order []*entry // newest first: created_at desc, then seq desc
	// lazy, when set, generates the base sessions on demand; over marks
	// those materialised into byID/order (or deleted). See store.go.
	lazy *lazyBase
	over map[int]bool
	seq  uint64
	pins map[string]map[string]bool // caller identity -> pinned session ids

	log    requestLog
	faults faultState
	act    activityState

	httpMu sync.Mutex
	hs     *http.Server
	url    string
}

type entry struct {
	s        apiclient.Session
	seq      uint64
	archived bool
}

// New builds a server with generated data per opts.
func New(opts Options) *Server {
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	prefix := strings.TrimRight(opts.Prefix, "/")
	if opts.Prefix == "" {
		prefix = "/api"
	}
	s := &Server{
		opts:   opts,
		now:    now,
		prefix: prefix,
		byID:   make(map[string]*entry),
		pins:   make(map[string]map[string]bool),
		agents: SeedAgents(opts.Seed),
		org:    SeedOrg(opts.Seed),
	}
	if opts.OrgID != "" {
		s.org = opts.OrgID
	}
	if s.opts.ConsoleURL == "" {
		s.opts.ConsoleURL = "https://app.everruns.com"
	}
	s.act.init(opts.Seed)
	t0 := now()
	var seed []apiclient.Session
	if opts.Hostile {
		seed = append(seed, HostileSessions(t0, s.org, s.agents[0].ID)...)
	}
	if opts.Sessions > 0 && (opts.Lazy || opts.Sessions > LazyThreshold) {
		s.lazy = newLazyBase(opts.Sessions, opts.Seed, t0, s.org, s.agents)
	} else if opts.Sessions > 0 {
		seed = append(seed, Generate(opts.Sessions, opts.Seed, t0)...)
	}
	seed = append(seed, s.initOrgs(t0)...)
	for _, x := range seed {
		s.Put(x)
	}
	return s
}

// NewTestServer starts a server on a loopback port and closes it at the end of the test.
func NewTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := New(opts)
	ts := httptest.NewServer(s.Handler())
	s.httpMu.Lock()
	s.url = ts.URL + s.prefix
	s.httpMu.Unlock()
	t.Cleanup(func() {
		s.StopActivity()
		s.CloseStreams() // ts.Close waits for every handler, an SSE stream too
		ts.Close()
	})
	return s
}

// Start listens on 127.0.0.1 with an ephemeral port and serves in the background.
// It returns URL().
func (s *Server) Start() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	hs, err := s.attach(l)
	if err != nil {
		_ = l.Close()
		return "", err
	}
	go func() { _ = hs.Serve(l) }()
	return s.URL(), nil
}

// ListenAndServe listens on addr and serves until Close.
func (s *Server) ListenAndServe(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve serves on l until Close. It returns nil after Close.
func (s *Server) Serve(l net.Listener) error {
	hs, err := s.attach(l)
	if err != nil {
		return err
	}
	err = hs.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// attach records l as the server's listener and starts activity if configured.
func (s *Server) attach(l net.Listener) (*http.Server, error) {
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.httpMu.Lock()
	if s.hs != nil {
		s.httpMu.Unlock()
		return nil, errors.New("apitest: server already serving")
	}
	s.hs = hs
	s.url = "http://" + l.Addr().String() + s.prefix
	s.httpMu.Unlock()
	if s.opts.Activity {
		s.StartActivity(s.opts.ActivityInterval)
	}
	return hs, nil
}

// URL is the base URL including the prefix, e.g. "http://127.0.0.1:PORT/api".
// It is "" before the server is started.
func (s *Server) URL() string {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	return s.url
}

// Close stops the activity ticker and the listener started by Start/Serve.
func (s *Server) Close() error {
	s.StopActivity()
	s.CloseStreams()
	s.httpMu.Lock()
	hs := s.hs
	s.httpMu.Unlock()
	if hs == nil {
		return nil
	}
	return hs.Close()
}

// Org is the organization id of the seeded sessions.
func (s *Server) Org() string { return s.org }

// Archived reports whether the session is archived.
func (s *Server) Archived(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.byID[id] // a base session not materialised is never archived
	return ok && e.archived
}

// Agents are the seeded agents.
func (s *Server) Agents() []Agent { return append([]Agent(nil), s.agents...) }

// Put inserts or replaces a session (by ID), keeping newest-first order.
// Missing required fields (workspace, harness, owner, source, activity) are
// filled in, as the real server always has them.
func (s *Server) Put(x apiclient.Session) {
	x = cloneSession(x)
	fillRequired(&x, x.AgentID)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putLocked(x)
}

func (s *Server) putLocked(x apiclient.Session) {
	archived := false
	if e, ok := s.byID[x.ID]; ok {
		archived = e.archived
		s.removeLocked(e)
	}
	s.markMaterialisedLocked(x.ID)
	s.seq++
	e := &entry{s: x, seq: s.seq, archived: archived}
	s.byID[x.ID] = e
	i := sort.Search(len(s.order), func(i int) bool { return before(e, s.order[i]) })
	s.order = append(s.order, nil)
	copy(s.order[i+1:], s.order[i:])
	s.order[i] = e
}

// Get returns a copy of the session with id.
func (s *Server) Get(id string) (apiclient.Session, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.peekLocked(id)
	if !ok {
		return apiclient.Session{}, false
	}
	return cloneSession(e.s), true
}

// All returns copies of every session, newest first.
func (s *Server) All() []apiclient.Session {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]apiclient.Session, 0, s.lenLocked())
	for e := range s.entriesLocked() {
		out = append(out, cloneSession(e.s))
	}
	return out
}

// Len is the number of sessions.
func (s *Server) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lenLocked()
}

// Delete removes a session; it reports whether it existed.
func (s *Server) Delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.lookupLocked(id)
	if ok {
		s.removeLocked(e)
	}
	return ok
}

func (s *Server) removeLocked(e *entry) {
	delete(s.byID, e.s.ID)
	i := sort.Search(len(s.order), func(i int) bool { return !before(s.order[i], e) })
	for ; i < len(s.order); i++ {
		if s.order[i] == e {
			s.order = append(s.order[:i], s.order[i+1:]...)
			return
		}
	}
}

// before reports whether a sorts before b (newer first).
func before(a, b *entry) bool {
	if !a.s.CreatedAt.Equal(b.s.CreatedAt) {
		return a.s.CreatedAt.After(b.s.CreatedAt)
	}
	return a.seq > b.seq
}

// cloneSession copies what the server mutates in place (slices, usage);
// pointer fields are replaced, never written through, so they are shared.
func cloneSession(x apiclient.Session) apiclient.Session {
	x.ModelID = clonePtr(x.ModelID)
	x.Title = clonePtr(x.Title)
	x.Preview = clonePtr(x.Preview)
	x.OutputPreview = clonePtr(x.OutputPreview)
	x.StartedAt = clonePtr(x.StartedAt)
	x.FinishedAt = clonePtr(x.FinishedAt)
	if x.Tags != nil {
		x.Tags = append([]string{}, x.Tags...)
	}
	if x.Details != nil {
		d := *x.Details
		if d.Features != nil {
			d.Features = append([]string{}, d.Features...)
		}
		x.Details = &d
	}
	if x.Extra != nil {
		x.Extra = maps.Clone(x.Extra)
	}
	if x.Capabilities != nil {
		x.Capabilities = append([]apiclient.CapabilityConfig{}, x.Capabilities...)
	}
	if x.Usage != nil {
		u := *x.Usage
		u.CacheReadTokens = clonePtr(u.CacheReadTokens)
		u.CacheCreationTokens = clonePtr(u.CacheCreationTokens)
		u.ActualCostUSD = clonePtr(u.ActualCostUSD)
		u.EstimatedCostUSD = clonePtr(u.EstimatedCostUSD)
		u.EffectiveCostUSD = clonePtr(u.EffectiveCostUSD)
		x.Usage = &u
	}
	return x
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
