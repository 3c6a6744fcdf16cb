package common

import (
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// MaxTagBytes caps a short server string (a tag, a status, an id) kept for
// display.
const MaxTagBytes = 128

// FailedGlyph marks a failed run in one cell, so it shows without colour
// (NO_COLOR).
const FailedGlyph = "✗"

// ActivityOf is the session's activity, falling back to what its status
// says when the server sent none, and the status column's word for it. A
// failed run carries a glyph so it shows without colour; waiting for client
// tool results is said in words that fit the column.
func ActivityOf(s apiclient.Session) (act, cell string) {
	st := s.Status.Normal()
	switch {
	case s.Activity != "":
		act = safetext.Line(string(s.Activity), MaxTagBytes)
	case st.Running():
		act = string(apiclient.ActivityRunning)
	case st == apiclient.StatusIdle, st == apiclient.StatusStarted:
		act = string(apiclient.ActivityIdle)
	case st == apiclient.StatusPaused:
		act = string(apiclient.ActivityPaused)
	default:
		act = safetext.Line(string(s.Status), MaxTagBytes)
	}
	if act == "" {
		act = "unknown"
	}
	cell = act
	switch {
	case act == string(apiclient.ActivityFailed):
		cell = FailedGlyph + " failed"
	case st == apiclient.StatusWaitingForToolResults:
		cell = "waiting"
	}
	return act, cell
}
