package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/everruns/sessions/apiclient"
)

const watchLong = `watch follows the events of one session as they happen (the session's
server-sent event stream), one line per event: time, type and a short summary.
It starts at the live edge: events stored before it starts are not shown.

It runs until ctrl+c, or with --until-idle until the session idles (at once
when it already is). Reconnections are reported on standard error; the stream
resumes after the last event seen, so none is lost or shown twice.`

func (a *app) watchCommand() *cobra.Command {
	var untilIdle, asJSON bool
	cmd := &cobra.Command{
		Use:   "watch ID|-",
		Short: "Follow a session's events as they happen",
		Long:  watchLong,
		Example: `  sessions watch session_0123… --until-idle
  sessions watch session_0123… --json | jq -r .type`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := oneSessionID("watch", strings.TrimSpace(args[0]))
			if err != nil {
				return err
			}
			s, err := a.apiSettings(cmd)
			if err != nil {
				return err
			}
			return a.watch(ctxOf(cmd), a.client(s), id, untilIdle, asJSON)
		},
	}
	cmd.Flags().BoolVar(&untilIdle, "until-idle", false, "stop when the session idles (exit 0)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print each event as one line of JSON, as the server sent it")
	return cmd
}

func (a *app) watch(ctx context.Context, c *apiclient.Client, id string, untilIdle, asJSON bool) error {
	// The cursor first, then the status: a turn that ends in between leaves
	// its session.idled after the cursor, so it is streamed, not missed.
	last, err := c.ListEvents(ctx, id, apiclient.EventsOptions{Limit: 1})
	if err != nil {
		return apiError(err)
	}
	sess, err := c.GetSession(ctx, id)
	if err != nil {
		return apiError(err)
	}
	if untilIdle && sess.Status == apiclient.StatusIdle {
		fmt.Fprintln(a.stderr, "sessions: the session is idle")
		return nil
	}
	since := ""
	if len(last) > 0 {
		since = last[len(last)-1].ID
	}
	st := c.Stream(ctx, id, apiclient.StreamOptions{SinceID: since})
	defer st.Close()
	for it := range st.Items() {
		switch it := it.(type) {
		case apiclient.Event:
			if err := writeEvent(a.stdout, &it, asJSON); err != nil {
				return writeErr(err)
			}
			if untilIdle && it.IsIdled() {
				return nil
			}
		case apiclient.StreamConnected:
			if it.Attempt > 1 {
				fmt.Fprintln(a.stderr, "sessions: reconnected")
			}
		case apiclient.StreamReconnecting:
			if it.Err != nil { // a planned cycle is seamless: say nothing
				fmt.Fprintf(a.stderr, "sessions: stream interrupted (%s); reconnecting in %s\n",
					apiclient.Describe(it.Err), it.Wait.Round(1e6))
			}
		case apiclient.StreamStopped:
			if errors.Is(it.Err, context.Canceled) && ctx.Err() != nil {
				return nil // ctrl+c: the normal way to stop
			}
			return apiError(it.Err)
		}
	}
	if err := st.Err(); err != nil && ctx.Err() == nil {
		return apiError(err)
	}
	return nil
}

// writeEvent prints one event: the server's JSON on one line, or time, type
// and summary. Everything from the server is sanitised.
func writeEvent(w io.Writer, ev *apiclient.Event, asJSON bool) error {
	if asJSON {
		var buf bytes.Buffer
		if json.Compact(&buf, ev.Raw) != nil {
			// Not a JSON object (the server sent text): wrap it.
			b, err := json.Marshal(map[string]string{"id": ev.ID, "type": ev.Type, "data_text": string(ev.Raw)})
			if err != nil {
				return err
			}
			buf.Reset()
			buf.Write(b)
		}
		buf.WriteByte('\n')
		_, err := w.Write(escapeUnsafeRunes(buf.Bytes()))
		return err
	}
	when := "-"
	if t, ok := ev.Time(); ok {
		when = fmtTime(t)
	}
	out := when + "  " + line(ev.Type)
	if s := eventSummary(ev); s != "" {
		out += "  " + line(s)
	}
	_, err := io.WriteString(w, out+"\n")
	return err
}

// eventSummary is the part of an event a person watching wants to read.
func eventSummary(ev *apiclient.Event) string {
	if s, ok := ev.MessageDelta(); ok {
		return s
	}
	if s, ok := ev.MessageText(); ok {
		return s
	}
	if name, ok := ev.ToolName(); ok {
		if msg, failed := ev.ToolFailed(); failed {
			return name + " failed: " + msg
		}
		return name
	}
	if s, ok := ev.TurnError(); ok {
		return s
	}
	if s, ok := ev.Title(); ok {
		return s
	}
	return ""
}
