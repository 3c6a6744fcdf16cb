package form

import (
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
)

// testCtx is the theme and size a form is tested at.
type testCtx struct{ w, h int }

func editTestCtx(w, h int) testCtx { return testCtx{w, h} }

var testTheme = theme.New(theme.Dark, true)

func editTestRow(title *string, tags ...string) *apiclient.Session {
	return &apiclient.Session{ID: "sess_1", Status: apiclient.StatusIdle, Title: title, Tags: tags}
}

// newEditForm and newBulkTagForm build a form as the root does: made, then
// handed its rectangle.
func newEditForm(c testCtx, s *apiclient.Session, known []string) Model {
	return New(testTheme, DefaultKeyMap(), s, known).SetSize(c.w, c.h)
}

func newBulkTagForm(c testCtx, n int, known []string) Model {
	return NewBulk(testTheme, DefaultKeyMap(), n, known).SetSize(c.w, c.h)
}

func editStr(s string) *string { return &s }

// editKey builds the key message a terminal would send for k.
func editKey(k string) tea.KeyMsg {
	types := map[string]tea.KeyType{
		"ctrl+s": tea.KeyCtrlS, "ctrl+u": tea.KeyCtrlU, "ctrl+w": tea.KeyCtrlW,
		"ctrl+a": tea.KeyCtrlA, "ctrl+e": tea.KeyCtrlE, "ctrl+n": tea.KeyCtrlN,
		"ctrl+p": tea.KeyCtrlP, "ctrl+c": tea.KeyCtrlC, "esc": tea.KeyEsc,
		"enter": tea.KeyEnter, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "backspace": tea.KeyBackspace,
	}
	if k == "space" {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	if t, ok := types[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// editRun runs cmd and every command it batches, returning the messages.
func editRun(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, editRun(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// editPress sends each key (see editKey) and collects the emitted messages.
func editPress(f Model, keys ...string) (Model, []tea.Msg) {
	var out []tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		f, cmd = f.Update(editKey(k))
		out = append(out, editRun(cmd)...)
	}
	return f, out
}

// editType types s one rune at a time (spaces as the space key).
func editType(f Model, s string) (Model, []tea.Msg) {
	var keys []string
	for _, r := range s {
		if r == ' ' {
			keys = append(keys, "space")
		} else {
			keys = append(keys, string(r))
		}
	}
	return editPress(f, keys...)
}

// editView is the form's view without styling, for content checks.
func editView(f Model) string { return ansi.Strip(f.View()) }

func editOnly[T any](msgs []tea.Msg) []T {
	var out []T
	for _, m := range msgs {
		if v, ok := m.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

func editSubmitted(t *testing.T, msgs []tea.Msg) SubmittedMsg {
	t.Helper()
	s := editOnly[SubmittedMsg](msgs)
	if len(s) != 1 {
		t.Fatalf("want one SubmittedMsg, got messages %#v", msgs)
	}
	return s[0]
}

func TestEditFormPrefillCursorAtEnd(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("Hello world"), "a"), nil)
	if got := f.title.Value(); got != "Hello world" {
		t.Fatalf("prefill = %q", got)
	}
	if got := f.title.Position(); got != len("Hello world") {
		t.Fatalf("cursor at %d, want end", got)
	}
	if f.Dirty() || f.Saving() || f.SessionID() != "sess_1" {
		t.Fatalf("fresh form: dirty=%v saving=%v id=%q", f.Dirty(), f.Saving(), f.SessionID())
	}
	f, _ = editType(f, "!")
	if got := f.title.Value(); got != "Hello world!" {
		t.Fatalf("typed at the end: %q", got)
	}

	hostile := newEditForm(editTestCtx(80, 24), editTestRow(editStr("\x1b[31mred\x1b[0m\x07 \u202eflip")), nil)
	if got := hostile.title.Value(); got != "red flip" {
		t.Fatalf("hostile prefill not sanitised: %q", got)
	}
	// Control characters and bidi overrides can't be typed or pasted in either.
	hostile, _ = editPress(hostile, "\x1b]52;c;ZXZpbA==\x07\u009b31m\u202e\u2066x")
	if got := hostile.title.Value(); strings.ContainsAny(got, "\x1b\x07\u009b\u202e\u2066") || !strings.HasSuffix(got, "x") {
		t.Fatalf("control characters typed into the title: %q", got)
	}
}

func TestEditFormReadlineKeys(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("hello big world")), nil)
	f, _ = editPress(f, "ctrl+w")
	if got := f.title.Value(); got != "hello big " {
		t.Fatalf("ctrl+w: %q", got)
	}
	f, _ = editPress(f, "ctrl+a")
	if f.title.Position() != 0 {
		t.Fatalf("ctrl+a: cursor at %d", f.title.Position())
	}
	f, _ = editType(f, "X")
	if got := f.title.Value(); got != "Xhello big " {
		t.Fatalf("typing at start: %q", got)
	}
	f, _ = editPress(f, "ctrl+e")
	if got, want := f.title.Position(), len("Xhello big "); got != want {
		t.Fatalf("ctrl+e: cursor at %d, want %d", got, want)
	}
	f = newEditForm(editTestCtx(80, 24), editTestRow(editStr("hello big world")), nil)
	f, _ = editPress(f, "ctrl+a")
	f, _ = f.Update(tea.KeyMsg{Type: tea.KeyRight})
	f, _ = f.Update(tea.KeyMsg{Type: tea.KeyRight})
	f, _ = editPress(f, "ctrl+u")
	if got := f.title.Value(); got != "llo big world" {
		t.Fatalf("ctrl+u deletes to start: %q", got)
	}
	f, _ = editPress(f, "ctrl+e", "ctrl+u")
	if got := f.title.Value(); got != "" {
		t.Fatalf("ctrl+u at end: %q", got)
	}
}

func TestEditFormEmptyTitleBlocked(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("Keep me"), "a"), []string{"a", "b"})
	f, _ = editPress(f, "ctrl+u")
	if !strings.Contains(editView(f), titleEmpty) {
		t.Fatalf("empty title not explained:\n%s", editView(f))
	}
	f, msgs := editPress(f, "ctrl+s")
	if len(msgs) != 0 {
		t.Fatalf("ctrl+s with an empty title emitted %#v", msgs)
	}
	// Whitespace only is empty too, from the tags field as well.
	f, _ = editType(f, "   ")
	f, msgs = editPress(f, "tab", "ctrl+s")
	if len(msgs) != 0 {
		t.Fatalf("whitespace title emitted %#v", msgs)
	}
	if f.focus != fieldTitle {
		t.Fatalf("blocked save should return focus to the title")
	}
	if !strings.Contains(editView(f), titleEmpty) {
		t.Fatalf("message gone")
	}

	// An untitled session left untitled is fine: Title stays nil.
	u := newEditForm(editTestCtx(80, 24), editTestRow(nil, "a"), []string{"a", "b"})
	if strings.Contains(editView(u), titleEmpty) {
		t.Fatalf("untitled session shows the empty-title error")
	}
	u, _ = editPress(u, "tab", "down", "space")
	_, msgs = editPress(u, "ctrl+s")
	m := editSubmitted(t, msgs)
	if m.Title != nil {
		t.Fatalf("untitled left empty: Title = %q, want nil", *m.Title)
	}
	if !reflect.DeepEqual(m.Added, []string{"b"}) || len(m.Removed) != 0 {
		t.Fatalf("delta: +%v -%v", m.Added, m.Removed)
	}
}

func TestEditFormTitleOnly(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("Hello"), "a", "b"), []string{"a", "b", "c"})
	f, _ = editType(f, " v2  ")
	if !f.Dirty() {
		t.Fatal("title change not dirty")
	}
	_, msgs := editPress(f, "ctrl+s")
	m := editSubmitted(t, msgs)
	if m.ID != "sess_1" || m.Title == nil || *m.Title != "Hello v2" {
		t.Fatalf("submitted %#v", m)
	}
	if len(m.Added) != 0 || len(m.Removed) != 0 {
		t.Fatalf("title-only change has a tag delta: +%v -%v", m.Added, m.Removed)
	}
	if len(editOnly[spinner.TickMsg](msgs)) == 0 {
		t.Fatal("submit should start the spinner")
	}
	if len(editOnly[CancelledMsg](msgs)) != 0 {
		t.Fatal("submit also cancelled")
	}

	// Typing and deleting back is not a change: ctrl+s just closes.
	g := newEditForm(editTestCtx(80, 24), editTestRow(editStr("Hello")), nil)
	g, _ = editType(g, "x")
	g, _ = editPress(g, "backspace")
	if g.Dirty() {
		t.Fatal("typed and deleted back, still dirty")
	}
	_, msgs = editPress(g, "ctrl+s")
	if len(editOnly[CancelledMsg](msgs)) != 1 || len(editOnly[SubmittedMsg](msgs)) != 0 {
		t.Fatalf("unchanged save: %#v", msgs)
	}
}

func TestEditFormTagToggle(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("T"), "a", "b"), []string{"a", "b", "c", "d"})
	// list: [x] a, [x] b, [ ] c, [ ] d
	f, _ = editPress(f, "tab", "space", "down", "down", "enter", "ctrl+n", "space", "ctrl+p", "space", "space")
	// a off; c on; d on; back to c: off, on again.
	if got := f.tags.Summary(); got != "3 checked" {
		t.Fatalf("count: %q", got)
	}
	if !strings.Contains(editView(f), "3 checked") {
		t.Fatalf("count not shown:\n%s", editView(f))
	}
	_, msgs := editPress(f, "ctrl+s")
	m := editSubmitted(t, msgs)
	if m.Title != nil {
		t.Fatalf("title unchanged but sent: %q", *m.Title)
	}
	if !reflect.DeepEqual(m.Added, []string{"c", "d"}) || !reflect.DeepEqual(m.Removed, []string{"a"}) {
		t.Fatalf("delta: +%v -%v", m.Added, m.Removed)
	}
}

func TestEditFormRawTagsEmitted(t *testing.T) {
	raw := "x\x1b[31my"
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("T"), raw), []string{"k\x07z"})
	if v := editView(f); !strings.Contains(v, "[x] xy") || !strings.Contains(v, "[ ] kz") {
		t.Fatalf("tags not shown sanitised:\n%q", v)
	}
	f, _ = editPress(f, "tab", "space", "down", "space")
	_, msgs := editPress(f, "ctrl+s")
	m := editSubmitted(t, msgs)
	if !reflect.DeepEqual(m.Removed, []string{raw}) || !reflect.DeepEqual(m.Added, []string{"k\x07z"}) {
		t.Fatalf("delta should carry raw tags: +%q -%q", m.Added, m.Removed)
	}
}

func TestEditFormNewTag(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("T"), "a"), []string{"a", "new"})
	f, _ = editPress(f, "tab")
	f, _ = editType(f, "new-tag")
	if !strings.Contains(editView(f), `+ add "new-tag"`) {
		t.Fatalf("no add offer:\n%s", editView(f))
	}
	f, _ = editPress(f, "enter")
	if f.tags.FilterText() != "" {
		t.Fatalf("filter not cleared after adding: %q", f.tags.FilterText())
	}
	// A pasted name loses its whitespace, with a word why.
	f, _ = f.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("two words\there"), Paste: true})
	if got := f.tags.FilterText(); got != "twowordshere" {
		t.Fatalf("whitespace reached the filter: %q", got)
	}
	if !strings.Contains(editView(f), "tags can't contain spaces") {
		t.Fatalf("no word about spaces:\n%s", editView(f))
	}
	f, _ = editPress(f, "space")
	// Typing an existing tag exactly offers no "add".
	f, _ = editType(f, "new")
	if strings.Contains(editView(f), `+ add "new"`) {
		t.Fatalf("offered to add an existing tag:\n%s", editView(f))
	}
	_, msgs := editPress(f, "esc", "ctrl+s")
	m := editSubmitted(t, msgs)
	if !reflect.DeepEqual(m.Added, []string{"new-tag", "twowordshere"}) || len(m.Removed) != 0 {
		t.Fatalf("delta: +%v -%v", m.Added, m.Removed)
	}
}

func TestEditFormReservedTagRefused(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("T"), "slack:app:1", "a"), []string{"a", "agent:x"})
	f, _ = editPress(f, "tab")
	f, _ = editType(f, "app:foo")
	f, _ = editPress(f, "enter")
	if v := editView(f); !strings.Contains(v, `"app:" tags are reserved by the platform`) {
		t.Fatalf("no reason shown:\n%s", v)
	}
	if f.tags.FilterText() != "app:foo" || f.Dirty() {
		t.Fatalf("refused tag was added (filter %q, dirty %v)", f.tags.FilterText(), f.Dirty())
	}
	// A reserved suggestion can't be checked either; its reason shows when highlighted.
	f, _ = editPress(f, "esc", "down", "down")
	if v := editView(f); !strings.Contains(v, `"agent:" tags are reserved by the platform`) {
		t.Fatalf("no reason on the highlighted reserved tag:\n%s", v)
	}
	f, _ = editPress(f, "space")
	if f.Dirty() {
		t.Fatalf("reserved suggestion got checked: +%v", f.tags.Added())
	}
	_, msgs := editPress(f, "ctrl+s")
	if len(editOnly[SubmittedMsg](msgs)) != 0 {
		t.Fatalf("refused tags emitted: %#v", msgs)
	}

	// A platform tag the session already has may be dropped and re-checked.
	f, _ = editPress(f, "up", "up", "space")
	if !reflect.DeepEqual(f.tags.Removed(), []string{"slack:app:1"}) {
		t.Fatalf("own reserved tag not removable: -%v", f.tags.Removed())
	}
	f, _ = editPress(f, "space")
	if f.Dirty() {
		t.Fatalf("own reserved tag not re-checkable")
	}
}

func TestTagRefusal(t *testing.T) {
	for _, tag := range []string{
		"platform-chat-starter", "__internal:x", "app:x", "app_channel:x", "slack:app:x",
		"slack:endpoint:x", "fcp:endpoint:x", "ag_ui:app:x", "agent:x", "endpoint:x",
	} {
		if apiclient.TagRefusal(tag) == "" {
			t.Errorf("%q allowed", tag)
		}
	}
	for _, tag := range []string{"bug", "platform-chat-starter2", "myapp:x", "slack:x", "apps", "agents"} {
		if r := apiclient.TagRefusal(tag); r != "" {
			t.Errorf("%q refused: %s", tag, r)
		}
	}
	if got := apiclient.TagRefusal("app:x"); got != `"app:" tags are reserved by the platform` {
		t.Errorf("reason: %q", got)
	}
}

func TestEditFormEscDirtyAsks(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("T")), nil)
	f, _ = editType(f, "x")
	f, msgs := editPress(f, "esc")
	if len(msgs) != 0 || !strings.Contains(editView(f), "Discard changes? y/n") {
		t.Fatalf("dirty esc: msgs %#v\n%s", msgs, editView(f))
	}
	f, msgs = editPress(f, "n")
	if len(msgs) != 0 || strings.Contains(editView(f), "Discard changes?") {
		t.Fatalf("n should return to the form: %#v", msgs)
	}
	if f.title.Value() != "Tx" {
		t.Fatalf("n lost the edit or typed n: %q", f.title.Value())
	}
	f, _ = editPress(f, "esc")
	f, msgs = editPress(f, "esc")
	if len(msgs) != 0 || strings.Contains(editView(f), "Discard changes?") {
		t.Fatalf("esc in the question should return to the form: %#v", msgs)
	}
	f, _ = editPress(f, "esc")
	_, msgs = editPress(f, "y")
	if len(editOnly[CancelledMsg](msgs)) != 1 {
		t.Fatalf("y should cancel: %#v", msgs)
	}
}

func TestEditFormEscCleanCancels(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("T"), "a"), []string{"b"})
	_, msgs := editPress(f, "esc")
	if len(msgs) != 1 || len(editOnly[CancelledMsg](msgs)) != 1 {
		t.Fatalf("clean esc: %#v", msgs)
	}
	// In the tag filter the first esc clears the filter, the second cancels.
	f, _ = editPress(f, "tab")
	f, _ = editType(f, "zz")
	f, msgs = editPress(f, "esc")
	if len(msgs) != 0 || f.tags.FilterText() != "" {
		t.Fatalf("first esc: msgs %#v filter %q", msgs, f.tags.FilterText())
	}
	_, msgs = editPress(f, "esc")
	if len(editOnly[CancelledMsg](msgs)) != 1 {
		t.Fatalf("second esc: %#v", msgs)
	}
}

func TestEditFormSetErrorRetry(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("Old"), "a", "b"), []string{"c"})
	f, _ = editPress(f, "ctrl+u")
	f, _ = editType(f, "New")
	f, _ = editPress(f, "tab", "space", "down", "down", "space")
	f, msgs := editPress(f, "ctrl+s")
	first := editSubmitted(t, msgs)
	if !f.Saving() {
		t.Fatal("ctrl+s should enter the saving state at once")
	}

	f = f.SetSaving(true)
	if !f.Saving() || !strings.Contains(editView(f), "Saving…") {
		t.Fatalf("saving not shown:\n%s", editView(f))
	}
	// Edits are ignored while saving; the spinner ticks.
	f, msgs = editPress(f, "shift+tab", "x", "ctrl+u", "ctrl+s")
	if len(msgs) != 0 || f.title.Value() != "New" || f.focus != fieldTags {
		t.Fatalf("edit while saving: msgs %#v title %q", msgs, f.title.Value())
	}
	f, cmd := f.Update(spinner.TickMsg{})
	if cmd == nil {
		t.Fatal("spinner tick not forwarded while saving")
	}

	f = f.SetError("server said: \x1b[2Jno\u009b31m")
	v := editView(f)
	if f.Saving() || !strings.Contains(v, "server said: no") || strings.Contains(v, "Saving") {
		t.Fatalf("error not shown:\n%s", v)
	}
	if f.title.Value() != "New" || !reflect.DeepEqual(f.tags.Added(), []string{"c"}) || !reflect.DeepEqual(f.tags.Removed(), []string{"a"}) {
		t.Fatalf("SetError lost input: %q +%v -%v", f.title.Value(), f.tags.Added(), f.tags.Removed())
	}
	if _, cmd := f.Update(spinner.TickMsg{}); cmd != nil {
		t.Fatal("spinner keeps ticking after the error")
	}
	_, msgs = editPress(f, "ctrl+s")
	second := editSubmitted(t, msgs)
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("retry differs: %#v vs %#v", first, second)
	}
	if *second.Title != "New" {
		t.Fatalf("title %q", *second.Title)
	}
}

func TestEditFormEscWhileSaving(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("Old")), nil)
	f, _ = editType(f, "x")
	f = f.SetSaving(true)
	_, msgs := editPress(f, "esc")
	if len(editOnly[CancelledMsg](msgs)) != 1 {
		t.Fatalf("esc while saving: %#v", msgs)
	}
}

func TestEditFormConfirmQuit(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("Old")), nil)
	f, _ = editType(f, "x")
	f = f.ConfirmQuit()
	if !strings.Contains(editView(f), "Discard changes and quit? y/n") {
		t.Fatalf("no quit question:\n%s", editView(f))
	}
	for _, back := range []string{"n", "esc"} {
		var msgs []tea.Msg
		f, msgs = editPress(f, back)
		if len(msgs) != 0 || strings.Contains(editView(f), "quit?") || f.title.Value() != "Oldx" {
			t.Fatalf("%s: msgs %#v title %q", back, msgs, f.title.Value())
		}
		f = f.ConfirmQuit()
	}
	_, msgs := editPress(f, "y")
	if len(msgs) != 1 || len(editOnly[QuitMsg](msgs)) != 1 {
		t.Fatalf("y: %#v", msgs)
	}
}

func TestEditFormBulk(t *testing.T) {
	f := newBulkTagForm(editTestCtx(80, 24), 12, []string{"a", "b", "c", "agent:x"})
	if f.SessionID() != "" || !strings.Contains(editView(f), "Tag 12 sessions") {
		t.Fatalf("bulk header:\n%s", editView(f))
	}
	if strings.Contains(editView(f), "Title") {
		t.Fatalf("bulk form has a title field:\n%s", editView(f))
	}
	// Cycle a: keep → add → remove → keep.
	want := []string{"[+] a", "[-] a", "[ ] a"}
	for _, w := range want {
		f, _ = editPress(f, "space")
		if !strings.Contains(editView(f), w) {
			t.Fatalf("want %q:\n%s", w, editView(f))
		}
	}
	if f.Dirty() {
		t.Fatal("full cycle should be clean")
	}
	f, _ = editPress(f, "space", "down", "space", "space", "down", "down", "space")
	// The reserved tag skips "add": keep → remove.
	if !strings.Contains(editView(f), "[-] agent:x") {
		t.Fatalf("reserved tag in bulk:\n%s", editView(f))
	}
	f, _ = editPress(f, "space", "tab")
	f, _ = editType(f, "fresh")
	f, _ = editPress(f, "enter")
	if !strings.Contains(editView(f), "[+] fresh") {
		t.Fatalf("new bulk tag:\n%s", editView(f))
	}
	_, msgs := editPress(f, "ctrl+s")
	m := editSubmitted(t, msgs)
	if m.ID != "" || m.Title != nil {
		t.Fatalf("bulk id/title: %#v", m)
	}
	if !reflect.DeepEqual(m.Added, []string{"fresh", "a"}) || !reflect.DeepEqual(m.Removed, []string{"b"}) {
		t.Fatalf("bulk delta: +%v -%v", m.Added, m.Removed)
	}
}

// editViews renders the form in many states.
func editViews(ctx testCtx) []string {
	hostile := []string{"\x1b]52;c;ZXZpbA==\x07", "\u009b31m", "ok\x1b[2J", strings.Repeat("long-", 80) + "end"}
	known := append([]string{}, hostile...)
	for i := 0; i < 60; i++ {
		known = append(known, "tag-"+strings.Repeat("x", i))
	}
	r := editTestRow(editStr("\x1b]0;pwned\x07 title "+strings.Repeat("wide界", 40)), hostile...)
	f := newEditForm(ctx, r, known)
	var out []string
	add := func(g Model) { out = append(out, g.View()) }
	add(f)
	g, _ := editPress(f, "ctrl+u")
	add(g)
	g, _ = editPress(f, "tab")
	add(g)
	for i := 0; i < 30; i++ {
		g, _ = editPress(g, "down")
	}
	add(g)
	g, _ = editType(g, "long")
	add(g)
	add(g.SetError("\x1b[31mboom\x1b]52;c;ZXZpbA==\x07 " + strings.Repeat("very long error ", 30)))
	add(g.SetSaving(true))
	add(g.ConfirmQuit())
	b := newBulkTagForm(ctx, 3, known)
	add(b)
	b, _ = editPress(b, "down", "space")
	add(b)
	return out
}

func TestEditFormViewFits(t *testing.T) {
	old := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.Ascii)
	defer lipgloss.SetColorProfile(old)

	for _, size := range [][2]int{{80, 24}, {120, 40}, {40, 12}, {20, 6}, {3, 3}} {
		ctx := editTestCtx(size[0], size[1])
		for i, v := range editViews(ctx) {
			lines := strings.Split(v, "\n")
			if len(lines) > max(size[1], 1) {
				t.Errorf("%dx%d view %d: %d lines", size[0], size[1], i, len(lines))
			}
			for _, l := range lines {
				if w := lipgloss.Width(l); w > size[0] {
					t.Errorf("%dx%d view %d: line %d cells wide: %q", size[0], size[1], i, w, l)
				}
			}
			if strings.ContainsAny(v, "\x1b\x07\u009b") {
				t.Errorf("%dx%d view %d: escape in output: %q", size[0], size[1], i, v)
			}
		}
	}

	// Where there is room the whole panel shows, borders included.
	for _, size := range [][2]int{{80, 24}, {60, 20}, {120, 40}} {
		for i, v := range editViews(editTestCtx(size[0], size[1])) {
			if !strings.Contains(v, "╭") || !strings.Contains(v, "╰") || strings.Count(v, "╮") != 1 {
				t.Errorf("%dx%d view %d: panel clipped:\n%s", size[0], size[1], i, v)
			}
		}
	}

	// At 80x24 the form is fully usable: title, tags and hints all fit.
	v := editViews(editTestCtx(80, 20))[2] // the body of an 80x24 terminal
	for _, want := range []string{"Edit session", "Title", "Tags", "ctrl+s save", "…"} {
		if !strings.Contains(v, want) {
			t.Errorf("80x24 view lacks %q:\n%s", want, v)
		}
	}
}

func TestEditFormSetSizeResizes(t *testing.T) {
	f := newEditForm(editTestCtx(80, 24), editTestRow(editStr("T"), "a"), []string{"b", "c", "d", "e", "f", "g", "h", "i", "j", "k"})
	small := f.SetSize(50, 12)
	if small.tags.height >= f.tags.height || small.tags.width >= f.tags.width {
		t.Fatalf("resize did not shrink the list: %dx%d → %dx%d", f.tags.width, f.tags.height, small.tags.width, small.tags.height)
	}
	for _, l := range strings.Split(editView(small), "\n") {
		if lipgloss.Width(l) > 50 {
			t.Fatalf("line too wide after resize: %q", l)
		}
	}
}
