package live

import (
	"encoding/json"

	"github.com/everruns/sessions/apiclient"
)

// Usage is the session's usage at open (or at the last SetSession) plus the
// usage the events reported for turns that started since. nil when none.
func (t *Transcript) Usage() *apiclient.TokenUsage {
	if len(t.turnOrder) == 0 {
		return t.base
	}
	sum := apiclient.TokenUsage{}
	sum.Add(t.base)
	for _, id := range t.turnOrder {
		sum.Add(t.liveTurns[id])
	}
	return &sum
}

// maxLiveTurns bounds the turns whose usage is tracked apart; older ones
// are folded into the base (their usage can no longer change).
const maxLiveTurns = 256

// startTurn begins counting the usage of turn id.
func (t *Transcript) startTurn(id string) {
	if id == "" || t.liveTurns[id] != nil {
		return
	}
	if len(t.turnOrder) >= maxLiveTurns {
		old := t.turnOrder[0]
		base := apiclient.TokenUsage{}
		base.Add(t.base)
		base.Add(t.liveTurns[old])
		t.base = &base
		delete(t.liveTurns, old)
		t.turnOrder = append(t.turnOrder[:0:0], t.turnOrder[1:]...)
	}
	t.liveTurns[id] = &apiclient.TokenUsage{}
	t.turnOrder = append(t.turnOrder, id)
}

func usageOf(ev apiclient.Event) *apiclient.TokenUsage {
	var d struct {
		Usage *apiclient.TokenUsage `json:"usage"`
	}
	if json.Unmarshal(ev.Data, &d) != nil || d.Usage == nil {
		return nil
	}
	u := *d.Usage
	return &u
}

// turnUsage records the usage a turn-level event reports for its turn: it
// replaces what the turn's messages added (the same calls, counted whole).
// Only turns that started while live count: older ones are in the base.
func (t *Transcript) turnUsage(ev apiclient.Event) {
	u := usageOf(ev)
	if u == nil {
		return
	}
	if tu := t.liveTurns[turnID(ev)]; tu != nil {
		*tu = *u
	}
}

// idRing remembers the last n ids.
type idRing struct {
	m    map[string]struct{}
	ring []string
	next int
}

func newIDRing(n int) *idRing {
	return &idRing{m: make(map[string]struct{}, n), ring: make([]string, n)}
}

func (r *idRing) add(id string) bool {
	if _, ok := r.m[id]; ok {
		return false
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.m, old)
	}
	r.ring[r.next] = id
	r.m[id] = struct{}{}
	r.next = (r.next + 1) % len(r.ring)
	return true
}
