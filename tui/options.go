package tui

import (
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/sessionlist"
)

// Options configure the program.
type Options struct {
	API         API
	AgentID     string           // --agent: list only this agent's sessions (API agent_id)
	Theme       *theme.Theme     // default theme.New(theme.Auto, NO_COLOR)
	Keys        *KeyMap          // default DefaultKeyMap()
	Now         func() time.Time // default time.Now; tests pin it
	Refresh     time.Duration    // auto refresh interval; 0 turns it off
	PageSize    int              // sessions per list request, 1..100 (default 100)
	Concurrency int              // list requests in flight (default 4)
	Mouse       bool             // enable mouse wheel and click
	// OrgID and OrgName are the organisation API acts in, when known (the
	// header shows the name). SwitchOrg returns an API acting in another
	// organisation (default, for an *apiclient.Client: its WithOrg); the
	// organisation picker and jumping to an id need it and OrgAPI.
	OrgID, OrgName string
	SwitchOrg      func(id string) API
	// MaxRows bounds the sessions kept: the newest MaxRows (default
	// DefaultMaxRows; the header says when the organisation has more).
	MaxRows int
	// Retries, from RetryNotifier, tells the program when the client waits
	// to retry, so the status line can say so.
	Retries <-chan apiclient.RetryEvent
	// Clipboard receives what y copies (default: OSC 52 on stderr). Only
	// plain ids ever reach it.
	Clipboard func(text string) error
	// OpenURL opens a session's page in the browser (o); default
	// $BROWSER, else xdg-open / open. When it fails the URL is shown and
	// copied instead.
	OpenURL func(url string) error

	// Columns are the list's columns by name, in order (see ColumnNames);
	// nil shows the default set. Unknown names are dropped (CheckColumns reports them).
	Columns []string

	columns []colKind // Columns, parsed

	// Views are the saved views, in the order of their keys (F1…F9 for the
	// first nine) and of the v picker; nil: DefaultViews. The command line
	// merges [views] into the defaults and checks them (MergeViews).
	Views []View

	actions []Action // the session actions; default defaultActions() (tests add to it)
}

// DefaultMaxRows is how many sessions the program keeps unless told.
const DefaultMaxRows = 100_000

func (o Options) withDefaults() Options {
	if o.Theme == nil {
		o.Theme = theme.New(theme.Auto, theme.NoColorFromEnv())
	}
	if o.Keys == nil {
		o.Keys = DefaultKeyMap()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PageSize <= 0 || o.PageSize > 100 {
		o.PageSize = 100
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Clipboard == nil {
		o.Clipboard = osc52Clipboard
	}
	if o.SwitchOrg == nil {
		if c, ok := o.API.(*apiclient.Client); ok {
			o.SwitchOrg = func(id string) API { return c.WithOrg(id) }
		}
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.OpenURL == nil {
		o.OpenURL = openBrowser
	}
	if o.Columns != nil && o.columns == nil {
		o.columns = sessionlist.KnownColumns(o.Columns)
	}
	if o.Views == nil {
		o.Views = DefaultViews()
	}
	if o.actions == nil {
		o.actions = defaultActions()
	}
	return o
}
