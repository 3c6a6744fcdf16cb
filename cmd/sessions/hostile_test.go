package main

// The CLI against lying or broken servers (issue 8): exit codes, messages,
// and what the server received.

import (
	"bytes"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

func methodsOf(srv *apitest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Method)
	}
	return out
}

func TestResolveRedirectedWriteFails(t *testing.T) {
	for _, tc := range []struct {
		name, to, want string
	}{
		{"another server", "", "the PATCH request was redirected (HTTP 301) and not sent again: nothing was changed"},
		{"http to https", "https", "the server redirects http to https: set EVERRUNS_API_URL to the https URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, apitest.Options{Sessions: 3})
			target := newServer(t, apitest.Options{Sessions: 3})
			to := target.URL()
			if tc.to == "https" {
				to = strings.Replace(srv.URL(), "http://", "https://", 1)
			}
			s := srv.All()[0]
			srv.SetLies(apitest.Lies{RedirectStatus: http.StatusMovedPermanently, RedirectTo: to,
				RedirectMatch: apitest.MatchMethod(http.MethodPatch)})
			r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "resolve", s.ID)
			wantCode(t, r, exitAPI)
			if !strings.Contains(r.stderr, s.ID+": "+tc.want) || !strings.Contains(r.stdout, "0 resolved, 1 failed") {
				t.Fatalf("stdout %q\nstderr %q", r.stdout, r.stderr)
			}
			if got := methodsOf(srv); !reflect.DeepEqual(got, []string{"GET", "PATCH"}) || target.RequestCount() != 0 {
				t.Fatalf("server got %v, target got %d requests", got, target.RequestCount())
			}
			if now, _ := srv.Get(s.ID); now.HasTag(apiclient.ResolvedTag) {
				t.Fatal("the session was resolved")
			}
		})
	}
}

func TestTitleWrongAnswerFails(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 3})
	s, other := srv.All()[0], srv.All()[1]
	for _, tc := range []struct {
		lie  apitest.Lies
		want string
	}{
		{apitest.Lies{PatchAnswerWith: other.ID}, "sessions: unexpected answer: the server answered with a different session (" + other.ID + ")\n"},
		{apitest.Lies{PatchAnswer: "{}"}, "sessions: unexpected answer: the server's answer holds no session (empty or without an id)\n"},
	} {
		srv.SetLies(tc.lie)
		r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "title", s.ID, "A new title")
		wantCode(t, r, exitAPI)
		if r.stdout != "" || r.stderr != tc.want {
			t.Fatalf("stdout %q\nstderr %q, want %q", r.stdout, r.stderr, tc.want)
		}
	}
}

func TestListServerIgnoringOffset(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 350})
	srv.SetLies(apitest.Lies{IgnoreOffset: true})
	r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "list", "--jsonl")
	wantCode(t, r, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 100 {
		t.Fatalf("%d sessions printed, want the first page's 100 once", len(lines))
	}
	for i, s := range srv.All()[:100] {
		if !strings.Contains(lines[i], `"id":"`+s.ID+`"`) {
			t.Fatalf("line %d is not %s: %s", i, s.ID, lines[i])
		}
	}
	// The offset named is whichever repeated page came back first.
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "sessions: warning: the server sent the same sessions again for offset ") {
		t.Fatalf("stderr %q: want one warning", r.stderr)
	}
}

func TestListLyingTotalAndBadItems(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 120})
	srv.SetLies(apitest.Lies{Total: apitest.Int64(1_000_000_000_000), MangleItem: func(i int, item map[string]any) {
		if i == 7 || i == 110 {
			item["updated_at"] = ""
		}
	}})
	r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "list", "--jsonl")
	wantCode(t, r, 0)
	if n := strings.Count(r.stdout, "\n"); n != 118 {
		t.Fatalf("%d sessions printed, want 118", n)
	}
	all := srv.All()
	want := "sessions: warning: skipped session " + all[7].ID + " at position 8: invalid JSON from server: parsing time \"\" as"
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "skipped session "+all[110].ID+" at position 111") ||
		strings.Count(r.stderr, "\n") != 2 {
		t.Fatalf("stderr %q", r.stderr)
	}
	if n := srv.RequestCount(); n > 2+apiclient.DefaultConcurrency {
		t.Fatalf("%d requests for 2 pages of data", n)
	}
}

func TestResolveRetryKeepsConcurrentTag(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 3})
	s := srv.All()[0]
	s.Tags = []string{"urgent"}
	srv.Put(s)
	srv.SetFaults(apitest.Faults{Match: apitest.MatchMethod(http.MethodPatch), FailCount: 1, FailRetryAfter: 1,
		OnFault: func(string) {
			x, _ := srv.Get(s.ID)
			x.Tags = append(x.Tags, "from-other-operator")
			srv.Put(x)
		}})
	r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "resolve", s.ID)
	wantCode(t, r, 0)
	got, _ := srv.Get(s.ID)
	if want := []string{"urgent", "from-other-operator", "resolved"}; !reflect.DeepEqual(got.Tags, want) {
		t.Fatalf("tags %q, want %q", got.Tags, want)
	}
	if m := methodsOf(srv); !reflect.DeepEqual(m, []string{"GET", "PATCH", "GET", "PATCH"}) {
		t.Fatalf("server got %v", m)
	}
	ps := patches(srv)
	if string(ps[0].Body) != `{"tags":["urgent","resolved"]}` || string(ps[1].Body) != `{"tags":["urgent","from-other-operator","resolved"]}` {
		t.Fatalf("PATCH bodies %s then %s", ps[0].Body, ps[1].Body)
	}
}

func TestReservedTagAnyCase(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 1})
	for _, tag := range []string{"+APP:x", "+Agent:y", "-Platform-Chat-Starter"} {
		r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "tag", srv.All()[0].ID, tag)
		wantCode(t, r, exitUsage)
		if !strings.Contains(r.stderr, "is reserved by the platform") {
			t.Fatalf("%s: stderr %q", tag, r.stderr)
		}
	}
	if srv.RequestCount() != 0 {
		t.Fatal("a reserved tag reached the server")
	}
}

func TestCommaTagsAndHugeTokens(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 1})
	s := srv.All()[0]
	s.Tags = []string{"a,b", `say "hi"`, "c"}
	s.Usage = &apiclient.TokenUsage{InputTokens: math.MaxInt64, OutputTokens: 5}
	srv.Put(s)
	r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "get", s.ID)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, `Tags:           "a,b", "say \"hi\"", c`+"\n") {
		t.Fatalf("tags not quoted:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "-9") || !strings.Contains(r.stdout, "Tokens:         >1000000T total (>1000000T input, 5 output") {
		t.Fatalf("tokens:\n%s", r.stdout)
	}
	r = runCLI(t, keyEnv(), "--api-url", srv.URL(), "list")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, `"a,b","say \"hi\"",c`) || !strings.Contains(r.stdout, ">1000000T") {
		t.Fatalf("list:\n%s", r.stdout)
	}
	for n, want := range map[int64]string{0: "0", 2_147_483_648: "2147483648", 9_999_999_999: "9999999999",
		12_345_678_901_234: "12.3T", -1: "?", math.MaxInt64: ">1000000T"} {
		if got := fmtTokens(n); got != want {
			t.Errorf("fmtTokens(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPlainHTTPWarningHidesKeyInHost(t *testing.T) {
	const key = "evr_pat_0123456789abcdef0123456789abcdef"
	for _, u := range []string{"http://" + key + ".example.com/api", "http://" + key + "/api"} {
		var warn bytes.Buffer
		if err := checkAPIURL(u, key, &warn); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(warn.String(), key[:8]) ||
			warn.String() != "sessions: warning: the API URL uses plain http to the host in EVERRUNS_API_URL; the API key is sent unencrypted\n" {
			t.Fatalf("warning %q", warn.String())
		}
	}
	var warn bytes.Buffer
	_ = checkAPIURL("http://sessions.example.com/api", key, &warn)
	if !strings.Contains(warn.String(), "plain http to sessions.example.com;") {
		t.Fatalf("an ordinary host is named: %q", warn.String())
	}
}

// list --limit (human output) against a server ignoring offset, echoing a
// wrong one and sending unreadable items: each session once, at the place
// it was asked for, with one warning per kind (issue 8's "de-duplicate and
// warn once", found broken for --limit by the audit: the pages were asked
// at the count of rows kept, so a skipped item or a repeated page printed
// sessions twice or four times).
func TestListLimitHostile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lies  apitest.Lies
		want  func(all []apiclient.Session) []string // ids printed, in order
		warns []string
	}{
		{"ignored offset", apitest.Lies{IgnoreOffset: true},
			func(all []apiclient.Session) []string { return idsOf(all[:100]) },
			[]string{"sessions: warning: the server sent the same sessions again for offset "}},
		{"echoed offset and bad items", apitest.Lies{EchoOffset: func(int) int64 { return -5 }, MangleItem: func(i int, item map[string]any) {
			if i == 5 || i == 150 {
				item["updated_at"] = ""
			}
		}},
			func(all []apiclient.Session) []string {
				ids := idsOf(all[:250])
				return append(append(ids[:5:5], ids[6:150]...), ids[151:]...)
			},
			[]string{"sessions: warning: the server answered offset -5 when asked for 0; rows are placed where they were asked for",
				"sessions: warning: skipped session ", "sessions: warning: skipped session "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, apitest.Options{Sessions: 350})
			srv.SetLies(tc.lies)
			r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "list", "--limit", "250")
			wantCode(t, r, 0)
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")[1:] // the header first
			var got []string
			for _, l := range lines {
				got = append(got, strings.Fields(l)[0])
			}
			if want := tc.want(srv.All()); !reflect.DeepEqual(got, want) {
				t.Fatalf("printed %d sessions (%d distinct), want %d in server order", len(got), distinct(got), len(want))
			}
			warns := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(warns) != len(tc.warns) {
				t.Fatalf("stderr %q: want %d lines", r.stderr, len(tc.warns))
			}
			for i, w := range tc.warns {
				if !strings.HasPrefix(warns[i], w) {
					t.Fatalf("stderr line %d %q, want %q…", i, warns[i], w)
				}
			}
		})
	}
}

func idsOf(ss []apiclient.Session) []string {
	out := make([]string, len(ss))
	for i := range ss {
		out[i] = ss[i].ID
	}
	return out
}

func distinct(ss []string) int {
	m := map[string]bool{}
	for _, s := range ss {
		m[s] = true
	}
	return len(m)
}

// A tag typed with an invisible character is refused before anything is
// sent, and the message names the character: the quoted tag leaves it out,
// so "+res\u200bolved" alone would read as "+resolved".
func TestTagInvisibleRefused(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 1})
	for arg, char := range map[string]string{"+res\u200bolved": "U+200B", "+soft\u00adhyphen": "U+00AD", "-x\ufeff": "U+FEFF", "+\u0600mark": "U+0600"} {
		r := runCLI(t, keyEnv(), "--api-url", srv.URL(), "tag", srv.All()[0].ID, arg)
		wantCode(t, r, exitUsage)
		if !strings.Contains(r.stderr, "tag names cannot hold spaces, control or invisible characters: "+char+" (in ") {
			t.Fatalf("%q: stderr %q", arg, r.stderr)
		}
	}
	if srv.RequestCount() != 0 {
		t.Fatal("a tag with an invisible character reached the server")
	}
}
