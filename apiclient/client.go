package apiclient

import (
	"context"
	"errors"
	"time"
)

// DefaultBaseURL is the production Everruns API.
const DefaultBaseURL = "https://app.everruns.com/api"

// Environment variables read by ConfigFromEnv, as in the official SDKs.
const (
	EnvAPIKey = "EVERRUNS_API_KEY"
	EnvAPIURL = "EVERRUNS_API_URL"
	EnvOrgID  = "EVERRUNS_ORG_ID"
)

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
	Page   SessionPage
	Loaded int // sessions received so far, including this page
	Total  int // total the server reported
}

// Client talks to the Everruns session API.
type Client struct {
	cfg Config
}

// ErrNotImplemented is returned by the placeholder client.
var ErrNotImplemented = errors.New("not implemented")

// ConfigFromEnv reads EVERRUNS_API_KEY, EVERRUNS_API_URL and EVERRUNS_ORG_ID.
func ConfigFromEnv() Config { return Config{} }

// New builds a Client.
func New(cfg Config) *Client { return &Client{cfg: cfg} }

// BaseURL returns the configured base URL.
func (c *Client) BaseURL() string { return c.cfg.BaseURL }

// ListSessions fetches one page.
func (c *Client) ListSessions(ctx context.Context, opts ListOptions) (*SessionPage, error) {
	return nil, ErrNotImplemented
}

// ListAll fetches every page: the first page alone (to learn the total), then
// the rest with at most concurrency requests in flight. onPage is called once
// per page, serially, in arrival order; the first call is the first page.
// It returns all sessions in server order.
func (c *Client) ListAll(ctx context.Context, opts ListOptions, concurrency int, onPage func(PageEvent)) ([]Session, error) {
	return nil, ErrNotImplemented
}

// GetSession fetches one session.
func (c *Client) GetSession(ctx context.Context, id string) (*Session, error) {
	return nil, ErrNotImplemented
}

// UpdateSession sends PATCH with only the provided fields and returns the server's Session.
func (c *Client) UpdateSession(ctx context.Context, id string, req UpdateSessionRequest) (*Session, error) {
	return nil, ErrNotImplemented
}

// ListMessages fetches the transcript.
func (c *Client) ListMessages(ctx context.Context, id string) ([]Message, error) {
	return nil, ErrNotImplemented
}

// DeleteSession deletes a session.
func (c *Client) DeleteSession(ctx context.Context, id string) error { return ErrNotImplemented }

// CancelTurn cancels the running turn.
func (c *Client) CancelTurn(ctx context.Context, id string) (*CancelTurnResponse, error) {
	return nil, ErrNotImplemented
}
