package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// withStdin makes "-" read s for the rest of the test.
func withStdin(t *testing.T, s string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(s)
	t.Cleanup(func() { stdin = old })
}

func apiEnv(srv *apitest.Server) map[string]string {
	return map[string]string{apiclient.EnvAPIKey: testKey, apiclient.EnvAPIURL: srv.URL()}
}

func pinned(t *testing.T, srv *apitest.Server, id string) bool {
	t.Helper()
	s, err := apiclient.New(apiclient.Config{APIKey: testKey, BaseURL: srv.URL(), MaxRetries: -1}).GetSession(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s.Pinned()
}

func countMethod(srv *apitest.Server, method string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == method {
			n++
		}
	}
	return n
}

func TestPinUnpin(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 10})
	a, b := srv.All()[1].ID, srv.All()[2].ID
	r := runCLI(t, apiEnv(srv), "pin", a, b)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, a+": pinned") || !strings.Contains(r.stdout, "2 pinned, 0 failed") || !pinned(t, srv, a) || !pinned(t, srv, b) {
		t.Fatalf("pin: %s", r.stdout)
	}
	r = runCLI(t, apiEnv(srv), "unpin", a)
	wantCode(t, r, 0)
	if pinned(t, srv, a) || !pinned(t, srv, b) {
		t.Fatal("unpin")
	}
	// An unknown id fails alone; the others are done and the exit is 1.
	r = runCLI(t, apiEnv(srv), "pin", "session_"+strings.Repeat("0", 32), a)
	wantCode(t, r, 1)
	if !strings.Contains(r.stdout, "1 pinned, 1 failed") || !strings.Contains(r.stderr, "not found") || !pinned(t, srv, a) {
		t.Fatalf("partial failure: %s / %s", r.stdout, r.stderr)
	}
}

func TestArchiveFromStdin(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 10})
	a, b := srv.All()[3].ID, srv.All()[4].ID
	withStdin(t, a+"\n\n  "+b+"\n")
	r := runCLI(t, apiEnv(srv), "archive", "-")
	wantCode(t, r, 0)
	if !srv.Archived(a) || !srv.Archived(b) || !strings.Contains(r.stdout, "2 archived") {
		t.Fatalf("archive -: %s", r.stdout)
	}
	withStdin(t, b)
	wantCode(t, runCLI(t, apiEnv(srv), "unarchive", a, "-"), 0)
	if srv.Archived(a) || srv.Archived(b) {
		t.Fatal("unarchive")
	}
	withStdin(t, "")
	r = runCLI(t, apiEnv(srv), "archive", "-")
	wantCode(t, r, 2)
	if !strings.Contains(r.stderr, "no session ids") {
		t.Fatalf("empty stdin: %s", r.stderr)
	}
	wantCode(t, runCLI(t, apiEnv(srv), "archive", "-", "-"), 2)
}

func TestCancel(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 20})
	var active, idle string
	for _, s := range srv.All() {
		switch {
		case s.Status == apiclient.StatusActive && active == "":
			active = s.ID
		case s.Status == apiclient.StatusIdle && idle == "":
			idle = s.ID
		}
	}
	r := runCLI(t, apiEnv(srv), "cancel", active, idle)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, active+": cancelled") || !strings.Contains(r.stdout, idle+": nothing to cancel") {
		t.Fatalf("cancel: %s", r.stdout)
	}
	if s, _ := srv.Get(active); s.Status != apiclient.StatusIdle {
		t.Fatalf("still %s", s.Status)
	}
}

func TestDeleteNeedsYes(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 5})
	id := srv.All()[0].ID
	r := runCLI(t, apiEnv(srv), "delete", id)
	wantCode(t, r, 2)
	if !strings.Contains(r.stderr, "--yes") || countMethod(srv, http.MethodDelete) != 0 || srv.Len() != 5 {
		t.Fatalf("delete without --yes: %s", r.stderr)
	}
	r = runCLI(t, apiEnv(srv), "delete", "--yes", id)
	wantCode(t, r, 0)
	if _, ok := srv.Get(id); ok || !strings.Contains(r.stdout, "1 deleted") {
		t.Fatalf("delete --yes: %s", r.stdout)
	}
}

func TestExport(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 5})
	x := srv.All()[1]
	r := runCLI(t, apiEnv(srv), "export", x.ID)
	wantCode(t, r, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(apitest.Transcript(x)) {
		t.Fatalf("%d lines, want %d", len(lines), len(apitest.Transcript(x)))
	}
	for _, l := range lines {
		var m apiclient.Message
		if err := json.Unmarshal([]byte(l), &m); err != nil || m.SessionID != x.ID {
			t.Fatalf("line %q: %v", l, err)
		}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "trajectory.json")
	withStdin(t, x.ID)
	wantCode(t, runCLI(t, apiEnv(srv), "export", "-", "--format", "atif", "-o", out), 0)
	b, err := os.ReadFile(out)
	var doc map[string]any
	if err != nil || json.Unmarshal(b, &doc) != nil || doc["schema_version"] != "ATIF-v1.7" {
		t.Fatalf("atif file: %v %s", err, b)
	}
	// A failed export leaves no file, not even a partial one.
	missing := filepath.Join(dir, "missing.jsonl")
	r = runCLI(t, apiEnv(srv), "export", "session_"+strings.Repeat("0", 32), "-o", missing)
	wantCode(t, r, 1)
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("files after a failed export: %v", entries)
	}
	wantCode(t, runCLI(t, apiEnv(srv), "export", x.ID, "--format", "pdf"), 2)
	wantCode(t, runCLI(t, apiEnv(srv), "export"), 2)
}

func TestAgents(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 30})
	r := runCLI(t, apiEnv(srv), "agents")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "DISPLAY NAME") || !strings.Contains(r.stdout, "support-triage") || !strings.Contains(r.stdout, "Support Triage") {
		t.Fatalf("agents table:\n%s", r.stdout)
	}
	r = runCLI(t, apiEnv(srv), "agents", "--json", "--search", "billing")
	wantCode(t, r, 0)
	var got []apiclient.Agent
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 1 || got[0].Name != "billing-assistant" {
		t.Fatalf("agents --json: %v %s", err, r.stdout)
	}
}
