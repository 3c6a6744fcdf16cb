package detail

import (
	"context"
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/live"
	"github.com/everruns/sessions/tui/safetext"
)

// API is what the view needs from the server; the root's API has it.
type API interface {
	live.OpenAPI
	GetSession(ctx context.Context, id string) (*apiclient.Session, error)
}

// fetchTimeout bounds the refetch of the session after a turn.
const fetchTimeout = 30 * time.Second

// errNoStream is why a detail view is not live when the API gave no stream
// (a test fake, or a client without streaming).
var errNoStream = errors.New("streaming not available")

// SessionFetchedMsg is a refetched session for the view of generation Gen
// (after a RefreshWorthy event). The root routes it to the view whatever
// has focus, like the live package's messages.
type SessionFetchedMsg struct {
	ID      string
	Gen     int
	Session *apiclient.Session
	Err     error
}

// IsLiveMsg reports whether msg belongs to the view's live transcript: the
// root hands those to the view even when help or a form covers it, so the
// stream keeps flowing (or, when stale, is closed).
func IsLiveMsg(msg tea.Msg) bool {
	switch msg.(type) {
	case live.SubscribedMsg, live.ItemsReceivedMsg, live.StreamEndedMsg, SessionFetchedMsg:
		return true
	}
	return false
}

// fetchSession refetches session id; the command captures its values.
func fetchSession(api API, id string, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		s, err := api.GetSession(ctx, id)
		return SessionFetchedMsg{ID: id, Gen: gen, Session: s, Err: err}
	}
}

// OpenLive starts following the session: the stored transcript, then the
// stream after it (see live.Open). The view cancels it in Close.
func (m Model) OpenLive(api API) (Model, tea.Cmd) {
	if api == nil || m.row == nil {
		return m, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.api, m.cancel = api, cancel
	return m, live.Open(ctx, api, m.row.Session.ID, m.gen, apiclient.StreamOptions{})
}

// Close stops the stream: the generation moves on, so whatever the old one
// still delivers is dropped, and a Next still waiting ends.
func (m Model) Close() (Model, tea.Cmd) {
	if m.cancel != nil {
		m.cancel()
	}
	cmd := live.Close(m.stream)
	m.gen, m.stream, m.cancel = -1, nil, nil
	return m, cmd
}

// Live reports whether the view follows a stream now.
func (m Model) Live() bool { return m.stream != nil }

// updateLive handles the live messages; handled is false for any other.
func (m Model) updateLive(msg tea.Msg) (Model, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case live.SubscribedMsg:
		if m.row == nil || msg.ID != m.ID() || msg.Gen != m.gen || m.gen < 0 {
			return m, live.Close(msg.Stream), true // stale: nobody reads it
		}
		m.loading = false
		m.tr = live.New(m.row.Session, msg.Messages)
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
				cmds = append(cmds, fetchSession(m.api, m.ID(), m.gen))
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

	case SessionFetchedMsg:
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
func (m *Model) applyLive() {
	if m.tr == nil {
		return
	}
	m.f.title = m.tr.Title()
	if st := safetext.Line(string(m.tr.Status()), common.MaxTagBytes); st != "" {
		m.f.status = st
	}
	if m.tr.Activity() != "" || m.tr.Status() != "" {
		m.f.act, m.f.cell = common.ActivityOf(apiclient.Session{Activity: m.tr.Activity(), Status: m.tr.Status()})
	}
	if u := m.tr.Usage(); u != nil {
		v := *u
		m.f.usage = &v
		if usd, kind, ok := v.Cost(); ok {
			m.f.cost = common.FormatCost(usd, kind == apiclient.CostEstimated)
		}
	}
	*m = m.layout()
}

// afterContent keeps the viewport at the bottom while following, and
// counts the lines that arrived below a paused view.
func (m *Model) afterContent(before int) {
	if m.tr == nil {
		return
	}
	if m.follow.Following() {
		m.vp.GotoBottom()
		return
	}
	m.follow.Arrived(m.contentN - before)
}
