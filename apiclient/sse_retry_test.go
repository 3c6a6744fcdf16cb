package apiclient_test

// The SSE client against the wire the document describes:
// the disconnecting event's retry_ms (not the failure backoff) sets the
// wait, the next connection asks for since_id = the last event id, and an
// event the server sends again after it is not delivered twice.

import (
	"net/http"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
)

func TestDisconnectingUsesRetryMSAndSinceID(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		wait       time.Duration
	}{
		{"retry_ms", `{"reason":"connection_cycle","retry_ms":7}`, 7 * time.Millisecond},
		{"no retry_ms: at once", `{"reason":"connection_cycle"}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts, sc := sseScriptServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				sseWrite(w, sseConnected)
				switch n {
				case 1:
					sseWrite(w, sseStored("event_a", 1, "turn.started")+": heartbeat\n\n"+sseStored("event_b", 2, "tool.started"))
					sseWrite(w, "event: disconnecting\nretry: 100\ndata: "+tc.data+"\n\n")
					<-r.Context().Done() // the client closes, as it must
				default:
					// Resumed after event_b: the server may include it again.
					sseWrite(w, sseStored("event_b", 2, "tool.started")+sseStored("event_c", 3, "tool.completed"))
					<-r.Context().Done()
				}
			})
			c := apiclient.New(apiclient.Config{APIKey: sseKey, BaseURL: ts.URL})
			// A failure would wait at least an hour: only the cycle's own wait is short.
			s := sseStart(t, c, "session_1", apiclient.StreamOptions{BackoffBase: time.Hour, MaxWait: 2 * time.Hour})
			sseWant[apiclient.StreamConnected](t, s)
			if e := sseWant[apiclient.Event](t, s); e.ID != "event_a" {
				t.Fatalf("first event %s", e.ID)
			}
			if e := sseWant[apiclient.Event](t, s); e.ID != "event_b" {
				t.Fatalf("second event %s", e.ID)
			}
			rc := sseWant[apiclient.StreamReconnecting](t, s)
			if rc.Reason != "connection_cycle" || rc.Err != nil || rc.Failures != 0 || rc.Wait != tc.wait {
				t.Fatalf("reconnecting %+v, want the cycle with wait %v", rc, tc.wait)
			}
			if cn := sseWant[apiclient.StreamConnected](t, s); cn.SinceID != "event_b" || cn.Attempt != 2 {
				t.Fatalf("reconnected %+v", cn)
			}
			if e := sseWant[apiclient.Event](t, s); e.ID != "event_c" {
				t.Fatalf("after the cycle: %s, want event_c (event_b once only)", e.ID)
			}
			reqs := sc.requests()
			if got := reqs[1].URL.Query().Get("since_id"); got != "event_b" || reqs[0].URL.Query().Has("since_id") {
				t.Fatalf("since_id %q then %q", reqs[0].URL.Query().Get("since_id"), got)
			}
		})
	}
}
