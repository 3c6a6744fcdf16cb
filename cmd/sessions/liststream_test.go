package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// lineCounter counts lines written without keeping them: the test's own
// memory must not grow with the output either.
type lineCounter struct {
	lines int
	first []byte
}

func (c *lineCounter) Write(p []byte) (int, error) {
	if len(c.first) < 4096 {
		c.first = append(c.first, p[:min(len(p), 4096)]...)
	}
	c.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

func runCounted(t *testing.T, srv *apitest.Server, args ...string) (*lineCounter, apiclient.ListSummary, string) {
	t.Helper()
	var sum apiclient.ListSummary
	calls := 0
	listStreamed = func(s apiclient.ListSummary) { sum = s; calls++ }
	t.Cleanup(func() { listStreamed = nil })
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "HOME": t.TempDir(), apiclient.EnvAPIKey: testKey, apiclient.EnvAPIURL: srv.URL()}
	var out lineCounter
	var errb bytes.Buffer
	if code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb); code != 0 || calls != 1 {
		t.Fatalf("exit %d, streamed %d times, stderr %q", code, calls, errb.String())
	}
	return &out, sum, errb.String()
}

// At a million sessions behind latency, --jsonl and --csv write rows as
// pages arrive and the client holds at most the pages in flight, however
// many rows go out.
func TestListStreamsMillion(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 1_000_000})
	srv.SetFaults(apitest.Faults{Latency: 2 * time.Millisecond})
	bound := (apiclient.DefaultConcurrency + 1) * apiclient.DefaultPageSize

	out, sum, stderr := runCounted(t, srv, "list", "--jsonl", "--limit", "6000")
	if out.lines != 6000 || sum.Rows != 6000 || !sum.Bounded || sum.Total != 1_000_000 || stderr != "" {
		t.Fatalf("%d lines, summary %+v, stderr %q", out.lines, sum, stderr)
	}
	if sum.MaxHeld > bound || sum.MaxHeld < apiclient.DefaultPageSize {
		t.Errorf("the client held up to %d sessions, want at most %d", sum.MaxHeld, bound)
	}
	newest, err := apiclient.New(apiclient.Config{APIKey: testKey, BaseURL: srv.URL()}).ListSessions(context.Background(), apiclient.ListOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if first := newest.Data[0].ID; !bytes.Contains(out.first, []byte(`"id":"`+first+`"`)) {
		t.Errorf("the first line is not the newest session %s: %.200s", first, out.first)
	}

	out, sum, _ = runCounted(t, srv, "list", "--csv", "--limit", "3000", "--fields", "id,title")
	if out.lines != 3001 || sum.MaxHeld > bound || !strings.HasPrefix(string(out.first), "id,title\n") {
		t.Fatalf("%d lines, summary %+v", out.lines, sum)
	}
}

// --limit 5 at a million sessions: one request, for 5 rows.
func TestListLimitOneRequest(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 1_000_000})
	out, sum, _ := runCounted(t, srv, "list", "--jsonl", "--limit", "5")
	if out.lines != 5 || sum.Rows != 5 {
		t.Fatalf("%d lines, summary %+v", out.lines, sum)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || !strings.Contains(reqs[0].Query, "limit=5") {
		t.Fatalf("%d requests (%+v), want one asking for 5 rows", len(reqs), reqs)
	}
}

// A local filter (--tag) counts --limit on the rows that pass it, and
// stops the paging once they are out.
func TestListStreamLocalFilterLimit(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 5000})
	out, sum, _ := runCounted(t, srv, "list", "--jsonl", "--tag", "urgent", "--limit", "7")
	if out.lines != 7 || sum.Rows >= 5000 {
		t.Fatalf("%d lines after %d rows", out.lines, sum.Rows)
	}
	if n := srv.RequestCount(); n > 50 {
		t.Errorf("%d requests for 7 tagged rows", n)
	}
}

// allowed_actions reach the output as the server sent them, links and all,
// although the client keeps them without self_url.
func TestListStreamAllowedActions(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 3})
	r := runCLI(t, apiEnv(srv), "list", "--jsonl", "--limit", "1", "--fields", "id,allowed_actions")
	wantCode(t, r, 0)
	var row struct {
		ID             string
		AllowedActions []apiclient.AllowedAction `json:"allowed_actions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &row); err != nil || len(row.AllowedActions) < 3 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	for _, a := range row.AllowedActions {
		if !strings.HasPrefix(a.Href, srv.URL()+"/v1/sessions/"+row.ID) {
			t.Errorf("%s href %q", a.Rel, a.Href)
		}
	}
}
