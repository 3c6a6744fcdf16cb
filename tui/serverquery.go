package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/querylang"
	"github.com/everruns/sessions/tui/sessionlist"
)

// The query typed in / is matched on the loaded rows at once; when not
// every session is loaded, the parts the server understands (search,
// status, source, agent, created range, archived: querylang.ServerParams)
// are also sent to GET /v1/sessions, once the user pauses typing. The rows
// the server returns that are not loaded join the view, marked as found on
// the server, and the whole query still applies to them: the server's
// parameters are a necessary condition, never the answer itself.

const (
	// serverQueryDelay is the pause in typing after which the query goes
	// to the server: every keystroke would be a request otherwise.
	serverQueryDelay = 250 * time.Millisecond
	// serverQueryPages bounds the pages one query asks for: the server's
	// answer joins the view, not the bounded store, so it stays small.
	serverQueryPages   = 3
	serverQueryTimeout = requestTimeout
)

// serverQuery is the query's server side: at most one request in flight,
// stamped with a generation that every change of the server part bumps.
type serverQuery struct {
	raw      string // the query text last looked at
	key      string // the server part asked for ("" when none)
	opts     apiclient.ListOptions
	gen      int
	cancel   context.CancelFunc
	inflight bool
	found    *foundRows // the answer to key; replaced, never changed
	local    []string   // the query's parts the server does not understand
	err      error      // the last request failed (the loaded rows still answer)
	// due, when set, replaces the debounce timer (tests deliver
	// serverQueryDueMsg themselves).
	due func(gen int) tea.Cmd
}

// foundRows are the sessions the server returned that are not loaded;
// the store keeps them outside its window (store.outside), where saves
// update them and removals drop them.
type foundRows struct {
	rows  []*row
	total int // the server's count of sessions with the query's server part
}

type (
	serverQueryDueMsg      struct{ gen int }
	serverQueryAnsweredMsg struct {
		gen   int
		rows  []*row
		total int
		err   error
	}
)

// serverOptions turns the query's server part into list options; ok is
// false when there is nothing to ask (no server part, or nothing can match).
func serverOptions(p querylang.ServerParams, agentID string) (apiclient.ListOptions, bool) {
	o := apiclient.ListOptions{Search: p.Search, CreatedAfter: p.CreatedAfter, CreatedBefore: p.CreatedBefore}
	for _, s := range p.Statuses {
		o.Status = append(o.Status, apiclient.Activity(s))
	}
	for _, s := range p.Sources {
		o.Source = append(o.Source, apiclient.Source(s))
	}
	switch p.Archived {
	case querylang.ArchivedInclude:
		o.IncludeArchived = true
	case querylang.ArchivedOnly:
		o.ArchivedOnly = true
	}
	some := o.Search != "" || o.Status != nil || o.Source != nil || p.AgentID != "" ||
		!o.CreatedAfter.IsZero() || !o.CreatedBefore.IsZero() || p.Archived != querylang.ArchivedExclude
	if p.None || !some || (p.AgentID != "" && agentID != "" && p.AgentID != agentID) {
		return apiclient.ListOptions{}, false
	}
	o.AgentID = p.AgentID
	if o.AgentID == "" {
		o.AgentID = agentID // the list is narrowed to one agent: so is the search
	}
	return o, true
}

// serverQueryChanged looks at the query after any update: when its server
// part changed, the request in flight is cancelled and a new one is due
// after serverQueryDelay. It must be called on a model that is returned.
func (m *Model) serverQueryChanged() tea.Cmd {
	q := m.spec.q
	if q.Raw == m.sq.raw {
		return nil
	}
	m.sq.raw = q.Raw
	m.sq.local = nil
	var opts apiclient.ListOptions
	ok := false
	if q.Matcher != nil {
		p := q.Matcher.Server()
		m.sq.local = p.LocalOnly
		opts, ok = serverOptions(p, m.load.agentID)
		// Everything loaded answers alone, but for archived sessions,
		// which the list never loads.
		ok = ok && (m.partial() || p.Archived != querylang.ArchivedExclude)
	}
	key := ""
	if ok {
		key = opts.Query().Encode()
	}
	if key == m.sq.key {
		return nil // typing in the local part: the server's answer holds
	}
	m.sq.gen++
	m.sq.key, m.sq.opts, m.sq.err = key, opts, nil
	m.stopServerQuery()
	if key == "" {
		if m.sq.found != nil {
			m.setFound(nil) // the view drops the found rows
		}
		return nil
	}
	// The last answer stays until the new one comes: the whole query
	// applies to its rows, so those that show still match.
	gen := m.sq.gen
	if m.sq.due != nil {
		return m.sq.due(gen)
	}
	return tea.Tick(serverQueryDelay, func(time.Time) tea.Msg { return serverQueryDueMsg{gen: gen} })
}

// stopServerQuery cancels the request in flight, if any.
func (m *Model) stopServerQuery() {
	if m.sq.cancel != nil {
		m.sq.cancel()
	}
	m.sq.cancel, m.sq.inflight = nil, false
}

func (m Model) onServerQueryDue(msg serverQueryDueMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.sq.gen || m.sq.key == "" {
		return m, nil // typed on since: a later tick carries the query
	}
	m.stopServerQuery() // at most one in flight
	ctx, cancel := context.WithTimeout(context.Background(), serverQueryTimeout)
	m.sq.cancel, m.sq.inflight = cancel, true
	return m, askServer(ctx, m.api, m.sq.opts, m.opts.PageSize, msg.gen)
}

// askServer fetches the first pages of the query's server part.
func askServer(ctx context.Context, api API, opts apiclient.ListOptions, limit, gen int) tea.Cmd {
	return func() (msg tea.Msg) {
		defer catchPanic(func(p goroutinePanicMsg) { msg = p })
		out := serverQueryAnsweredMsg{gen: gen}
		seen := map[string]bool{}
		for page := range serverQueryPages {
			opts.Offset, opts.Limit = page*limit, limit
			p, err := api.ListSessions(ctx, opts)
			if err != nil {
				out.err = err
				return out
			}
			// Only as many rows as were asked for, each session once.
			data := p.Data[:min(len(p.Data), limit)]
			for _, r := range rowsOf(data) {
				if !seen[r.S.ID] {
					seen[r.S.ID] = true
					out.rows = append(out.rows, r)
				}
			}
			out.total = max(p.Total, len(out.rows))
			if len(data) < limit || opts.Offset+limit >= p.Total {
				break
			}
		}
		return out
	}
}

func (m Model) onServerQueryAnswered(msg serverQueryAnsweredMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.sq.gen {
		return m, nil // the query changed since: its answer is no longer asked for
	}
	m.stopServerQuery()
	if msg.err != nil {
		if errors.Is(msg.err, context.Canceled) {
			return m, nil
		}
		m.sq.err = msg.err
		return m, m.setWarning("the server's search failed (" + describe(msg.err) + "): the loaded sessions still answer")
	}
	f := &foundRows{total: msg.total}
	for _, r := range msg.rows {
		if _, in := m.st.byID[r.S.ID]; in {
			continue // loaded: the same row, shown once
		}
		f.rows = append(f.rows, r)
	}
	if len(f.rows) == 0 && m.sq.found == nil {
		return m, nil
	}
	m.setFound(f) // the view takes the found rows in
	return m, nil
}

// setFound replaces the rows found on the server; the store's new version
// has the list derived again with them.
func (m *Model) setFound(f *foundRows) {
	m.sq.found = f
	var rows []*row
	if f != nil {
		rows = f.rows
	}
	m.st.setOutside(rows)
}

// viewRows are the rows the list derives from: the loaded ones in server
// order, then those found on the server (older than the loaded window, as
// a rule) that are not loaded.
func (m Model) viewRows() []*row {
	return append(m.st.rows(), m.st.outside...)
}

// queryNote is the line under the filter (and, for a kept filter, the
// status line): what the server is doing for the query, and which parts
// only the loaded rows answer. "" when there is nothing to say.
func (m Model) queryNote() string {
	var parts []string
	switch {
	case m.sq.inflight:
		parts = append(parts, sessionlist.FoundGlyph+" searching the server…")
	case m.sq.err != nil:
		parts = append(parts, "the server's search failed: loaded sessions only")
	case m.sq.key != "" && len(m.st.outside) > 0:
		parts = append(parts, fmt.Sprintf("%s %s on the server beyond the loaded ones", sessionlist.FoundGlyph, plural(len(m.st.outside), "more session")))
	}
	if n := m.localNote(); n != "" {
		parts = append(parts, n)
	}
	return strings.Join(parts, " · ")
}

// localNote says which parts of the query only the loaded rows answer,
// when not every session is loaded: "tag filters apply to the 1,000
// loaded sessions". "" when the server answers the whole query.
func (m Model) localNote() string {
	if len(m.sq.local) == 0 || !m.partial() || m.spec.q.Empty() {
		return ""
	}
	names := make([]string, 0, len(m.sq.local))
	for _, n := range m.sq.local {
		if n == "words" {
			n = "extra words"
		}
		names = append(names, n)
	}
	return fmt.Sprintf("%s filters apply to the %s loaded sessions", strings.Join(names, ", "), thousands(int64(m.st.loaded)))
}
