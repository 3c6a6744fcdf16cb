// Package live follows one session over SSE for the detail view: a pure
// state machine (Transcript) fed by stream items, bubbletea commands that
// read the stream (Open, Subscribe, Next, Close), rendering helpers (Lines,
// Conn.Label) and the follow-mode rule of the viewport (Follow).
//
// Every server string is sanitised (tui/safetext) when it arrives, and
// memory is bounded: MaxMessageBytes of text per message, MaxItems items.
//
// # Plugging it into a view
//
// On open, with a fresh generation gen and a context the view cancels on
// close:
//
//	return live.Open(ctx, api, id, gen, apiclient.StreamOptions{})
//
// Open reads the last stored event id, then the stored messages, then starts
// the stream after that id, so history is not replayed and nothing between
// the two requests is lost. Then route the messages:
//
//	case live.SubscribedMsg:   // drop unless msg.Gen == gen (then Close(msg.Stream))
//		m.tr = live.New(session, msg.Messages)  // msg.Err: show it, no stream
//		m.stream = msg.Stream
//		return m, live.Next(m.stream, gen)
//	case live.ItemsReceivedMsg: // drop unless msg.Gen == gen
//		if m.tr.ApplyItems(msg.Items) { re-lay out: m.tr.Lines(theme, width) }
//		return m, live.Next(m.stream, gen)   // always: it reads the next batch
//	case live.StreamEndedMsg:   // the stream is over; the label says why
//
// After an event for which RefreshWorthy is true the view may refetch the
// session and call SetSession (authoritative usage, cost, run summary).
//
// On close: bump the generation and return live.Close(stream); a Next still
// waiting then ends with a StreamEndedMsg of the old generation.
//
// Rendering: Lines(theme, width) gives the transcript lines (cached per
// item, cheap to call after every batch); Conn().Label() with
// Conn().Style(theme) gives "● live", "↻ reconnecting in 2s (…)" or
// "■ stopped: …"; Title, Status, Activity, Usage and TurnError feed the
// fields block. For the viewport keep a Follow: call Scrolled on user
// scrolls, Resume on G, and GotoBottom after new lines while Following;
// Arrived and Unseen count the lines that came in below a paused view.
package live
