package live

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/everruns/sessions/apiclient"
)

// MaxBatch is how many ready stream items one ItemsReceivedMsg carries at
// most: a burst of deltas costs one render, not one per delta.
const MaxBatch = 64

// openTimeout bounds the requests Open makes before streaming.
const openTimeout = 30 * time.Second

// StreamAPI is what Subscribe needs (apiclient.Client has it).
type StreamAPI interface {
	Stream(ctx context.Context, id string, opts apiclient.StreamOptions) *apiclient.Stream
}

// OpenAPI is what Open needs (apiclient.Client has it).
type OpenAPI interface {
	StreamAPI
	ListEvents(ctx context.Context, id string, opts apiclient.EventsOptions) ([]apiclient.Event, error)
	ListMessages(ctx context.Context, id string) ([]apiclient.Message, error)
}

// SubscribedMsg: the stream of session ID, started for generation Gen, is
// open (its first items are read with Next). When Open made it, Messages is
// the stored transcript taken after the stream's starting point, and Err a
// failure to load it (the stream is then nil).
type SubscribedMsg struct {
	ID       string
	Gen      int
	Stream   *apiclient.Stream
	Messages []apiclient.Message
	Err      error
}

// ItemsReceivedMsg carries the stream items that were ready, in order
// (events, and StreamConnected / StreamReconnecting / StreamStopped).
type ItemsReceivedMsg struct {
	Gen   int
	Items []apiclient.StreamItem
}

// StreamEndedMsg: the stream's channel closed; Err is why it stopped.
type StreamEndedMsg struct {
	Gen int
	Err error
}

// Subscribe starts following session id from the live edge, or after
// opts.SinceID. The stream lives until ctx ends or Close.
func Subscribe(ctx context.Context, api StreamAPI, id string, gen int, opts apiclient.StreamOptions) tea.Cmd {
	return func() tea.Msg {
		return SubscribedMsg{ID: id, Gen: gen, Stream: api.Stream(ctx, id, opts)}
	}
}

// Open loads what a detail view shows live, in an order that loses nothing
// and shows nothing twice: the id of the last stored event first (the
// stream resumes after it, so history is not replayed), then the stored
// transcript, then the stream. Events between the two are replayed and the
// Transcript drops what the messages already hold. If the last event cannot
// be read the stream starts from the beginning (still deduplicated).
func Open(ctx context.Context, api OpenAPI, id string, gen int, opts apiclient.StreamOptions) tea.Cmd {
	return func() tea.Msg {
		rctx, cancel := context.WithTimeout(ctx, openTimeout)
		defer cancel()
		if opts.SinceID == "" {
			if evs, err := api.ListEvents(rctx, id, apiclient.EventsOptions{Limit: 1}); err == nil && len(evs) > 0 {
				opts.SinceID = evs[len(evs)-1].ID
			}
		}
		msgs, err := api.ListMessages(rctx, id)
		if err != nil {
			return SubscribedMsg{ID: id, Gen: gen, Err: err}
		}
		return SubscribedMsg{ID: id, Gen: gen, Messages: msgs, Stream: api.Stream(ctx, id, opts)}
	}
}

// Next waits for the next stream item and returns it with every item
// already waiting (up to MaxBatch) as one ItemsReceivedMsg; after the last
// item it returns StreamEndedMsg. The view calls Next again after each
// ItemsReceivedMsg of its generation.
func Next(s *apiclient.Stream, gen int) tea.Cmd {
	return func() tea.Msg {
		it, ok := <-s.Items()
		if !ok {
			return StreamEndedMsg{Gen: gen, Err: s.Err()}
		}
		items := []apiclient.StreamItem{it}
		for len(items) < MaxBatch {
			if _, stop := it.(apiclient.StreamStopped); stop {
				break
			}
			select {
			case it, ok = <-s.Items():
				if !ok {
					return ItemsReceivedMsg{Gen: gen, Items: items}
				}
				items = append(items, it)
				continue
			default:
			}
			break
		}
		return ItemsReceivedMsg{Gen: gen, Items: items}
	}
}

// Close stops a stream off the update loop (Stream.Close waits for its
// goroutine). It returns no message: a Next still waiting ends with a
// StreamEndedMsg of the old generation, which the view drops.
func Close(s *apiclient.Stream) tea.Cmd {
	if s == nil {
		return nil
	}
	return func() tea.Msg {
		_ = s.Close()
		return nil
	}
}
