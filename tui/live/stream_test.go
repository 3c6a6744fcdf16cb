package live

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
)

// Adapter tests against apitest's real SSE endpoint. They wait on messages
// (the time limits only turn a hang into a failure) and assert on content.

var testKey = "evr_pat_" + strings.Repeat("5e", 32)

// fast keeps reconnect waits short so tests do not sleep for real backoffs.
var fast = apiclient.StreamOptions{BackoffBase: time.Millisecond, MaxWait: 20 * time.Millisecond}

func liveServer(t *testing.T, o apitest.SSEOptions) (*apitest.Server, *apiclient.Client, apiclient.Session) {
	t.Helper()
	srv := apitest.NewTestServer(t, apitest.Options{APIKey: testKey, Sessions: 3, Seed: 7})
	t.Cleanup(srv.CloseStreams) // before the server's Close, which waits for handlers
	srv.SetSSE(o)
	c := apiclient.New(apiclient.Config{APIKey: testKey, BaseURL: srv.URL(), MaxRetries: -1})
	return srv, c, srv.All()[0]
}

func appendEv(t *testing.T, srv *apitest.Server, id, typ string, data any) apiclient.Event {
	t.Helper()
	e, err := srv.AppendEvent(id, typ, data)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// appendTurn stores a whole turn: started, tool pair, streamed answer, idle.
func appendTurn(t *testing.T, srv *apitest.Server, id, msgID, answer string) {
	appendEv(t, srv, id, apiclient.EventTurnStarted, map[string]any{"turn_id": "turn_9", "input_message_id": "message_in"})
	appendEv(t, srv, id, apiclient.EventMessageStarted, map[string]any{"turn_id": "turn_9", "message_id": msgID})
	appendEv(t, srv, id, apiclient.EventToolStarted, map[string]any{"tool_call": map[string]any{"id": "call_live", "name": "read_file", "arguments": map[string]any{}}})
	appendEv(t, srv, id, apiclient.EventToolCompleted, map[string]any{"tool_call_id": "call_live", "tool_name": "read_file", "success": true, "status": "success"})
	acc := ""
	for _, w := range strings.SplitAfter(answer, " ") {
		acc += w
		appendEv(t, srv, id, apiclient.EventMessageDelta, map[string]any{"turn_id": "turn_9", "message_id": msgID, "delta": w, "accumulated": acc})
	}
	appendEv(t, srv, id, apiclient.EventMessageCompleted, map[string]any{"message": map[string]any{
		"id": msgID, "role": "agent", "content": []any{map[string]any{"type": "text", "text": answer}}}})
	appendEv(t, srv, id, apiclient.EventTurnCompleted, map[string]any{"turn_id": "turn_9", "iterations": 1})
	appendEv(t, srv, id, apiclient.EventSessionIdled, map[string]any{"turn_id": "turn_9"})
}

// driver does what the detail view does with the messages, without a program.
type driver struct {
	t      *testing.T
	gen    int
	s      *apiclient.Stream
	tr     *Transcript
	labels []string // the connection label after each item that changed it
	events []apiclient.Event
}

func start(t *testing.T, cmd tea.Cmd, sess apiclient.Session, gen int) *driver {
	t.Helper()
	msg := run(t, cmd)
	sub, ok := msg.(SubscribedMsg)
	if !ok || sub.Gen != gen || sub.Stream == nil || sub.Err != nil {
		t.Fatalf("got %T %+v", msg, msg)
	}
	t.Cleanup(func() { _ = sub.Stream.Close() })
	return &driver{t: t, gen: gen, s: sub.Stream, tr: New(sess, sub.Messages)}
}

// run runs a command; the limit only turns a hang into a failure.
func run(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case m := <-ch:
		return m
	case <-time.After(15 * time.Second):
		t.Fatal("no message within 15s")
	}
	return nil
}

// until applies batches from Next until cond holds.
func (d *driver) until(what string, cond func() bool) {
	d.t.Helper()
	for !cond() {
		switch m := run(d.t, Next(d.s, d.gen)).(type) {
		case ItemsReceivedMsg:
			if m.Gen != d.gen || len(m.Items) == 0 || len(m.Items) > MaxBatch {
				d.t.Fatalf("batch gen %d of %d items", m.Gen, len(m.Items))
			}
			for _, it := range m.Items {
				before := d.tr.StatusLabel()
				d.tr.ApplyItem(it)
				if e, ok := it.(apiclient.Event); ok {
					d.events = append(d.events, e)
				}
				if l := d.tr.StatusLabel(); l != before {
					d.labels = append(d.labels, l)
				}
			}
		case StreamEndedMsg:
			d.t.Fatalf("stream ended (%v) before: %s; labels %q", m.Err, what, d.labels)
		default:
			d.t.Fatalf("unexpected %T", m)
		}
	}
}

func (d *driver) text() string { return plain(d.tr, 100) }

// idled reports that a session.idled event has arrived.
func (d *driver) idled() bool {
	for _, e := range d.events {
		if e.Type == apiclient.EventSessionIdled {
			return true
		}
	}
	return false
}

func TestOpenShowsStoredThenStreamedMessage(t *testing.T) {
	srv, c, sess := liveServer(t, apitest.SSEOptions{})
	// History before the view opens is in the stored transcript: not replayed.
	appendEv(t, srv, sess.ID, apiclient.EventToolStarted, map[string]any{"tool_call": map[string]any{"id": "call_old", "name": "old_tool"}})
	d := start(t, Open(context.Background(), c, sess.ID, 7, fast), sess, 7)
	stored := len(d.tr.Items())
	if stored == 0 {
		t.Fatal("no stored messages")
	}
	d.until("live", func() bool { return d.tr.Conn().State == Live })
	if since := srv.SinceIDs(); len(since) != 1 || since[0] == "" {
		t.Fatalf("stream did not resume after the last stored event: since_ids %q", since)
	}
	appendTurn(t, srv, sess.ID, "message_live1", "The deploy finished and the error rate is back to normal.")
	d.until("idle", d.idled)
	out := d.text()
	if strings.Contains(out, "old_tool") {
		t.Fatalf("history replayed:\n%s", out)
	}
	if strings.Count(out, "error rate is back to normal.") != 1 || !strings.Contains(out, "✓ read_file") {
		t.Fatalf("live turn not shown once:\n%s", out)
	}
	if d.tr.Activity() != apiclient.ActivityCompleted {
		t.Fatalf("activity %q", d.tr.Activity())
	}
}

func TestReplayedCompletionOfStoredMessageNotDuplicated(t *testing.T) {
	srv, c, sess := liveServer(t, apitest.SSEOptions{})
	msgs, err := c.ListMessages(context.Background(), sess.ID)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("messages %v %v", len(msgs), err)
	}
	last := msgs[len(msgs)-1]
	// The log holds the completion of a message that is already stored; a
	// stream from the start replays it.
	appendEv(t, srv, sess.ID, apiclient.EventMessageStarted, map[string]any{"turn_id": "turn_1", "message_id": last.ID})
	appendEv(t, srv, sess.ID, apiclient.EventMessageDelta, map[string]any{"turn_id": "turn_1", "message_id": last.ID, "delta": "partial", "accumulated": "partial"})
	appendEv(t, srv, sess.ID, apiclient.EventMessageCompleted, map[string]any{"message": last})
	appendEv(t, srv, sess.ID, apiclient.EventSessionIdled, map[string]any{"turn_id": "turn_1"})
	d := &driver{t: t, gen: 1, tr: New(sess, msgs)}
	d.s = run(t, Subscribe(context.Background(), c, sess.ID, 1, fast)).(SubscribedMsg).Stream
	t.Cleanup(func() { _ = d.s.Close() })
	before := d.text()
	d.until("replay", func() bool { return len(d.events) == 4 })
	if _, ok := d.tr.Pending(); ok || len(d.tr.Items()) != len(msgs) {
		t.Fatalf("replay added items: %d items for %d messages", len(d.tr.Items()), len(msgs))
	}
	if after := d.text(); after != before {
		t.Fatalf("replay changed the transcript:\n%s\n---\n%s", before, after)
	}
}

func TestDisconnectingCycleResumedWithoutDuplicates(t *testing.T) {
	srv, c, sess := liveServer(t, apitest.SSEOptions{CycleAfterEvents: 3})
	d := start(t, Open(context.Background(), c, sess.ID, 2, fast), sess, 2)
	d.until("live", func() bool { return d.tr.Conn().State == Live })
	answer := "one two three four five six seven eight nine ten"
	appendTurn(t, srv, sess.ID, "message_cyc", answer)
	d.until("idle", d.idled)
	seen := map[string]bool{}
	for _, e := range d.events {
		if seen[e.ID] {
			t.Fatalf("event %s delivered twice", e.ID)
		}
		seen[e.ID] = true
	}
	if n := len(srv.Events(sess.ID)); len(d.events) != n {
		t.Fatalf("%d events delivered, %d stored", len(d.events), n)
	}
	cycled := false
	for _, l := range d.labels {
		cycled = cycled || strings.Contains(l, "server cycled the connection")
	}
	if !cycled || len(srv.SinceIDs()) < 4 {
		t.Fatalf("no cycles seen: labels %q, since_ids %q", d.labels, srv.SinceIDs())
	}
	if out := d.text(); strings.Count(out, answer) != 1 || strings.Count(out, "read_file") != 1 {
		t.Fatalf("after cycles:\n%s", out)
	}
	if d.tr.StatusLabel() != "● live" {
		t.Fatalf("label %q", d.tr.StatusLabel())
	}
}

func TestDroppedConnectionShownReconnectingThenLive(t *testing.T) {
	srv, c, sess := liveServer(t, apitest.SSEOptions{DropAfterEvents: 2, DropStreams: 1})
	for i, w := range []string{"a ", "b ", "c ", "d ", "e"} {
		appendEv(t, srv, sess.ID, apiclient.EventMessageDelta, map[string]any{"turn_id": "turn_1", "message_id": "message_d", "delta": w, "accumulated": "a b c d e"[:2*i+len(w)]})
	}
	d := &driver{t: t, gen: 3, tr: New(sess, nil)}
	d.s = run(t, Subscribe(context.Background(), c, sess.ID, 3, fast)).(SubscribedMsg).Stream
	t.Cleanup(func() { _ = d.s.Close() })
	d.until("all deltas", func() bool { txt, _ := d.tr.Pending(); return txt == "a b c d e" })
	d.until("live again", func() bool { return d.tr.Conn().State == Live })
	// The labels went live, reconnecting (the cut), live.
	var states []string
	for _, l := range d.labels {
		states = append(states, strings.Fields(l)[0])
	}
	got := strings.Join(states, " ")
	if !strings.Contains(got, "● ↻ ●") {
		t.Fatalf("labels %q", d.labels)
	}
	for _, l := range d.labels {
		if strings.HasPrefix(l, "↻") && !strings.Contains(l, "(connection dropped)") {
			t.Fatalf("reconnecting label %q", l)
		}
	}
	if len(d.events) != 5 {
		t.Fatalf("%d events", len(d.events))
	}
}

func TestStoppedStreamSaysWhy(t *testing.T) {
	_, c, sess := liveServer(t, apitest.SSEOptions{})
	missing := "session_" + strings.Repeat("0", 32)
	d := &driver{t: t, gen: 4, tr: New(sess, nil)}
	d.s = run(t, Subscribe(context.Background(), c, missing, 4, fast)).(SubscribedMsg).Stream
	d.until("stopped", func() bool { return d.tr.Conn().State == Stopped })
	if l := d.tr.StatusLabel(); l != "■ stopped: not found (HTTP 404)" {
		t.Fatalf("label %q", l)
	}
	if m, ok := run(t, Next(d.s, 4)).(StreamEndedMsg); !ok || m.Gen != 4 || m.Err == nil {
		t.Fatalf("after stop: %+v", m)
	}
}

func TestNextBatchesReadyItems(t *testing.T) {
	srv, c, sess := liveServer(t, apitest.SSEOptions{})
	for i := 0; i < 40; i++ {
		appendEv(t, srv, sess.ID, apiclient.EventMessageDelta, map[string]any{"turn_id": "t", "message_id": "message_b", "delta": "x"})
	}
	s := c.Stream(context.Background(), sess.ID, apiclient.StreamOptions{Buffer: 128})
	defer s.Close()
	// Wait until everything is queued, then one Next takes it in one message.
	deadline := time.Now().Add(15 * time.Second)
	for len(s.Items()) < 41 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	m := run(t, Next(s, 9)).(ItemsReceivedMsg)
	if len(m.Items) != 41 || m.Gen != 9 {
		t.Fatalf("one Next gave %d items (gen %d), want 41", len(m.Items), m.Gen)
	}
}

// liveModel is the smallest detail view: it plugs the package in as the
// real one should, and draws the label and the transcript.
type liveModel struct {
	api  OpenAPI
	sess apiclient.Session
	gen  int
	s    *apiclient.Stream
	tr   *Transcript
	th   *theme.Theme
}

func (m *liveModel) Init() tea.Cmd {
	return Open(context.Background(), m.api, m.sess.ID, m.gen, fast)
}

func (m *liveModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case SubscribedMsg:
		if msg.Gen != m.gen {
			return m, Close(msg.Stream)
		}
		m.s, m.tr = msg.Stream, New(m.sess, msg.Messages)
		return m, Next(m.s, m.gen)
	case ItemsReceivedMsg:
		if msg.Gen != m.gen {
			return m, nil
		}
		m.tr.ApplyItems(msg.Items)
		return m, Next(m.s, m.gen)
	case tea.KeyMsg:
		if msg.String() == "q" {
			m.gen++ // stale messages of the closed stream are dropped
			return m, tea.Sequence(Close(m.s), tea.Quit)
		}
	}
	return m, nil
}

func (m *liveModel) View() string {
	if m.tr == nil {
		return "loading"
	}
	return m.tr.StatusLabel() + "\n" + strings.Join(m.tr.Lines(m.th, 78), "\n")
}

func TestProgramShowsStreamedMessageWithoutKeyPress(t *testing.T) {
	srv, c, sess := liveServer(t, apitest.SSEOptions{})
	m := &liveModel{api: c, sess: sess, gen: 1, th: theme.New(theme.Dark, true)}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 200))
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	wait("● live")
	appendEv(t, srv, sess.ID, apiclient.EventMessageStarted, map[string]any{"turn_id": "turn_1", "message_id": "message_p"})
	appendEv(t, srv, sess.ID, apiclient.EventMessageDelta, map[string]any{"turn_id": "turn_1", "message_id": "message_p", "delta": "Streaming words ", "accumulated": "Streaming words "})
	appendEv(t, srv, sess.ID, apiclient.EventMessageDelta, map[string]any{"turn_id": "turn_1", "message_id": "message_p", "delta": "arrive live", "accumulated": "Streaming words arrive live"})
	wait("Streaming words arrive live")
	appendEv(t, srv, sess.ID, apiclient.EventMessageCompleted, map[string]any{"message": map[string]any{
		"id": "message_p", "role": "agent", "content": []any{map[string]any{"type": "text", "text": "Streaming words arrive live, then complete."}}}})
	wait("then complete.")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(15*time.Second)).(*liveModel)
	out := plain(fm.tr, 78)
	if strings.Count(out, "Streaming words arrive live") != 1 || strings.Contains(out, "streaming") {
		t.Fatalf("final transcript:\n%s", out)
	}
}

func TestSimulatedActivityStreamsToCompletion(t *testing.T) {
	srv, c, _ := liveServer(t, apitest.SSEOptions{})
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	// Tick until some session of the first page is running.
	var sess apiclient.Session
	for i := 0; i < 500 && sess.ID == ""; i++ {
		now = now.Add(2 * time.Second)
		srv.Tick(now)
		all := srv.All()
		for _, s := range all[:min(10, len(all))] {
			if s.Status == apiclient.StatusActive {
				sess = s
				break
			}
		}
	}
	if sess.ID == "" {
		t.Fatal("no session went active")
	}
	d := start(t, Open(context.Background(), c, sess.ID, 5, fast), sess, 5)
	d.until("live", func() bool { return d.tr.Conn().State == Live })
	// Keep simulating until the followed session's turn is over.
	done := func() bool {
		evs := srv.Events(sess.ID)
		return len(evs) > 0 && evs[len(evs)-1].Type == apiclient.EventSessionIdled
	}
	for i := 0; i < 2000 && !done(); i++ {
		now = now.Add(2 * time.Second)
		srv.Tick(now)
	}
	if !done() {
		t.Fatal("the simulated turn never ended")
	}
	d.until("idle", d.idled)
	out := d.text()
	failed := false
	for _, e := range srv.Events(sess.ID) {
		failed = failed || e.Type == apiclient.EventTurnFailed
	}
	t.Logf("followed %s; turn failed: %v", sess.ID, failed)
	if failed {
		if d.tr.Activity() != apiclient.ActivityFailed || !strings.Contains(out, "✗ turn failed") {
			t.Fatalf("failed turn not shown (activity %q):\n%s", d.tr.Activity(), out)
		}
		return
	}
	// The turn's answer arrived through deltas and its completion: shown once.
	var answer string
	for _, e := range srv.Events(sess.ID) {
		if txt, ok := e.MessageText(); ok {
			answer = txt
		}
	}
	if answer == "" || strings.Count(strings.ReplaceAll(out, "\n  ", " "), answer) != 1 {
		t.Fatalf("answer %q not shown once:\n%s", answer, out)
	}
	if d.tr.Status() != apiclient.StatusIdle || d.tr.Activity() != apiclient.ActivityCompleted {
		t.Fatalf("status %q activity %q", d.tr.Status(), d.tr.Activity())
	}
}
