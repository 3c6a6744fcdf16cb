package tui

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui/safetext"
)

// actKit is a loaded model against apitest with a recording clipboard and
// browser.
type actKit struct {
	t      *testing.T
	srv    *apitest.Server
	mu     sync.Mutex
	copied []string
	opened []string
	noWeb  bool // the browser fails
}

func (k *actKit) clip(s string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.copied = append(k.copied, s)
	return nil
}

func (k *actKit) open(u string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.noWeb {
		return errors.New("exec: \"xdg-open\": executable file not found in $PATH")
	}
	k.opened = append(k.opened, u)
	return nil
}

func (k *actKit) clipboard() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.copied)
}

func (k *actKit) browser() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.opened)
}

func newActKit(t *testing.T, o apitest.Options) (*actKit, Model) {
	t.Helper()
	k := &actKit{t: t, srv: progServer(t, o)}
	opts := progOptions(progClient(k.srv, ""))
	opts.Clipboard, opts.OpenURL = k.clip, k.open
	m := New(opts)
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = unitDrive(t, m, m.initLoad)
	if !m.load.complete {
		t.Fatal("load did not finish")
	}
	return k, m
}

// pick finds a loaded session that ok accepts.
func (k *actKit) pick(m Model, ok func(apiclient.Session) bool) apiclient.Session {
	k.t.Helper()
	for _, r := range m.view.rows {
		if ok(r.S) {
			return r.S
		}
	}
	k.t.Fatal("no session fits")
	return apiclient.Session{}
}

// selectRow puts the cursor on id.
func (k *actKit) selectRow(m Model, id string) Model {
	k.t.Helper()
	m.list.Cursor = slices.IndexFunc(m.view.rows, func(r *row) bool { return r.S.ID == id })
	if r := m.selected(); r == nil || r.S.ID != id {
		k.t.Fatalf("row %s not shown", id)
	}
	return m
}

// writes are the requests other than GET the server received, as
// "METHOD path".
func (k *actKit) writes() []string {
	var out []string
	for _, r := range k.srv.Requests() {
		if r.Method != "GET" {
			_, p, _ := strings.Cut(r.Path, "/v1/") // the server's prefix is its business
			out = append(out, r.Method+" /v1/"+p)
		}
	}
	return out
}

func plain(s apiclient.Session) bool {
	return !s.HasTag(platformChatTag) && !s.Status.Is(apiclient.StatusActive)
}

func wantStatus(t *testing.T, m Model, want string) {
	t.Helper()
	if got := m.statusView(); !strings.Contains(got, want) {
		t.Fatalf("status %q, want %q", got, want)
	}
}

func TestActionPinRoundTripAndUndo(t *testing.T) {
	k, m := newActKit(t, apitest.Options{Sessions: 12})
	s := k.pick(m, func(s apiclient.Session) bool { return plain(s) && !s.Pinned() })
	m = k.selectRow(m, s.ID)
	path := "/v1/sessions/" + s.ID + "/pin"

	m = unitKeys(t, m, "P")
	wantStatus(t, m, "Pinned")
	if !m.st.get(s.ID).S.Pinned() {
		t.Fatal("row not pinned after P")
	}
	m = unitKeys(t, m, "P")
	wantStatus(t, m, "Unpinned")
	if m.st.get(s.ID).S.Pinned() {
		t.Fatal("row still pinned after the second P")
	}
	m = unitKeys(t, m, "u")                    // undoes the unpin: pinned again
	wantStatus(t, m, "undid pin of 1 session") // undo names what it reverts (issue 12)
	if !m.st.get(s.ID).S.Pinned() {
		t.Fatal("undo of unpin did not pin")
	}
	m = unitKeys(t, m, "u") // undoes the pin
	if m.st.get(s.ID).S.Pinned() {
		t.Fatal("undo of pin did not unpin")
	}
	want := []string{"PUT " + path, "DELETE " + path, "PUT " + path, "DELETE " + path}
	if got := k.writes(); !slices.Equal(got, want) {
		t.Fatalf("writes %q, want %q", got, want)
	}
}

func TestActionArchiveLeavesListAndUndo(t *testing.T) {
	k, m := newActKit(t, apitest.Options{Sessions: 12})
	s := k.pick(m, plain)
	m = k.selectRow(m, s.ID)
	n := len(m.view.rows)

	m = unitKeys(t, m, "A")
	wantStatus(t, m, "Archived")
	if !k.srv.Archived(s.ID) {
		t.Fatal("server: not archived")
	}
	if slices.Contains(unitRowIDs(m), s.ID) || m.st.get(s.ID) != nil || len(m.view.rows) != n-1 {
		t.Fatalf("archived session still listed (%d rows, was %d)", len(m.view.rows), n)
	}

	m = unitKeys(t, m, "u")
	wantStatus(t, m, "undid archive of 1 session")
	if k.srv.Archived(s.ID) {
		t.Fatal("server: still archived after u")
	}
	if !slices.Contains(unitRowIDs(m), s.ID) || len(m.view.rows) != n {
		t.Fatalf("u did not bring the session back (%d rows)", len(m.view.rows))
	}
	want := []string{"PUT /v1/sessions/" + s.ID + "/archive", "DELETE /v1/sessions/" + s.ID + "/archive"}
	if got := k.writes(); !slices.Equal(got, want) {
		t.Fatalf("writes %q, want %q", got, want)
	}
}

func TestActionArchiveInDetailGoesBack(t *testing.T) {
	k, m := newActKit(t, apitest.Options{Sessions: 6})
	s := k.pick(m, plain)
	m = k.selectRow(m, s.ID)
	m = unitKeys(t, m, "enter")
	if m.mode != modeDetail {
		t.Fatal("detail not open")
	}
	m = unitKeys(t, m, "A")
	if m.mode != modeList || !k.srv.Archived(s.ID) || slices.Contains(unitRowIDs(m), s.ID) {
		t.Fatalf("mode %v archived %v: want the list without the session", m.mode, k.srv.Archived(s.ID))
	}
}

func TestActionCancelConfirmAndNoOp(t *testing.T) {
	k, m := newActKit(t, apitest.Options{Sessions: 40})
	active := func(s apiclient.Session) bool {
		return s.Status.Is(apiclient.StatusActive) && !s.HasTag(platformChatTag) && s.Can("cancel")
	}
	s := k.pick(m, active)
	m = k.selectRow(m, s.ID)
	cancelPath := "POST /v1/sessions/" + s.ID + "/cancel"

	m = unitKeys(t, m, "C")
	wantStatus(t, m, "Cancel the running turn? y/n")
	m = unitKeys(t, m, "n")
	wantStatus(t, m, "cancel cancelled")
	if got := k.writes(); len(got) != 0 {
		t.Fatalf("n sent %q", got)
	}

	m = unitKeys(t, m, "C", "y")
	wantStatus(t, m, "Turn cancelled")
	if got := k.writes(); !slices.Equal(got, []string{cancelPath}) {
		t.Fatalf("writes %q, want the cancel", got)
	}
	if srvS, _ := k.srv.Get(s.ID); srvS.Status.Is(apiclient.StatusActive) {
		t.Fatal("server: still active")
	}
	if r := m.st.get(s.ID); r.S.Status.Is(apiclient.StatusActive) || r.S.Can("cancel") {
		t.Fatal("row not refreshed after the cancel")
	}
	// No undo of a cancel.
	m = unitKeys(t, m, "u")
	wantStatus(t, m, "nothing to undo")

	// A turn that ended between the load and the key: the server says no_op.
	s2 := k.pick(m, active)
	m = k.selectRow(m, s2.ID)
	idle, _ := k.srv.Get(s2.ID)
	idle.Status, idle.Activity = apiclient.StatusIdle, apiclient.ActivityIdle
	k.srv.Put(idle)
	m = unitKeys(t, m, "C", "y")
	wantStatus(t, m, "nothing was running")
}

func TestActionDeleteTypedConfirmation(t *testing.T) {
	k, m := newActKit(t, apitest.Options{Sessions: 8})
	s := k.pick(m, plain)
	m = k.selectRow(m, s.ID)

	m = unitKeys(t, m, "D")
	wantStatus(t, m, "cannot be undone")
	wantStatus(t, m, `Type "delete"`)
	// y is a letter here, not a yes; a wrong word sends nothing.
	for _, c := range "yes" {
		m = unitKeys(t, m, string(c))
	}
	m = unitKeys(t, m, "enter")
	wantStatus(t, m, `delete cancelled: type "delete" to confirm`)
	// esc gives up.
	m = unitKeys(t, m, "D", "d", "esc")
	wantStatus(t, m, "delete cancelled")
	if got := k.writes(); len(got) != 0 {
		t.Fatalf("sent %q without the word", got)
	}
	if _, ok := k.srv.Get(s.ID); !ok {
		t.Fatal("session gone without confirmation")
	}

	m = unitKeys(t, m, "D")
	for _, c := range "delete" {
		m = unitKeys(t, m, string(c))
	}
	if v := m.statusView(); !strings.Contains(v, "delete") {
		t.Fatalf("typed word not shown: %q", v)
	}
	m = unitKeys(t, m, "enter")
	wantStatus(t, m, "Deleted")
	if got := k.writes(); !slices.Equal(got, []string{"DELETE /v1/sessions/" + s.ID}) {
		t.Fatalf("writes %q, want one DELETE", got)
	}
	if _, ok := k.srv.Get(s.ID); ok {
		t.Fatal("server still has the session")
	}
	if slices.Contains(unitRowIDs(m), s.ID) {
		t.Fatal("deleted session still listed")
	}
	m = unitKeys(t, m, "u")
	wantStatus(t, m, "nothing to undo")
}

func TestActionOpenInBrowser(t *testing.T) {
	k, m := newActKit(t, apitest.Options{Sessions: 4})
	s := k.pick(m, plain)
	if !strings.HasPrefix(s.ViewURL, "https://") {
		t.Fatalf("view_url %q", s.ViewURL)
	}
	m = k.selectRow(m, s.ID)
	m = unitKeys(t, m, "o")
	wantStatus(t, m, "opened "+s.ViewURL)
	if got := k.browser(); !slices.Equal(got, []string{s.ViewURL}) {
		t.Fatalf("browser got %q", got)
	}

	// No browser: the URL is shown (and stays) and copied.
	k.noWeb = true
	m = unitKeys(t, m, "o")
	wantStatus(t, m, "no browser; copied "+s.ViewURL)
	if m.status.kind != statusInfo {
		t.Errorf("status kind %v, want the sticky info line", m.status.kind)
	}
	if got := k.clipboard(); !slices.Equal(got, []string{s.ViewURL}) {
		t.Fatalf("clipboard %q", got)
	}
	if len(k.writes()) != 0 {
		t.Fatal("open wrote to the server")
	}
}

func TestActionOpenRefusesUnsafeURL(t *testing.T) {
	for _, bad := range []string{"javascript:alert(1)", "file:///etc/passwd", "https://x\x1b]52;c;ZXZpbA==\x07/",
		"https://example.com/a b", "", "https://user:pw@example.com/", "//example.com/x"} {
		if u, err := safeURL(bad); err == nil {
			t.Errorf("safeURL(%q) = %q, want refused", bad, u)
		}
	}
	if u, err := safeURL("https://app.everruns.com/sessions/s1?tab=x"); err != nil || u != "https://app.everruns.com/sessions/s1?tab=x" {
		t.Errorf("plain URL: %q, %v", u, err)
	}

	k, m := newActKit(t, apitest.Options{Sessions: 3})
	s := k.pick(m, plain)
	r := m.st.get(s.ID)
	bad := r.S
	bad.ViewURL = "javascript:alert(1)"
	m.st.upsert(bad)
	m = unitDrive(t, m, m.request())
	m = k.selectRow(m, s.ID)
	m = unitKeys(t, m, "o")
	wantStatus(t, m, "not opened: its view_url is not an http(s) URL")
	if len(k.browser()) != 0 || len(k.clipboard()) != 0 {
		t.Fatal("an unsafe URL reached the browser or clipboard")
	}
}

func TestActionCopyJSONSanitised(t *testing.T) {
	k, m := newActKit(t, apitest.Options{Sessions: 3})
	s := k.pick(m, plain)
	hostile, _ := k.srv.Get(s.ID)
	title := "evil\x1b]52;c;ZXZpbA==\x07 \u009b31m \u202egnp.exe \u200b end"
	hostile.Title = &title
	k.srv.Put(hostile)
	m = unitKeys(t, m, "ctrl+r")
	m = k.selectRow(m, s.ID)

	m = unitKeys(t, m, "Y")
	wantStatus(t, m, "copied the session as JSON")
	got := k.clipboard()
	if len(got) != 1 {
		t.Fatalf("clipboard %q", got)
	}
	for _, r := range got[0] {
		if unicode.IsControl(r) || safetext.IsInvisible(r) {
			t.Fatalf("control or invisible %U in the copied JSON", r)
		}
	}
	var back apiclient.Session
	if err := json.Unmarshal([]byte(got[0]), &back); err != nil {
		t.Fatalf("copied text is not JSON: %v", err)
	}
	if back.ID != s.ID || back.TitleOrEmpty() != title {
		t.Fatalf("JSON lost data: id %q title %q", back.ID, back.TitleOrEmpty())
	}

	// y copies the plain id.
	m = unitKeys(t, m, "y")
	wantStatus(t, m, "copied "+s.ID)
	if got := k.clipboard(); got[len(got)-1] != s.ID {
		t.Fatalf("y copied %q", got[len(got)-1])
	}
}

// A session carrying allowed_actions without the rel is refused before
// anything is sent, with the reason; without the list, the action goes.
func TestActionRefusedByAllowedActions(t *testing.T) {
	k, m := newActKit(t, apitest.Options{Sessions: 6})
	s := k.pick(m, func(s apiclient.Session) bool { return plain(s) && !s.Pinned() })
	r := m.st.get(s.ID).S
	r.AllowedActions = apiclient.RawActions(json.RawMessage(`[{"rel":"self","method":"GET","href":"x"},{"rel":"events"}]`))
	m.st.upsert(r)
	m = unitDrive(t, m, m.request())
	m = k.selectRow(m, s.ID)
	k.srv.ResetRequests()

	for _, c := range []struct{ key, want string }{
		{"P", "cannot pin: the server does not allow it now (it offers: self, events)"},
		{"r", "cannot resolve: the server does not allow it now"},
		{"e", "cannot edit: the server does not allow it now"},
		{"C", "cannot cancel: nothing is running"},
		{"D", "cannot delete: the server does not allow it now"},
	} {
		m = unitKeys(t, m, c.key)
		wantStatus(t, m, c.want)
		if m.pending != nil || m.mode != modeList {
			t.Fatalf("%s: a refused action asks for confirmation or opens a form", c.key)
		}
	}
	if n := len(k.srv.Requests()); n != 0 {
		t.Fatalf("%d requests sent for refused actions: %q", n, k.writes())
	}

	// The list absent: allowed.
	r.AllowedActions = apiclient.ActionList{}
	m.st.upsert(r)
	m = unitDrive(t, m, m.request())
	m = k.selectRow(m, s.ID)
	m = unitKeys(t, m, "P")
	wantStatus(t, m, "Pinned")
	if got := k.writes(); !slices.Equal(got, []string{"PUT /v1/sessions/" + s.ID + "/pin"}) {
		t.Fatalf("writes %q, want the pin", got)
	}
}

// The platform-chat rules are refused before sending, with the reason.
func TestActionRefusedPlatformChat(t *testing.T) {
	k, m := newActKit(t, apitest.Options{Sessions: 6})
	s := k.pick(m, plain)
	chat, _ := k.srv.Get(s.ID)
	chat.Tags = append(chat.Tags, platformChatTag)
	k.srv.Put(chat)
	m = unitKeys(t, m, "ctrl+r")
	m = k.selectRow(m, s.ID)
	// Pinned first (the server allows pinning one), so P means unpin.
	m = unitKeys(t, m, "P")
	wantStatus(t, m, "Pinned")
	k.srv.ResetRequests()

	for _, c := range []struct{ key, want string }{
		{"P", "cannot pin: a platform chat session (tagged platform-chat-starter) cannot be unpinned"},
		{"A", "cannot archive: a platform chat session (tagged platform-chat-starter) cannot be archived"},
		{"D", "cannot delete: a platform chat session (tagged platform-chat-starter) cannot be deleted"},
		{"r", "cannot resolve: a platform chat session (tagged platform-chat-starter) cannot be retitled or retagged"},
		{"e", "cannot edit: a platform chat session (tagged platform-chat-starter) cannot be retitled or retagged"},
	} {
		m = unitKeys(t, m, c.key)
		wantStatus(t, m, c.want)
		if m.mode != modeList || m.pending != nil {
			t.Fatalf("%s: mode %v pending %v after a refusal", c.key, m.mode, m.pending != nil)
		}
	}
	if n := len(k.srv.Requests()); n != 0 {
		t.Fatalf("%d requests sent for refused actions: %q", n, k.writes())
	}
	if !slices.Contains(unitRowIDs(m), s.ID) {
		t.Fatal("the chat session left the list")
	}
}

// The typed confirmation's keys come from the KeyMap ([keys] typed_confirm,
// typed_cancel), and overriding the action's key moves it.
func TestActionTypedConfirmKeysFromKeyMap(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 4})
	km := DefaultKeyMap()
	if err := ApplyKeyOverrides(km, map[string][]string{"typed_confirm": {"tab"}, "typed_cancel": {"ctrl+u"}, "delete": {"X"}}); err != nil {
		t.Fatal(err)
	}
	opts := progOptions(progClient(srv, ""))
	opts.Keys = km
	m := New(opts)
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = unitDrive(t, m, m.initLoad)
	k := &actKit{t: t, srv: srv}
	s := k.pick(m, plain)
	m = k.selectRow(m, s.ID)

	m = unitKeys(t, m, "D") // no longer delete
	if m.pending != nil {
		t.Fatal("D still asks to delete")
	}
	m = unitKeys(t, m, "X", "ctrl+u")
	wantStatus(t, m, "delete cancelled")
	m = unitKeys(t, m, "X")
	for _, c := range "delete" {
		m = unitKeys(t, m, string(c))
	}
	m = unitKeys(t, m, "enter") // not the confirm key now
	if m.pending == nil || len(k.writes()) != 0 {
		t.Fatal("enter confirmed though typed_confirm is tab")
	}
	wantStatus(t, m, "tab/ctrl+u")
	m = unitKeys(t, m, "tab")
	wantStatus(t, m, "Deleted")
	if got := k.writes(); len(got) != 1 || !strings.HasPrefix(got[0], "DELETE ") {
		t.Fatalf("writes %q", got)
	}
}

// A on marked sessions archives each, they all leave the list, and one u
// brings them all back.
func TestActionArchiveMarkedAndUndo(t *testing.T) {
	k, m := newActKit(t, apitest.Options{Sessions: 12})
	var ids []string
	for _, r := range m.view.rows {
		if plain(r.S) && len(ids) < 3 {
			ids = append(ids, r.S.ID)
			m.marked[r.S.ID] = true
		}
	}
	n := len(m.view.rows)
	m = unitKeys(t, m, "A")
	wantStatus(t, m, "Archive 3 sessions?") // bulk asks first (issue 12)
	m = unitKeys(t, m, "y")
	wantStatus(t, m, "archive: 3 saved")
	for _, id := range ids {
		if !k.srv.Archived(id) || slices.Contains(unitRowIDs(m), id) {
			t.Fatalf("%s: archived %v, still listed %v", id, k.srv.Archived(id), slices.Contains(unitRowIDs(m), id))
		}
	}
	if len(m.view.rows) != n-3 || len(m.marked) != 0 {
		t.Fatalf("%d rows (was %d), %d marked", len(m.view.rows), n, len(m.marked))
	}
	m = unitKeys(t, m, "u")
	wantStatus(t, m, "undid archive of 3 sessions")
	for _, id := range ids {
		if k.srv.Archived(id) || !slices.Contains(unitRowIDs(m), id) {
			t.Fatalf("%s not back after u", id)
		}
	}
}
