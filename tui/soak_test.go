package tui

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui/form"
)

// go test ./tui/ -run Soak -soak=5m drives the program for longer.
var soakFor = flag.Duration("soak", 20*time.Second, "how long TestSoak drives the program")

// soakSeed picks the key sequence and the injected failures.
var soakSeed = flag.Int64("soak.seed", 1, "seed of TestSoak's keys and failures")

// soakChange is one save the server applied, as the program reported it.
type soakChange struct {
	at             time.Time // the session's updated_at after it: the server's order
	added, removed []string
	title          *string
}

// soakLedger replays every successful save's delta, in the order the server
// applied them, over each session's tags as they were before the run.
type soakLedger struct {
	initial map[string][]string
	changes map[string][]soakChange
}

func (l *soakLedger) know(ss []apiclient.Session) {
	for _, s := range ss {
		if _, ok := l.initial[s.ID]; !ok {
			l.initial[s.ID] = slices.Clone(s.Tags)
		}
	}
}

// record a save: undo is the exact inverse of what the save changed.
// soakRevert is the inverse delta a save recorded for undo.
func soakRevert(revert any) change {
	c, _ := revert.(change)
	return c
}

func (l *soakLedger) record(s apiclient.Session, undo change) {
	l.changes[s.ID] = append(l.changes[s.ID], soakChange{
		at: s.UpdatedAt, added: undo.removed, removed: undo.added, title: s.Title,
	})
}

// expected is what the server must hold for id.
func (l *soakLedger) expected(id string) (tags []string, title *string, touched bool) {
	tags = slices.Clone(l.initial[id])
	cs := slices.Clone(l.changes[id])
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].at.Before(cs[j].at) })
	for _, c := range cs {
		tags, _, _ = apiclient.ApplyTagDelta(tags, c.added, c.removed)
		title = c.title
	}
	return tags, title, len(cs) > 0
}

func soakSameTags(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// soakStats are the figures the soak reports.
type soakStats struct {
	steps, saves, failedSaves, formFailures, bulkRuns, ticks, resizes int
}

// soakAlphabet is what the soak types: no q (quit) and no y (copy to the
// clipboard in the list; y is only sent to answer a confirm).
const soakAlphabet = "abcdefhijklmnoprstuvwxz -"

var (
	soakListKeys = []string{
		"j", "k", "g", "G", "pgup", "pgdown", "enter", "esc", "e", "r", "u", "/",
		"tab", "shift+tab", "s", "S", "space", "V", "t", "T", "a", "p", "?", "ctrl+r",
		"j", "j", "k", "space", "space", "r", "e", "e", "t", "u", "1", "2", "3",
	}
	soakDetailKeys = []string{"j", "k", "pgdown", "esc", "esc", "e", "r", "u", "?", "ctrl+r"}
	soakPickKeys   = []string{"j", "k", "enter", "esc"}
	soakFormKeys   = []string{
		"tab", "shift+tab", "enter", "space", "backspace", "up", "down", "ctrl+s", "ctrl+s", "esc", "ctrl+u",
	}
	soakSizes = [][2]int{{100, 30}, {80, 24}, {120, 40}, {160, 50}, {90, 26}}
)

// soakKey picks the next key for the mode the program is in.
func soakKey(rng *rand.Rand, m Model) string {
	letter := func() string { return string(soakAlphabet[rng.Intn(len(soakAlphabet))]) }
	switch m.mode {
	case modeEdit:
		if m.form.Question() != form.NoQuestion {
			return []string{"y", "n", "y"}[rng.Intn(3)]
		}
		if rng.Intn(2) == 0 {
			return letter()
		}
		k := soakFormKeys[rng.Intn(len(soakFormKeys))]
		if k == "esc" && m.form.Saving() {
			// Cancelling a save in flight makes its outcome unknowable
			// (the PATCH may land after the cancel); the fault tests cover
			// it. Here every save's outcome must be known.
			return "ctrl+s"
		}
		return k
	case modeFilter:
		if rng.Intn(3) > 0 {
			return letter()
		}
		return []string{"backspace", "esc", "enter", "up", "down"}[rng.Intn(5)]
	case modeHelp:
		return []string{"esc", "?", "j"}[rng.Intn(3)]
	case modeDetail:
		return soakDetailKeys[rng.Intn(len(soakDetailKeys))]
	case modeUsage, modeAgents:
		return soakPickKeys[rng.Intn(len(soakPickKeys))]
	}
	return soakListKeys[rng.Intn(len(soakListKeys))]
}

// soakIdle: nothing the user started is still on its way.
func soakIdle(m Model) bool {
	return len(m.ops.inflight) == 0 && m.ops.bulk == nil && !(m.mode == modeEdit && m.form.Saving()) && !m.load.active && !m.refresh.inflight
}

func TestSoak(t *testing.T) {
	dur := *soakFor
	if testing.Short() {
		dur = min(dur, 5*time.Second)
	}
	seed := *soakSeed
	rng := rand.New(rand.NewSource(seed))

	srv := apitest.NewTestServer(t, apitest.Options{Sessions: 300, Seed: seed, APIKey: "soakkey-123456"})
	ledger := &soakLedger{initial: map[string][]string{}, changes: map[string][]soakChange{}}
	ledger.know(srv.All())
	// Simulated activity changes status, usage and previews, never tags or
	// titles (apitest/activity.go), so the ledger alone accounts for tags.
	srv.SetFaults(apitest.Faults{FailureRate: 0.1, FailStatus: 503, Seed: seed})

	// The program talks to the server through a lying proxy: list pages
	// echo wrong offsets and carry invisible characters (issue 8).
	liar := soakLiar(t, srv.URL(), seed)

	notify, events := RetryNotifier()
	api := apiclient.New(apiclient.Config{APIKey: "soakkey-123456", BaseURL: liar.URL, OnRetry: notify, MaxRetries: -1})
	opts := faultOptions(api, events)
	opts.Refresh = 700 * time.Millisecond
	w, h := 100, 30
	d := newFaultDriver(t, opts, w, h)

	var st soakStats
	d.hook = func(before Model, msg tea.Msg, after Model) {
		switch msg := msg.(type) {
		case sessionSavedMsg:
			st.saves++
			ledger.record(*msg.session, soakRevert(msg.revert))
			soakCheckOnServer(t, srv, after, *msg.session)
		case bulkProgressMsg:
			if msg.err != nil {
				st.failedSaves++
				return
			}
			st.saves++
			ledger.record(*msg.session, soakRevert(msg.revert))
			soakCheckOnServer(t, srv, after, *msg.session)
		case sessionSaveFailedMsg:
			st.failedSaves++
			if before.mode == modeEdit && before.ops.formOp == msg.op && before.form.SessionID() == msg.id {
				st.formFailures++
				soakCheckInputKept(t, before, after)
			}
		case bulkFinishedMsg:
			if b := before.ops.bulk; b != nil && b.gen == msg.gen {
				st.bulkRuns++
				for id := range b.failures {
					if !after.marked[id] {
						t.Fatalf("bulk %s: %s failed but is no longer marked for a retry", b.verb, id)
					}
				}
			}
		}
	}

	deadline := time.Now().Add(dur)
	for time.Now().Before(deadline) {
		k := soakKey(rng, d.m)
		d.press(k)
		st.steps++
		faultCheckFits(t, d.m.View(), w, h)
		soakCheckNoInvisible(t, d.m.View())
		for _, r := range d.m.st.rows() {
			if strings.HasPrefix(r.S.ID, "session_soakextra") {
				t.Fatalf("step %d: a session past a page's limit is listed (%s)", st.steps, r.S.ID)
			}
		}

		// Let the program catch up: mostly until it is idle, sometimes not
		// at all, so keys also land while saves and loads are in flight.
		if rng.Intn(10) < 7 {
			until := time.Now().Add(5 * time.Second)
			for !soakIdle(d.m) && time.Now().Before(until) {
				d.step(20 * time.Millisecond)
			}
		}
		d.drain()
		faultCheckFits(t, d.m.View(), w, h)
		soakCheckNoInvisible(t, d.m.View())

		if st.steps%25 == 0 {
			srv.Tick(time.Now())
			ledger.know(srv.All()) // sessions the activity created, before anyone can edit them
			st.ticks++
		}
		if rng.Intn(150) == 0 {
			sz := soakSizes[rng.Intn(len(soakSizes))]
			w, h = sz[0], sz[1]
			d.apply(tea.WindowSizeMsg{Width: w, Height: h})
			faultCheckFits(t, d.m.View(), w, h)
			st.resizes++
		}
	}

	// Let everything in flight land, then compare the server with the ledger.
	d.waitFor("the program to be idle", soakIdle, 60*time.Second)
	d.drain()
	checked := 0
	for _, s := range srv.All() {
		want, title, touched := ledger.expected(s.ID)
		if !soakSameTags(s.Tags, want) {
			t.Errorf("%s: server tags %v, the saves reported add up to %v (from %v, %d saves)",
				s.ID, s.Tags, want, ledger.initial[s.ID], len(ledger.changes[s.ID]))
		}
		if touched && s.TitleOrEmpty() != soakDeref(title, "") {
			t.Errorf("%s: server title %q, last save reported %q", s.ID, s.TitleOrEmpty(), soakDeref(title, ""))
		}
		if touched {
			checked++
		}
	}

	faults := 0
	for _, r := range srv.Requests() {
		if r.Fault != "" {
			faults++
		}
	}
	t.Logf("soak %s seed %d: %d steps, %d saves, %d failed saves (%d in a form, input kept), %d bulk runs, %d sessions changed and checked, %d requests, %d faults injected, %d activity ticks, %d resizes, %d list pages lied about",
		dur, seed, st.steps, st.saves, st.failedSaves, st.formFailures, st.bulkRuns, checked, srv.RequestCount(), faults, st.ticks, st.resizes, liar.lies())

	// Whatever the pages echoed, a full load holds every session of the
	// server once, in the server's order.
	srv.SetFaults(apitest.Faults{}) // the liar stays; the 503s go, so the reload completes
	reload := d.m.startLoad()       // as ctrl+r would, from whatever mode the soak ended in
	d.exec(reload)
	d.waitFor("the reload", func(m Model) bool { return !m.load.active && m.load.complete }, 60*time.Second)
	d.drain()
	var want, got []string
	for _, s := range srv.All() {
		if a := d.m.load.agentID; a == "" || s.AgentID == a { // the soak may have picked an agent
			want = append(want, s.ID)
		}
	}
	for _, r := range d.m.st.rows() {
		got = append(got, r.S.ID)
	}
	if d.m.load.err != nil {
		t.Fatalf("reload through the liar failed: %v", d.m.load.err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("after a reload through the liar the store holds %d rows, the server %d (or in another order)", len(got), len(want))
	}

	// And it still quits cleanly. The soak may end on a question (a bulk
	// action's y/n): ctrl+c first cancels that, as esc would.
	if d.m.pending != nil {
		d.press("ctrl+c")
		if d.m.pending != nil {
			t.Fatalf("ctrl+c did not cancel the pending %s question", d.m.pending.action.Name)
		}
	}
	d.press("ctrl+c")
	if d.m.mode == modeEdit && d.m.form.Question() == form.QuitQuestion {
		d.press("y")
	}
	d.waitFor("quit", func(Model) bool { return d.quit }, faultDefaultTimeout)
}

// soakCheckNoInvisible: no format character (zero-width space, soft
// hyphen, prepended concatenation mark...) reaches the screen.
func soakCheckNoInvisible(t *testing.T, view string) {
	t.Helper()
	for i, r := range view {
		if unicode.Is(unicode.Cf, r) {
			t.Fatalf("%U on screen at byte %d: %q", r, i, ansi.Strip(view))
		}
	}
}

// soakLiarServer is a proxy in front of the test server whose list pages
// lie: the echoed offset is -5, 0, 10^12 or off by 7 on most pages, the
// total is 10^12 on some, a full page sometimes carries one session more
// than asked for (which must never be listed), and
// every title and preview gains invisible characters. Tags are left alone
// (the ledger checks them against the server).
type soakLiarServer struct {
	*httptest.Server
	mu  sync.Mutex
	rng *rand.Rand
	n   int
}

func (l *soakLiarServer) lies() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

func soakLiar(t *testing.T, target string, seed int64) *soakLiarServer {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	l := &soakLiarServer{rng: rand.New(rand.NewSource(seed))}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method != http.MethodGet || resp.Request.URL.Path != u.Path+"/v1/sessions" || resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		var page map[string]any
		if json.Unmarshal(body, &page) == nil {
			l.mu.Lock()
			off, _ := page["offset"].(float64)
			switch l.rng.Intn(5) {
			case 0:
				page["offset"] = -5
			case 1:
				page["offset"] = 0
			case 2:
				page["offset"] = 1_000_000_000_000
			case 3:
				page["offset"] = off + 7
			}
			if l.rng.Intn(4) == 0 {
				page["total"] = 1_000_000_000_000 // paging must stop on the evidence
			}
			items, _ := page["data"].([]any)
			if limit, _ := strconv.Atoi(resp.Request.URL.Query().Get("limit")); limit > 0 && len(items) == limit && l.rng.Intn(3) == 0 {
				// One session more than asked for, which no list may show.
				if first, ok := items[0].(map[string]any); ok {
					extra := maps.Clone(first)
					extra["id"] = fmt.Sprintf("session_soakextra%d", l.n)
					items = append(items, extra)
					page["data"] = items
				}
			}
			l.n++
			l.mu.Unlock()
			for _, it := range items {
				s, _ := it.(map[string]any)
				for _, k := range []string{"title", "preview"} {
					if v, ok := s[k].(string); ok {
						s[k] = "\u0600\u06dd" + strings.Replace(v, " ", " \u200b\u00ad", 1) + "\u2060\ufeff\U000110bd"
					}
				}
			}
			if b, err := json.Marshal(page); err == nil {
				body = b
			}
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	l.Server = httptest.NewServer(proxy)
	t.Cleanup(l.Close)
	return l
}

func soakDeref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// soakCheckOnServer: a save the program reported as done is on the server,
// unless another save of the same session has happened or is in flight.
func soakCheckOnServer(t *testing.T, srv *apitest.Server, after Model, s apiclient.Session) {
	t.Helper()
	if after.ops.busy[s.ID] > 0 {
		return
	}
	now, ok := srv.Get(s.ID)
	if !ok {
		t.Fatalf("saved session %s is not on the server", s.ID)
	}
	if !soakSameTags(now.Tags, s.Tags) || now.TitleOrEmpty() != s.TitleOrEmpty() {
		t.Fatalf("save of %s reported %q %v, server has %q %v", s.ID, s.TitleOrEmpty(), s.Tags, now.TitleOrEmpty(), now.Tags)
	}
}

// soakCheckInputKept: a failed form save leaves the form open with
// everything the user typed, and says why.
func soakCheckInputKept(t *testing.T, before, after Model) {
	t.Helper()
	if after.mode != modeEdit {
		t.Fatalf("form closed after a failed save (mode %d)", after.mode)
	}
	if a, b := after.form.Title(), before.form.Title(); a != b {
		t.Fatalf("failed save changed the title input: %q → %q", b, a)
	}
	if !slices.Equal(after.form.Added(), before.form.Added()) || !slices.Equal(after.form.Removed(), before.form.Removed()) {
		t.Fatalf("failed save changed the tag choices: +%v -%v → +%v -%v",
			before.form.Added(), before.form.Removed(), after.form.Added(), after.form.Removed())
	}
	if after.form.Saving() || !strings.HasPrefix(after.form.Err(), "save failed") {
		t.Fatalf("after a failed save: saving %v, error %q", after.form.Saving(), after.form.Err())
	}
}
