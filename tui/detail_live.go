package tui

import (
	"context"
	"errors"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/live"
	"github.com/everruns/sessions/tui/safetext"
)

// errNoStream is why a detail view is not live when the API gave no stream
// (a test fake, or a client without streaming).
var errNoStream = errors.New("streaming not available")

// liveSessionMsg is a refetched session for the live detail of generation
// Gen (after a RefreshWorthy event).
type liveSessionMsg struct {
	ID      string
	Gen     int
	Session *apiclient.Session
	Err     error
}

// fetchLiveSession refetches session id; the command captures its values.
func fetchLiveSession(api API, id string, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), detailFetchTimeout)
		defer cancel()
		s, err := api.GetSession(ctx, id)
		return liveSessionMsg{ID: id, Gen: gen, Session: s, Err: err}
	}
}

// OpenLive starts following the session: the stored transcript, then the
// stream after it (see live.Open). The view cancels it in Close.
func (m detailModel) OpenLive(api API) (detailModel, tea.Cmd) {
	if m.row == nil || api == nil {
		return m, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.api, m.cancel = api, cancel
	return m, live.Open(ctx, api, m.row.s.ID, m.gen, apiclient.StreamOptions{})
}

// Close stops the stream: the generation moves on, so whatever the old one
// still delivers is dropped, and a Next still waiting ends.
func (m detailModel) Close() (detailModel, tea.Cmd) {
	if m.cancel != nil {
		m.cancel()
	}
	cmd := live.Close(m.stream)
	m.gen, m.stream, m.cancel = -1, nil, nil
	return m, cmd
}

// Live reports whether the view follows a stream now.
func (m detailModel) Live() bool { return m.stream != nil }

// updateLive handles the live messages; handled is false for any other.
func (m detailModel) updateLive(msg tea.Msg) (detailModel, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case live.SubscribedMsg:
		if msg.ID != m.ID() || msg.Gen != m.gen || m.gen < 0 {
			return m, live.Close(msg.Stream), true // stale: nobody reads it
		}
		m.loading = false
		m.tr = live.New(m.row.s, msg.Messages)
		switch {
		case msg.Err != nil:
			m.errText = safetext.Line(apiclient.Describe(msg.Err), 512)
			if m.errText == "" {
				m.errText = "unknown error"
			}
			m.tr.ApplyItem(apiclient.StreamStopped{Err: msg.Err})
		case msg.Stream == nil:
			m.tr.ApplyItem(apiclient.StreamStopped{Err: errNoStream})
		default:
			m.errText = ""
			m.stream = msg.Stream
		}
		m.applyLive()
		m.renderTranscript()
		m.vp.GotoBottom()
		if m.stream == nil {
			return m, nil, true
		}
		return m, live.Next(m.stream, m.gen), true

	case live.ItemsReceivedMsg:
		if msg.Gen != m.gen || m.tr == nil || m.stream == nil {
			return m, nil, true // the old generation's stream was closed
		}
		var cmds []tea.Cmd
		if m.tr.ApplyItems(msg.Items) {
			m.applyLive()
			m.renderTranscript()
		}
		for _, it := range msg.Items {
			if ev, ok := it.(apiclient.Event); ok && live.RefreshWorthy(ev) && m.api != nil {
				cmds = append(cmds, fetchLiveSession(m.api, m.ID(), m.gen))
				break
			}
		}
		cmds = append(cmds, live.Next(m.stream, m.gen))
		return m, tea.Batch(cmds...), true

	case live.StreamEndedMsg:
		if msg.Gen != m.gen || m.tr == nil {
			return m, nil, true
		}
		m.stream = nil
		if m.tr.Conn().State != live.Stopped {
			err := msg.Err
			if err == nil {
				err = errors.New("stream ended")
			}
			m.tr.ApplyItem(apiclient.StreamStopped{Err: err})
		}
		m.renderTranscript()
		return m, nil, true

	case liveSessionMsg:
		if msg.ID != m.ID() || msg.Gen != m.gen || m.tr == nil {
			return m, nil, true
		}
		if msg.Err == nil && msg.Session != nil {
			m.tr.SetSession(*msg.Session)
			m.applyLive()
		}
		return m, nil, true
	}
	return m, nil, false
}

// applyLive lets the fields follow the transcript: title, status, usage
// change with the events before the list's next refresh sees them.
func (m *detailModel) applyLive() {
	if m.tr == nil {
		return
	}
	m.f.title = m.tr.Title()
	if st := safetext.Line(string(m.tr.Status()), maxTagBytes); st != "" {
		m.f.status = st
	}
	if m.tr.Activity() != "" || m.tr.Status() != "" {
		m.f.act, m.f.cell = activityOf(apiclient.Session{Activity: m.tr.Activity(), Status: m.tr.Status()})
	}
	if u := m.tr.Usage(); u != nil {
		v := *u
		m.f.usage = &v
		if usd, kind, ok := v.Cost(); ok {
			m.f.cost = formatCost(usd, kind == apiclient.CostEstimated)
		}
	}
	*m = m.layout()
}

// afterContent keeps the viewport at the bottom while following, and
// counts the lines that arrived below a paused view.
func (m *detailModel) afterContent(before int) {
	if m.tr == nil {
		return
	}
	if m.follow.Following() {
		m.vp.GotoBottom()
		return
	}
	m.follow.Arrived(m.contentN - before)
}
