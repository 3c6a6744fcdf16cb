package main

// Issue 9 audit of the CLI: every command that takes session ids reads them
// from standard input when given "-"; the list filters not yet shown to
// reach the server do; watch starts after the newest stored event and
// survives the server's disconnecting cycle.

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

func TestEveryIDCommandReadsStdin(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 30, Seed: 9})
	t.Cleanup(srv.CloseStreams)
	all := srv.All()
	a, b := all[2].ID, all[3].ID
	get := func(id string) *apiclient.Session {
		t.Helper()
		s, ok := srv.Get(id)
		if !ok {
			t.Fatalf("%s is gone", id)
		}
		return &s
	}
	run := func(in string, args ...string) result {
		t.Helper()
		withStdin(t, in)
		return runCLI(t, apiEnv(srv), args...)
	}

	wantCode(t, run(a+"\n"+b+"\n", "pin", "-"), 0)
	if !pinned(t, srv, a) || !pinned(t, srv, b) {
		t.Fatal("pin -")
	}
	wantCode(t, run(a+" "+b, "unpin", "-"), 0)
	if pinned(t, srv, a) || pinned(t, srv, b) {
		t.Fatal("unpin -")
	}

	r := run(a+"\n", "get", "-", "--json")
	wantCode(t, r, 0)
	if got := ids(t, "["+r.stdout+"]"); len(got) != 1 || got[0] != a {
		t.Fatalf("get -: %s", r.stdout)
	}
	r = run(a+"\n"+b+"\n", "get", "-")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "get takes one session id, got 2") {
		t.Fatalf("get - with two ids: %s", r.stderr)
	}

	wantCode(t, run(a, "tag", "-", "+audited", "-nope"), 0)
	if !get(a).HasTag("audited") {
		t.Fatalf("tag -: %v", get(a).Tags)
	}
	wantCode(t, run(" "+a+"\n", "title", "-", "Read from stdin"), 0)
	if x := get(a); x.TitleOrEmpty() != "Read from stdin" {
		t.Fatalf("title -: %q", x.TitleOrEmpty())
	}
	wantCode(t, run(a+"\n"+b, "resolve", "-"), 0)
	if !get(a).HasTag(apiclient.ResolvedTag) || !get(b).HasTag(apiclient.ResolvedTag) {
		t.Fatal("resolve -")
	}

	var active, idle string
	for _, x := range all {
		switch {
		case x.Status == apiclient.StatusActive && active == "":
			active = x.ID
		case x.Status == apiclient.StatusIdle && idle == "" && x.ID != a && x.ID != b:
			idle = x.ID
		}
	}
	r = run(active+"\n", "cancel", "-")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, active+": cancelled") {
		t.Fatalf("cancel -: %s", r.stdout)
	}
	// watch - on an idle session with --until-idle ends at once, having read the id.
	r = run(idle, "watch", "-", "--until-idle")
	wantCode(t, r, 0)
	if !strings.Contains(r.stderr, "idle") {
		t.Fatalf("watch -: %q", r.stderr)
	}

	wantCode(t, run(b, "delete", "-"), exitUsage) // still needs --yes
	if _, ok := srv.Get(b); !ok {
		t.Fatal("delete - without --yes deleted")
	}
	wantCode(t, run(b, "delete", "--yes", "-"), 0)
	if _, ok := srv.Get(b); ok {
		t.Fatal("delete --yes -")
	}

	// Nothing on standard input: a usage error and no request, for each.
	for _, args := range [][]string{
		{"pin", "-"}, {"unpin", "-"}, {"archive", "-"}, {"unarchive", "-"}, {"cancel", "-"},
		{"delete", "--yes", "-"}, {"export", "-"}, {"get", "-"}, {"tag", "-", "+x"},
		{"title", "-", "T"}, {"resolve", "-"}, {"watch", "-"},
	} {
		srv.ResetRequests()
		r := run("  \n", args...)
		wantCode(t, r, exitUsage)
		if !strings.Contains(r.stderr, "no session ids") || srv.RequestCount() != 0 {
			t.Errorf("%v with empty stdin: %q, %d requests", args, r.stderr, srv.RequestCount())
		}
	}
}

func TestListFiltersReachTheServer(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 60})
	sent := func(args ...string) url.Values {
		t.Helper()
		srv.ResetRequests()
		wantCode(t, runCLI(t, apiEnv(srv), append([]string{"list", "--json"}, args...)...), 0)
		qs := listQueries(srv)
		if len(qs) == 0 {
			t.Fatalf("%v: no list request", args)
		}
		return qs[0]
	}
	if q := sent("--search", "Refund Q3"); q.Get("search") != "Refund Q3" {
		t.Errorf("--search sent %q", q.Encode())
	}
	at := "2026-07-01T08:30:00+02:00"
	if q := sent("--since", at); q.Get("created_after") != "2026-07-01T06:30:00Z" {
		t.Errorf("--since RFC 3339 sent %q", q.Get("created_after"))
	}
	q := sent("--until", "12h")
	before, err := time.Parse(time.RFC3339Nano, q.Get("created_before"))
	if d := time.Since(before); err != nil || d < 12*time.Hour-time.Minute || d > 12*time.Hour+time.Minute {
		t.Errorf("--until 12h sent %q", q.Get("created_before"))
	}
	// A status value goes as the activities that hold it; the server never sees "active".
	if q := sent("--status", "active"); q.Get("status") != "running" {
		t.Errorf("--status active sent %q", q.Get("status"))
	}
	// Without filters, none is sent.
	q = sent()
	for _, k := range []string{"search", "status", "source", "agent_id", "mine", "created_after", "created_before", "archived_only", "include_archived"} {
		if q.Has(k) {
			t.Errorf("an unfiltered list sent %s=%q", k, q.Get(k))
		}
	}

	// An unknown --status lists every valid value.
	r := runCLI(t, apiEnv(srv), "list", "--status", "exploded")
	wantCode(t, r, exitUsage)
	for _, a := range apiclient.Activities {
		if !strings.Contains(r.stderr, string(a)) {
			t.Errorf("unknown --status: %q lacks %s", r.stderr, a)
		}
	}
	for _, s := range append(slices.Clone(apiclient.Statuses), "waiting") {
		if !strings.Contains(r.stderr, string(s)) {
			t.Errorf("unknown --status: %q lacks %s", r.stderr, s)
		}
	}
}

// watch starts after the newest stored event (not the oldest), and a
// disconnecting cycle neither loses nor repeats a line.
func TestWatchStartsAtNewestAndSurvivesCycles(t *testing.T) {
	srv := watchServer(t)
	srv.SetSSE(apitest.SSEOptions{CycleAfterEvents: 2, CycleRetry: time.Millisecond})
	id := sessionWith(t, srv, apiclient.StatusActive)
	for i := 0; i < 3; i++ { // stored before watch starts: none is shown
		appendEv(t, srv, id, "output.message.delta", map[string]any{"delta": "old", "accumulated": "old"})
	}
	wait, stderr := startWatch(t, context.Background(), "watch", id, "--until-idle", "--json", "--api-url", srv.URL())
	waitStreams(t, srv, 1)
	var sent []string
	for i := 0; i < 5; i++ {
		sent = append(sent, appendEv(t, srv, id, "tool.started", map[string]any{"tool_call": map[string]any{"id": "c", "name": "n", "arguments": map[string]any{}}}).ID)
	}
	sent = append(sent, appendEv(t, srv, id, "session.idled", map[string]any{"turn_id": "t"}).ID)
	r := wait()
	wantCode(t, r, 0)
	var got []string
	for _, l := range strings.Split(strings.TrimRight(r.stdout, "\n"), "\n") {
		i := strings.Index(l, `"id":"`)
		if i < 0 {
			t.Fatalf("line without id: %q", l)
		}
		got = append(got, l[i+6:i+6+len("event_")+32])
	}
	if strings.Join(got, ",") != strings.Join(sent, ",") {
		t.Fatalf("watch printed %v, want %v (stderr %s)", got, sent, stderr.String())
	}
	if len(srv.SinceIDs()) < 3 {
		t.Fatalf("since_ids %v: the cycle did not happen", srv.SinceIDs())
	}
}
