package tui

import (
	"slices"
	"time"

	"github.com/everruns/sessions/tui/querylang"
	"github.com/everruns/sessions/tui/sessionlist"
)

// maxQueryHistory is how many past queries ↑/↓ recall.
const maxQueryHistory = 50

// queryInput is the filter input's state beyond its text: the Env queries
// compile against while the user types, and the queries kept in history.
type queryInput struct {
	env querylang.Env
	// directory is the agents known by name (from the agents API when
	// loaded), so that agent:ops finds the agent named ops-on-call.
	directory []querylang.Agent
	history   []string // oldest first
	pos       int      // index into history while recalling; -1 when not
	draft     string   // what was typed before recalling
}

// begin fixes the Env for a round of typing: the time (so that each
// keystroke can narrow from the previous one), the tags and agents loaded.
func (q queryInput) begin(rows []*row, now time.Time) queryInput {
	q.env = sessionlist.QueryEnv(rows, q.directory, now)
	q.pos = -1
	return q
}

// remember keeps text (when not empty nor a repeat of the last one).
func (q queryInput) remember(text string) queryInput {
	q.pos = -1
	if text == "" || (len(q.history) > 0 && q.history[len(q.history)-1] == text) {
		return q
	}
	q.history = append(slices.Clone(q.history), text)
	if len(q.history) > maxQueryHistory {
		q.history = q.history[len(q.history)-maxQueryHistory:]
	}
	return q
}

// recall moves through history: older when back, newer otherwise; past
// the newest it returns what was being typed. ok is false when there is
// nowhere to go.
func (q queryInput) recall(back bool, current string) (queryInput, string, bool) {
	if len(q.history) == 0 {
		return q, "", false
	}
	if q.pos < 0 || q.pos >= len(q.history) {
		if !back {
			return q, "", false
		}
		q.draft, q.pos = current, len(q.history)-1
		return q, q.history[q.pos], true
	}
	if back {
		if q.pos == 0 {
			return q, "", false
		}
		q.pos--
		return q, q.history[q.pos], true
	}
	q.pos++
	if q.pos == len(q.history) {
		q.pos = -1
		return q, q.draft, true
	}
	return q, q.history[q.pos], true
}
