package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// testKey is distinctive so that any leak into output is caught.
const testKey = "sk-LEAKCHECK-7f3a9c1e5b2d4f6a8c0e"

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command with env (XDG_CONFIG_HOME and HOME default to empty
// temp dirs, so the developer's own config is never read) and checks that the
// key never appears in the output.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runCLICtx(t, context.Background(), env, args...)
}

func runCLICtx(t *testing.T, ctx context.Context, env map[string]string, args ...string) result {
	t.Helper()
	full := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "HOME": t.TempDir()}
	for k, v := range env {
		full[k] = v
	}
	var out, errb bytes.Buffer
	code := run(ctx, args, func(k string) string { return full[k] }, &out, &errb)
	r := result{code, out.String(), errb.String()}
	assertNoKey(t, r.stdout+r.stderr)
	return r
}

func assertNoKey(t *testing.T, s string) {
	t.Helper()
	for _, k := range []string{testKey, "LEAKCHECK", "wrong-key-in-file-123", "file-key-456"} {
		if strings.Contains(s, k) {
			t.Fatalf("output holds the API key %q:\n%s", k, s)
		}
	}
}

func newServer(t *testing.T, opts apitest.Options) *apitest.Server {
	t.Helper()
	if opts.APIKey == "" {
		opts.APIKey = testKey
	}
	return apitest.NewTestServer(t, opts)
}

func keyEnv() map[string]string { return map[string]string{apiclient.EnvAPIKey: testKey} }

func patches(srv *apitest.Server) []apitest.Request {
	var out []apitest.Request
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPatch {
			out = append(out, r)
		}
	}
	return out
}

func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func TestNoKey(t *testing.T) {
	for _, args := range [][]string{nil, {"list"}, {"get", "session_x"}, {"resolve", "session_x"}} {
		r := runCLI(t, nil, args...)
		wantCode(t, r, exitUsage)
		if !strings.Contains(r.stderr, "EVERRUNS_API_KEY") || !strings.Contains(r.stderr, "--demo") {
			t.Errorf("%v: stderr should name EVERRUNS_API_KEY and --demo:\n%s", args, r.stderr)
		}
	}
}

func TestVersionAndHelp(t *testing.T) {
	r := runCLI(t, nil, "--version")
	wantCode(t, r, 0)
	if !strings.HasPrefix(r.stdout, "sessions ") {
		t.Fatalf("version output %q", r.stdout)
	}
	r = runCLI(t, keyEnv(), "--help")
	wantCode(t, r, 0)
	for _, f := range []string{"--api-url", "--org-id", "--agent", "--refresh", "--page-size", "--theme", "--no-mouse", "--config", "--demo"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("--help lacks %s", f)
		}
	}
}

func TestCompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := runCLI(t, nil, "completion", sh)
		wantCode(t, r, 0)
		if !strings.Contains(r.stdout, "sessions") {
			t.Errorf("completion %s printed nothing useful", sh)
		}
	}
}

// --max-rows out of range is refused before anything else (the terminal
// check included), naming the setting.
func TestMaxRowsRange(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 3})
	for _, n := range []string{"0", "10000001"} {
		r := runCLI(t, keyEnv(), "--max-rows", n, "--api-url", srv.URL())
		if r.code != exitUsage || !strings.Contains(r.stderr, "max rows must be between 1 and 10000000") {
			t.Errorf("--max-rows %s: exit %d, stderr %s", n, r.code, r.stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 3})
	for _, args := range [][]string{
		{"bogus"},
		{"list", "--nope"},
		{"list", "--json", "--jsonl"},
		{"--page-size", "0", "list"},
		{"--page-size", "101", "list"},
		{"list", "--api-url", "ftp://x"},
		{"get"},
		{"title", "session_x"},
		{"--theme", "purple"},
		{"--refresh", "-1s"},
		{"--demo-sessions", "-1"},
	} {
		if args[len(args)-1] != "ftp://x" {
			args = append(args, "--api-url", srv.URL())
		}
		r := runCLI(t, keyEnv(), args...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2; stderr %s", args, r.code, r.stderr)
		}
	}
	if n := srv.RequestCount(); n != 0 {
		t.Fatalf("usage errors sent %d requests", n)
	}
}

func TestListTableAndJSON(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 250})
	r := runCLI(t, keyEnv(), "list", "--api-url", srv.URL(), "--page-size", "40")
	wantCode(t, r, 0)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 251 {
		t.Fatalf("got %d lines, want header + 250", len(lines))
	}
	for _, col := range []string{"ID", "STATUS", "TITLE", "TAGS", "TOKENS", "UPDATED"} {
		if !strings.Contains(lines[0], col) {
			t.Errorf("header %q lacks %s", lines[0], col)
		}
	}
	all := srv.All()
	for i, s := range all {
		if !strings.HasPrefix(lines[i+1], s.ID+" ") {
			t.Fatalf("row %d %q does not start with %s (server order)", i, lines[i+1], s.ID)
		}
	}

	r = runCLI(t, keyEnv(), "list", "--api-url", srv.URL(), "--json")
	wantCode(t, r, 0)
	var got []apiclient.Session
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("--json is not JSON: %v", err)
	}
	if len(got) != len(all) {
		t.Fatalf("--json: %d sessions, want %d", len(got), len(all))
	}
	for i := range got {
		if got[i].ID != all[i].ID || got[i].TitleOrEmpty() != all[i].TitleOrEmpty() || !reflect.DeepEqual(got[i].Usage, all[i].Usage) {
			t.Fatalf("--json session %d differs from the server's", i)
		}
	}

	r = runCLI(t, keyEnv(), "list", "--api-url", srv.URL(), "--jsonl")
	wantCode(t, r, 0)
	jl := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(jl) != len(all) {
		t.Fatalf("--jsonl: %d lines, want %d", len(jl), len(all))
	}
	var one apiclient.Session
	if err := json.Unmarshal([]byte(jl[0]), &one); err != nil || one.ID != all[0].ID {
		t.Fatalf("--jsonl first line: %v %q", err, one.ID)
	}
}

func ids(t *testing.T, stdout string) []string {
	t.Helper()
	var got []apiclient.Session
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	out := make([]string, len(got))
	for i := range got {
		out[i] = got[i].ID
	}
	return out
}

func TestListFilters(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 120})
	all := srv.All()
	want := func(pred func(s *apiclient.Session) bool) []string {
		out := []string{}
		for i := range all {
			if pred(&all[i]) {
				out = append(out, all[i].ID)
			}
		}
		return out
	}
	check := func(name string, args []string, wantIDs []string) {
		t.Helper()
		r := runCLI(t, keyEnv(), append([]string{"list", "--api-url", srv.URL(), "--json"}, args...)...)
		wantCode(t, r, 0)
		got := ids(t, r.stdout)
		if len(wantIDs) == 0 {
			t.Fatalf("%s: test data has no match; pick another value", name)
		}
		if !reflect.DeepEqual(got, wantIDs) {
			t.Fatalf("%s: got %d sessions, want %d", name, len(got), len(wantIDs))
		}
	}
	check("status", []string{"--status", "IDLE"}, want(func(s *apiclient.Session) bool { return s.Status == apiclient.StatusIdle }))
	check("statuses", []string{"--status", "active,started"}, want(func(s *apiclient.Session) bool {
		return s.Status == apiclient.StatusActive || s.Status == apiclient.StatusStarted
	}))
	check("waiting folded", []string{"--status", "waitingfortoolresults"}, want(func(s *apiclient.Session) bool {
		return s.Status == apiclient.StatusWaitingForToolResults
	}))
	check("tag", []string{"--tag", "resolved"}, want(func(s *apiclient.Session) bool { return s.HasTag("resolved") }))
	check("tag+status", []string{"--tag", "resolved", "--status", "idle"}, want(func(s *apiclient.Session) bool {
		return s.HasTag("resolved") && s.Status == apiclient.StatusIdle
	}))
	// --search is the server's: a case-insensitive substring of the title.
	check("search", []string{"--search", "REFUND"}, want(func(s *apiclient.Session) bool {
		return strings.Contains(strings.ToLower(s.TitleOrEmpty()), "refund")
	}))

	// --agent goes to the API as agent_id.
	agent := all[0].AgentID
	srv.ResetRequests()
	check("agent", []string{"--agent", agent}, want(func(s *apiclient.Session) bool { return s.AgentID == agent }))
	for _, req := range srv.Requests() {
		if !strings.Contains(req.Query, "agent_id="+agent) {
			t.Fatalf("list request without agent_id: %q", req.Query)
		}
	}
}

func TestGet(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 5})
	s := srv.All()[0]
	r := runCLI(t, keyEnv(), "get", s.ID, "--api-url", srv.URL())
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, s.ID) || !strings.Contains(r.stdout, s.TitleOrEmpty()) {
		t.Fatalf("get output lacks id or title:\n%s", r.stdout)
	}
	r = runCLI(t, keyEnv(), "get", s.ID, "--json", "--api-url", srv.URL())
	wantCode(t, r, 0)
	var got apiclient.Session
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.ID != s.ID {
		t.Fatalf("get --json: %v %q", err, got.ID)
	}
	// Unknown but well-formed id: API error, exit 1, one line.
	r = runCLI(t, keyEnv(), "get", "session_0123456789abcdef0123456789abcdef", "--api-url", srv.URL())
	wantCode(t, r, exitAPI)
	if !strings.Contains(r.stderr, "not found") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("stderr %q", r.stderr)
	}
}

func TestWrongKeyIsAPIError(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 1})
	r := runCLI(t, map[string]string{apiclient.EnvAPIKey: "file-key-456"}, "list", "--api-url", srv.URL())
	wantCode(t, r, exitAPI)
	if !strings.Contains(r.stderr, "401") {
		t.Fatalf("stderr %q", r.stderr)
	}
}

func TestTagDeltaKeepsConcurrentTag(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 10})
	// The operator lists first...
	r := runCLI(t, keyEnv(), "list", "--api-url", srv.URL(), "--json")
	wantCode(t, r, 0)
	var listed []apiclient.Session
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
		t.Fatal(err)
	}
	target := listed[0]
	target.Tags = []string{"urgent", "billing"}
	srv.Put(target)
	// ...meanwhile someone else adds a tag on the server.
	other, _ := srv.Get(target.ID)
	other.Tags = append(other.Tags, "from-other-operator")
	srv.Put(other)

	srv.ResetRequests()
	r = runCLI(t, keyEnv(), "--api-url", srv.URL(), "tag", target.ID, "+resolved", "-urgent")
	wantCode(t, r, 0)
	got, _ := srv.Get(target.ID)
	if want := []string{"billing", "from-other-operator", "resolved"}; !reflect.DeepEqual(got.Tags, want) {
		t.Fatalf("server tags %q, want %q", got.Tags, want)
	}
	ps := patches(srv)
	if len(ps) != 1 {
		t.Fatalf("%d PATCH requests, want 1", len(ps))
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(ps[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if _, ok := body["title"]; ok || len(body) != 1 {
		t.Fatalf("PATCH body %s: want only tags", ps[0].Body)
	}
	if !strings.Contains(r.stdout, "billing, from-other-operator, resolved") {
		t.Fatalf("stdout %q", r.stdout)
	}

	// Nothing to change: no PATCH.
	srv.ResetRequests()
	r = runCLI(t, keyEnv(), "--api-url", srv.URL(), "tag", target.ID, "+resolved", "-urgent")
	wantCode(t, r, 0)
	if len(patches(srv)) != 0 || !strings.Contains(r.stdout, "unchanged") {
		t.Fatalf("no-op tag sent a PATCH or said %q", r.stdout)
	}
}

func TestTagReservedRefusedBeforeRequest(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 3})
	id := srv.All()[0].ID
	for _, tag := range []string{"+platform-chat-starter", "+agent:x", "-slack:app:1", "+__internal:y", "+endpoint:e", "+a b", "+\x1b[31mred"} {
		r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "tag", id, "+ok", tag)
		wantCode(t, r, exitUsage)
		if strings.Contains(r.stderr, "\x1b") {
			t.Fatalf("stderr echoes an escape sequence: %q", r.stderr)
		}
	}
	if n := srv.RequestCount(); n != 0 {
		t.Fatalf("%d requests sent for refused tags; want none", n)
	}
	if len(patches(srv)) != 0 {
		t.Fatal("PATCH sent")
	}
}

func TestTitle(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 3})
	s := srv.All()[1]
	r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "title", s.ID, "New title for the ticket")
	wantCode(t, r, 0)
	got, _ := srv.Get(s.ID)
	if got.TitleOrEmpty() != "New title for the ticket" || !reflect.DeepEqual(got.Tags, s.Tags) {
		t.Fatalf("server session after title: %q %q", got.TitleOrEmpty(), got.Tags)
	}
	ps := patches(srv)
	if len(ps) != 1 || string(ps[0].Body) != `{"title":"New title for the ticket"}` {
		t.Fatalf("PATCH: %d, body %s", len(ps), ps[0].Body)
	}
	srv.ResetRequests()
	for _, bad := range []string{"", "   ", "line\nbreak", "\x1b]52;c;ZXZpbA==\x07"} {
		r = runCLI(t, keyEnv(), "--api-url", srv.URL(), "title", s.ID, bad)
		wantCode(t, r, exitUsage)
	}
	if srv.RequestCount() != 0 {
		t.Fatal("bad titles sent requests")
	}
}

func TestResolveContinuesPastFailure(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 20})
	var targets []string
	for _, s := range srv.All() {
		if !s.HasTag("resolved") {
			targets = append(targets, s.ID)
		}
		if len(targets) == 4 {
			break
		}
	}
	bad := targets[1]
	srv.SetFaults(apitest.Faults{
		Match:     func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/"+bad) },
		FailCount: 1000,
	})
	r := runCLI(t, keyEnv(), append([]string{"--api-url", srv.URL(), "--retries", "1", "resolve"}, targets...)...)
	wantCode(t, r, exitAPI)
	if !strings.Contains(r.stdout, "3 resolved, 1 failed") {
		t.Fatalf("summary missing:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, bad) || !strings.Contains(r.stderr, "503") {
		t.Fatalf("stderr should name the failed id and status: %q", r.stderr)
	}
	for _, id := range targets {
		s, _ := srv.Get(id)
		if s.HasTag("resolved") != (id != bad) {
			t.Fatalf("%s resolved=%v", id, s.HasTag("resolved"))
		}
	}
	// The retry happened (GET retried once), and the others were not affected.
	n := 0
	for _, req := range srv.Requests() {
		if strings.HasSuffix(req.Path, "/"+bad) {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d requests for the failing id, want 2 (one retry)", n)
	}

	srv.ClearFaults()
	r = runCLI(t, keyEnv(), "--api-url", srv.URL(), "resolve", targets[0], bad)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "already resolved") || !strings.Contains(r.stdout, "2 resolved, 0 failed") {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
}

// unsafeOutput finds anything a terminal could act on.
var unsafeOutput = regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]")

func TestHostileTextIsSanitised(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 5, Hostile: true})
	r := runCLI(t, keyEnv(), "list", "--api-url", srv.URL())
	wantCode(t, r, 0)
	if loc := unsafeOutput.FindStringIndex(r.stdout); loc != nil {
		t.Fatalf("table holds a control character at %d: %q", loc[0], r.stdout[max(0, loc[0]-20):loc[1]+20])
	}
	if !strings.Contains(r.stdout, "RED title") {
		t.Fatalf("hostile title not shown as text:\n%s", r.stdout)
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if len(line) > 400 {
			t.Fatalf("a table line is %d bytes long", len(line))
		}
	}
	hostile := srv.All()[0]
	r = runCLI(t, keyEnv(), "get", hostile.ID, "--api-url", srv.URL())
	wantCode(t, r, 0)
	if unsafeOutput.MatchString(strings.ReplaceAll(r.stdout, "\n", "")) {
		t.Fatalf("get output holds control characters: %q", r.stdout)
	}

	for _, format := range []string{"--json", "--jsonl"} {
		r = runCLI(t, keyEnv(), "list", "--api-url", srv.URL(), format)
		wantCode(t, r, 0)
		if unsafeOutput.MatchString(strings.ReplaceAll(r.stdout, "\n", "")) {
			t.Fatalf("%s output holds raw control characters", format)
		}
		if !strings.Contains(r.stdout, `\u001b[31mRED`) {
			t.Fatalf("%s should keep ESC escaped as \\u001b", format)
		}
	}
	var got []apiclient.Session
	r = runCLI(t, keyEnv(), "list", "--api-url", srv.URL(), "--json")
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	for i, s := range srv.All() {
		if got[i].TitleOrEmpty() != s.TitleOrEmpty() || strings.Join(got[i].Tags, "\x00") != strings.Join(s.Tags, "\x00") ||
			got[i].OutputPreviewOrEmpty() != s.OutputPreviewOrEmpty() {
			t.Fatalf("JSON of session %d does not round-trip", i)
		}
	}
}

func TestEscapeUnsafeRunes(t *testing.T) {
	in := map[string]string{"t": "a\u009b31mb\u202ec\U000e0041d\x7fe\x1bf"}
	b, err := marshalJSON(in, false)
	if err != nil {
		t.Fatal(err)
	}
	if unsafeOutput.Match(b) {
		t.Fatalf("raw control left: %q", b)
	}
	var back map[string]string
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, in) {
		t.Fatalf("round trip: %v %q", err, back)
	}
}

func writeConfig(t *testing.T, dir, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, "sessions", "config.toml")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask
		t.Fatal(err)
	}
	return p
}

func TestConfigPrecedence(t *testing.T) {
	fileSrv := newServer(t, apitest.Options{Sessions: 1})
	envSrv := newServer(t, apitest.Options{Sessions: 2})
	flagSrv := newServer(t, apitest.Options{Sessions: 3})
	xdg := t.TempDir()
	writeConfig(t, xdg, `api_url = "`+fileSrv.URL()+`"
org_id = "org_0123456789abcdef0123456789abcdef"
api_key = "`+testKey+`"
page_size = 7
`, 0o600)
	base := map[string]string{"XDG_CONFIG_HOME": xdg}
	count := func(s *apitest.Server) int { n := s.RequestCount(); s.ResetRequests(); return n }

	// File only: the file's URL, org and key (no env key at all).
	r := runCLI(t, base, "list", "--json")
	wantCode(t, r, 0)
	if len(ids(t, r.stdout)) != 1 || count(fileSrv) == 0 {
		t.Fatalf("file config not used: %s", r.stderr)
	}
	if r.stderr != "" {
		t.Fatalf("unexpected warning for a 0600 file: %s", r.stderr)
	}

	// Env beats file.
	env := map[string]string{"XDG_CONFIG_HOME": xdg, apiclient.EnvAPIURL: envSrv.URL(), apiclient.EnvOrgID: "org-from-env"}
	r = runCLI(t, env, "list", "--json")
	wantCode(t, r, 0)
	if len(ids(t, r.stdout)) != 2 || count(fileSrv) != 0 {
		t.Fatal("env did not beat the file")
	}
	reqs := envSrv.Requests()
	if reqs[0].Header.Get("X-Org-Id") != "org-from-env" || !strings.Contains(reqs[0].Query, "limit=7") {
		t.Fatalf("org %q query %q", reqs[0].Header.Get("X-Org-Id"), reqs[0].Query)
	}
	envSrv.ResetRequests()

	// Flags beat env.
	r = runCLI(t, env, "list", "--json", "--api-url", flagSrv.URL(), "--org-id", "org-from-flag", "--page-size", "2")
	wantCode(t, r, 0)
	if len(ids(t, r.stdout)) != 3 || count(envSrv) != 0 || count(fileSrv) != 0 {
		t.Fatal("flags did not beat env")
	}
	reqs = flagSrv.Requests()
	if reqs[0].Header.Get("X-Org-Id") != "org-from-flag" || !strings.Contains(reqs[0].Query, "limit=2") {
		t.Fatalf("org %q query %q", reqs[0].Header.Get("X-Org-Id"), reqs[0].Query)
	}

	// Env key beats the file's key.
	writeConfig(t, xdg, `api_url = "`+fileSrv.URL()+`"
api_key = "wrong-key-in-file-123"
`, 0o600)
	r = runCLI(t, base, "list")
	wantCode(t, r, exitAPI) // the file's wrong key
	r = runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg, apiclient.EnvAPIKey: testKey}, "list")
	wantCode(t, r, 0)

	// HOME fallback when XDG_CONFIG_HOME is unset.
	home := t.TempDir()
	writeConfig(t, filepath.Join(home, ".config"), `api_url = "`+fileSrv.URL()+`"`, 0o600)
	r = runCLI(t, map[string]string{"XDG_CONFIG_HOME": "", "HOME": home, apiclient.EnvAPIKey: testKey}, "list", "--json")
	wantCode(t, r, 0)
	if len(ids(t, r.stdout)) != 1 {
		t.Fatal("~/.config fallback not read")
	}

	// --config names a file explicitly; a missing one is an error.
	other := writeConfig(t, t.TempDir(), `api_url = "`+flagSrv.URL()+`"`, 0o600)
	r = runCLI(t, keyEnv(), "list", "--json", "--config", other)
	wantCode(t, r, 0)
	if len(ids(t, r.stdout)) != 3 {
		t.Fatal("--config file not used")
	}
	r = runCLI(t, keyEnv(), "list", "--config", filepath.Join(t.TempDir(), "missing.toml"))
	wantCode(t, r, exitUsage)
}

func TestConfigPermissionWarning(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 1})
	xdg := t.TempDir()
	p := writeConfig(t, xdg, `api_url = "`+srv.URL()+`"
api_key = "`+testKey+`"
`, 0o644)
	r := runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg}, "list")
	wantCode(t, r, 0)
	if !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "chmod 600") || !strings.Contains(r.stderr, p) {
		t.Fatalf("no permission warning: %q", r.stderr)
	}
	// No key in the file: no warning, even if world-readable.
	writeConfig(t, xdg, `api_url = "`+srv.URL()+`"`, 0o644)
	r = runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg, apiclient.EnvAPIKey: testKey}, "list")
	wantCode(t, r, 0)
	if r.stderr != "" {
		t.Fatalf("unexpected stderr %q", r.stderr)
	}
}

func TestConfigErrorsDoNotLeakValues(t *testing.T) {
	xdg := t.TempDir()
	for _, body := range []string{
		"api_key = \"" + testKey + "\nrefresh = \"1s\"\n",       // unterminated string
		"api_key = " + testKey + "\n",                           // bare value
		"api_key = \"" + testKey + "\"\npage_size = \"many\"\n", // wrong type
		"refresh = \"" + testKey + "\"\n",                       // bad duration
	} {
		writeConfig(t, xdg, body, 0o600)
		r := runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg}, "list")
		wantCode(t, r, exitUsage)
		if !strings.Contains(r.stderr, "config file") || !strings.Contains(r.stderr, "line") {
			t.Errorf("error should point at the file and line: %q", r.stderr)
		}
	}
}

func TestConfigUnknownKeysAndKeyOverrides(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 1})
	xdg := t.TempDir()
	writeConfig(t, xdg, `api_url = "`+srv.URL()+`"
colour = "blue"
[keys]
resolve = ["x"]
`, 0o600)
	r := runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg, apiclient.EnvAPIKey: testKey}, "list")
	wantCode(t, r, 0)
	if !strings.Contains(r.stderr, "unknown keys ignored: colour") {
		t.Fatalf("stderr %q", r.stderr)
	}
	// The TUI applies [keys]; an unknown binding is a usage error before the terminal is touched.
	writeConfig(t, xdg, "[keys]\nresolv = [\"R\"]\n", 0o600)
	r = runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg, apiclient.EnvAPIKey: testKey}, "--api-url", srv.URL())
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "unknown binding") {
		t.Fatalf("stderr %q", r.stderr)
	}
	// Valid config but no terminal (tests write to a buffer): a clear usage error.
	writeConfig(t, xdg, "theme = \"light\"\nrefresh = \"30s\"\n[keys]\nresolve = [\"x\"]\n", 0o600)
	r = runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg, apiclient.EnvAPIKey: testKey}, "--api-url", srv.URL())
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "terminal") {
		t.Fatalf("stderr %q", r.stderr)
	}
	r = runCLI(t, nil, "--demo")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "terminal") {
		t.Fatalf("--demo without a terminal: %q", r.stderr)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDemoServer(t *testing.T) {
	for _, key := range []string{"", testKey} {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb syncBuffer
		done := make(chan int, 1)
		env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
		go func() {
			args := []string{"demo-server", "--addr", "127.0.0.1:0", "--sessions", "42", "--activity=false"}
			if key != "" {
				args = append(args, "--key", key)
			}
			done <- run(ctx, args, func(k string) string { return env[k] }, &out, &errb)
		}()
		re := regexp.MustCompile(`http://127\.0\.0\.1:\d+/api`)
		var base string
		for deadline := time.Now().Add(5 * time.Second); base == "" && time.Now().Before(deadline); {
			base = re.FindString(out.String())
			time.Sleep(10 * time.Millisecond)
		}
		if base == "" {
			cancel()
			t.Fatalf("no base URL printed: %q %q", out.String(), errb.String())
		}
		if !strings.Contains(out.String(), "curl") {
			t.Fatalf("no curl example: %q", out.String())
		}
		useKey := key
		if useKey == "" {
			useKey = "anything"
		}
		r := runCLI(t, map[string]string{apiclient.EnvAPIKey: useKey}, "list", "--api-url", base, "--json")
		wantCode(t, r, 0)
		if n := len(ids(t, r.stdout)); n != 42 {
			t.Fatalf("demo server has %d sessions, want 42", n)
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("demo-server exit %d: %s", code, errb.String())
			}
		case <-time.After(5 * time.Second):
			t.Fatal("demo-server did not stop on cancel")
		}
		assertNoKey(t, out.String()+errb.String())
	}
}
