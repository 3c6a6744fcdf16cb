package tui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// Fault tests: the program under a slow, flaky or hostile server. Each one
// asserts behaviour (what is shown, what the server holds), never timing:
// waits are conditions with generous timeouts.

const faultW, faultH = 100, 30

// faultLoaded: a load finished without error and every session is shown.
func faultLoaded(n int) func(m Model) bool {
	return func(m Model) bool {
		return !m.load.active && m.load.complete && m.load.err == nil && m.st.loaded == n && len(m.view.rows) == n
	}
}

// faultOneLine fails unless s is one line of safe text.
func faultOneLine(t *testing.T, what, s string) {
	t.Helper()
	if s == "" {
		t.Fatalf("%s is empty", what)
	}
	if strings.ContainsAny(s, "\n\r") {
		t.Fatalf("%s spans lines: %q", what, s)
	}
	if strings.Contains(s, "<") {
		t.Fatalf("%s carries markup: %q", what, s)
	}
	if strings.ContainsRune(s, '\x1b') {
		t.Fatalf("%s carries escapes: %q", what, s)
	}
}

// faultCursorMoves checks that j and k still move the cursor.
func faultCursorMoves(t *testing.T, d *faultDriver) {
	t.Helper()
	if len(d.m.view.rows) < 2 {
		t.Fatalf("want at least two rows to move through, have %d", len(d.m.view.rows))
	}
	d.press("g")
	d.press("j")
	if d.m.list.Cursor != 1 {
		t.Fatalf("j: cursor %d, want 1", d.m.list.Cursor)
	}
	d.press("k")
	if d.m.list.Cursor != 0 {
		t.Fatalf("k: cursor %d, want 0", d.m.list.Cursor)
	}
}

// faultQuits checks that q ends the program.
func faultQuits(t *testing.T, d *faultDriver) {
	t.Helper()
	d.press("q")
	d.waitFor("quit", func(Model) bool { return d.quit }, faultDefaultTimeout)
	if d.m.View() != "" {
		t.Fatalf("view after quit: %q", d.m.View())
	}
}

// faultListRequests counts list requests at offset off.
func faultListRequests(srv *apitest.Server, off int) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method != "GET" || !strings.HasSuffix(r.Path, "/v1/sessions") {
			continue
		}
		q, _ := url.ParseQuery(r.Query)
		if q.Get("offset") == strconv.Itoa(off) {
			n++
		}
	}
	return n
}

// 1. A 3 s latency on every request: keys work while the first load is in
// flight, esc cancels it, and ctrl+r loads again once the server is fast.
func TestFaultLatencyKeysWhileLoading(t *testing.T) {
	t.Parallel()
	srv := faultServer(t, 150)
	srv.SetFaults(apitest.Faults{Latency: 3 * time.Second})
	api, retries := faultClient(srv, -1)
	d := newFaultDriver(t, faultOptions(api, retries), faultW, faultH)

	// Nothing has arrived: keys are handled all the same.
	if !d.m.load.active || d.m.st.loaded != 0 {
		t.Fatalf("want the first load in flight, loaded %d active %v", d.m.st.loaded, d.m.load.active)
	}
	d.press("j", "k", "G", "g")
	if d.m.list.Cursor != 0 {
		t.Fatalf("cursor moved without rows: %d", d.m.list.Cursor)
	}
	if s := d.screen(); !strings.Contains(s, "loading sessions") {
		t.Fatalf("no loading hint while the first page is on its way:\n%s", s)
	}
	d.press("/")
	d.typeText("refund")
	if d.m.mode != modeFilter || !strings.Contains(d.screen(), "/refund") {
		t.Fatalf("filter typing not shown (mode %d):\n%s", d.m.mode, d.screen())
	}
	d.press("esc")
	if d.m.mode != modeList || d.m.spec.q.Raw != "" || strings.Contains(d.screen(), "/refund") {
		t.Fatalf("esc did not close and clear the filter (mode %d, q %q)", d.m.mode, d.m.spec.q.Raw)
	}
	d.press("?")
	if d.m.mode != modeHelp || !strings.Contains(d.screen(), "page down") {
		t.Fatalf("? did not open help (mode %d):\n%s", d.m.mode, d.screen())
	}
	d.press("esc")
	if d.m.mode != modeList || strings.Contains(d.screen(), "page down") {
		t.Fatalf("esc did not close help (mode %d):\n%s", d.m.mode, d.screen())
	}
	if !d.m.load.active {
		t.Fatal("the keys ended the load")
	}

	// The first page arrives; the other two are still 3 s away.
	d.waitFor("first page on screen", func(m Model) bool { return len(m.view.rows) > 0 }, faultDefaultTimeout)
	if !d.m.load.active {
		t.Fatalf("load finished too early: %d loaded", d.m.st.loaded)
	}
	faultCursorMoves(t, d)
	d.press("j", "j")

	// esc in the list cancels the load; what arrived stays.
	d.press("esc")
	d.waitFor("load cancelled", func(m Model) bool { return !m.load.active }, faultDefaultTimeout)
	faultOneLine(t, "status", d.m.status.text)
	if !strings.Contains(d.m.status.text, "load cancelled") || !strings.Contains(d.m.status.text, "ctrl+r") {
		t.Fatalf("status after esc: %q", d.m.status.text)
	}
	if !strings.Contains(d.statusRow(), "load cancelled") {
		t.Fatalf("status row: %q", d.statusRow())
	}
	if n := d.m.st.loaded; n < 50 || n >= 150 || !strings.Contains(d.screen(), strconv.Itoa(n)+" total") {
		t.Fatalf("want the pages that arrived kept and shown, have %d:\n%s", n, d.screen())
	}
	if d.m.list.Cursor != 2 {
		t.Fatalf("cursor moved by the cancel: %d", d.m.list.Cursor)
	}
	faultCursorMoves(t, d)

	// The server is fast again: ctrl+r loads everything.
	srv.ClearFaults()
	d.press("ctrl+r")
	d.waitFor("reload of all 150", faultLoaded(150), faultDefaultTimeout)
	if !strings.Contains(d.screen(), "150 total") {
		t.Fatalf("header after reload:\n%s", d.screen())
	}
	if d.m.status.kind == statusError {
		t.Fatalf("error left after a good reload: %q", d.m.status.text)
	}
	faultCursorMoves(t, d)
	faultQuits(t, d)
}

// 1b. A save under latency shows "Saving…"; esc cancels it, the form closes
// and the server keeps the session as it was (or, if the PATCH did land,
// the program agrees with the server after ctrl+r).
func TestFaultLatencySaveCancelled(t *testing.T) {
	t.Parallel()
	srv := faultServer(t, 40)
	api, retries := faultClient(srv, -1)
	d := newFaultDriver(t, faultOptions(api, retries), faultW, faultH)
	d.waitFor("first load", faultLoaded(40), faultDefaultTimeout)

	d.press("j", "j")
	id := d.m.selected().S.ID
	orig, _ := srv.Get(id)
	srv.SetFaults(apitest.Faults{Latency: 3 * time.Second, Match: apitest.MatchMethod("PATCH")})

	d.press("e", "ctrl+u")
	d.typeText("Changed under latency")
	d.press("ctrl+s")
	d.waitFor("save started", func(m Model) bool { return m.ops.formOp != 0 }, faultDefaultTimeout)
	if !d.m.form.Saving() || !strings.Contains(d.screen(), "Saving…") {
		t.Fatalf("no Saving… while the save is in flight:\n%s", d.screen())
	}
	// Keys other than esc are ignored while saving; the typed title stays.
	d.press("x", "backspace")
	if d.m.form.Title() != "Changed under latency" {
		t.Fatalf("title changed while saving: %q", d.m.form.Title())
	}
	patches := func() []apitest.Request {
		var out []apitest.Request
		for _, r := range srv.Requests() {
			if r.Method == "PATCH" {
				out = append(out, r)
			}
		}
		return out
	}
	d.waitFor("PATCH on the wire", func(Model) bool { return len(patches()) == 1 }, faultDefaultTimeout)

	d.press("esc")
	d.waitFor("form closed", func(m Model) bool { return m.mode == modeList }, faultDefaultTimeout)
	d.waitFor("cancelled save settled", func(m Model) bool { return len(m.ops.inflight) == 0 }, faultDefaultTimeout)
	d.waitFor("PATCH answered or abandoned", func(Model) bool {
		p := patches()[0]
		return p.Status != 0 || p.Fault != ""
	}, faultDefaultTimeout)

	p := patches()[0]
	now, _ := srv.Get(id)
	if p.Fault == "cancelled" {
		// The server never applied it.
		if now.TitleOrEmpty() != orig.TitleOrEmpty() || strings.Join(now.Tags, ",") != strings.Join(orig.Tags, ",") {
			t.Fatalf("cancelled PATCH changed the session: %q %v → %q %v", orig.TitleOrEmpty(), orig.Tags, now.TitleOrEmpty(), now.Tags)
		}
		if got := d.m.st.get(id).S.TitleOrEmpty(); got != orig.TitleOrEmpty() {
			t.Fatalf("program shows %q, server has %q", got, orig.TitleOrEmpty())
		}
	} else {
		t.Logf("the PATCH landed before the cancel (status %d): checking the program agrees after ctrl+r", p.Status)
	}
	if d.m.status.kind == statusError {
		t.Fatalf("a cancel the user asked for is reported as an error: %q", d.m.status.text)
	}

	// Whatever happened, after a reload the program shows what the server has.
	srv.ClearFaults()
	d.press("ctrl+r")
	d.waitFor("reload", faultLoaded(40), faultDefaultTimeout)
	now, _ = srv.Get(id)
	if got := d.m.st.get(id).S.TitleOrEmpty(); got != now.TitleOrEmpty() {
		t.Fatalf("after reload the program shows %q, server has %q", got, now.TitleOrEmpty())
	}
	// Still works: edit and save for real.
	d.press("e", "ctrl+u")
	d.typeText("Saved after all")
	d.press("ctrl+s")
	d.waitFor("saved", func(m Model) bool { return m.mode == modeList && len(m.ops.inflight) == 0 }, faultDefaultTimeout)
	if now, _ := srv.Get(id); now.TitleOrEmpty() != "Saved after all" {
		t.Fatalf("server title %q", now.TitleOrEmpty())
	}
	faultQuits(t, d)
}

// 2. The connection drops midway through loading all pages: what arrived
// stays, the status line says so in one line, and ctrl+r finishes the load.
func TestFaultConnectionDropMidLoad(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{-1, 1} {
		t.Run("retries="+map[int]string{-1: "off", 1: "1"}[retries], func(t *testing.T) {
			t.Parallel()
			const n, dropAt = 350, 200
			srv := faultServer(t, n)
			srv.SetFaults(apitest.Faults{DropConnection: true, Match: apitest.MatchList(dropAt)})
			api, events := faultClient(srv, retries)
			opts := faultOptions(api, events)
			opts.Concurrency = 1 // pages in order, so exactly the first four arrive
			d := newFaultDriver(t, opts, faultW, faultH)

			d.waitFor("load to fail", func(m Model) bool { return !m.load.active && m.load.err != nil }, faultDefaultTimeout)
			if d.m.st.loaded != dropAt || len(d.m.view.rows) == 0 {
				d.waitFor("rows shown", func(m Model) bool { return len(m.view.rows) == dropAt }, faultDefaultTimeout)
			}
			if d.m.st.loaded != dropAt {
				t.Fatalf("loaded %d, want the %d that arrived", d.m.st.loaded, dropAt)
			}
			s := d.screen()
			if !strings.Contains(s, "200 total") {
				t.Fatalf("header does not show the loaded count:\n%s", s)
			}
			st := d.m.status.text
			faultOneLine(t, "status", st)
			for _, want := range []string{"load failed", "connection closed by server", "200 of 350 loaded", "ctrl+r"} {
				if !strings.Contains(st, want) {
					t.Fatalf("status %q lacks %q", st, want)
				}
			}
			if row := d.statusRow(); !strings.HasPrefix(row, "✗ load failed") {
				t.Fatalf("status row: %q", row)
			}
			// Bounded: the failing page was tried at most 1+retries times.
			if got, max := faultListRequests(srv, dropAt), 1+max(retries, 0); got < 1 || got > max {
				t.Fatalf("page at %d requested %d times, want 1..%d", dropAt, got, max)
			}
			faultCursorMoves(t, d)

			srv.ClearFaults()
			d.press("ctrl+r")
			d.waitFor("full reload", faultLoaded(n), faultDefaultTimeout)
			if !strings.Contains(d.screen(), "350 total") || d.m.status.kind == statusError {
				t.Fatalf("after reload: status %q\n%s", d.m.status.text, d.screen())
			}
			faultQuits(t, d)
		})
	}
}

// 3. A 429 storm with Retry-After: 2: the client waits as told and says so,
// the requests stay bounded, and the load completes or fails cleanly.
func TestFault429Storm(t *testing.T) {
	t.Parallel()
	const n, pages = 150, 3
	cases := []struct {
		name       string
		limit      int // 429s before the server answers
		maxRetries int
		completes  bool
	}{
		{"recovers", 2, 3, true},
		{"gives up", -1, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := faultServer(t, n)
			srv.SetFaults(apitest.Faults{RateLimit: c.limit, RetryAfter: 2})
			api, events := faultClient(srv, c.maxRetries)
			opts := faultOptions(api, events)
			opts.Concurrency = 1
			d := newFaultDriver(t, opts, faultW, faultH)

			want := "rate limited (HTTP 429) — waiting 2s before retry 1"
			d.waitFor("retry notice", func(m Model) bool { return strings.Contains(m.status.text, want) }, faultDefaultTimeout)
			if row := d.statusRow(); !strings.Contains(row, want) {
				t.Fatalf("status row %q lacks %q", row, want)
			}
			d.press("j", "?", "esc") // still responsive while it waits
			d.waitFor("load to end", func(m Model) bool { return !m.load.active }, faultDefaultTimeout)

			for _, ev := range d.retries {
				if ev.Status != 429 || ev.Wait != 2*time.Second {
					t.Fatalf("retry event %+v: want status 429 and a 2s wait", ev)
				}
			}
			if len(d.retries) == 0 {
				t.Fatal("the program was never told about a retry")
			}
			// The client really waited: consecutive tries of the first page
			// are at least (about) the 2 s apart the server asked for.
			var first []time.Time
			for _, r := range srv.Requests() {
				if q, _ := url.ParseQuery(r.Query); q.Get("offset") == "0" {
					first = append(first, r.Time)
				}
			}
			for i := 1; i < len(first); i++ {
				if gap := first[i].Sub(first[i-1]); gap < 1900*time.Millisecond {
					t.Fatalf("retry %d came %s after the 429, want >= 2s", i, gap)
				}
			}
			if got, bound := srv.RequestCount(), pages*(c.maxRetries+1); got > bound {
				t.Fatalf("%d requests, bound %d", got, bound)
			}

			if c.completes {
				d.waitFor("all loaded", faultLoaded(n), faultDefaultTimeout)
				if got := srv.RequestCount(); got != pages+c.limit {
					t.Fatalf("%d requests, want %d pages + %d retries", got, pages, c.limit)
				}
			} else {
				st := d.m.status.text
				faultOneLine(t, "status", st)
				if !strings.Contains(st, "load failed") || !strings.Contains(st, "HTTP 429") {
					t.Fatalf("status %q", st)
				}
				srv.ClearFaults()
				d.press("ctrl+r")
				d.waitFor("reload", faultLoaded(n), faultDefaultTimeout)
				faultCursorMoves(t, d)
			}
			faultQuits(t, d)
		})
	}
}

// faultShapes are the error answers a server or a proxy may give.
func faultShapes() []struct {
	name   string
	f      apitest.Faults
	status int // the HTTP status the message must name; 0 for none
} {
	huge := `{"error":"` + strings.Repeat("A", 20<<20) + `"}`
	return []struct {
		name   string
		f      apitest.Faults
		status int
	}{
		{"json 500", apitest.Faults{FailStatus: 500, FailBody: `{"error":"boom"}`}, 500},
		{"nested 400", apitest.Faults{FailStatus: 400, FailBody: `{"error":{"code":"x","message":"y"}}`}, 400},
		{"problem 503", apitest.Faults{FailStatus: 503, FailContentType: "application/problem+json",
			FailBody: `{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"down for maintenance"}`}, 503},
		{"html 502", apitest.Faults{FailStatus: 502, FailContentType: "text/html",
			FailBody: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"}, 502},
		{"empty 500", apitest.Faults{FailStatus: 500, FailEmptyBody: true}, 500},
		{"truncated 200", apitest.Faults{FailStatus: 200, FailBody: `{"data":[{"id":`}, 0},
		{"20MB 400", apitest.Faults{FailStatus: 400, FailBody: huge}, 400},
	}
}

// faultCheckMessage: one safe line that names the HTTP status.
func faultCheckMessage(t *testing.T, what, msg string, status int) {
	t.Helper()
	faultOneLine(t, what, msg)
	if status != 0 && !strings.Contains(msg, "HTTP "+strconv.Itoa(status)) {
		t.Fatalf("%s %q does not name HTTP %d", what, msg, status)
	}
	if len(msg) > 600 {
		t.Fatalf("%s is %d bytes long", what, len(msg))
	}
}

// 4. Every error shape, on a list and on a PATCH, ends in a clear message
// and a working program.
func TestFaultErrorShapes(t *testing.T) {
	t.Parallel()
	for _, sh := range faultShapes() {
		t.Run("list/"+sh.name, func(t *testing.T) {
			t.Parallel()
			srv := faultServer(t, 40)
			api, events := faultClient(srv, -1)
			d := newFaultDriver(t, faultOptions(api, events), faultW, faultH)
			d.waitFor("first load", faultLoaded(40), faultDefaultTimeout)

			f := sh.f
			f.Match, f.FailCount = apitest.MatchList(0), 1
			srv.SetFaults(f)
			d.press("ctrl+r")
			d.waitFor("reload to fail", func(m Model) bool { return !m.load.active && m.load.err != nil }, faultDefaultTimeout)
			faultCheckMessage(t, "status", d.m.status.text, sh.status)
			if !strings.HasPrefix(d.m.status.text, "load failed: ") {
				t.Fatalf("status %q", d.m.status.text)
			}
			if row := d.statusRow(); !strings.HasPrefix(row, "✗ load failed") {
				t.Fatalf("status row %q", row)
			}
			faultCheckFits(t, d.m.View(), faultW, faultH)
			if d.m.st.loaded != 40 || !strings.Contains(d.screen(), "40 total") {
				t.Fatalf("the rows shown were dropped: %d", d.m.st.loaded)
			}
			faultCursorMoves(t, d)
			// The fault is spent: ctrl+r works and clears the error.
			d.press("ctrl+r")
			d.waitFor("reload", faultLoaded(40), faultDefaultTimeout)
			if d.m.status.kind == statusError {
				t.Fatalf("error kept after a good reload: %q", d.m.status.text)
			}
			faultQuits(t, d)
		})
		t.Run("patch/"+sh.name, func(t *testing.T) {
			t.Parallel()
			srv := faultServer(t, 40)
			api, events := faultClient(srv, -1)
			d := newFaultDriver(t, faultOptions(api, events), faultW, faultH)
			d.waitFor("first load", faultLoaded(40), faultDefaultTimeout)

			d.press("j")
			id := d.m.selected().S.ID
			orig, _ := srv.Get(id)
			f := sh.f
			f.Match, f.FailCount = apitest.MatchMethod("PATCH"), 1
			srv.SetFaults(f)

			d.press("e", "ctrl+u")
			d.typeText("Renamed through a fault")
			d.press("ctrl+s")
			d.waitFor("save to fail", func(m Model) bool {
				return m.mode == modeEdit && !m.form.Saving() && m.form.Err() != ""
			}, faultDefaultTimeout)
			faultCheckMessage(t, "form error", d.m.form.Err(), sh.status)
			if !strings.HasPrefix(d.m.form.Err(), "save failed: ") {
				t.Fatalf("form error %q", d.m.form.Err())
			}
			if !strings.Contains(d.screen(), "save failed") {
				t.Fatalf("form error not shown:\n%s", d.screen())
			}
			faultCheckFits(t, d.m.View(), faultW, faultH)
			// Nothing typed is lost, nothing reached the server.
			if v := d.m.form.Title(); v != "Renamed through a fault" {
				t.Fatalf("title after the failure: %q", v)
			}
			if now, _ := srv.Get(id); now.TitleOrEmpty() != orig.TitleOrEmpty() {
				t.Fatalf("failed PATCH changed the server: %q", now.TitleOrEmpty())
			}
			// ctrl+s retries; the fault is spent, so it saves.
			d.press("ctrl+s")
			d.waitFor("saved", func(m Model) bool { return m.mode == modeList && len(m.ops.inflight) == 0 }, faultDefaultTimeout)
			if now, _ := srv.Get(id); now.TitleOrEmpty() != "Renamed through a fault" {
				t.Fatalf("server title %q", now.TitleOrEmpty())
			}
			if got := d.m.st.get(id).S.TitleOrEmpty(); got != "Renamed through a fault" {
				t.Fatalf("program shows %q", got)
			}
			faultCursorMoves(t, d)
			faultQuits(t, d)
		})
	}
}

// A failed resolve (not a form) says so on the status line, in one line.
func TestFaultResolveErrorShapes(t *testing.T) {
	t.Parallel()
	for _, sh := range faultShapes() {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			srv := faultServer(t, 40)
			api, events := faultClient(srv, -1)
			d := newFaultDriver(t, faultOptions(api, events), faultW, faultH)
			d.waitFor("first load", faultLoaded(40), faultDefaultTimeout)
			id := d.m.selected().S.ID
			orig, _ := srv.Get(id)
			f := sh.f
			f.Match, f.FailCount = apitest.MatchMethod("PATCH"), 1
			srv.SetFaults(f)
			d.press("r")
			d.waitFor("resolve to fail", func(m Model) bool { return len(m.ops.inflight) == 0 && m.status.kind == statusError }, faultDefaultTimeout)
			faultCheckMessage(t, "status", d.m.status.text, sh.status)
			if !strings.HasPrefix(d.m.status.text, "resolve failed: ") {
				t.Fatalf("status %q", d.m.status.text)
			}
			if now, _ := srv.Get(id); strings.Join(now.Tags, ",") != strings.Join(orig.Tags, ",") {
				t.Fatalf("failed resolve changed tags: %v → %v", orig.Tags, now.Tags)
			}
			faultCheckFits(t, d.m.View(), faultW, faultH)
			faultCursorMoves(t, d)
			faultQuits(t, d)
		})
	}
}

// Two saves of the same session at once — r, then an edit, while the first
// is still writing — must both land: each reads the tags and writes them
// back, so run side by side the second would drop the first's change.
func TestFaultConcurrentSavesKeepBothChanges(t *testing.T) {
	t.Parallel()
	srv := faultServer(t, 40)
	api, events := faultClient(srv, -1)
	d := newFaultDriver(t, faultOptions(api, events), faultW, faultH)
	d.waitFor("first load", faultLoaded(40), faultDefaultTimeout)
	for d.m.selected().HasTag(resolvedTag) {
		d.press("j")
	}
	id := d.m.selected().S.ID
	orig, _ := srv.Get(id)
	// Writes of this session are slow, so the second save reads the tags
	// while the first one's write is still on its way.
	srv.SetFaults(apitest.Faults{Latency: time.Second, Match: func(r *http.Request) bool {
		return r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/v1/sessions/"+id)
	}})

	d.press("r")
	d.press("e", "tab")
	d.typeText("concurrent")
	d.press("enter", "ctrl+s")
	d.waitFor("both saves", func(m Model) bool { return m.mode == modeList && len(m.ops.inflight) == 0 }, faultDefaultTimeout)

	now, _ := srv.Get(id)
	want, _, _ := apiclient.ApplyTagDelta(orig.Tags, []string{resolvedTag, "concurrent"}, nil)
	if !soakSameTags(now.Tags, want) {
		t.Fatalf("server tags %v, want %v: a concurrent save was lost", now.Tags, want)
	}
	if got := d.m.st.get(id).S.Tags; !soakSameTags(got, want) {
		t.Fatalf("program shows %v, want %v", got, want)
	}
	faultQuits(t, d)
}

// faultSlowPages is an API whose single-page answers are slow on the way
// back: the server reads the data at once, the program gets it later (the
// server's Latency fault delays before the read, which cannot show this).
type faultSlowPages struct {
	API
	delay time.Duration
}

func (a faultSlowPages) ListSessions(ctx context.Context, opts apiclient.ListOptions) (*apiclient.SessionPage, error) {
	p, err := a.API.ListSessions(ctx, opts)
	select {
	case <-time.After(a.delay):
	case <-ctx.Done():
	}
	return p, err
}

// A slow auto refresh must not put back what a save changed meanwhile: its
// page was read before the save, so its copy of the session is older.
func TestFaultSlowRefreshKeepsNewerSave(t *testing.T) {
	t.Parallel()
	srv := faultServer(t, 40)
	api, events := faultClient(srv, -1)
	opts := faultOptions(faultSlowPages{API: api, delay: 2 * time.Second}, events)
	opts.Refresh = 200 * time.Millisecond
	d := newFaultDriver(t, opts, faultW, faultH)
	d.waitFor("first load", faultLoaded(40), faultDefaultTimeout)
	for d.m.selected().HasTag(resolvedTag) {
		d.press("j")
	}
	id := d.m.selected().S.ID

	// The refresh has read the page; its answer is on its slow way back.
	firstPages := func() (n int) {
		for _, r := range srv.Requests() {
			if r.Status == 200 && r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/v1/sessions") {
				if q, _ := url.ParseQuery(r.Query); q.Get("offset") != "0" {
					continue
				}
				n++
			}
		}
		return n
	}
	before := firstPages()
	d.waitFor("a refresh in flight", func(m Model) bool { return m.refresh.inflight }, faultDefaultTimeout)
	d.waitFor("its page read", func(Model) bool { return firstPages() > before }, faultDefaultTimeout)
	if !d.m.refresh.inflight {
		t.Fatal("the refresh answered before its delay")
	}
	d.press("r")
	d.waitFor("resolved", func(m Model) bool { return len(m.ops.inflight) == 0 }, faultDefaultTimeout)
	if !d.m.st.get(id).HasTag(resolvedTag) {
		t.Fatal("the save is not shown")
	}
	d.waitFor("the slow refresh to land", func(m Model) bool { return !m.refresh.inflight }, faultDefaultTimeout)
	if !d.m.st.get(id).HasTag(resolvedTag) {
		t.Fatalf("the refresh put back the session as it was before the save: %v", d.m.st.get(id).S.Tags)
	}
	faultQuits(t, d)
}

// ListAll's pages are slow on the way back, too.
func (a faultSlowPages) ListAll(ctx context.Context, opts apiclient.ListOptions, concurrency int, onPage func(apiclient.PageEvent)) ([]apiclient.Session, error) {
	return a.API.ListAll(ctx, opts, concurrency, func(ev apiclient.PageEvent) {
		select {
		case <-time.After(a.delay):
		case <-ctx.Done():
		}
		onPage(ev)
	})
}

// The same for ctrl+r: a save that lands while the reload's pages are on
// their way stays shown when the reload finishes.
func TestFaultSlowReloadKeepsNewerSave(t *testing.T) {
	t.Parallel()
	srv := faultServer(t, 40)
	api, events := faultClient(srv, -1)
	slow := &faultSlowPages{API: api}
	opts := faultOptions(slow, events)
	d := newFaultDriver(t, opts, faultW, faultH)
	d.waitFor("first load", faultLoaded(40), faultDefaultTimeout)
	for d.m.selected().HasTag(resolvedTag) {
		d.press("j")
	}
	id := d.m.selected().S.ID

	slow.delay = 2 * time.Second // only this goroutine reads it until ctrl+r starts the load
	n := srv.RequestCount()
	d.press("ctrl+r")
	d.waitFor("the reload's page read", func(Model) bool { return srv.RequestCount() > n }, faultDefaultTimeout)
	d.press("r")
	d.waitFor("resolved", func(m Model) bool { return len(m.ops.inflight) == 0 }, faultDefaultTimeout)
	if !d.m.st.get(id).HasTag(resolvedTag) || !d.m.load.active {
		t.Fatalf("want the save shown while the reload is on its way (load active %v)", d.m.load.active)
	}
	d.waitFor("the reload", faultLoaded(40), faultDefaultTimeout)
	if !d.m.st.get(id).HasTag(resolvedTag) {
		t.Fatalf("the reload put back the session as it was before the save: %v", d.m.st.get(id).S.Tags)
	}
	faultQuits(t, d)
}
