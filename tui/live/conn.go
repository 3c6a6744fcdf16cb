package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/safetext"
)

// ConnState is the state of the stream behind a transcript.
type ConnState int

// Connection states. Connecting until the server's first "connected".
const (
	Connecting ConnState = iota
	Live
	Reconnecting
	Stopped
)

// Conn describes the connection; its text fields are sanitised.
type Conn struct {
	State    ConnState
	Attempt  int           // Live: connections made so far
	Reason   string        // Reconnecting: the server's reason for a planned cycle
	Wait     time.Duration // Reconnecting: before the next attempt
	Failures int           // Reconnecting: failed attempts in a row
	Err      string        // Reconnecting, Stopped: why, for humans
	Closed   bool          // Stopped: by the view itself (context cancelled)
}

// Label is the connection as the detail view says it: "● live",
// "↻ reconnecting in 2s (connection dropped)", "■ stopped: not found (HTTP 404)".
// The glyph makes the state readable without colour.
func (c Conn) Label() string {
	switch c.State {
	case Live:
		return "● live"
	case Reconnecting:
		why := c.Err
		switch {
		case c.Reason == "connection_cycle":
			why = "server cycled the connection"
		case c.Reason != "":
			why = c.Reason
		case why == "":
			why = "connection dropped"
		}
		return fmt.Sprintf("↻ reconnecting in %s (%s)", waitText(c.Wait), why)
	case Stopped:
		if c.Closed || c.Err == "" {
			return "■ stopped"
		}
		return "■ stopped: " + c.Err
	}
	return "○ connecting"
}

// Style is the style of Label.
func (c Conn) Style(t *theme.Theme) lipgloss.Style {
	switch c.State {
	case Live:
		return t.Live.Live
	case Reconnecting:
		return t.Live.Reconnecting
	case Stopped:
		return t.Live.Stopped
	}
	return t.Live.Connecting
}

// StatusLabel is the connection label of the transcript, unstyled.
func (t *Transcript) StatusLabel() string { return t.conn.Label() }

// waitText: "250ms" under a second, else whole seconds rounded up ("2s").
func waitText(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%ds", int((d+time.Second-1)/time.Second))
}

// errText says why a connection ended, in a few words.
func errText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection dropped"
	case errors.Is(err, apiclient.ErrEventTooLarge):
		return "an event was too large"
	}
	return safetext.Line(apiclient.Describe(err), maxErrorBytes)
}

func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }
