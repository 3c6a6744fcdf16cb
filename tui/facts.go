package tui

import (
	"context"
	"time"

	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/querylang"
	"github.com/everruns/sessions/tui/sessionlist"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// factsTimeout bounds the agents and facets calls of one load or refresh.
const factsTimeout = 30 * time.Second

// facts are what the list shows beside its rows: the agents' names and the
// organisation's counts (facets). They are fetched with the list and again
// on each refresh; a failed call keeps the last figures.
type facts struct {
	names  *agentNames       // nil until the agents arrive
	facets *apiclient.Facets // nil until the facets arrive
}

// factsLoadedMsg carries both answers; either may have failed alone.
type factsLoadedMsg struct {
	gen       int
	noAgents  bool // the agents were not asked for (most refreshes skip them)
	agents    []apiclient.Agent
	agentsErr error
	facets    *apiclient.Facets
	facetsErr error
}

// fetchFacts asks for the agents and the facets of the list's filter.
func fetchFacts(api API, agentID string, gen int) tea.Cmd {
	return fetchFactsOf(api, agentID, gen, true)
}

// fetchFactsOf asks for the facets, and for the agents when agents is set.
func fetchFactsOf(api API, agentID string, gen int, agents bool) tea.Cmd {
	return func() (msg tea.Msg) {
		defer catchPanic(func(p goroutinePanicMsg) { msg = p })
		ctx, cancel := context.WithTimeout(context.Background(), factsTimeout)
		defer cancel()
		out := factsLoadedMsg{gen: gen, noAgents: !agents}
		if agents {
			out.agents, out.agentsErr = api.ListAgents(ctx, "")
		}
		out.facets, out.facetsErr = api.Facets(ctx, apiclient.ListOptions{AgentID: agentID})
		return out
	}
}

// onFacts keeps what arrived; a failure keeps the last figures silently
// (they are extras: the list itself says when the server is unwell).
func (m Model) onFacts(msg factsLoadedMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.load.gen {
		return m, nil
	}
	if !msg.noAgents && msg.agentsErr == nil {
		m.facts.names = sessionlist.NewAgentNames(msg.agents)
		m.ctx.names = m.facts.names
		m.refreshDetail() // an open detail names its agent now
		// agent:ops in the filter finds agents by name and display name.
		dir := make([]querylang.Agent, 0, len(msg.agents))
		for _, a := range msg.agents {
			dir = append(dir, querylang.Agent{ID: a.ID, Name: safetext.Line(a.Name, common.MaxTagBytes), DisplayName: safetext.Line(a.DisplayName, common.MaxTagBytes)})
		}
		m.qin.directory = dir
	}
	if msg.facetsErr == nil && msg.facets != nil {
		m.facts.facets = msg.facets
	}
	return m, nil
}

// facetCount is the facets' count of one activity, and whether there is one.
func (f *facts) activityCount(act string) (int64, bool) {
	if f.facets == nil {
		return 0, false
	}
	for _, c := range f.facets.ByActivity {
		if c.Value == act {
			return max(c.Count, 0), true
		}
	}
	return 0, true // a facet without the bucket counts none
}
