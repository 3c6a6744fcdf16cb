package apiclient_test

// Hostile-server tests (issue 8): one row per defect, each against a small
// lying or broken apitest server, asserting the exact outcome: the error
// and its text, what the server received, and work bounded by counted
// requests (never by timing).

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

const hostileKey = "evr_pat_HOSTILE0123456789abcdef0123456789abcdef"

func hostileServer(t *testing.T, sessions int) (*apitest.Server, *apiclient.Client) {
	t.Helper()
	srv := apitest.NewTestServer(t, apitest.Options{APIKey: hostileKey, Sessions: sessions, Now: func() time.Time { return contractNow }})
	return srv, apiclient.FastRetries(apiclient.New(apiclient.Config{APIKey: hostileKey, BaseURL: srv.URL()}))
}

// pageLog records ListAll's events.
type pageLog struct {
	mu     sync.Mutex
	events []apiclient.PageEvent
}

func (l *pageLog) add(ev apiclient.PageEvent) {
	l.mu.Lock()
	l.events = append(l.events, ev)
	l.mu.Unlock()
}

func (l *pageLog) warnings() []string {
	var out []string
	for _, ev := range l.events {
		out = append(out, ev.Warnings...)
	}
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func ids(ss []apiclient.Session) []string {
	out := make([]string, len(ss))
	for i := range ss {
		out[i] = ss[i].ID
	}
	return out
}

func methods(srv *apitest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Method)
	}
	return out
}

func wantWarning(t *testing.T, got []string, part string) {
	t.Helper()
	n := 0
	for _, w := range got {
		if strings.Contains(w, part) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("warnings %q: want exactly one with %q", got, part)
	}
}

func TestHostileServer(t *testing.T) {
	ctx := context.Background()
	const limit, conc = 100, 4
	list := func(c *apiclient.Client, log *pageLog) ([]apiclient.Session, error) {
		return c.ListAll(ctx, apiclient.ListOptions{Limit: limit}, conc, log.add)
	}
	rows := []struct {
		defect int // item of issue 8
		name   string
		run    func(t *testing.T)
	}{
		{1, "lying total is never an allocation: pages stop at the short page", func(t *testing.T) {
			srv, c := hostileServer(t, 250)
			srv.SetLies(apitest.Lies{Total: apitest.Int64(1_000_000_000_000)})
			var log pageLog
			got, err := list(c, &log)
			if err != nil || !reflect.DeepEqual(ids(got), ids(srv.All())) {
				t.Fatalf("ListAll = %d sessions, %v; want the server's 250 in order", len(got), err)
			}
			// 3 pages hold the data; at most conc more were in flight when the short one came.
			if n := srv.ListRequests(); n < 3 || n > 3+conc {
				t.Fatalf("%d list requests for 3 pages of data (window %d)", n, conc)
			}
		}},
		{1, "lying total with a server repeating its first page stops on the repeat", func(t *testing.T) {
			srv, c := hostileServer(t, 300)
			srv.SetLies(apitest.Lies{Total: apitest.Int64(1_000_000_000_000), IgnoreOffset: true})
			var log pageLog
			got, err := list(c, &log)
			if err != nil || !reflect.DeepEqual(ids(got), ids(srv.All()[:limit])) {
				t.Fatalf("ListAll = %d sessions, %v; want the first page once", len(got), err)
			}
			if n := srv.ListRequests(); n > 1+conc {
				t.Fatalf("%d list requests; want at most 1 + %d", n, conc)
			}
			wantWarning(t, log.warnings(), "same sessions again")
		}},
		{1, "cancellation ends paging at once", func(t *testing.T) {
			srv, c := hostileServer(t, 1000)
			srv.SetLies(apitest.Lies{Total: apitest.Int64(1_000_000_000_000)})
			cctx, cancel := context.WithCancel(ctx)
			got, err := c.ListAll(cctx, apiclient.ListOptions{Limit: 10}, conc, func(apiclient.PageEvent) { cancel() })
			if !errors.Is(err, context.Canceled) || len(got) > 10*(1+conc) {
				t.Fatalf("ListAll after cancel = %d sessions, %v", len(got), err)
			}
			if n := srv.ListRequests(); n > 1+conc {
				t.Fatalf("%d list requests after a cancel at the first page", n)
			}
		}},
		{1, "a page larger than asked is cut to the limit", func(t *testing.T) {
			srv, c := hostileServer(t, 250)
			srv.SetLies(apitest.Lies{ExtraItems: 1000})
			var log pageLog
			got, err := list(c, &log)
			if err != nil || !reflect.DeepEqual(ids(got), ids(srv.All())) {
				t.Fatalf("ListAll = %d sessions, %v", len(got), err)
			}
			for _, ev := range log.events {
				if len(ev.Page.Data) > limit {
					t.Fatalf("page at %d kept %d sessions", ev.RequestedOffset, len(ev.Page.Data))
				}
			}
			wantWarning(t, log.warnings(), "more sessions in a page than asked")
			page, err := c.ListSessions(ctx, apiclient.ListOptions{Limit: 5})
			if err != nil || len(page.Data) != 5 || page.Excess != 245 { // 250 sessions, 5 kept
				t.Fatalf("ListSessions(limit 5) = %d sessions, excess %d, %v", len(page.Data), page.Excess, err)
			}
		}},
		{2, "echoed offsets: rows go where they were asked for", func(t *testing.T) {
			for _, echo := range []int64{-5, 1_000_000_000_000, 0} {
				srv, c := hostileServer(t, 250)
				srv.SetLies(apitest.Lies{EchoOffset: func(int) int64 { return echo }})
				var log pageLog
				got, err := list(c, &log)
				if err != nil || !reflect.DeepEqual(ids(got), ids(srv.All())) {
					t.Fatalf("echo %d: ListAll = %d sessions, %v", echo, len(got), err)
				}
				var offs []int
				for _, ev := range log.events {
					if ev.Page.Offset != ev.RequestedOffset || ev.Page.EchoedOffset != int(echo) {
						t.Fatalf("echo %d: event offset %d, requested %d, echoed %d", echo, ev.Page.Offset, ev.RequestedOffset, ev.Page.EchoedOffset)
					}
					if len(ev.Page.Data) > 0 {
						offs = append(offs, ev.RequestedOffset)
					}
				}
				slices.Sort(offs)
				if !reflect.DeepEqual(offs, []int{0, 100, 200}) {
					t.Fatalf("echo %d: pages placed at %v", echo, offs)
				}
				wantWarning(t, log.warnings(), "rows are placed where they were asked for")
				page, err := c.ListSessions(ctx, apiclient.ListOptions{Offset: 100, Limit: 10})
				if err != nil || page.Offset != 100 || page.EchoedOffset != int(echo) {
					t.Fatalf("ListSessions: offset %d echoed %d, %v", page.Offset, page.EchoedOffset, err)
				}
			}
		}},
		{2, "a server ignoring offset: each session once, one warning", func(t *testing.T) {
			srv, c := hostileServer(t, 350)
			srv.SetLies(apitest.Lies{IgnoreOffset: true, EchoOffset: func(int) int64 { return 0 }})
			var log pageLog
			got, err := list(c, &log)
			if err != nil || !reflect.DeepEqual(ids(got), ids(srv.All()[:limit])) {
				t.Fatalf("ListAll = %d sessions, %v", len(got), err)
			}
			wantWarning(t, log.warnings(), "same sessions again")
			reported := 0
			for _, ev := range log.events {
				reported += len(ev.Page.Data)
			}
			if reported != limit {
				t.Fatalf("events carried %d sessions, want each of the %d once", reported, limit)
			}
		}},
		{3, "a redirected write is refused, for every status and method", func(t *testing.T) {
			for _, status := range []int{301, 302, 303, 307, 308} {
				for _, method := range []string{http.MethodPatch, http.MethodDelete, http.MethodPost} {
					srv, c := hostileServer(t, 1)
					target, _ := hostileServer(t, 1)
					s := srv.All()[0]
					srv.SetLies(apitest.Lies{RedirectStatus: status, RedirectTo: target.URL(), RedirectMatch: apitest.MatchMethod(method)})
					var err error
					switch method {
					case http.MethodPatch:
						_, err = c.UpdateSession(ctx, s.ID, apiclient.UpdateSessionRequest{}.SetTags([]string{"resolved"}))
					case http.MethodDelete:
						err = c.DeleteSession(ctx, s.ID)
					case http.MethodPost:
						_, err = c.CancelTurn(ctx, s.ID)
					}
					want := fmt.Sprintf("the %s request was redirected (HTTP %d) and not sent again: nothing was changed", method, status)
					if !errors.Is(err, apiclient.ErrRedirected) || !strings.HasPrefix(apiclient.Describe(err), want) {
						t.Fatalf("%s %d: err = %v (%q)", method, status, err, apiclient.Describe(err))
					}
					if got := methods(srv); !reflect.DeepEqual(got, []string{method}) || target.RequestCount() != 0 {
						t.Fatalf("%s %d: server got %v, target got %d requests", method, status, got, target.RequestCount())
					}
					if now, _ := srv.Get(s.ID); !reflect.DeepEqual(now.Tags, s.Tags) {
						t.Fatalf("%s %d: tags changed to %q", method, status, now.Tags)
					}
				}
			}
		}},
		{3, "http to https: the message says to use the https URL", func(t *testing.T) {
			srv, c := hostileServer(t, 1)
			s := srv.All()[0]
			https := strings.Replace(srv.URL(), "http://", "https://", 1)
			srv.SetLies(apitest.Lies{RedirectStatus: http.StatusMovedPermanently, RedirectTo: https})
			for _, call := range []func() error{
				func() error {
					_, err := c.UpdateSession(ctx, s.ID, apiclient.UpdateSessionRequest{}.SetTitle("x"))
					return err
				},
				func() error { _, err := c.GetSession(ctx, s.ID); return err },
			} {
				err := call()
				if !errors.Is(err, apiclient.ErrRedirected) ||
					!strings.HasPrefix(apiclient.Describe(err), "the server redirects http to https: set EVERRUNS_API_URL to the https URL") {
					t.Fatalf("err = %v (%q)", err, apiclient.Describe(err))
				}
			}
			if got := methods(srv); !reflect.DeepEqual(got, []string{"PATCH", "GET"}) {
				t.Fatalf("server got %v", got)
			}
		}},
		{3, "a read follows a redirect within its origin", func(t *testing.T) {
			for _, status := range []int{301, 302, 303, 307, 308} {
				srv, c := hostileServer(t, 1)
				s := srv.All()[0]
				srv.SetLies(apitest.Lies{RedirectStatus: status, RedirectCount: 1})
				got, err := c.GetSession(ctx, s.ID)
				if err != nil || got.ID != s.ID || !reflect.DeepEqual(methods(srv), []string{"GET", "GET"}) {
					t.Fatalf("%d: GetSession = %v, %v; server got %v", status, got, err, methods(srv))
				}
				if h := srv.Requests()[1].Header.Get("Authorization"); h == "" {
					t.Fatalf("%d: the key was not sent after a same-origin redirect", status)
				}
			}
		}},
		{4, "a retried tag save re-reads and keeps a concurrent tag", func(t *testing.T) {
			srv, c := hostileServer(t, 1)
			s := srv.All()[0]
			srv.SetFaults(apitest.Faults{Match: apitest.MatchMethod(http.MethodPatch), FailCount: 1, FailRetryAfter: 1,
				OnFault: func(string) { // another operator tags the session meanwhile
					x, _ := srv.Get(s.ID)
					x.Tags = append(x.Tags, "other-operator")
					srv.Put(x)
				}})
			res, err := apiclient.SaveEdit(ctx, c, s.ID, apiclient.Edit{Add: []string{"resolved"}})
			if err != nil || !res.Changed || res.Attempts != 2 {
				t.Fatalf("SaveEdit = %+v, %v", res, err)
			}
			want := append(append(slices.Clone(s.Tags), "other-operator"), "resolved")
			if now, _ := srv.Get(s.ID); !reflect.DeepEqual(now.Tags, want) || !reflect.DeepEqual(res.Session.Tags, want) {
				t.Fatalf("tags = %q (answer %q), want %q", now.Tags, res.Session.Tags, want)
			}
			if got := methods(srv); !reflect.DeepEqual(got, []string{"GET", "PATCH", "GET", "PATCH"}) {
				t.Fatalf("server got %v, want a GET before each PATCH", got)
			}
			reqs := srv.Requests()
			if reqs[1].Status != 503 || !strings.Contains(string(reqs[3].Body), `"other-operator"`) {
				t.Fatalf("first PATCH %d, second PATCH body %s", reqs[1].Status, reqs[3].Body)
			}
		}},
		{5, "the key never follows a redirect to another port", func(t *testing.T) {
			srv, c := hostileServer(t, 1)
			other, _ := hostileServer(t, 1)
			s := srv.All()[0]
			srv.SetLies(apitest.Lies{RedirectStatus: http.StatusFound, RedirectTo: other.URL()})
			_, err := c.GetSession(ctx, s.ID)
			if !errors.Is(err, apiclient.ErrRedirected) || !strings.Contains(apiclient.Describe(err), "refused a redirect to another host or port") {
				t.Fatalf("err = %v (%q)", err, apiclient.Describe(err))
			}
			if other.RequestCount() != 0 {
				t.Fatalf("the other port got %d requests", other.RequestCount())
			}
		}},
		{5, "https to http is refused and the key stays encrypted", func(t *testing.T) {
			tlsSrv, rt := apitest.NewTLSTestServer(t, apitest.Options{APIKey: hostileKey, Sessions: 1})
			plain, _ := hostileServer(t, 1)
			c := apiclient.New(apiclient.Config{APIKey: hostileKey, BaseURL: tlsSrv.URL(), OrgID: "org_1"})
			apiclient.UseTransport(c, rt)
			s := tlsSrv.All()[0]
			if got, err := c.GetSession(ctx, s.ID); err != nil || got.ID != s.ID {
				t.Fatalf("over TLS without a redirect: %v, %v", got, err)
			}
			// Same host and port, plain http: only the scheme differs.
			tlsSrv.SetLies(apitest.Lies{RedirectStatus: http.StatusMovedPermanently, RedirectTo: plain.URL()})
			_, err := c.GetSession(ctx, s.ID)
			if !errors.Is(err, apiclient.ErrRedirected) || !strings.HasPrefix(apiclient.Describe(err), "refused a redirect from https to plain http") {
				t.Fatalf("err = %v (%q)", err, apiclient.Describe(err))
			}
			if plain.RequestCount() != 0 {
				t.Fatalf("the plain http server got %d requests", plain.RequestCount())
			}
		}},
		{6, "a key straddling the message cut is not printed in part", func(t *testing.T) {
			srv, c := hostileServer(t, 1)
			for pad := 180; pad <= 200; pad++ {
				srv.SetFaults(apitest.Faults{FailCount: 1, FailStatus: 400,
					FailBody: fmt.Sprintf(`{"error":"%s %s trailing words"}`, strings.Repeat("x", pad), hostileKey)})
				_, err := c.GetSession(ctx, srv.All()[0].ID)
				for _, text := range []string{err.Error(), apiclient.Describe(err)} {
					if strings.Contains(text, hostileKey[:8]) {
						t.Fatalf("pad %d: key piece in %q", pad, text)
					}
				}
			}
			// A server that cut the key itself.
			srv.SetFaults(apitest.Faults{FailCount: 1, FailStatus: 400,
				FailBody: fmt.Sprintf(`{"error":"bad token %s…"}`, hostileKey[:20])})
			_, err := c.GetSession(ctx, srv.All()[0].ID)
			if strings.Contains(err.Error(), hostileKey[:8]) || !strings.Contains(err.Error(), "bad token [redacted]") {
				t.Fatalf("server-cut key: %q", err)
			}
		}},
		{6, "a key pasted into the URL's host is not printed in a DNS error", func(t *testing.T) {
			host := hostileKey + ".example.com"
			c := apiclient.New(apiclient.Config{APIKey: hostileKey, BaseURL: "https://" + host + "/api", MaxRetries: -1})
			apiclient.UseTransport(c, roundTripFunc(func(r *http.Request) (*http.Response, error) {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: r.URL.Hostname(), IsNotFound: true}}
			}))
			_, err := c.GetSession(ctx, "session_x")
			if got := apiclient.Describe(err); got != "cannot resolve host the host in EVERRUNS_API_URL" {
				t.Fatalf("Describe = %q", got)
			}
			if strings.Contains(err.Error(), hostileKey[:8]) {
				t.Fatalf("key in %q", err)
			}
		}},
		{9, "bad sessions in a page are reported and the rest kept", func(t *testing.T) {
			srv, c := hostileServer(t, 250)
			srv.SetLies(apitest.Lies{MangleItem: func(i int, item map[string]any) {
				switch i {
				case 3:
					item["updated_at"] = ""
				case 150:
					item["id"] = "session_\u200bbad\x1b[31m\u202e"
					item["usage"] = "lots"
				case 249:
					item["id"] = 42
				}
			}})
			var log pageLog
			got, err := list(c, &log)
			if err != nil || len(got) != 247 {
				t.Fatalf("ListAll = %d sessions, %v; want 247 good ones", len(got), err)
			}
			type where struct {
				pos int
				id  string
			}
			var probs []where
			for _, ev := range log.events {
				for _, p := range ev.Page.Problems {
					if !errors.Is(p.Err, apiclient.ErrInvalidJSON) || strings.ContainsAny(p.String(), "\x1b\u200b\u202e\n") {
						t.Fatalf("problem %q", p)
					}
					probs = append(probs, where{ev.RequestedOffset + p.Index, p.ID})
				}
			}
			slices.SortFunc(probs, func(a, b where) int { return a.pos - b.pos })
			all := srv.All()
			want := []where{{3, all[3].ID}, {150, "session_ bad [31m"}, {249, ""}}
			if !reflect.DeepEqual(probs, want) {
				t.Fatalf("problems at %v, want %v", probs, want)
			}
		}},
		{10, "a PATCH answered with {} or another session is an error", func(t *testing.T) {
			srv, c := hostileServer(t, 2)
			s, other := srv.All()[0], srv.All()[1]
			for _, tc := range []struct {
				lie  apitest.Lies
				want string
			}{
				{apitest.Lies{PatchAnswer: `{}`}, "unexpected answer: the server's answer holds no session (empty or without an id)"},
				{apitest.Lies{PatchAnswerWith: other.ID}, "unexpected answer: the server answered with a different session (" + other.ID + ")"},
			} {
				srv.SetLies(tc.lie)
				res, err := apiclient.SaveEdit(ctx, c, s.ID, apiclient.Edit{Add: []string{"resolved"}})
				if res != nil || !errors.Is(err, apiclient.ErrWrongSession) || apiclient.Describe(err) != tc.want {
					t.Fatalf("SaveEdit = %+v, %v (%q)", res, err, apiclient.Describe(err))
				}
			}
			// A GET is held to the same rule.
			srv.SetLies(apitest.Lies{RedirectStatus: http.StatusFound, RedirectCount: 1,
				RedirectTo: strings.TrimSuffix(srv.URL(), "/") + "/v1/sessions/" + other.ID + "?x="})
			if _, err := c.GetSession(ctx, s.ID); !errors.Is(err, apiclient.ErrWrongSession) {
				t.Fatalf("GET answered with another session: %v", err)
			}
		}},
	}
	for _, row := range rows {
		t.Run(fmt.Sprintf("%d/%s", row.defect, row.name), row.run)
	}
}
