package tui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// RetryNotifier connects the client's retry hook to the program: give
// notify to apiclient.Config.OnRetry and events to Options.Retries. The
// send never blocks the client; if the UI is behind, an event is dropped.
func RetryNotifier() (notify func(apiclient.RetryEvent), events <-chan apiclient.RetryEvent) {
	ch := make(chan apiclient.RetryEvent, 16)
	return func(ev apiclient.RetryEvent) {
		select {
		case ch <- ev:
		default:
		}
	}, ch
}

// retryingMsg: the client is waiting before it retries a request.
type retryingMsg struct{ ev apiclient.RetryEvent }

func waitForRetry(ch <-chan apiclient.RetryEvent) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return nil
		}
		return retryingMsg{ev: ev}
	}
}

// retryText tells the user why nothing seems to happen.
func retryText(ev apiclient.RetryEvent) string {
	why := "connection problem"
	switch {
	case ev.Status == 429:
		why = "rate limited (HTTP 429)"
	case ev.Status > 0:
		why = fmt.Sprintf("server busy (HTTP %d)", ev.Status)
	}
	return fmt.Sprintf("%s — waiting %s before retry %d", why, ev.Wait.Round(100*time.Millisecond), ev.Attempt)
}

func (m Model) onRetrying(msg retryingMsg) (tea.Model, tea.Cmd) {
	m.status = statusLine{kind: statusToast, text: retryText(msg.ev), id: m.status.id + 1, warn: true}
	return m, tea.Batch(expireToast(m.status.id, msg.ev.Wait+time.Second), waitForRetry(m.opts.Retries))
}
