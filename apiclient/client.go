package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
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
	// Bounded is set on the page where ListOptions.MaxRows cut the list
	// while the server had more (its Total says how many it claims).
	Bounded bool
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

// Validate checks the base URL (ParseHTTPURL). The message never repeats
// the URL, which a user may have pasted a key into by mistake.
func (c Config) Validate() error {
	raw := c.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	switch _, err := ParseHTTPURL(raw); {
	case errors.Is(err, ErrURLCredentials):
		return fmt.Errorf("%w: %s must not hold credentials; put the key in %s", ErrInvalidConfig, EnvAPIURL, EnvAPIKey)
	case err != nil:
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
		rc.SetHeader("Authorization", "Bearer "+cfg.APIKey) // accepted for PATs and JWTs alike
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
	return c.listSessions(ctx, opts, newInterner())
}

// listSessions is ListSessions sharing repeated strings through in, which
// the pages of one load (ListAll, EachSession) have in common.
func (c *Client) listSessions(ctx context.Context, opts ListOptions, in *interner) (*SessionPage, error) {
	q := opts.Query()
	body, err := c.do(ctx, http.MethodGet, "/v1/sessions", q, nil)
	if err != nil {
		return nil, err
	}
	keep := opts.Limit
	if keep <= 0 {
		keep = DefaultPageSize
	}
	var page SessionPage
	if err := page.decode(body, keep, c.scrub, in); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidJSON, cutScrubbed(err.Error(), c.cfg.APIKey))
	}
	page.Offset = opts.Offset
	return &page, nil
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
		return nil, fmt.Errorf("%w: the server answered with a different session (%s)", ErrWrongSession, cutLine(s.ID, 80, c.scrub))
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
