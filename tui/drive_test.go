package tui

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
)

// faultDriver runs the root Model the way a tea.Program does, without a
// terminal: Update and View are only ever called from the test goroutine,
// commands run in their own goroutines and their messages come back through
// one channel. Tests wait for conditions on the model (never for a fixed
// time) and can watch every message as it is applied.
type faultDriver struct {
	t      testing.TB
	m      Model
	w, h   int
	msgs   chan tea.Msg
	done   chan struct{}
	panics chan string
	quit   bool
	// hook, when set, sees every message with the model before and after.
	hook func(before Model, msg tea.Msg, after Model)
	// retries are the retry events the program was told about.
	retries []apiclient.RetryEvent
	applied int
}

// faultDefaultTimeout bounds every wait (it is not a speed check): the 20 MB
// error body alone takes ~17 s under -race on a loaded 2-core machine, so it
// is generous enough that -race on a busy CI
// machine never flakes.
const faultDefaultTimeout = 90 * time.Second

// faultServer starts the in-memory server with n sessions.
func faultServer(t testing.TB, n int) *apitest.Server {
	t.Helper()
	return apitest.NewTestServer(t, apitest.Options{Sessions: n, APIKey: "faultkey-123456"})
}

// faultClient is the real client against srv, wired to a RetryNotifier.
func faultClient(srv *apitest.Server, maxRetries int, cfg ...func(*apiclient.Config)) (*apiclient.Client, <-chan apiclient.RetryEvent) {
	notify, events := RetryNotifier()
	c := apiclient.Config{APIKey: "faultkey-123456", BaseURL: srv.URL(), OnRetry: notify, MaxRetries: maxRetries}
	for _, f := range cfg {
		f(&c)
	}
	return apiclient.New(c), events
}

// faultOptions are the program options the fault tests share.
func faultOptions(api API, retries <-chan apiclient.RetryEvent) Options {
	return Options{
		API:      listOnlyAPI{api},
		Theme:    theme.New(theme.Dark, true),
		PageSize: 50,
		Retries:  retries,
	}
}

// newFaultDriver builds the model, sizes it and runs Init.
func newFaultDriver(t testing.TB, opts Options, w, h int) *faultDriver {
	t.Helper()
	d := &faultDriver{
		t: t, w: w, h: h,
		msgs:   make(chan tea.Msg, 256),
		done:   make(chan struct{}),
		panics: make(chan string, 16),
	}
	t.Cleanup(func() {
		// Stop the program's background work, then release the goroutines.
		if !d.quit {
			_, _ = d.m.quitNow() // not quit: that asks while saves are in flight
		}
		close(d.done)
	})
	d.m = New(opts)
	d.apply(tea.WindowSizeMsg{Width: w, Height: h})
	d.exec(d.m.Init())
	return d
}

// exec runs cmd in a goroutine, as the program does.
func (d *faultDriver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				select {
				case d.panics <- fmt.Sprintf("command panicked: %v\n%s", r, debug.Stack()):
				default:
				}
			}
		}()
		d.deliver(cmd())
	}()
}

func (d *faultDriver) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.exec(c)
		}
		return
	}
	select {
	case d.msgs <- msg:
	case <-d.done:
	}
}

// apply hands one message to Update, exactly as the program would.
func (d *faultDriver) apply(msg tea.Msg) {
	d.t.Helper()
	if _, ok := msg.(tea.QuitMsg); ok {
		d.quit = true
		return
	}
	if ev, ok := msg.(retryingMsg); ok {
		d.retries = append(d.retries, ev.ev)
	}
	before := d.m
	var next tea.Model
	var cmd tea.Cmd
	func() {
		defer func() {
			if r := recover(); r != nil {
				d.t.Fatalf("Update(%T) panicked: %v\n%s", msg, r, debug.Stack())
			}
		}()
		next, cmd = d.m.Update(msg)
	}()
	m, ok := next.(Model)
	if !ok {
		d.t.Fatalf("Update returned %T, want Model", next)
	}
	d.m = m
	d.applied++
	if d.hook != nil {
		d.hook(before, msg, d.m)
	}
	d.exec(cmd)
}

// step applies the next message from a command, waiting at most wait.
// It reports whether one was applied.
func (d *faultDriver) step(wait time.Duration) bool {
	d.t.Helper()
	var timer <-chan time.Time
	if wait > 0 {
		tm := time.NewTimer(wait)
		defer tm.Stop()
		timer = tm.C
	}
	select {
	case p := <-d.panics:
		d.t.Fatal(p)
	case msg := <-d.msgs:
		d.apply(msg)
		return true
	default:
	}
	if wait <= 0 {
		return false
	}
	select {
	case p := <-d.panics:
		d.t.Fatal(p)
	case msg := <-d.msgs:
		d.apply(msg)
		return true
	case <-timer:
	}
	return false
}

// drain applies every message already waiting.
func (d *faultDriver) drain() {
	d.t.Helper()
	for d.step(0) {
	}
}

// waitFor applies messages until cond holds, failing after timeout with the
// screen for context.
func (d *faultDriver) waitFor(what string, cond func(m Model) bool, timeout time.Duration) {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond(d.m) {
		left := time.Until(deadline)
		if left <= 0 {
			d.t.Fatalf("timed out after %s waiting for %s\nstatus: %q\nscreen:\n%s", timeout, what, d.m.status.text, d.screen())
		}
		// Poll conditions that depend on the server too, not only on messages.
		d.step(min(left, 50*time.Millisecond))
	}
}

// press sends keys (see faultKey) one after another.
func (d *faultDriver) press(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.apply(progKey(k))
	}
}

// typeText types s one rune at a time.
func (d *faultDriver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		if r == ' ' {
			d.press("space")
		} else {
			d.apply(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}
}

// screen is the view without styling.
func (d *faultDriver) screen() string { return ansi.Strip(d.m.View()) }

// statusRow is the status line as drawn (second line from the bottom).
func (d *faultDriver) statusRow() string {
	lines := strings.Split(d.screen(), "\n")
	if len(lines) < 2 {
		return ""
	}
	return lines[len(lines)-2]
}

// faultCheckFits fails when the view does not fit the terminal.
func faultCheckFits(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Fatalf("view has %d lines, terminal has %d:\n%s", len(lines), h, ansi.Strip(view))
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Fatalf("view line %d is %d cells wide, terminal is %d: %q", i, lw, w, ansi.Strip(l))
		}
	}
}

// listOnlyAPI keeps the fault tests on the list's requests: the agents and
// facets calls fail at once without reaching the server (their own
// failure is tested apart), so request counts and fault budgets are the
// list's.
type listOnlyAPI struct{ API }

var errNoFacts = errors.New("facts not served in this test")

func (listOnlyAPI) ListAgents(context.Context, string) ([]apiclient.Agent, error) {
	return nil, errNoFacts
}

func (listOnlyAPI) Facets(context.Context, apiclient.ListOptions) (*apiclient.Facets, error) {
	return nil, errNoFacts
}
