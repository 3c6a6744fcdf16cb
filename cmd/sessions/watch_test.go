package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// watchBuffer is a bytes.Buffer safe to read while the command writes.
type watchBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *watchBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *watchBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startWatch runs the CLI in the background; wait returns its result.
func startWatch(t *testing.T, ctx context.Context, args ...string) (wait func() result, stderr *watchBuffer) {
	t.Helper()
	env := map[string]string{apiclient.EnvAPIKey: testKey, "XDG_CONFIG_HOME": t.TempDir(), "HOME": t.TempDir()}
	var out watchBuffer
	stderr = &watchBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, func(k string) string { return env[k] }, &out, stderr) }()
	return func() result {
		t.Helper()
		select {
		case code := <-done:
			r := result{code, out.String(), stderr.String()}
			assertNoKey(t, r.stdout+r.stderr)
			return r
		case <-time.After(20 * time.Second):
			t.Fatalf("watch did not end; stderr:\n%s", stderr.String())
		}
		return result{}
	}, stderr
}

// waitStreams waits until the server serves n streams (the command is listening).
func waitStreams(t *testing.T, srv *apitest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for srv.OpenStreams() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d open streams, want %d", srv.OpenStreams(), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func watchServer(t *testing.T) *apitest.Server {
	t.Helper()
	srv := newServer(t, apitest.Options{Sessions: 20, Seed: 4})
	t.Cleanup(srv.CloseStreams)
	return srv
}

func sessionWith(t *testing.T, srv *apitest.Server, st apiclient.Status) string {
	t.Helper()
	for _, x := range srv.All() {
		if x.Status == st {
			return x.ID
		}
	}
	t.Fatalf("no %s session in the seed", st)
	return ""
}

func appendEv(t *testing.T, srv *apitest.Server, id, typ string, data map[string]any) apiclient.Event {
	t.Helper()
	ev, err := srv.AppendEvent(id, typ, data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestWatchUntilIdle(t *testing.T) {
	srv := watchServer(t)
	id := sessionWith(t, srv, apiclient.StatusActive)
	appendEv(t, srv, id, "turn.started", map[string]any{"turn_id": "turn_old", "input_message_id": "m"}) // before: not shown
	wait, _ := startWatch(t, context.Background(), "watch", id, "--until-idle", "--api-url", srv.URL())
	waitStreams(t, srv, 1)
	appendEv(t, srv, id, "tool.started", map[string]any{"tool_call": map[string]any{"id": "c", "name": "run_sql", "arguments": map[string]any{}}})
	appendEv(t, srv, id, "tool.completed", map[string]any{"tool_call_id": "c", "tool_name": "run_sql", "success": false, "status": "timeout", "error": "30s"})
	appendEv(t, srv, id, "output.message.delta", map[string]any{"delta": "Hel\x1b[31mlo", "accumulated": "Hello"})
	appendEv(t, srv, id, "output.message.completed", map[string]any{"message": map[string]any{"content": []any{map[string]any{"type": "text", "text": "Hello there"}}}})
	appendEv(t, srv, id, "session.idled", map[string]any{"turn_id": "turn_1"})
	appendEv(t, srv, id, "turn.started", map[string]any{"turn_id": "turn_2"}) // after the idle: not shown
	r := wait()
	wantCode(t, r, 0)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	var got []string
	for _, l := range lines {
		f := strings.SplitN(l, "  ", 3)
		if len(f) < 2 || !strings.HasPrefix(f[0], "2026-") {
			t.Fatalf("line %q: want time, type, summary", l)
		}
		got = append(got, strings.Join(f[1:], " | "))
	}
	want := []string{
		"tool.started | run_sql",
		"tool.completed | run_sql failed: 30s",
		"output.message.delta | Hello", // the escape sequence is gone
		"output.message.completed | Hello there",
		"session.idled",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.ContainsRune(r.stdout, '\x1b') {
		t.Fatal("an escape sequence reached the output")
	}
}

func TestWatchUntilIdleOnIdleSession(t *testing.T) {
	srv := watchServer(t)
	r := runCLI(t, keyEnv(), "watch", sessionWith(t, srv, apiclient.StatusIdle), "--until-idle", "--api-url", srv.URL())
	wantCode(t, r, 0)
	if r.stdout != "" || !strings.Contains(r.stderr, "idle") {
		t.Fatalf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	if srv.OpenStreams() != 0 || len(srv.SinceIDs()) != 0 {
		t.Fatal("a stream was opened for an idle session")
	}
}

func TestWatchJSONAndReconnect(t *testing.T) {
	srv := watchServer(t)
	srv.SetSSE(apitest.SSEOptions{DropAfterEvents: 2, DropStreams: 1})
	id := sessionWith(t, srv, apiclient.StatusActive)
	wait, stderr := startWatch(t, context.Background(), "watch", id, "--until-idle", "--json", "--api-url", srv.URL())
	waitStreams(t, srv, 1)
	var sent []apiclient.Event
	for i := 0; i < 3; i++ {
		sent = append(sent, appendEv(t, srv, id, "output.message.delta", map[string]any{"delta": "d", "unknown_field": i}))
	}
	sent = append(sent, appendEv(t, srv, id, "session.idled", map[string]any{"turn_id": "t"}))
	r := wait()
	wantCode(t, r, 0)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != len(sent) {
		t.Fatalf("%d lines for %d events (lost or repeated):\n%s", len(lines), len(sent), r.stdout)
	}
	for i, l := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil || ev["id"] != sent[i].ID {
			t.Fatalf("line %d %q: %v, want id %s", i, l, err, sent[i].ID)
		}
		if i < 3 && ev["data"].(map[string]any)["unknown_field"] != float64(i) {
			t.Fatalf("line %d lost a field: %s", i, l)
		}
	}
	if !strings.Contains(stderr.String(), "reconnecting") || !strings.Contains(stderr.String(), "reconnected") {
		t.Fatalf("stderr does not report the reconnection:\n%s", stderr.String())
	}
}

func TestWatchCtrlCExitsZero(t *testing.T) {
	srv := watchServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	wait, _ := startWatch(t, ctx, "watch", sessionWith(t, srv, apiclient.StatusIdle), "--api-url", srv.URL())
	waitStreams(t, srv, 1)
	cancel()
	wantCode(t, wait(), 0)
}

func TestWatchErrors(t *testing.T) {
	srv := watchServer(t)
	r := runCLI(t, keyEnv(), "watch", "session_"+strings.Repeat("0", 32), "--api-url", srv.URL())
	wantCode(t, r, exitAPI)
	if !strings.Contains(r.stderr, "not found") {
		t.Fatalf("stderr %q", r.stderr)
	}
	wantCode(t, runCLI(t, keyEnv(), "watch", "--api-url", srv.URL()), exitUsage)
	wantCode(t, runCLI(t, nil, "watch", "session_x"), exitUsage) // no key
}
