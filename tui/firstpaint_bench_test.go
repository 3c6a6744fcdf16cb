package tui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui/sessionlist"
)

// firstPaintLatency is the server's delay on every request, and
// firstPaintFrame one frame of the Bubble Tea renderer (60 fps), which
// draws a changed view at its next tick.
const (
	firstPaintLatency = 20 * time.Millisecond
	firstPaintFrame   = time.Second / 60
)

// BenchmarkFirstPaint: the time from the program's start (client and
// model built as Run builds them, Init's commands started) to the first
// View holding the newest session's row, against apitest's lazy million
// with firstPaintLatency on every request. Commands run in their own
// goroutines and their messages go through Update one at a time, as the
// runtime does; the view is checked after each. The target is at
// most two requests' latency plus one frame (target-ms). Each iteration
// has a new server, and waits (untimed) for its requests to end.
func BenchmarkFirstPaint(b *testing.B) {
	const n = 1_000_000
	b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
		var total time.Duration
		for range b.N {
			b.StopTimer()
			srv := apitest.New(apitest.Options{Sessions: n, Prefix: "/api", Now: func() time.Time { return benchNow }})
			ts := httptest.NewServer(srv.Handler())
			base := ts.URL + "/api"
			want := firstTitle(b, base)
			srv.SetFaults(apitest.Faults{Latency: firstPaintLatency})
			b.StartTimer()

			start := time.Now()
			m, stop := paintFirst(b, apiclient.New(apiclient.Config{BaseURL: base, MaxRetries: -1}), want)
			total += time.Since(start)

			b.StopTimer()
			if m.load.cancel != nil {
				m.load.cancel()
			}
			close(stop)
			ts.Close() // waits for the requests still in flight
			b.StartTimer()
		}
		ms := float64(total.Microseconds()) / 1000 / float64(b.N)
		b.ReportMetric(ms, "ms/paint")
		b.ReportMetric(float64((2*firstPaintLatency+firstPaintFrame).Microseconds())/1000, "target-ms")
	})
}

// firstTitle is the newest session's title as its row shows it (the
// preview when untitled), asked without latency.
func firstTitle(b *testing.B, url string) string {
	b.Helper()
	p, err := apiclient.New(apiclient.Config{BaseURL: url, MaxRetries: -1}).ListSessions(context.Background(), apiclient.ListOptions{Limit: 1})
	if err != nil || len(p.Data) == 0 {
		b.Fatalf("first session: %v", err)
	}
	return sessionlist.NewRow(p.Data[0]).Title
}

// paintFirst runs a new model against api until its View shows want (the
// row's title, or its first 30 bytes when the column cuts it). stop, once
// closed, lets the commands still running drop their messages.
func paintFirst(b *testing.B, api *apiclient.Client, want string) (Model, chan struct{}) {
	if len(want) > 30 {
		want = want[:30]
	}
	msgs := make(chan tea.Msg, 64)
	stop := make(chan struct{})
	run := func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			select {
			case msgs <- msg:
			case <-stop:
			}
		}()
	}
	var tm tea.Model = New(Options{API: api, Now: func() time.Time { return benchNow }})
	tm, cmd := tm.Update(benchSize)
	run(cmd)
	run(tm.Init())
	timeout := time.After(time.Minute)
	for {
		select {
		case msg := <-msgs:
			switch msg := msg.(type) {
			case nil, spinner.TickMsg:
				continue
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
				continue
			default:
				tm, cmd = tm.Update(msg)
				run(cmd)
			}
			if strings.Contains(tm.View(), want) {
				return tm.(Model), stop
			}
		case <-timeout:
			b.Fatal("no row drawn after a minute")
		}
	}
}
