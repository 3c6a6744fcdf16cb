package tui

import (
	"context"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/sessionlist"
)

// Context is the shared, read-only context handed down to every component.
// The root model owns it and replaces it (never mutates it in place) when the
// terminal is resized.
type Context struct {
	Width, Height int
	Theme         *theme.Theme
	Now           func() time.Time
	Keys          *KeyMap

	kit   *styleKit       // Theme's styles pre-rendered; built by New
	names *agentNames     // the agents' display names, once fetched
	found func(*row) bool // found by the server's search beyond the loaded rows (set when drawing)
}

// styles returns the pre-rendered styles, building them for a Context made
// by hand (as in component tests).
func (c *Context) styles() *styleKit {
	if c.kit != nil && c.kit.Theme == c.Theme {
		return c.kit
	}
	return sessionlist.NewStyleKit(c.Theme)
}

// agentLabel is the agent's display name, or its id when unknown.
func (c *Context) agentLabel(id string) string { return c.names.Label(id) }

// API is what the program needs from the server; *apiclient.Client has it.
// Commands capture it by value and never read the model.
type API interface {
	ListAll(ctx context.Context, opts apiclient.ListOptions, concurrency int, onPage func(apiclient.PageEvent)) ([]apiclient.Session, error)
	ListSessions(ctx context.Context, opts apiclient.ListOptions) (*apiclient.SessionPage, error)
	GetSession(ctx context.Context, id string) (*apiclient.Session, error)
	UpdateSession(ctx context.Context, id string, req apiclient.UpdateSessionRequest) (*apiclient.Session, error)
	ListMessages(ctx context.Context, id string) ([]apiclient.Message, error)
	// The live detail view (tui/live): the last stored event, then the stream.
	ListEvents(ctx context.Context, id string, opts apiclient.EventsOptions) ([]apiclient.Event, error)
	Stream(ctx context.Context, id string, opts apiclient.StreamOptions) *apiclient.Stream
	ListAgents(ctx context.Context, search string) ([]apiclient.Agent, error)
	Facets(ctx context.Context, opts apiclient.ListOptions) (*apiclient.Facets, error)

	// Session actions (see actions_session.go).
	Pin(ctx context.Context, id string) error
	Unpin(ctx context.Context, id string) error
	Archive(ctx context.Context, id string) error
	Unarchive(ctx context.Context, id string) error
	Cancel(ctx context.Context, id string) (apiclient.CancelTurnResponse, error)
	Delete(ctx context.Context, id string) error
}
