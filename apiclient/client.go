package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
)

// DefaultBaseURL is the production Everruns API.
const DefaultBaseURL = "https://app.everruns.com/api"

// Environment variables read by ConfigFromEnv, as in the official SDKs.
const (
	EnvAPIKey = "EVERRUNS_API_KEY"
	EnvAPIURL = "EVERRUNS_API_URL"
	EnvOrgID  = "EVERRUNS_ORG_ID"
)

// Defaults for Config's zero values.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBodyBytes = 32 << 20
	DefaultPageSize     = 100 // ListAll's page size: the API's maximum
	DefaultConcurrency  = 4   // ListAll's requests in flight
	// MaxListSessions bounds what ListAll keeps: a server that never stops
	// sending new sessions gets ErrListTooLong rather than all the memory.
	MaxListSessions = 1 << 20
)

// Version is reported in the default User-Agent ("sessions/<Version>");
// the program sends its own version through Config.UserAgent.
const Version = "dev"

// Config configures a Client. Zero values take defaults.
type Config struct {
	APIKey     string
	BaseURL    string // default DefaultBaseURL; a path prefix is kept
	OrgID      string // sent as X-Org-Id when set
	UserAgent  string // default "sessions/<version>"
	Timeout    time.Duration
	MaxRetries int
	// OnRetry, when set, is told before each retry wait (for a "waiting" indicator).
	OnRetry func(RetryEvent)
	// MaxBodyBytes caps every response body (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
}

// RetryEvent describes one retry about to happen.
type RetryEvent struct {
	Method  string
	Path    string
	Attempt int           // 1 for the first retry
	Wait    time.Duration // how long the client will wait
	Status  int           // HTTP status that caused it, 0 for a transport error
}

// ListOptions selects a page of GET /v1/sessions.
type ListOptions struct {
	Offset  int
	Limit   int    // 1..100; 0 means the server default
	AgentID string // optional filter
}

// PageEvent reports one page arriving during ListAll.
type PageEvent struct {
	// Page holds the page's sessions not already reported by an earlier
	// page (a server ignoring offset repeats them). Page.Offset is
	// RequestedOffset; the server's echo is in Page.EchoedOffset.
	Page SessionPage
	// RequestedOffset is the offset this page was asked for: its rows
	// belong at RequestedOffset, RequestedOffset+1, ... in the list.
	RequestedOffset int
	Loaded          int // distinct sessions received so far, including this page
	Total           int // total the server reported (a claim: never size anything by it)
	// Warnings are one-line notes about the server's answers (an echoed
	// offset that disagrees, a repeated page, a page larger than asked);
	// each kind is reported once per ListAll.
	Warnings []string
}

// Client talks to the Everruns session API. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   string // BaseURL without trailing slash; paths are appended to it
	rc     *resty.Client
	cfgErr error  // reported by every call, so New can keep its signature
	origin origin // of the base URL: the only place the key is sent

	// Retry timing, unexported so tests can shrink it to milliseconds.
	backoffBase, backoffCap, maxRetryWait time.Duration
}

// ConfigFromEnv reads EVERRUNS_API_KEY, EVERRUNS_API_URL (default
// DefaultBaseURL) and EVERRUNS_ORG_ID. It is the base that command-line flags
// override: ConfigFromEnv().Merge(flags).
func ConfigFromEnv() Config {
	cfg := Config{
		APIKey:  strings.TrimSpace(os.Getenv(EnvAPIKey)),
		BaseURL: strings.TrimSpace(os.Getenv(EnvAPIURL)),
		OrgID:   strings.TrimSpace(os.Getenv(EnvOrgID)),
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	return cfg
}

// Merge returns c with every non-zero field of o taking precedence.
func (c Config) Merge(o Config) Config {
	if o.APIKey != "" {
		c.APIKey = o.APIKey
	}
	if o.BaseURL != "" {
		c.BaseURL = o.BaseURL
	}
	if o.OrgID != "" {
		c.OrgID = o.OrgID
	}
	if o.UserAgent != "" {
		c.UserAgent = o.UserAgent
	}
	if o.Timeout != 0 {
		c.Timeout = o.Timeout
	}
	if o.MaxRetries != 0 {
		c.MaxRetries = o.MaxRetries
	}
	if o.OnRetry != nil {
		c.OnRetry = o.OnRetry
	}
	if o.MaxBodyBytes != 0 {
		c.MaxBodyBytes = o.MaxBodyBytes
	}
	return c
}

// Validate checks the base URL. The message never repeats the URL, which a
// user may have pasted a key into by mistake.
func (c Config) Validate() error {
	raw := c.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: %s must look like https://host/api", ErrInvalidConfig, EnvAPIURL)
	}
	return nil
}

// New builds a Client. A bad BaseURL is reported by every call (see Validate).
// MaxRetries < 0 disables retries; Timeout < 0 disables the per-attempt timeout.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "sessions/" + Version
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = defaultMaxRetries
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	c := &Client{
		cfg:          cfg,
		base:         strings.TrimRight(cfg.BaseURL, "/"),
		cfgErr:       cfg.Validate(),
		backoffBase:  defaultBackoffBase,
		backoffCap:   defaultBackoffCap,
		maxRetryWait: defaultMaxRetryWait,
	}
	if u, err := url.Parse(c.base); err == nil {
		c.origin = originOf(u)
	}
	rc := resty.New().
		SetLogger(silentLogger{}). // resty logs to stderr, which would tear the TUI
		SetHeader("Accept", "application/json").
		SetHeader("User-Agent", cfg.UserAgent).
		SetRetryCount(max(cfg.MaxRetries, 0)).
		AddRetryCondition(shouldRetry).
		SetRetryAfter(c.retryWait).
		// retryWait picks and bounds the wait itself; keep resty's clamp out
		// of the way (its default max is 2s and a negative max means ~2s too).
		SetRetryWaitTime(0).
		SetRetryMaxWaitTime(24 * time.Hour).
		SetRedirectPolicy(resty.RedirectPolicyFunc(c.checkRedirect))
	if cfg.Timeout > 0 {
		rc.SetTimeout(cfg.Timeout) // per attempt; the context bounds the call
	}
	if cfg.APIKey != "" {
		rc.SetHeader("Authorization", cfg.APIKey) // bare key, as the SDKs send it
	}
	if cfg.OrgID != "" {
		rc.SetHeader("X-Org-Id", cfg.OrgID)
	}
	if t, ok := rc.GetClient().Transport.(*http.Transport); ok {
		// resty keeps GOMAXPROCS+1 idle connections per host; ListAll runs
		// more requests than that at once, and would redial for each page.
		t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, 4*DefaultConcurrency)
	}
	rc.SetTransport(capTransport{base: rc.GetClient().Transport, max: cfg.MaxBodyBytes})
	c.rc = rc
	return c
}

// BaseURL returns the configured base URL.
func (c *Client) BaseURL() string { return c.cfg.BaseURL }

// do sends one call (with retries) and returns the body of a 2xx answer.
// Other answers become *APIError; failures to get one are scrubbed errors.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body any) ([]byte, error) {
	if c.cfgErr != nil {
		return nil, c.cfgErr
	}
	req := c.rc.R().SetContext(ctx)
	if query != nil {
		req.SetQueryParamsFromValues(query)
	}
	if body != nil {
		// Bytes, not a reader: resty re-sends a reader empty on retry.
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		req.SetHeader("Content-Type", "application/json").SetBody(b)
	}
	resp, err := req.Execute(method, c.base+path)
	if errors.Is(err, errRetryTooLong) {
		err = nil // report the last answer, with its RetryAfter
	}
	if err != nil {
		return nil, c.requestError(err)
	}
	// Resty returns a nil error when retries run out on a 5xx: check status.
	if s := resp.StatusCode(); s < 200 || s > 299 {
		// A server may echo the key: parseAPIError scrubs before it cuts.
		return nil, parseAPIError(s, resp.Header(), resp.Body(), time.Now(), c.scrub)
	}
	return resp.Body(), nil
}

// requestError wraps a failure to get an answer, keeping errors.Is working
// while making sure the text cannot carry the key.
func (c *Client) requestError(err error) error {
	if errors.Is(err, resty.ErrResponseBodyTooLarge) && !errors.Is(err, ErrResponseTooLarge) {
		err = fmt.Errorf("%w (over %d bytes)", ErrResponseTooLarge, c.cfg.MaxBodyBytes)
	}
	return &requestError{msg: c.scrub(err.Error()), desc: describe(err, c.cfg.APIKey), err: err}
}

// scrub removes the API key from text bound for the UI (see scrubKey).
func (c *Client) scrub(s string) string { return scrubKey(s, c.cfg.APIKey) }

func sessionPath(id string, suffix string) (string, error) {
	if id == "" || id == "." || id == ".." {
		return "", fmt.Errorf("%w: session id %q", ErrInvalidConfig, id)
	}
	return "/v1/sessions/" + url.PathEscape(id) + suffix, nil
}

// ListSessions fetches one page. Its Offset is opts.Offset, where the rows
// belong, whatever the server echoed (see PageCheck); at most the limit asked
// for (DefaultPageSize when 0, the API's maximum) is kept, and items that are
// not sessions are reported in Problems rather than failing the page.
func (c *Client) ListSessions(ctx context.Context, opts ListOptions) (*SessionPage, error) {
	q := url.Values{"offset": {strconv.Itoa(opts.Offset)}}
	if opts.Limit > 0 {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	if opts.AgentID != "" {
		q.Set("agent_id", opts.AgentID)
	}
	body, err := c.do(ctx, http.MethodGet, "/v1/sessions", q, nil)
	if err != nil {
		return nil, err
	}
	keep := opts.Limit
	if keep <= 0 {
		keep = DefaultPageSize
	}
	var page SessionPage
	if err := page.decode(body, keep, c.scrub); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidJSON, cutScrubbed(err.Error(), c.cfg.APIKey))
	}
	page.Offset = opts.Offset
	return &page, nil
}

// ListAll fetches every page: the first page alone, then the next ones with
// at most concurrency requests in flight (<= 0 means DefaultConcurrency).
// It pages on evidence, never on the numbers the server claims: a page is
// only asked for while the pages so far were full, the offsets are the ones
// it computes (rows go where they were asked for), and it stops at a short
// or empty page, a page that repeats sessions already seen (a server
// ignoring offset), the first page's total, or MaxListSessions. A page
// larger than asked is cut to size. onPage is called once per page,
// serially, in arrival order; the first call is the first page. It returns
// every session once, in server order. On error it cancels the pages in
// flight and returns the sessions that did arrive with the error.
func (c *Client) ListAll(ctx context.Context, opts ListOptions, concurrency int, onPage func(PageEvent)) ([]Session, error) {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	if opts.Limit <= 0 {
		opts.Limit = DefaultPageSize
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	first, err := c.ListSessions(ctx, opts)
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
		base: opts.Offset, stride: stride, total: first.Total, end: math.MaxInt,
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
			page, err := c.ListSessions(lctx, o)
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
	if l.err != nil || k > l.end || k > (maxListOffset-l.base)/l.stride {
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
		l.onPage(PageEvent{Page: *page, RequestedOffset: requested, Loaded: l.loaded, Total: l.total, Warnings: warnings})
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

// GetSession fetches one session.
func (c *Client) GetSession(ctx context.Context, id string) (*Session, error) {
	return c.sessionCall(ctx, http.MethodGet, id, nil)
}

// UpdateSession sends PATCH with only the provided fields and returns the
// server's Session, which must be the session asked for (ErrWrongSession).
// It is never retried: a retried tag list would be stale. SaveEdit re-reads
// and re-applies an edit instead.
func (c *Client) UpdateSession(ctx context.Context, id string, req UpdateSessionRequest) (*Session, error) {
	return c.sessionCall(ctx, http.MethodPatch, id, req)
}

func (c *Client) sessionCall(ctx context.Context, method, id string, body any) (*Session, error) {
	path, err := sessionPath(id, "")
	if err != nil {
		return nil, err
	}
	raw, err := c.do(ctx, method, path, nil, body)
	if err != nil {
		return nil, err
	}
	var s Session
	if err := decodeJSON(raw, &s, c.cfg.APIKey); err != nil {
		return nil, err
	}
	// Any 200 is not a success: it must be the session asked for.
	switch {
	case s.ID == "":
		return nil, fmt.Errorf("%w: the server's answer holds no session (empty or without an id)", ErrWrongSession)
	case s.ID != id:
		return nil, fmt.Errorf("%w: the server answered with a different session (%s)", ErrWrongSession, oneLine(c.scrub(s.ID), 80))
	}
	return &s, nil
}

// ListMessages fetches the transcript.
func (c *Client) ListMessages(ctx context.Context, id string) ([]Message, error) {
	path, err := sessionPath(id, "/messages")
	if err != nil {
		return nil, err
	}
	raw, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, err
	}
	var list MessageList
	if err := decodeJSON(raw, &list, c.cfg.APIKey); err != nil {
		return nil, err
	}
	return list.Data, nil
}

// DeleteSession deletes a session (204, or any 2xx). Never retried.
func (c *Client) DeleteSession(ctx context.Context, id string) error {
	path, err := sessionPath(id, "")
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodDelete, path, nil, nil)
	return err
}

// CancelTurn cancels the running turn. Never retried. An empty 2xx body
// gives a zero response rather than an error: the cancel did succeed.
func (c *Client) CancelTurn(ctx context.Context, id string) (*CancelTurnResponse, error) {
	path, err := sessionPath(id, "/cancel")
	if err != nil {
		return nil, err
	}
	raw, err := c.do(ctx, http.MethodPost, path, nil, nil)
	if err != nil {
		return nil, err
	}
	var out CancelTurnResponse
	if len(strings.TrimSpace(string(raw))) == 0 {
		return &out, nil
	}
	if err := decodeJSON(raw, &out, c.cfg.APIKey); err != nil {
		return nil, err
	}
	return &out, nil
}

// silentLogger drops resty's log lines: errors reach the caller anyway.
type silentLogger struct{}

func (silentLogger) Errorf(string, ...any) {}
func (silentLogger) Warnf(string, ...any)  {}
func (silentLogger) Debugf(string, ...any) {}
