package contract

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Event checks one stored event, as /events lists it and /sse sends it:
// the Event envelope, then data against the payload schema its type names
// (turn.failed: TurnFailedData). The document's EventData says "the schema
// depends on the event type field", and its oneOf cannot tell the types
// apart ({"turn_id": …} is both SessionIdledData and TurnCancelledData).
func (c *Checker) Event(raw []byte) (id, typ string, problems []string) {
	var e struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	_ = json.Unmarshal(raw, &e)
	c.mu.Lock()
	c.types[e.Type]++
	problems, seen := c.events[string(raw)]
	c.mu.Unlock()
	if seen {
		return e.ID, e.Type, problems
	}
	problems = c.checkEvent(raw)
	c.mu.Lock()
	c.events[string(raw)] = problems
	c.mu.Unlock()
	return e.ID, e.Type, problems
}

func (c *Checker) checkEvent(raw []byte) []string {
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return []string{fmt.Sprintf("%.200q is not JSON: %v", raw, err)}
	}
	var out []string
	if err := c.event.VisitJSON(doc, openapi3.EnableJSONSchema2020()); err != nil {
		out = append(out, fmt.Sprintf("envelope: %v", err))
	}
	var e struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}
	_ = json.Unmarshal(raw, &e)
	name := eventDataSchema(e.Type)
	sch := c.doc.Components.Schemas[name]
	if sch == nil {
		return append(out, fmt.Sprintf("type %q has no payload schema %s in the document", e.Type, name))
	}
	if err := sch.Value.VisitJSON(e.Data, openapi3.EnableJSONSchema2020()); err != nil {
		out = append(out, fmt.Sprintf("%s data as %s: %v", e.Type, name, err))
	}
	return out
}

// EventTypes counts the events checked so far by type.
func (c *Checker) EventTypes() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.types)
}

// eventDataSchema names the payload schema of an event type:
// session.title_updated is SessionTitleUpdatedData.
func eventDataSchema(typ string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(typ, func(r rune) bool { return r == '.' || r == '_' }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String() + "Data"
}
