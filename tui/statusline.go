package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

type statusKind int

const (
	statusNone statusKind = iota
	statusInfo
	statusToast
	statusError
	statusWarning // a toast that says something looked wrong
)

// statusLine is the one line of feedback above the help: toasts expire,
// errors stay until something replaces them.
type statusLine struct {
	kind statusKind
	text string
	id   int
	warn bool // a toast that is a warning (waiting on a retry)
}

const toastFor = 3 * time.Second

func (m *Model) setToast(text string) tea.Cmd {
	m.status = statusLine{kind: statusToast, text: text, id: m.status.id + 1}
	return expireToast(m.status.id, toastFor)
}

// setWarning shows a toast that something looked wrong but nothing failed.
func (m *Model) setWarning(text string) tea.Cmd {
	m.status = statusLine{kind: statusWarning, text: safetext.Line(text, 512), id: m.status.id + 1}
	return expireToast(m.status.id, toastFor)
}

func (m *Model) setError(text string) tea.Cmd {
	m.status = statusLine{kind: statusError, text: safetext.Line(text, 512), id: m.status.id + 1}
	return nil
}

func (m *Model) setInfo(text string) {
	m.status = statusLine{kind: statusInfo, text: text, id: m.status.id + 1}
}

// describe turns any error into one safe line for the status bar.
func describe(err error) string {
	return safetext.Line(apiclient.Describe(err), 300)
}
