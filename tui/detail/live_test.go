package detail

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/live"
)

// noStreamAPI serves stored messages but cannot stream (Stream gives nil),
// like a test fake or a client without SSE.
type noStreamAPI struct {
	API
	failMessages bool
}

func (f noStreamAPI) ListMessages(_ context.Context, id string) ([]apiclient.Message, error) {
	if f.failMessages {
		return nil, errors.New("boom")
	}
	return detailTestMessages(id), nil
}

func (noStreamAPI) ListEvents(context.Context, string, apiclient.EventsOptions) ([]apiclient.Event, error) {
	return nil, nil
}

func (noStreamAPI) Stream(context.Context, string, apiclient.StreamOptions) *apiclient.Stream {
	return nil
}

// openNoStream opens a detail on api and feeds it what live.Open answers.
func openNoStream(t *testing.T, api API) Model {
	t.Helper()
	s := detailTestSession()
	m := detailTestCtx(80, 24).open(s, 5)
	m, cmd := m.OpenLive(api)
	if cmd == nil {
		t.Fatal("OpenLive returned no command")
	}
	m, next := m.Update(cmd())
	if next != nil {
		t.Errorf("a detail without a stream asked for more items")
	}
	return m
}

// Without streaming the detail shows the stored transcript and says it is
// stopped and why; it never waits for a stream.
func TestDetailLiveWithoutStreamFallsBack(t *testing.T) {
	m := openNoStream(t, noStreamAPI{})
	view := m.View()
	if !strings.Contains(view, "■ stopped: streaming not available") {
		t.Errorf("no stopped label:\n%s", view)
	}
	if m.Loading() || m.Transcript() == nil || len(m.Transcript().Items()) != len(detailTestMessages("x")) {
		t.Errorf("stored transcript not shown:\n%s", view)
	}
	if m.Live() {
		t.Errorf("Live() with no stream")
	}
}

func TestDetailLiveMessagesFailed(t *testing.T) {
	m := openNoStream(t, noStreamAPI{failMessages: true})
	view := m.View()
	if !strings.Contains(view, "Could not load transcript") || !strings.Contains(view, "■ stopped: ") {
		t.Errorf("failure not shown:\n%s", view)
	}
}

// Messages of another generation are dropped; a stale stream is closed.
func TestDetailLiveStaleDropped(t *testing.T) {
	s := detailTestSession()
	m := detailTestCtx(80, 24).open(s, 5)
	m2, cmd := m.Update(live.SubscribedMsg{ID: s.ID, Gen: 4, Messages: detailTestMessages(s.ID)})
	if m2.Transcript() != nil || !m2.Loading() {
		t.Errorf("a stale SubscribedMsg was applied")
	}
	if cmd != nil {
		t.Errorf("stale message without a stream gave a command")
	}
	m2, cmd = m.Update(live.ItemsReceivedMsg{Gen: 4, Items: []apiclient.StreamItem{apiclient.StreamConnected{Attempt: 1}}})
	if cmd != nil || m2.Transcript() != nil {
		t.Errorf("stale items applied or read on")
	}
	// After Close, its own generation is stale too.
	m, _ = m.Close()
	m2, _ = m.Update(live.SubscribedMsg{ID: s.ID, Gen: 5, Messages: detailTestMessages(s.ID)})
	if m2.Transcript() != nil {
		t.Errorf("a closed detail took a stream")
	}
}
