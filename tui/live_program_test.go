package tui

import (
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// The live detail against the in-memory server's SSE: the real client, the
// real stream, the real program.

// liveLog records every connection label the open detail view showed, in
// order: polling snapshots would miss a short "reconnecting".
type liveLog struct {
	mu     sync.Mutex
	labels []string
}

func (l *liveLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.labels); n == 0 || l.labels[n-1] != s {
		l.labels = append(l.labels, s)
	}
}

func (l *liveLog) states() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.labels {
		out = append(out, strings.Fields(s)[0])
	}
	return strings.Join(out, " ")
}

type liveRecModel struct {
	progRecModel
	log *liveLog
}

func (r liveRecModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	nm, cmd := r.progRecModel.Update(msg)
	r.progRecModel = nm.(progRecModel)
	if tr := r.m.detail.Transcript(); tr != nil && r.m.mode == modeDetail {
		r.log.add(tr.Conn().Label())
	}
	return r, cmd
}

// startLiveProg starts the program on srv (like progStartList), logging the
// detail's connection labels.
func startLiveProg(t *testing.T, srv *apitest.Server, w, h int) (*prog, *liveLog) {
	t.Helper()
	m := New(progOptions(progClient(srv, "")))
	rec := &progRecorder{}
	rec.set(progTakeSnap(m, 0, 0))
	log := &liveLog{}
	tm := teatest.NewTestModel(t, liveRecModel{progRecModel{m: m, rec: rec}, log}, teatest.WithInitialTermSize(w, h))
	p := &prog{t: t, tm: tm, rec: rec, srv: srv}
	t.Cleanup(func() {
		p.tm.Send(tea.QuitMsg{})
		p.tm.WaitFinished(t, teatest.WithFinalTimeout(progWait))
	})
	p.waitSettled("first load")
	return p, log
}

// openLive opens the detail of the first session and waits for "● live".
func (p *prog) openLive() string {
	p.t.Helper()
	id := p.rec.get().selID
	p.press("enter")
	p.waitFor("live detail", func(s progSnap) bool {
		return s.mode == modeDetail && strings.Contains(s.view, "● live")
	})
	return id
}

func liveAppend(t *testing.T, srv *apitest.Server, id, typ string, data any) {
	t.Helper()
	if _, err := srv.AppendEvent(id, typ, data); err != nil {
		t.Fatal(err)
	}
}

// liveTurn stores a whole turn: a tool call, a streamed answer, completion.
func liveTurn(t *testing.T, srv *apitest.Server, id, msgID, answer string) {
	t.Helper()
	liveAnswer(t, srv, id, msgID, answer)
	liveAppend(t, srv, id, apiclient.EventTurnCompleted, map[string]any{"turn_id": "turn_live", "iterations": 1})
}

// liveAnswer stores a turn up to its completed answer: no event after which
// the view refetches the session, so what it shows is the stream alone.
func liveAnswer(t *testing.T, srv *apitest.Server, id, msgID, answer string) {
	t.Helper()
	liveAppend(t, srv, id, apiclient.EventTurnStarted, map[string]any{"turn_id": "turn_live", "input_message_id": "message_in"})
	liveAppend(t, srv, id, apiclient.EventMessageStarted, map[string]any{"turn_id": "turn_live", "message_id": msgID})
	liveAppend(t, srv, id, apiclient.EventToolStarted, map[string]any{"tool_call": map[string]any{"id": "call_live", "name": "read_file", "arguments": map[string]any{}}})
	liveAppend(t, srv, id, apiclient.EventToolCompleted, map[string]any{"tool_call_id": "call_live", "tool_name": "read_file", "success": true, "status": "success"})
	acc := ""
	for _, w := range strings.SplitAfter(answer, " ") {
		acc += w
		liveAppend(t, srv, id, apiclient.EventMessageDelta, map[string]any{"turn_id": "turn_live", "message_id": msgID, "delta": w, "accumulated": acc})
	}
	liveAppend(t, srv, id, apiclient.EventMessageCompleted, map[string]any{"message": map[string]any{
		"id": msgID, "role": "agent", "content": []any{map[string]any{"type": "text", "text": answer}}}})
}

// A message streamed by the server appears in the open detail view without
// a key press, and the streamed title replaces the old one.
func TestProgramLiveDetailStreamsMessage(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	p := progStartList(t, srv, 80, 24) // the plain recorder: golden reads its final model
	id := p.openLive()
	keys := p.rec.get().keys
	liveAppend(t, srv, id, apiclient.EventSessionTitleUpdated, map[string]any{"title": "Streamed title"})
	liveAnswer(t, srv, id, "message_live", "the deploy is rolled back")
	s := p.waitFor("streamed message", func(s progSnap) bool {
		// Completed, not only streamed in full: the deltas carry the whole
		// text before the message's completion lands.
		return strings.Contains(s.view, "the deploy is rolled back") && strings.Contains(s.view, "Streamed title") &&
			!strings.Contains(s.view, "streaming")
	})
	if s.keys != keys {
		t.Fatalf("keys pressed meanwhile: %d", s.keys-keys)
	}
	if !strings.Contains(s.view, "● live") {
		t.Errorf("not live:\n%s", s.view)
	}
	// The golden: 80x24, the clock pinned, the stream live and idle.
	p.golden()
}

// The server cycles the connection every 3 events ("disconnecting"): the
// stream resumes with since_id and no message or tool line shows twice.
func TestProgramLiveDetailCycleNoDuplicates(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	srv.SetSSE(apitest.SSEOptions{CycleAfterEvents: 3})
	p, log := startLiveProg(t, srv, 120, 40)
	id := p.openLive()
	answer := "one two three four five six seven eight nine ten"
	liveTurn(t, srv, id, "message_cyc", answer)
	s := p.waitFor("answer after cycles", func(s progSnap) bool {
		return strings.Contains(s.view, answer) && strings.Contains(s.view, "● live") && len(srv.SinceIDs()) >= 4
	})
	if n := strings.Count(s.view, answer); n != 1 {
		t.Errorf("answer shown %d times:\n%s", n, s.view)
	}
	if n := strings.Count(s.view, "read_file"); n != 1 {
		t.Errorf("tool shown %d times:\n%s", n, s.view)
	}
	if !strings.Contains(log.states(), "● ↻ ●") {
		t.Errorf("no cycle seen in the labels %q", log.labels)
	}
}

// A connection torn by the server shows as reconnecting, then live again,
// and every streamed word arrives once.
func TestProgramLiveDetailDropReconnects(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	srv.SetSSE(apitest.SSEOptions{DropAfterEvents: 2, DropStreams: 1})
	p, log := startLiveProg(t, srv, 120, 40)
	id := p.openLive()
	answer := "alpha beta gamma delta"
	liveTurn(t, srv, id, "message_drop", answer)
	s := p.waitFor("answer after the drop", func(s progSnap) bool {
		return strings.Contains(s.view, answer) && strings.Contains(s.view, "● live")
	})
	if n := strings.Count(s.view, answer); n != 1 {
		t.Errorf("answer shown %d times:\n%s", n, s.view)
	}
	if !strings.Contains(log.states(), "● ↻ ●") {
		t.Errorf("labels %q: want live, reconnecting, live", log.labels)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, l := range log.labels {
		if strings.HasPrefix(l, "↻") && !strings.Contains(l, "connection dropped") {
			t.Errorf("reconnecting label %q does not say why", l)
		}
	}
}

// Scrolling up pauses auto-follow: new lines do not move the view, and G
// follows again.
func TestProgramLiveDetailFollow(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	p, _ := startLiveProg(t, srv, 80, 24)
	id := p.openLive()
	p.press("g") // to the top: paused
	liveTurn(t, srv, id, "message_f", "a late answer below the fold")
	p.waitFor("unseen lines", func(s progSnap) bool { return strings.Contains(s.view, "new ↓") })
	if strings.Contains(p.rec.get().view, "a late answer") {
		t.Fatalf("a paused view moved to the new lines")
	}
	p.press("G")
	p.waitFor("followed again", func(s progSnap) bool {
		return strings.Contains(s.view, "a late answer below the fold") && !strings.Contains(s.view, "new ↓")
	})
}

// Leaving the detail closes the stream.
func TestProgramLiveDetailCloses(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	p, _ := startLiveProg(t, srv, 80, 24)
	p.openLive()
	if srv.OpenStreams() != 1 {
		t.Fatalf("%d streams open", srv.OpenStreams())
	}
	p.press("esc")
	p.waitFor("list", func(s progSnap) bool { return s.mode == modeList })
	for srv.OpenStreams() != 0 {
		p.waitFor("stream closed", func(progSnap) bool { return srv.OpenStreams() == 0 })
	}
}

// After a turn completes the view refetches the session: the server's
// usage replaces what the stream counted.
func TestProgramLiveDetailRefetchesAfterTurn(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5})
	p, _ := startLiveProg(t, srv, 120, 40)
	id := p.openLive()
	x, ok := srv.Get(id)
	if !ok {
		t.Fatalf("no session %s", id)
	}
	x.Usage = &apiclient.TokenUsage{InputTokens: 7_777_777, OutputTokens: 1}
	srv.Put(x)
	if strings.Contains(p.rec.get().view, "7,777,777") {
		t.Fatalf("precondition: the new usage shows before the turn")
	}
	liveTurn(t, srv, id, "message_r", "done")
	p.waitFor("refetched usage", func(s progSnap) bool { return strings.Contains(s.view, "7,777,777") })
}
