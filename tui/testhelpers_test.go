package tui

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/form"
)

// TestMain pins the colour profile: goldens are plain text unless a test
// switches the profile itself (and puts it back).
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// progNow is the one clock of the program tests: the server stamps its
// sessions with it and the program measures ages with it.
var progNow = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

func progClock() time.Time { return progNow }

// progWait bounds every wait of the program tests; it is no speed check, and
// -race on a loaded 2-core machine needs far more than a quiet run.
const progWait = 60 * time.Second

// progServer starts an in-memory API server with a fixed clock.
func progServer(t *testing.T, o apitest.Options) *apitest.Server {
	t.Helper()
	if o.Now == nil {
		o.Now = progClock
	}
	return apitest.NewTestServer(t, o)
}

// progClient is the real client against srv, without retries so that an
// injected 503 is seen at once.
func progClient(srv *apitest.Server, key string) *apiclient.Client {
	return apiclient.New(apiclient.Config{APIKey: key, BaseURL: srv.URL(), MaxRetries: -1})
}

// progOptions are the program options of the tests: fixed clock, no-colour
// theme, no auto refresh.
func progOptions(api API) Options {
	return Options{API: api, Now: progClock, Theme: theme.New(theme.Dark, true)}
}

// progSnap is what the tests may look at while the program runs. It is taken
// on the program's goroutine after every Update, so reading it never races
// with the model (whose store is mutated in place).
type progSnap struct {
	n         int // updates seen
	keys      int // key messages handled
	view      string
	mode      mode
	selID     string
	cursor    int
	rows      []string // ids of the visible rows, in order
	marked    []string
	status    statusLine
	loading   bool
	complete  bool
	idle      bool // nothing loading, deriving, saving or refreshing
	settled   bool // idle, and a load has completed
	formOpen  bool
	formTitle string
	formErr   string
	formSave  bool
	confirm   form.Question
	named     bool // the agents' display names have arrived
	filter    string
	inflight  int                 // saves not yet answered
	tags      map[string][]string // loaded session id → raw tags
	titles    map[string]string   // loaded session id → raw title
}

func progTakeSnap(m Model, n, keys int) progSnap {
	s := progSnap{
		n:        n,
		keys:     keys,
		view:     m.View(),
		mode:     m.mode,
		cursor:   m.list.Cursor,
		status:   m.status,
		loading:  m.load.active,
		complete: m.load.complete,
		filter:   m.spec.q.Raw,
		inflight: m.savesInFlight(),
		tags:     map[string][]string{},
		titles:   map[string]string{},
		named:    m.facts.names != nil,
	}
	if r := m.selected(); r != nil {
		s.selID = r.S.ID
	}
	for _, r := range m.view.rows {
		s.rows = append(s.rows, r.S.ID)
	}
	for id := range m.marked {
		s.marked = append(s.marked, id)
	}
	sort.Strings(s.marked)
	for _, r := range m.st.rows() {
		s.tags[r.S.ID] = slices.Clone(r.S.Tags)
		s.titles[r.S.ID] = r.S.TitleOrEmpty()
	}
	s.idle = !m.load.active && !m.deriving && m.view.version == m.st.version &&
		len(m.ops.inflight) == 0 && m.ops.bulk == nil && !m.refresh.inflight
	s.settled = s.idle && m.load.complete
	if m.mode == modeEdit {
		s.formOpen = true
		s.formTitle = m.form.Title()
		s.formErr = m.form.Err()
		s.formSave = m.form.Saving()
		s.confirm = m.form.Question()
	}
	return s
}

// progRecorder keeps the latest snapshot of a running program.
type progRecorder struct {
	mu   sync.Mutex
	last progSnap
}

func (r *progRecorder) set(s progSnap) {
	r.mu.Lock()
	r.last = s
	r.mu.Unlock()
}

func (r *progRecorder) get() progSnap {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// progRecModel wraps the root model to record a snapshot after every Update.
type progRecModel struct {
	m    Model
	rec  *progRecorder
	n    int
	keys int
}

func (r progRecModel) Init() tea.Cmd { return r.m.Init() }

func (r progRecModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	nm, cmd := r.m.Update(msg)
	r.m = nm.(Model)
	r.n++
	if _, ok := msg.(tea.KeyMsg); ok {
		r.keys++
	}
	r.rec.set(progTakeSnap(r.m, r.n, r.keys))
	return r, cmd
}

func (r progRecModel) View() string { return r.m.View() }

// prog is a program under test.
type prog struct {
	t   *testing.T
	tm  *teatest.TestModel
	rec *progRecorder
	srv *apitest.Server
}

// startProg runs the program of opts in a w x h terminal.
func startProg(t *testing.T, srv *apitest.Server, opts Options, w, h int) *prog {
	t.Helper()
	m := New(opts)
	rec := &progRecorder{}
	rec.set(progTakeSnap(m, 0, 0))
	tm := teatest.NewTestModel(t, progRecModel{m: m, rec: rec}, teatest.WithInitialTermSize(w, h))
	p := &prog{t: t, tm: tm, rec: rec, srv: srv}
	t.Cleanup(func() {
		// Make sure the program is gone before the next test touches the
		// global colour profile.
		p.tm.Send(tea.QuitMsg{})
		p.tm.WaitFinished(t, teatest.WithFinalTimeout(progWait))
	})
	return p
}

// progStartList starts a program on srv and waits for the first list painted
// with everything loaded.
func progStartList(t *testing.T, srv *apitest.Server, w, h int) *prog {
	t.Helper()
	p := startProg(t, srv, progOptions(progClient(srv, "")), w, h)
	p.waitSettled("first load")
	return p
}

// waitFor waits until cond holds for the latest snapshot and returns it. It
// drains the program's output with teatest.WaitFor meanwhile.
func (p *prog) waitFor(desc string, cond func(s progSnap) bool) progSnap {
	p.t.Helper()
	var got progSnap
	ok := false
	check := func([]byte) bool {
		got = p.rec.get()
		ok = cond(got)
		return ok
	}
	// WaitFor fails the test itself, with the raw output; add the view.
	defer func() {
		if !ok {
			p.t.Logf("waiting for %s; last view:\n%s", desc, got.view)
		}
	}()
	teatest.WaitFor(p.t, p.tm.Output(), check,
		teatest.WithDuration(progWait), teatest.WithCheckInterval(5*time.Millisecond))
	return got
}

// waitSettled waits until nothing is loading, deriving or saving.
func (p *prog) waitSettled(desc string) progSnap {
	p.t.Helper()
	return p.waitFor(desc+" (settled)", func(s progSnap) bool { return s.settled })
}

// waitView waits until the view contains every one of texts and nothing is
// in flight.
func (p *prog) waitView(texts ...string) progSnap {
	p.t.Helper()
	return p.waitFor("view with "+strings.Join(texts, ", "), func(s progSnap) bool {
		if !s.settled {
			return false
		}
		for _, x := range texts {
			if !strings.Contains(s.view, x) {
				return false
			}
		}
		return true
	})
}

// press sends keys by name (see progKey), waiting for each to be handled
// so that key handling never overtakes the commands of the previous key.
func (p *prog) press(keys ...string) {
	p.t.Helper()
	for _, k := range keys {
		p.sendWait(progKey(k))
	}
}

// typeText types s, one key message per rune (non-ASCII included).
func (p *prog) typeText(s string) {
	p.t.Helper()
	for _, r := range s {
		if r == ' ' {
			p.sendWait(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		p.sendWait(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// sendWait sends a key and waits until the program has handled it, so that
// what a test reads next is the state after that key.
func (p *prog) sendWait(msg tea.KeyMsg) {
	p.t.Helper()
	n := p.rec.get().keys
	desc := "key " + msg.String() // before Send: textinput rewrites Runes in place
	p.tm.Send(msg)
	p.waitFor(desc, func(s progSnap) bool { return s.keys > n })
}

// finish stops the program without going through its quit path (which
// blanks the view) and returns the final model.
func (p *prog) finish() Model {
	p.t.Helper()
	p.tm.Send(tea.QuitMsg{})
	fm := p.tm.FinalModel(p.t, teatest.WithFinalTimeout(progWait))
	return fm.(progRecModel).m
}

// golden compares the final model's view with testdata/<test name>.golden.
func (p *prog) golden() Model {
	p.t.Helper()
	m := p.finish()
	view := m.View()
	progCheckFrame(p.t, view, m.ctx.Width, m.ctx.Height)
	golden.RequireEqual(p.t, []byte(view))
	return m
}

// progCheckFrame asserts the view is exactly h lines none wider than w.
func progCheckFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, lw, w, l)
		}
	}
}

// progKey is the key message a terminal sends for a key name.
func progKey(k string) tea.KeyMsg {
	types := map[string]tea.KeyType{
		"ctrl+s": tea.KeyCtrlS, "ctrl+r": tea.KeyCtrlR, "ctrl+c": tea.KeyCtrlC,
		"ctrl+u": tea.KeyCtrlU, "esc": tea.KeyEsc, "enter": tea.KeyEnter,
		"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "up": tea.KeyUp,
		"down": tea.KeyDown, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"home": tea.KeyHome, "end": tea.KeyEnd, "backspace": tea.KeyBackspace,
	}
	if k == "space" || k == " " {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	if t, ok := types[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// progPatches returns the PATCH requests the server received, oldest first.
func progPatches(srv *apitest.Server) []apitest.Request {
	var out []apitest.Request
	for _, r := range srv.Requests() {
		if r.Method == "PATCH" {
			out = append(out, r)
		}
	}
	return out
}

// progPatchBody decodes a PATCH body into its top-level keys.
func progPatchBody(t *testing.T, r apitest.Request) map[string]json.RawMessage {
	t.Helper()
	var body map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("PATCH body %q: %v", r.Body, err)
	}
	return body
}

// progServerTags is the session's tags on the server.
func progServerTags(t *testing.T, srv *apitest.Server, id string) []string {
	t.Helper()
	s, ok := srv.Get(id)
	if !ok {
		t.Fatalf("session %s not on the server", id)
	}
	return s.Tags
}

// ---- Update() unit test helpers: no program, commands run in the test.

// unitRunCmd runs cmd and returns the messages it produces, expanding batches
// and sequences. Every leaf runs in its own goroutine; one that has not
// returned within d (a tick, a toast timer) is skipped.
func unitRunCmd(cmd tea.Cmd, d time.Duration) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(d):
		return nil
	}
	switch v := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		return unitRunAll(v, d)
	}
	// tea.sequenceMsg is unexported: recognise it as a []tea.Cmd.
	if rv := reflect.ValueOf(msg); rv.Kind() == reflect.Slice && rv.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		var out []tea.Msg
		for i := range rv.Len() {
			out = append(out, unitRunCmd(rv.Index(i).Interface().(tea.Cmd), d)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// unitRunAll runs the commands concurrently and keeps their order.
func unitRunAll(cmds []tea.Cmd, d time.Duration) []tea.Msg {
	res := make([][]tea.Msg, len(cmds))
	var wg sync.WaitGroup
	for i, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = unitRunCmd(c, d)
		}()
	}
	wg.Wait()
	var out []tea.Msg
	for _, r := range res {
		out = append(out, r...)
	}
	return out
}

// unitTimerMsg reports messages of timers and animations, which would keep a
// synchronous driver busy forever: spinner frames, cursor blinks, refresh
// ticks and expiries.
func unitTimerMsg(msg tea.Msg) bool {
	switch msg.(type) {
	case spinner.TickMsg, refreshTickMsg, toastExpiredMsg, changedExpiredMsg:
		return true
	}
	return strings.Contains(reflect.TypeOf(msg).PkgPath(), "bubbles/cursor")
}

// unitWait bounds one command of the Update tests: API calls against the
// local server finish well within it, timers (toasts: 3s) do not.
const unitWait = 1500 * time.Millisecond

// unitDrive feeds the messages of cmd back into m until nothing more comes,
// like the program would, skipping timers. It returns the settled model.
func unitDrive(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	queue := unitRunCmd(cmd, unitWait)
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 10000 {
			t.Fatalf("drive: no end in sight")
		}
		msg := queue[0]
		queue = queue[1:]
		if unitTimerMsg(msg) {
			continue
		}
		nm, c := m.Update(msg)
		m = nm.(Model)
		queue = append(queue, unitRunCmd(c, unitWait)...)
	}
	return m
}

// unitUpdate applies msg to m and drives its commands to the end.
func unitUpdate(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	nm, cmd := m.Update(msg)
	return unitDrive(t, nm.(Model), cmd)
}

// unitKeys presses the named keys one after the other (see progKey).
func unitKeys(t *testing.T, m Model, names ...string) Model {
	t.Helper()
	for _, k := range names {
		m = unitUpdate(t, m, progKey(k))
	}
	return m
}

// unitLoaded is a model of size w x h with every session of srv loaded.
func unitLoaded(t *testing.T, srv *apitest.Server, w, h int) Model {
	t.Helper()
	m := New(progOptions(progClient(srv, "")))
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	m = unitDrive(t, m, m.initLoad)
	if m.load.active || !m.load.complete || len(m.view.rows) == 0 {
		t.Fatalf("load did not finish: active=%v complete=%v rows=%d", m.load.active, m.load.complete, len(m.view.rows))
	}
	return m
}

// unitRowIDs is the ids of the visible rows.
func unitRowIDs(m Model) []string {
	out := make([]string, len(m.view.rows))
	for i, r := range m.view.rows {
		out[i] = r.S.ID
	}
	return out
}
