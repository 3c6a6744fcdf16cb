package live

import (
	"fmt"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
)

// BenchmarkDeltaThenLines is one frame while a message streams under a full
// transcript: apply a delta, lay the transcript out (cached items reused).
func BenchmarkDeltaThenLines(b *testing.B) {
	t := &testing.T{}
	tr := New(session(), nil)
	for i := 0; i < MaxItems; i++ {
		tr.Apply(ev(t, apiclient.EventMessageCompleted, map[string]any{"message": map[string]any{
			"id": fmt.Sprintf("message_%d", i), "role": "agent",
			"content": []any{map[string]any{"type": "text", "text": "A line of an earlier answer that wraps once at eighty columns or so, more or less."}}}}))
	}
	th := theme.New(theme.Dark, false)
	tr.Lines(th, 80)
	deltas := make([]apiclient.Event, 1000)
	for i := range deltas {
		deltas[i] = ev(t, apiclient.EventMessageDelta, map[string]any{"turn_id": "turn_1", "message_id": "message_live", "delta": "more words "})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.Apply(deltas[i%len(deltas)])
		_ = tr.Lines(th, 80)
	}
}
