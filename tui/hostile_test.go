package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/everruns/sessions/apiclient"
)

// Issue 8, TUI side: small hostile servers (plain httptest handlers, the
// kind a misconfigured proxy or a buggy deploy produces), one per defect,
// and the exact outcome each must have.

// hostileServer serves a fixed list of sessions and lies as told.
type hostileServer struct {
	t        *testing.T
	sessions []apiclient.Session // the truth, in list order
	// echo is the offset the list answers for a requested one (nil: the truth).
	echo func(requested int) int
	// mangle, when set, rewrites each list page's JSON body.
	mangle func(body []byte) []byte

	mu      sync.Mutex
	lists   []int    // offsets requested, in order
	patches []string // ids PATCHed, once the PATCH is through the gate
	gate    chan struct{}
	// patchStatus, when set, answers every PATCH (after the gate) with it.
	patchStatus int
	// failID, when set, is the one session whose PATCH answers 503.
	failID string
}

func newHostile(t *testing.T, sessions []apiclient.Session) (*hostileServer, *apiclient.Client) {
	h := &hostileServer{t: t, sessions: sessions}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, apiclient.New(apiclient.Config{APIKey: "hostile-test-key-123", BaseURL: srv.URL, MaxRetries: -1})
}

// hostileSessions makes n sessions with ids s000, s001, ... in list order.
func hostileSessions(n int) []apiclient.Session {
	out := make([]apiclient.Session, n)
	for i := range out {
		title := fmt.Sprintf("session number %d", i)
		out[i] = apiclient.Session{
			ID: fmt.Sprintf("s%03d", i), AgentID: "agent_1", Status: "idle", Title: &title,
			CreatedAt: progNow, UpdatedAt: progNow.Add(-time.Duration(i) * time.Minute),
		}
	}
	return out
}

func (h *hostileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/v1/sessions" {
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		h.mu.Lock()
		h.lists = append(h.lists, off)
		h.mu.Unlock()
		lo, hi := min(max(off, 0), len(h.sessions)), min(max(off, 0)+limit, len(h.sessions))
		echo := off
		if h.echo != nil {
			echo = h.echo(off)
		}
		body, _ := json.Marshal(apiclient.SessionPage{
			Data: h.sessions[lo:hi], Total: len(h.sessions), Offset: echo, Limit: limit,
		})
		if h.mangle != nil {
			body = h.mangle(body)
		}
		_, _ = w.Write(body)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/v1/sessions/")
	h.mu.Lock()
	i := slices.IndexFunc(h.sessions, func(s apiclient.Session) bool { return s.ID == id })
	gate := h.gate
	h.mu.Unlock()
	if i < 0 {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"not found"}`))
		return
	}
	if r.Method == http.MethodPatch {
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return // the client gave up: nothing was saved
			}
		}
		h.mu.Lock()
		status := h.patchStatus
		if h.failID == id {
			status = http.StatusServiceUnavailable
		}
		h.mu.Unlock()
		if status != 0 {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":"unavailable"}`))
			return
		}
		var req struct {
			Tags []string `json:"tags"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		h.mu.Lock()
		h.patches = append(h.patches, id)
		if req.Tags != nil {
			h.sessions[i].Tags = req.Tags
		}
		h.sessions[i].UpdatedAt = h.sessions[i].UpdatedAt.Add(time.Second)
		h.mu.Unlock()
	}
	h.mu.Lock()
	s := h.sessions[i]
	h.mu.Unlock()
	_ = json.NewEncoder(w).Encode(s)
}

func (h *hostileServer) patched() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.patches)
}

// hostileLoaded is a model of w x h with the hostile list loaded through
// the real client, pages of 100.
func hostileLoaded(t *testing.T, api API, w, hgt int) Model {
	t.Helper()
	m := New(progOptions(api))
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: w, Height: hgt})
	m = unitDrive(t, m, m.initLoad)
	if m.load.active || m.load.err != nil {
		t.Fatalf("load did not finish: active=%v err=%v", m.load.active, m.load.err)
	}
	return m
}

// hostileCheckFrame asserts every line of the view fits w cells.
func hostileCheckFrame(t *testing.T, view string, w int) {
	t.Helper()
	for i, l := range strings.Split(view, "\n") {
		if lw := lipgloss.Width(l); lw > w {
			t.Fatalf("line %d is %d cells, more than %d: %q", i, lw, w, l)
		}
	}
}

func TestHostileServers(t *testing.T) {
	ids := func(m Model) []string {
		var out []string
		for _, r := range m.st.rows() {
			out = append(out, r.S.ID)
		}
		return out
	}
	wantIDs := func(n int) []string {
		var out []string
		for _, s := range hostileSessions(n) {
			out = append(out, s.ID)
		}
		return out
	}
	cases := []struct {
		name string
		// n sessions on the server; echo lies about offsets; sessions may
		// be edited before the server starts.
		n      int
		echo   func(int) int
		mangle func([]byte) []byte
		edit   func([]apiclient.Session)
		check  func(t *testing.T, h *hostileServer, m Model)
	}{
		{
			// Was: index out of range [-5], terminal left in the alternate screen.
			name: "2: echoed offset -5",
			n:    350, echo: func(int) int { return -5 },
			check: func(t *testing.T, h *hostileServer, m Model) {
				if got := ids(m); !slices.Equal(got, wantIDs(350)) {
					t.Fatalf("rows %d, want the 350 in server order; first %v", len(got), got[:min(5, len(got))])
				}
				if m.status.kind != statusWarning || !strings.Contains(m.status.text, "offset -5") {
					t.Fatalf("status %+v, want a warning naming the echoed offset", m.status)
				}
			},
		},
		{
			// Was: a fatal out-of-memory (slots grown to 10^12).
			name: "2: echoed offset 10^12",
			n:    350, echo: func(int) int { return 1_000_000_000_000 },
			check: func(t *testing.T, h *hostileServer, m Model) {
				if got := ids(m); !slices.Equal(got, wantIDs(350)) {
					t.Fatalf("rows %d, want the 350 in server order", len(got))
				}
				// Memory is counted: one slot per row received, no more.
				if len(m.st.slots) != 350 {
					t.Fatalf("%d slots for 350 rows", len(m.st.slots))
				}
			},
		},
		{
			// Was: every page overwrote the first ("100 total" of 350).
			name: "2: echoed offset always 0",
			n:    350, echo: func(int) int { return 0 },
			check: func(t *testing.T, h *hostileServer, m Model) {
				if got := ids(m); !slices.Equal(got, wantIDs(350)) {
					t.Fatalf("rows %d, want the 350 in server order", len(got))
				}
				if !strings.Contains(m.View(), "350 total") {
					t.Fatalf("header does not say 350 total:\n%s", m.View())
				}
			},
		},
		{
			// Was: a title of U+0600 measured 0 cells, was never cut and
			// pushed the header off screen; U+00AD moved the pane border;
			// "res\u200bolved" looked exactly like "resolved".
			name: "8: invisible characters in titles and tags",
			n:    3,
			edit: func(ss []apiclient.Session) {
				marks := strings.Repeat("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u08e2\U000110bd\U000110cd", 20)
				ss[0].Title = &marks
				soft := "soft\u00adhyphen\u200btitle\u2060here\ufeff"
				ss[1].Title = &soft
				ss[1].Tags = []string{"res\u200bolved", "a, b", "plain"}
			},
			check: func(t *testing.T, h *hostileServer, m Model) {
				view := m.View()
				hostileCheckFrame(t, view, 100)
				for _, r := range []rune{0x0600, 0x06dd, 0x070f, 0x08e2, 0x110bd, 0x110cd, 0x00ad, 0x200b, 0x2060, 0xfeff} {
					if strings.ContainsRune(view, r) {
						t.Fatalf("%U reached the screen", r)
					}
				}
				r1 := m.st.get("s001")
				if r1.Title != "softhyphentitlehere" {
					t.Fatalf("title %q", r1.Title)
				}
				if r0 := m.st.get("s000"); r0.Title != "(untitled)" || r0.TitleW != len("(untitled)") {
					t.Fatalf("a title of marks alone shows %q (%d cells)", r0.Title, r0.TitleW)
				}
				// The zero-width space shows, so the tag is not "resolved";
				// the comma tag is quoted, so it reads as one tag.
				if want := "res\uFFFDolved \"a, b\" plain"; r1.TagsText != want {
					t.Fatalf("tags %q, want %q", r1.TagsText, want)
				}
				if r1.HasTag("resolved") {
					t.Fatal("the lookalike tag counts as resolved")
				}
			},
		},
		{
			// One unreadable session: the rest of the page stays, and the
			// screen says how many were left out (the client decodes per item).
			name: "9: one bad session in a page",
			n:    5,
			edit: func(ss []apiclient.Session) { ss[2].UpdatedAt = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC) },
			mangle: func(b []byte) []byte {
				return bytes.Replace(b, []byte(`"updated_at":"2001-02-03T04:05:06Z"`), []byte(`"updated_at":""`), 1)
			},
			check: func(t *testing.T, h *hostileServer, m Model) {
				if got := ids(m); !slices.Equal(got, []string{"s000", "s001", "s003", "s004"}) {
					t.Fatalf("rows %v, want every good session", got)
				}
				if m.status.kind != statusWarning || !strings.HasPrefix(m.status.text, "1 session could not be read and is not shown (session s002: ") {
					t.Fatalf("status %+v, want a counted warning", m.status)
				}
			},
		},
		{
			// Was: tokens past the int32 range (and lying sums) rendered negative.
			name: "mend: tokens past int32",
			n:    2,
			edit: func(ss []apiclient.Session) {
				ss[0].Usage = &apiclient.TokenUsage{InputTokens: 2_000_000_000, OutputTokens: 147_483_648}
				ss[1].Usage = &apiclient.TokenUsage{InputTokens: 7_000_000_000_000, OutputTokens: 300_000_000_000}
			},
			check: func(t *testing.T, h *hostileServer, m Model) {
				if got := listTokens(m.st.get("s000")); got != "2.1B" {
					t.Fatalf("tokens %q, want 2.1B", got)
				}
				if got := listTokens(m.st.get("s001")); got != "7.3T" {
					t.Fatalf("tokens %q, want 7.3T", got)
				}
				if strings.Contains(m.View(), "-2") {
					t.Fatalf("a negative count on screen:\n%s", m.View())
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ss := hostileSessions(c.n)
			if c.edit != nil {
				c.edit(ss)
			}
			h, api := newHostile(t, ss)
			h.echo, h.mangle = c.echo, c.mangle
			m := hostileLoaded(t, api, 100, 30)
			c.check(t, h, m)
		})
	}
}

// listTokens is the token column of a row.
func listTokens(r *row) string { return compactTokens(r.Total) }

// A page asked at an absurd offset (a client that trusted a lying total)
// cannot grow the store past what the rows received justify; a negative
// one cannot index before the start. Nothing is dropped.
func TestStoreGrowthFollowsRowsReceived(t *testing.T) {
	st := newStore()
	st.applyPage(0, page(0, 100, 1_000_000_000_000))
	st.applyPage(1_000_000_000_000, apiclient.SessionPage{Data: hostileSessions(3)})
	st.applyPage(-5, apiclient.SessionPage{Data: []apiclient.Session{{ID: "neg"}}})
	if len(st.slots) != 104 || st.loaded != 104 || st.misplaced != 4 {
		t.Fatalf("slots %d loaded %d misplaced %d, want 104 104 4", len(st.slots), st.loaded, st.misplaced)
	}
	// Out of order within reason still lands in place, with a gap.
	st2 := newStore()
	st2.applyPage(0, page(0, 100, 1000))
	st2.applyPage(300, page(300, 100, 1000))
	if len(st2.slots) != 400 || st2.loaded != 200 || st2.misplaced != 0 {
		t.Fatalf("slots %d loaded %d misplaced %d", len(st2.slots), st2.loaded, st2.misplaced)
	}
	// An empty page far away allocates nothing.
	st2.applyPage(1<<40, apiclient.SessionPage{Total: 1 << 50})
	if len(st2.slots) != 400 {
		t.Fatalf("an empty page grew the store to %d", len(st2.slots))
	}
}

// Refresh places nothing by the echoed offset either: a server echoing 0
// for every page must not make the rows of other pages "new on top".
func TestHostileRefreshIgnoresEcho(t *testing.T) {
	ss := hostileSessions(250)
	h, api := newHostile(t, ss)
	m := hostileLoaded(t, api, 100, 30)
	h.mu.Lock()
	h.echo = func(int) int { return 0 }
	// Rows that the store does not know, served on page 200: with the echo
	// trusted they would go on top as new sessions.
	for i := 200; i < 250; i++ {
		h.sessions[i].ID = fmt.Sprintf("new%03d", i)
	}
	h.mu.Unlock()
	msg := refreshPages(api, []int{0, 200}, 100, "", m.refresh.gen)()
	m = unitUpdate(t, m, msg)
	if got := m.st.loaded; got != 250 {
		t.Fatalf("%d rows after the refresh, want 250 (nothing new on the newest page)", got)
	}
	if m.st.get("new200") != nil {
		t.Fatal("a row of page 200 went on top because the page echoed offset 0")
	}
}

// y copies only a plain id: an id with a newline and a command is refused
// with a reason, and nothing reaches the clipboard.
func TestHostileCopyID(t *testing.T) {
	ss := hostileSessions(3)
	ss[0].ID = "session_x\n; echo PWNED"
	ss[1].ID = "session_\x1b]52;c;ZXZpbA==\x07ok"
	_, api := newHostile(t, ss)
	var (
		mu     sync.Mutex
		copied []string
	)
	opts := progOptions(api)
	opts.Clipboard = func(s string) error { mu.Lock(); copied = append(copied, s); mu.Unlock(); return nil }
	m := New(opts)
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = unitDrive(t, m, m.initLoad)
	cases := []struct {
		id, copied, status string
		kind               statusKind
	}{
		{ss[0].ID, "", "id not copied: it holds characters an id should not have (only letters, digits and _ - . : are copied)", statusError},
		{ss[1].ID, "", "id not copied: it holds characters an id should not have (only letters, digits and _ - . : are copied)", statusError},
		{"s002", "s002", "copied s002", statusToast},
	}
	for i, c := range cases {
		m.list.Cursor = slices.IndexFunc(m.view.rows, func(r *row) bool { return r.S.ID == c.id })
		if m.selected() == nil || m.selected().S.ID != c.id {
			t.Fatalf("row %q not found", c.id)
		}
		mu.Lock()
		copied = nil
		mu.Unlock()
		m = unitKeys(t, m, "y")
		mu.Lock()
		got := slices.Clone(copied)
		mu.Unlock()
		if c.copied == "" && len(got) != 0 || c.copied != "" && !slices.Equal(got, []string{c.copied}) {
			t.Fatalf("case %d: copied %q, want %q", i, got, c.copied)
		}
		if m.status.kind != c.kind || m.status.text != c.status {
			t.Fatalf("case %d: status %+v, want %q", i, m.status, c.status)
		}
	}
}

func TestPlainID(t *testing.T) {
	for id, want := range map[string]bool{
		"session_01HZX3": true, "a.b:c-d_e": true, strings.Repeat("a", 128): true,
		"": false, strings.Repeat("a", 129): false, "a b": false, "a\nb": false, "a;b": false,
		"a\u200bb": false, "séance": false, "a$(x)": false, "a/b": false,
	} {
		if got := plainID(id); got != want {
			t.Errorf("plainID(%q) = %v, want %v", id, got, want)
		}
	}
}

// A panic in a goroutine the program started itself (here the load's)
// ends the program through Bubble Tea's recovery, which leaves the
// alternate screen: the terminal is restored.
func TestPanicInLoadRestoresTerminal(t *testing.T) {
	var out bytes.Buffer
	m := New(progOptions(panickyAPI{}))
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithInput(nil), tea.WithOutput(&out), tea.WithoutSignals())
	_, err := p.Run()
	if !errors.Is(err, tea.ErrProgramPanic) {
		t.Fatalf("Run: %v, want a recovered panic", err)
	}
	s := out.String()
	enter := strings.LastIndex(s, "\x1b[?1049h")
	if enter < 0 || !strings.Contains(s[enter:], "\x1b[?1049l") {
		t.Fatalf("alternate screen not left: %q", s[max(0, len(s)-80):])
	}
}

type panickyAPI struct{ API }

func (panickyAPI) ListAll(context.Context, apiclient.ListOptions, int, func(apiclient.PageEvent)) ([]apiclient.Session, error) {
	var rows []int
	_ = rows[-1+len(rows)] // index out of range, as a lying offset once caused
	return nil, nil
}
