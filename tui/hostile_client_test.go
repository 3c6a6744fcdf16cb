package tui

// Issue 8, TUI side: the defects whose TUI outcome hostile_test.go
// and quit_test.go do not cover (1, 3, 4, 5, 6, 10), each against an apitest
// server telling one lie, through the real client, asserting what the
// user sees, what the server received and what the program keeps.

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
)

const hostileKey = "evr_pat_HOSTILE00111122223333444455556666777788889999aaaabbbbcccc"

// hostileDriver runs the program on the real client (no wrapper: SaveEdit
// retries only for a *apiclient.Client, as in production) with pages of 50.
func hostileDriver(t *testing.T, srv *apitest.Server, retries int) *faultDriver {
	t.Helper()
	notify, events := RetryNotifier()
	api := apiclient.New(apiclient.Config{APIKey: hostileKey, BaseURL: srv.URL(), OnRetry: notify, MaxRetries: retries})
	return newFaultDriver(t, Options{API: api, Theme: theme.New(theme.Dark, true), PageSize: 50, Retries: events},
		faultW, faultH)
}

func liarServer(t *testing.T, n int) *apitest.Server {
	t.Helper()
	return apitest.NewTestServer(t, apitest.Options{Sessions: n, APIKey: hostileKey, Now: progClock})
}

// hostileUnresolved moves the cursor to a session without the resolved tag
// and returns it as the server has it.
func hostileUnresolved(t *testing.T, d *faultDriver, srv *apitest.Server) apiclient.Session {
	t.Helper()
	for i := 0; d.m.selected().HasTag(resolvedTag); i++ {
		if i > len(d.m.view.rows) {
			t.Fatal("every session is resolved")
		}
		d.press("j")
	}
	s, _ := srv.Get(d.m.selected().S.ID)
	return s
}

// sessionWrites is the methods and paths of srv's requests to one session.
func sessionWrites(srv *apitest.Server, id string) []string {
	var out []string
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/v1/sessions/"+id) {
			out = append(out, r.Method)
		}
	}
	return out
}

// waitSaveFailed waits for the save to end in an error on the status line.
func waitSaveFailed(t *testing.T, d *faultDriver) string {
	t.Helper()
	d.waitFor("the save to end", func(m Model) bool { return len(m.ops.inflight) == 0 && m.status.kind != statusInfo },
		faultDefaultTimeout)
	if d.m.status.kind != statusError {
		t.Fatalf("the save did not fail: status %+v", d.m.status)
	}
	return d.m.status.text
}

func TestHostileTUI(t *testing.T) {
	rows := []struct {
		defect int
		name   string
		run    func(t *testing.T)
	}{
		{1, "a lying total: every session once, requests bounded by the data", func(t *testing.T) {
			srv := liarServer(t, 120)
			srv.SetLies(apitest.Lies{Total: apitest.Int64(1_000_000_000_000)})
			d := hostileDriver(t, srv, -1)
			d.waitFor("the load", faultLoaded(120), faultDefaultTimeout)
			var want []string
			for _, s := range srv.All() {
				want = append(want, s.ID)
			}
			if got := unitRowIDs(d.m); !slices.Equal(got, want) {
				t.Fatalf("%d rows, want the server's 120 in order", len(got))
			}
			// 3 pages of 50 hold the data; at most DefaultConcurrency more
			// were in flight when the short one came.
			if n := srv.ListRequests(); n < 3 || n > 3+apiclient.DefaultConcurrency {
				t.Fatalf("%d list requests for 3 pages of data", n)
			}
			if len(d.m.st.slots) != 120 {
				t.Fatalf("%d slots for 120 rows", len(d.m.st.slots))
			}
			if strings.Contains(d.screen(), "1,000,000,000,000") {
				t.Fatalf("the claimed total is shown as the list's size:\n%s", d.screen())
			}
			faultCheckFits(t, d.m.View(), faultW, faultH)
		}},
		{3, "a redirected resolve is an error, with no undo entry", func(t *testing.T) {
			for _, status := range []int{301, 302, 303, 307, 308} {
				srv := liarServer(t, 10)
				target := liarServer(t, 10)
				d := hostileDriver(t, srv, 3)
				d.waitFor("the load", faultLoaded(10), faultDefaultTimeout)
				s := hostileUnresolved(t, d, srv)
				srv.SetLies(apitest.Lies{RedirectStatus: status, RedirectTo: target.URL(), RedirectMatch: apitest.MatchMethod(http.MethodPatch)})
				d.press("r")
				msg := waitSaveFailed(t, d)
				want := "resolve failed: the PATCH request was redirected (HTTP " + strconv.Itoa(status) + ")"
				if !strings.HasPrefix(msg, want) || !strings.Contains(msg, "nothing was changed") {
					t.Fatalf("%d: status %q", status, msg)
				}
				if len(d.m.ops.undo) != 0 || d.m.st.get(s.ID).HasTag(resolvedTag) {
					t.Fatalf("%d: undo %d entries, row resolved %v", status, len(d.m.ops.undo), d.m.st.get(s.ID).HasTag(resolvedTag))
				}
				if now, _ := srv.Get(s.ID); !slices.Equal(now.Tags, s.Tags) || target.RequestCount() != 0 {
					t.Fatalf("%d: server tags %q (were %q), target got %d requests", status, now.Tags, s.Tags, target.RequestCount())
				}
				if got := sessionWrites(srv, s.ID); !slices.Equal(got, []string{"GET", "PATCH"}) {
					t.Fatalf("%d: the session got %v, want one read and one PATCH", status, got)
				}
			}
		}},
		{4, "a retried resolve re-reads and keeps a concurrent tag", func(t *testing.T) {
			srv := liarServer(t, 10)
			d := hostileDriver(t, srv, 3)
			d.waitFor("the load", faultLoaded(10), faultDefaultTimeout)
			s := hostileUnresolved(t, d, srv)
			srv.SetFaults(apitest.Faults{Match: apitest.MatchMethod(http.MethodPatch), FailCount: 1, FailRetryAfter: 1,
				OnFault: func(string) { // another operator tags the session during the wait
					x, _ := srv.Get(s.ID)
					x.Tags = append(x.Tags, "other-operator")
					srv.Put(x)
				}})
			d.press("r")
			d.waitFor("the save", func(m Model) bool { return len(m.ops.inflight) == 0 && m.status.kind != statusInfo },
				faultDefaultTimeout)
			want := append(append(slices.Clone(s.Tags), "other-operator"), resolvedTag)
			if now, _ := srv.Get(s.ID); !slices.Equal(now.Tags, want) {
				t.Fatalf("server tags %q, want %q", now.Tags, want)
			}
			if got := d.m.st.get(s.ID).S.Tags; !slices.Equal(got, want) {
				t.Fatalf("the program shows %q, want %q", got, want)
			}
			if got := sessionWrites(srv, s.ID); !slices.Equal(got, []string{"GET", "PATCH", "GET", "PATCH"}) {
				t.Fatalf("the session got %v, want a read before each PATCH", got)
			}
			if len(d.m.ops.undo) != 1 {
				t.Fatalf("%d undo entries, want 1", len(d.m.ops.undo))
			}
		}},
		{5, "the key never follows a list redirect to another port", func(t *testing.T) {
			srv := liarServer(t, 10)
			other := liarServer(t, 10)
			srv.SetLies(apitest.Lies{RedirectStatus: http.StatusFound, RedirectTo: other.URL(),
				RedirectMatch: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/v1/sessions") }})
			d := hostileDriver(t, srv, -1)
			d.waitFor("the load to end", func(m Model) bool { return !m.load.active && (m.load.err != nil || m.load.complete) },
				faultDefaultTimeout)
			if !strings.Contains(d.screen(), "refused a redirect to another host or port") {
				t.Fatalf("screen does not say the redirect was refused:\n%s", d.screen())
			}
			if other.RequestCount() != 0 {
				t.Fatalf("the other port got %d requests", other.RequestCount())
			}
		}},
		{6, "a key echoed in a long error is not on screen, not even in part", func(t *testing.T) {
			srv := liarServer(t, 10)
			d := hostileDriver(t, srv, -1)
			d.waitFor("the load", faultLoaded(10), faultDefaultTimeout)
			for pad := 150; pad <= 200; pad += 7 {
				srv.SetFaults(apitest.Faults{Match: apitest.MatchMethod(http.MethodPatch), FailCount: 1, FailStatus: 400,
					FailBody: `{"error":"` + strings.Repeat("x", pad) + " " + hostileKey + ` trailing words"}`})
				d.press("r")
				msg := waitSaveFailed(t, d)
				for _, text := range []string{msg, d.screen()} {
					if strings.Contains(text, hostileKey[:8]) || strings.Contains(text, hostileKey[len(hostileKey)-8:]) {
						t.Fatalf("pad %d: a piece of the key in %q", pad, text)
					}
				}
			}
		}},
		{10, "a save answered with {} or another session changes nothing", func(t *testing.T) {
			for _, lie := range []string{"empty", "foreign"} {
				srv := liarServer(t, 10)
				d := hostileDriver(t, srv, 3)
				d.waitFor("the load", faultLoaded(10), faultDefaultTimeout)
				s := hostileUnresolved(t, d, srv)
				other := srv.All()[0]
				if other.ID == s.ID {
					other = srv.All()[1]
				}
				otherRow := *d.m.st.get(other.ID)
				l := apitest.Lies{PatchAnswer: "{}"}
				want := "resolve failed: unexpected answer: the server's answer holds no session (empty or without an id)"
				if lie == "foreign" {
					l = apitest.Lies{PatchAnswerWith: other.ID}
					want = "resolve failed: unexpected answer: the server answered with a different session (" + other.ID + ")"
				}
				untitled := strings.Count(d.screen(), "(untitled)")
				srv.SetLies(l)
				d.press("r")
				if msg := waitSaveFailed(t, d); msg != want {
					t.Fatalf("%s: status %q, want %q", lie, msg, want)
				}
				if d.m.st.loaded != 10 || len(d.m.view.rows) != 10 || d.m.st.get("") != nil ||
					strings.Count(d.screen(), "(untitled)") != untitled {
					t.Fatalf("%s: rows changed: %d loaded, %d shown", lie, d.m.st.loaded, len(d.m.view.rows))
				}
				if len(d.m.ops.undo) != 0 || d.m.st.get(s.ID).HasTag(resolvedTag) {
					t.Fatalf("%s: undo %d entries, row resolved %v", lie, len(d.m.ops.undo), d.m.st.get(s.ID).HasTag(resolvedTag))
				}
				if got := *d.m.st.get(other.ID); got.Title != otherRow.Title || !slices.Equal(got.S.Tags, otherRow.S.Tags) {
					t.Fatalf("%s: the other session's row changed", lie)
				}
			}
		}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			row.run(t)
		})
	}
}
