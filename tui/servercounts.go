package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// When the bound cut the list, counting the kept rows would understate
// every count: the header and the tabs then show the server's counts
// (GET /v1/sessions/stats, per status), as long as nothing narrows them.

// statsAPI is the server's per-status count; *apiclient.Client has it.
type statsAPI interface {
	Stats(ctx context.Context) (*apiclient.Stats, error)
}

type serverCountsMsg struct {
	gen   int
	stats *apiclient.Stats
	err   error
}

func fetchServerCounts(api statsAPI, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s, err := api.Stats(ctx)
		return serverCountsMsg{gen: gen, stats: s, err: err}
	}
}

// askServerCounts is the command to count on the server after a bounded
// load; nil when the load was complete or an agent narrows the list (the
// stats endpoint counts the whole organisation).
func (m Model) askServerCounts() tea.Cmd {
	sa, ok := m.api.(statsAPI)
	if !ok || !m.st.bounded || m.load.agentID != "" {
		return nil
	}
	return fetchServerCounts(sa, m.load.gen)
}

func (m Model) onServerCounts(msg serverCountsMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.load.gen || msg.err != nil || msg.stats == nil {
		return m, nil // the kept rows' counts stay: a failure costs only that
	}
	m.st.counts = msg.stats
	return m, nil
}

// serverCounts are the counts per status from the server, keyed like the
// view's (wire status values); nil when the kept rows are all there is.
func (s *store) serverCounts() map[string]int {
	c := s.counts
	if c == nil || !s.bounded {
		return nil
	}
	other := max(c.Total-c.Active-c.Idle-c.Started, 0)
	return map[string]int{"active": int(c.Active), "idle": int(c.Idle), "started": int(c.Started),
		"waitingfortoolresults": int(other)}
}

// serverTabCount is tab i's count from the server, when known and the
// list is not narrowed by a filter.
func (m Model) serverTabCount(i statusTab) (int, bool) {
	c := m.st.serverCounts()
	if c == nil || m.spec.q.Raw != "" {
		return 0, false
	}
	// The server's stats count statuses, not activities: only the All
	// tab's total carries over (the others come from the facets).
	if i == tabAll {
		return int(m.st.counts.Total), true
	}
	return 0, false
}
