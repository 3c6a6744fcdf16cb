package live

import (
	"encoding/json"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

func (t *Transcript) toolStarted(ev apiclient.Event, at time.Time) bool {
	var d struct {
		ToolCall struct {
			ID string `json:"id"`
		} `json:"tool_call"`
	}
	_ = json.Unmarshal(ev.Data, &d)
	name, _ := ev.ToolName()
	id := label(d.ToolCall.ID)
	if c := t.calls[id]; id != "" && c != nil {
		if c.State != ToolCalled {
			return false // a replay, or already completed
		}
		c.State = ToolRunning
		t.touchCall(c)
		return true
	}
	tool := &Tool{ID: id, Name: label(name), State: ToolRunning}
	t.add(&Item{Kind: KindTool, ID: id, At: at, Tool: tool})
	return true
}

func (t *Transcript) toolCompleted(ev apiclient.Event, at time.Time) bool {
	var d struct {
		ToolCallID string `json:"tool_call_id"`
		DurationMS *int64 `json:"duration_ms"`
	}
	_ = json.Unmarshal(ev.Data, &d)
	id := label(d.ToolCallID)
	c := t.calls[id]
	if c == nil || id == "" {
		name, _ := ev.ToolName()
		c = &Tool{ID: id, Name: label(name)}
		t.add(&Item{Kind: KindTool, ID: id, At: at, Tool: c})
	} else if c.State == ToolDone || c.State == ToolFailed {
		return false
	}
	c.State = ToolDone
	if msg, failed := ev.ToolFailed(); failed {
		c.State, c.Err = ToolFailed, safetext.Line(msg, maxErrorBytes)
	}
	if d.DurationMS != nil && *d.DurationMS > 0 {
		c.Duration = time.Duration(*d.DurationMS) * time.Millisecond
	}
	t.touchCall(c)
	return true
}

// touchCall marks the item holding call c as changed.
func (t *Transcript) touchCall(c *Tool) {
	for i := len(t.items) - 1; i >= 0; i-- {
		it := t.items[i]
		if it.Tool == c {
			it.rev++
			return
		}
		for _, p := range it.Parts {
			if p.Call == c {
				it.rev++
				return
			}
		}
	}
}
