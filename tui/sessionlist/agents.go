package sessionlist

import (
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// AgentNames maps agent ids to their display names, sanitised. It is
// replaced, never changed, so a Context can share it.
type AgentNames struct {
	byID map[string]string
}

func NewAgentNames(agents []apiclient.Agent) *AgentNames {
	n := &AgentNames{byID: make(map[string]string, len(agents))}
	for i := range agents {
		if l := safetext.Line(agents[i].Label(), maxTagBytes); l != "" {
			n.byID[agents[i].ID] = l
		}
	}
	return n
}

// Label is the agent's display name, or its (sanitised) id when unknown.
func (n *AgentNames) Label(id string) string {
	if n != nil {
		if l, ok := n.byID[id]; ok {
			return l
		}
	}
	return safetext.Tag(id, maxTagBytes)
}

// ByID is the names by agent id. The map is shared, not copied: it is
// replaced, never changed, so a caller must not change it either.
func (n *AgentNames) ByID() map[string]string { return n.byID }
