package tui

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/sessionlist"
)

// The program tests run the real program (teatest) against the real client
// and the in-memory server. Goldens are the final model's View, taken once
// nothing loads, saves or spins.

const progSessions = 40

// progSeed returns the server's sessions in list order (newest first: the
// default sort is the server's).
func progSeed(srv *apitest.Server) []apiclient.Session { return srv.All() }

// progPick is the session at list position i.
func progPick(t *testing.T, srv *apitest.Server, i int) apiclient.Session {
	t.Helper()
	all := progSeed(srv)
	if i >= len(all) {
		t.Fatalf("no session %d", i)
	}
	return all[i]
}

// moveTo puts the cursor on session id (moving down from the top).
func (p *prog) moveTo(id string) {
	p.t.Helper()
	p.press("g")
	for range 200 {
		if p.rec.get().selID == id {
			return
		}
		p.press("down")
	}
	p.t.Fatalf("session %s not in the list", id)
}

// openEditTyped opens the edit form on session id, replaces its title with
// title and adds tag through the tag picker's filter.
func (p *prog) openEditTyped(id, title, tag string) {
	p.t.Helper()
	p.moveTo(id)
	p.press("e")
	p.waitFor("edit form", func(s progSnap) bool { return s.mode == modeEdit })
	if title != "" {
		p.press("ctrl+u")
		p.typeText(title)
	}
	if tag != "" {
		p.press("tab")
		p.typeText(tag)
		p.press("enter") // toggles the exact match (or adds the new tag)
	}
}

func progHasTag(tags []string, tag string) bool { return slices.Contains(tags, tag) }

// ---- Goldens.

func TestProgramList(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	s := p.waitView("40 total", "All 40")
	if s.selID != progPick(t, srv, 0).ID {
		t.Errorf("cursor on %s, want the newest session", s.selID)
	}
	p.golden()
}

func TestProgramDetail(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	target := progPick(t, srv, 1)
	p.moveTo(target.ID)
	p.press("enter")
	want := len(apitest.Transcript(target))
	s := p.waitFor("transcript", func(s progSnap) bool {
		return s.mode == modeDetail && strings.Contains(s.view, " messages ") && strings.Contains(s.view, "● live")
	})
	if !strings.Contains(s.view, target.ID[:20]) {
		t.Errorf("detail does not show session %s", target.ID)
	}
	if !strings.Contains(s.view, "· "+progItoa(want)+" messages") {
		t.Errorf("want %d messages in the rule", want)
	}
	p.golden()
}

func TestProgramEditForm(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	target := progPick(t, srv, 2)
	if progHasTag(target.Tags, "follow-up") {
		t.Fatalf("precondition: %v already has follow-up", target.Tags)
	}
	p.openEditTyped(target.ID, "GDPR export — café ✓ 日本", "follow-up")
	s := p.waitView("GDPR export — café ✓ 日本", "[x] follow-up")
	if s.formTitle != "GDPR export — café ✓ 日本" {
		t.Errorf("title input holds %q", s.formTitle)
	}
	p.golden()
}

func TestProgramSaved(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	target := progPick(t, srv, 2)
	p.openEditTyped(target.ID, "GDPR export sent", "follow-up")
	p.press("ctrl+s")
	s := p.waitFor("saved", func(s progSnap) bool {
		return s.settled && s.mode == modeList && strings.Contains(s.view, "✓ Saved") &&
			strings.Contains(s.view, "GDPR export sent")
	})
	if s.selID != target.ID {
		t.Errorf("cursor moved to %s", s.selID)
	}
	got, _ := srv.Get(target.ID)
	if got.TitleOrEmpty() != "GDPR export sent" || !progHasTag(got.Tags, "follow-up") {
		t.Errorf("server has title %q tags %v", got.TitleOrEmpty(), got.Tags)
	}
	p.golden()
}

func TestProgramSaveFailed(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	target := progPick(t, srv, 2)
	p.openEditTyped(target.ID, "GDPR export sent", "follow-up")
	srv.SetFaults(apitest.Faults{Match: apitest.MatchMethod("PATCH"), FailCount: 1, FailStatus: 503})
	p.press("ctrl+s")
	s := p.waitFor("save error", func(s progSnap) bool {
		return s.formOpen && s.formErr != "" && !s.formSave && s.settled
	})
	if !strings.Contains(s.formErr, "HTTP 503") || !strings.Contains(s.view, "ctrl+s to retry") {
		t.Errorf("form error %q", s.formErr)
	}
	if s.formTitle != "GDPR export sent" {
		t.Errorf("typed title lost: %q", s.formTitle)
	}
	p.golden()
}

func TestProgramResolve(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	target := progPick(t, srv, 2)
	if len(target.Tags) != 0 {
		t.Fatalf("precondition: want an untagged session, got %v", target.Tags)
	}
	p.moveTo(target.ID)
	p.press("r")
	s := p.waitFor("resolved", func(s progSnap) bool {
		return s.settled && strings.Contains(s.view, "✓ Resolved") && progHasTag(s.tags[target.ID], "resolved")
	})
	if got := progServerTags(t, srv, target.ID); !slices.Equal(got, []string{"resolved"}) {
		t.Errorf("server tags %v", got)
	}
	// The selected row (third in the list, under the header lines) shows it.
	row := strings.Split(s.view, "\n")[headerLines+1+2]
	if !strings.Contains(row, "resolved") {
		t.Errorf("row does not show the tag: %q", row)
	}
	p.golden()
}

func TestProgramNarrow(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 80, 24)
	s := p.waitView("40 total", "Preview")
	if !strings.Contains(s.view, "╰") {
		t.Errorf("no preview pane under the list")
	}
	p.golden()
}

func TestProgramTooSmall(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 60, 20)
	p.waitView("terminal too small: 60x20", "at least 80x24")
	p.golden()
}

func TestProgramHostile(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 5, Hostile: true})
	p := progStartList(t, srv, 120, 40)
	s := p.waitView("12 total")
	if strings.ContainsAny(s.view, "\x1b\u009b\u202e\a\r") {
		t.Errorf("view carries control characters: %q", s.view)
	}
	m := p.golden()
	// Every screen, not just the list.
	for _, k := range []string{"enter", "esc", "e", "esc", "T", "esc", "?", "esc"} {
		m = unitUpdate(t, m, progKey(k))
		if v := m.View(); strings.ContainsAny(v, "\x1b\u009b\u202e\a\r") {
			t.Errorf("after %s the view carries control characters: %q", k, v)
		}
	}
}

func TestProgramFilter(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	p.press("/")
	p.typeText("café") // non-ASCII, one key message per rune
	p.press("enter")
	var want []string
	for _, x := range progSeed(srv) {
		if strings.Contains(strings.ToLower(x.TitleOrEmpty()+" "+x.PreviewOrEmpty()), "café") {
			want = append(want, x.ID)
		}
	}
	if len(want) < 2 {
		t.Fatalf("precondition: %d sessions about café", len(want))
	}
	s := p.waitView("filter café "+progItoa(len(want))+" matches", "[All "+progItoa(len(want))+"]")
	if s.mode != modeList || !progSameSet(s.rows, want) {
		t.Errorf("mode %v, rows %v, want %v", s.mode, s.rows, want)
	}
	p.golden()
}

// TestProgramFilterColour is the filter golden with colours on: the matched
// letters get the theme's match style.
func TestProgramFilterColour(t *testing.T) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.ANSI256)
	t.Cleanup(func() { lipgloss.SetColorProfile(prev) })

	srv := progServer(t, apitest.Options{Sessions: progSessions})
	opts := progOptions(progClient(srv, ""))
	opts.Theme = theme.New(theme.Dark, false)
	p := startProg(t, srv, opts, 120, 40)
	p.waitSettled("first load")
	p.press("/")
	p.typeText("café")
	p.press("enter")
	p.waitFor("filtered", func(s progSnap) bool {
		return s.settled && s.filter == "café" && strings.Contains(ansi.Strip(s.view), "matches")
	})
	m := p.golden()
	on, _, _ := strings.Cut(opts.Theme.Match.Render("C"), "C")
	if on == "" || !strings.Contains(m.View(), on+"C") {
		t.Errorf("no highlighted match (%q) in the view", on)
	}
	// Styled text is measured without its escapes: the preview's meta line
	// is as long as in the plain golden.
	if plain := ansi.Strip(m.View()); !strings.Contains(plain, "updated 8h ago · session_") {
		t.Errorf("the preview meta line is cut short in colour:\n%s", plain)
	}
}

// Each activity tab shows its rows and the tabs line counts every tab.
func TestProgramStatusTabs(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	var want [statusTabs]int
	want[tabAll] = progSessions
	for _, x := range progSeed(srv) {
		if tab := tabOf(sessionlist.NewRow(x).Act); tab != tabAll {
			want[tab]++
		}
	}
	if want[tabFailed] == 0 || want[tabRunning] == 0 || want[tabCompleted] == 0 {
		t.Fatalf("the seed has no failed, running or completed sessions: %v", want)
	}
	for _, tab := range []statusTab{tabRunning, tabFailed, tabCompleted, tabIdle, tabPaused, tabAll} {
		p.press(strconv.Itoa(int(tab) + 1))
		label := fmt.Sprintf("[%s %d]", tab, want[tab])
		s := p.waitFor(tab.String()+" tab", func(s progSnap) bool {
			return s.settled && len(s.rows) == want[tab] && strings.Contains(s.view, label)
		})
		for i := range statusTabs {
			if l := fmt.Sprintf("%s %d", statusTab(i), want[i]); !strings.Contains(s.view, l) {
				t.Errorf("on %s: no %q in the tabs line", tab, l)
			}
		}
		for _, id := range s.rows {
			if x, _ := srv.Get(id); tab != tabAll && tabOf(sessionlist.NewRow(x).Act) != tab {
				t.Errorf("%s tab: row %s has activity %s", tab, id, x.Activity)
			}
		}
	}
	p.press("3")
	p.waitView(fmt.Sprintf("[Failed %d]", want[tabFailed]))
	p.golden()
}

func TestProgramSort(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	p.press("s", "s")
	s := p.waitView("sort tokens ↓")
	prev := int64(1 << 62)
	for _, id := range s.rows {
		x, _ := srv.Get(id)
		if n := x.Usage.Total(); n > prev {
			t.Errorf("row %s (%d tokens) after one with %d", id, n, prev)
		} else {
			prev = n
		}
	}
	p.golden()
}

// progBulkSetup marks the first three sessions and makes the PATCH of the
// second fail with 503 for as long as the fault is set.
func progBulkSetup(t *testing.T) (*prog, []apiclient.Session) {
	t.Helper()
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	three := progSeed(srv)[:3]
	for _, x := range three {
		if progHasTag(x.Tags, "resolved") {
			t.Fatalf("precondition: %s already resolved", x.ID)
		}
	}
	failing := three[1].ID
	srv.SetFaults(apitest.Faults{
		Match: func(r *http.Request) bool {
			return r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/sessions/"+failing)
		},
		FailCount: 1000, FailStatus: 503,
	})
	p.press("space", "down", "space", "down", "space") // space marks, the cursor stays
	if got := p.rec.get().marked; len(got) != 3 {
		t.Fatalf("marked %v", got)
	}
	srv.ResetRequests()
	p.press("r")
	p.waitView("Resolve 3 sessions?") // several sessions: it asks first
	p.press("y")
	return p, three
}

func progWaitBulk(p *prog, summary string) progSnap {
	p.t.Helper()
	return p.waitFor("bulk summary "+summary, func(s progSnap) bool {
		return s.settled && strings.Contains(s.view, summary)
	})
}

func TestProgramBulk(t *testing.T) {
	p, three := progBulkSetup(t)
	s := progWaitBulk(p, "resolve: 2 saved, 1 failed: HTTP 503")
	if !slices.Equal(s.marked, []string{three[1].ID}) {
		t.Errorf("still marked: %v, want only the failed %s", s.marked, three[1].ID)
	}
	for i, x := range three {
		if got := progHasTag(progServerTags(t, p.srv, x.ID), "resolved"); got != (i != 1) {
			t.Errorf("session %d resolved on the server: %v", i, got)
		}
	}
	if !strings.Contains(s.view, "● 1 marked") {
		t.Errorf("header does not count the mark")
	}
	p.golden()
}

func TestProgramUsage(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	p.press("T")
	p.waitFor("usage", func(s progSnap) bool { return s.mode == modeUsage && s.settled })
	p.golden()
}

func TestProgramHelp(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	p.press("?")
	p.waitView("ctrl+s", "shift+tab", "mark all shown")
	p.golden()
}

// ---- Behaviour.

// A failed save keeps what was typed; ctrl+s after the fault is gone saves it.
func TestSaveFailedKeepsInputAndRetries(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	target := progPick(t, srv, 2)
	p.openEditTyped(target.ID, "Retried title", "escalated")
	srv.SetFaults(apitest.Faults{Match: apitest.MatchMethod("PATCH"), FailCount: 1000, FailStatus: 503})
	p.press("ctrl+s")
	s := p.waitFor("save error", func(s progSnap) bool { return s.formErr != "" && s.settled })
	if s.formTitle != "Retried title" || !strings.Contains(s.view, "[x] escalated") {
		t.Fatalf("form lost the input: title %q\n%s", s.formTitle, s.view)
	}
	if x, _ := srv.Get(target.ID); x.TitleOrEmpty() == "Retried title" {
		t.Fatalf("the failed save changed the server")
	}
	srv.ClearFaults()
	p.press("ctrl+s")
	p.waitFor("saved", func(s progSnap) bool { return s.settled && s.mode == modeList && strings.Contains(s.view, "✓ Saved") })
	x, _ := srv.Get(target.ID)
	if x.TitleOrEmpty() != "Retried title" || !progHasTag(x.Tags, "escalated") {
		t.Errorf("server has %q %v", x.TitleOrEmpty(), x.Tags)
	}
}

// A tag another operator added while the form was open is kept.
func TestConcurrentTagKept(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	target := progPick(t, srv, 2)
	p.openEditTyped(target.ID, "", "p1")
	other, _ := srv.Get(target.ID)
	other.Tags = append(other.Tags, "other-operator")
	srv.Put(other)
	p.press("ctrl+s")
	p.waitFor("saved", func(s progSnap) bool { return s.settled && s.mode == modeList && strings.Contains(s.view, "✓ Saved") })
	got := progServerTags(t, srv, target.ID)
	if !progHasTag(got, "other-operator") || !progHasTag(got, "p1") {
		t.Errorf("server tags %v, want both other-operator and p1", got)
	}
}

// The PATCH carries only what changed.
func TestPatchOnlyChangedFields(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	a, b := progPick(t, srv, 1), progPick(t, srv, 2)

	p.openEditTyped(a.ID, "Only the title", "")
	p.press("ctrl+s")
	p.waitFor("saved", func(s progSnap) bool { return s.settled && s.mode == modeList && s.titles[a.ID] == "Only the title" })
	ps := progPatches(srv)
	if len(ps) != 1 {
		t.Fatalf("%d PATCH requests, want 1", len(ps))
	}
	body := progPatchBody(t, ps[0])
	if _, ok := body["tags"]; ok || string(body["title"]) != `"Only the title"` {
		t.Errorf("title-only PATCH body %s", ps[0].Body)
	}

	p.openEditTyped(b.ID, "", "security")
	p.press("ctrl+s")
	p.waitFor("saved", func(s progSnap) bool { return s.settled && s.mode == modeList && progHasTag(s.tags[b.ID], "security") })
	ps = progPatches(srv)
	if len(ps) != 2 {
		t.Fatalf("%d PATCH requests, want 2", len(ps))
	}
	body = progPatchBody(t, ps[1])
	if _, ok := body["title"]; ok || body["tags"] == nil {
		t.Errorf("tags-only PATCH body %s", ps[1].Body)
	}
}

// u reverts a resolve, then a title change, on the server.
func TestUndoTitleAndResolve(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	target := progPick(t, srv, 1)
	origTitle, origTags := target.TitleOrEmpty(), target.Tags

	p.openEditTyped(target.ID, "Changed title", "")
	p.press("ctrl+s")
	p.waitFor("saved", func(s progSnap) bool {
		return s.settled && s.mode == modeList && s.titles[target.ID] == "Changed title"
	})
	p.press("r")
	p.waitFor("resolved", func(s progSnap) bool { return s.settled && progHasTag(s.tags[target.ID], "resolved") })

	p.press("u")
	p.waitFor("resolve undone", func(s progSnap) bool {
		return s.settled && !progHasTag(s.tags[target.ID], "resolved") && strings.Contains(s.view, "undid resolve of 1 session")
	})
	if got := progServerTags(t, srv, target.ID); !slices.Equal(got, origTags) {
		t.Errorf("tags after undo %v, want %v", got, origTags)
	}
	p.press("u")
	p.waitFor("title undone", func(s progSnap) bool { return s.settled && s.titles[target.ID] == origTitle })
	if x, _ := srv.Get(target.ID); x.TitleOrEmpty() != origTitle {
		t.Errorf("title after undo %q, want %q", x.TitleOrEmpty(), origTitle)
	}
	p.press("u")
	p.waitView("nothing to undo")
}

// ctrl+r keeps the cursor on the same session and keeps the filter, even
// when new sessions push it down.
func TestReloadKeepsSelectionAndFilter(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	p.press("/")
	p.typeText("café")
	p.press("enter")
	s := p.waitFor("filtered", func(s progSnap) bool { return s.settled && s.filter == "café" })
	if len(s.rows) < 2 {
		t.Fatalf("want at least 2 matches, got %d", len(s.rows))
	}
	p.press("down")
	want := p.rec.get().selID

	// Two new matching sessions arrive on top, and another one changes.
	for i, id := range []string{"session_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", "session_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2"} {
		x := progPick(t, srv, 0)
		x.ID = id
		x.Title = progPtr("Café order " + progItoa(i))
		x.CreatedAt = progNow.Add(time.Duration(i+1) * time.Second)
		srv.Put(x)
	}
	p.press("ctrl+r")
	s = p.waitFor("reloaded", func(s progSnap) bool {
		_, ok := s.titles["session_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2"]
		return ok && s.settled
	})
	if s.selID != want {
		t.Errorf("cursor on %s after reload, want %s", s.selID, want)
	}
	if s.filter != "café" || !strings.Contains(s.view, "filter café") {
		t.Errorf("filter lost: %q", s.filter)
	}
	if strings.Contains(s.view, "reloading…") {
		t.Errorf("status line still says reloading after the reload finished")
	}
}

// An empty title is refused in the form: nothing is sent.
func TestEmptyTitleNotSaved(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	target := progPick(t, srv, 1)
	p.moveTo(target.ID)
	p.press("e", "ctrl+u", "ctrl+s")
	s := p.waitFor("refusal", func(s progSnap) bool { return strings.Contains(s.view, "A title can't be empty") })
	if s.mode != modeEdit || s.formSave {
		t.Errorf("mode %v saving %v", s.mode, s.formSave)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(progPatches(srv)); n != 0 {
		t.Errorf("%d PATCH requests sent", n)
	}
}

// esc on a changed form asks first.
func TestEscDirtyFormAsks(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	p.openEditTyped(progPick(t, srv, 1).ID, "draft", "")
	p.press("esc")
	s := p.waitView("Discard changes? y/n")
	if s.mode != modeEdit {
		t.Fatalf("form closed without asking")
	}
	p.press("n")
	s = p.rec.get()
	if s.mode != modeEdit || s.formTitle != "draft" || strings.Contains(s.view, "Discard changes?") {
		t.Fatalf("n did not keep the form: mode %v title %q", s.mode, s.formTitle)
	}
	p.press("esc", "y")
	p.waitFor("closed", func(s progSnap) bool { return s.mode == modeList })
	if n := len(progPatches(srv)); n != 0 {
		t.Errorf("%d PATCH requests sent", n)
	}
}

// ctrl+c on a changed form asks first; the program runs on until y.
func TestCtrlCDirtyFormAsks(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	p := progStartList(t, srv, 120, 40)
	p.openEditTyped(progPick(t, srv, 1).ID, "draft", "")
	p.press("ctrl+c")
	p.waitView("Discard changes and quit? y/n")
	// Still running: it handles more keys.
	p.press("n")
	s := p.rec.get()
	if s.mode != modeEdit || s.formTitle != "draft" {
		t.Fatalf("form lost after n: mode %v title %q", s.mode, s.formTitle)
	}
	p.press("ctrl+c")
	p.waitView("Discard changes and quit? y/n")
	p.tm.Send(progKey("y"))
	fm := p.tm.FinalModel(t, teatest.WithFinalTimeout(progWait)).(progRecModel).m
	if !fm.quitting {
		t.Errorf("program ended without quitting")
	}
}

// Auto refresh merges changes without moving the cursor or touching an
// open form.
func TestAutoRefreshKeepsCursorAndForm(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	opts := progOptions(progClient(srv, ""))
	opts.Refresh = 50 * time.Millisecond
	p := startProg(t, srv, opts, 120, 40)
	p.waitSettled("first load")
	target := progPick(t, srv, 3)
	p.openEditTyped(target.ID, "typed while refreshing", "")

	// A new session on top, and the selected one changes status.
	x := progPick(t, srv, 0)
	x.ID = "session_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb1"
	x.CreatedAt = progNow.Add(time.Second)
	srv.Put(x)
	y, _ := srv.Get(target.ID)
	y.Status = apiclient.StatusActive
	y.UpdatedAt = progNow.Add(2 * time.Second)
	srv.Put(y)

	s := p.waitFor("refreshed", func(s progSnap) bool {
		_, ok := s.titles[x.ID]
		return ok && s.rows[0] == x.ID
	})
	if s.mode != modeEdit || s.formTitle != "typed while refreshing" {
		t.Fatalf("refresh touched the form: mode %v title %q", s.mode, s.formTitle)
	}
	if s.selID != target.ID {
		t.Errorf("cursor on %s, want %s", s.selID, target.ID)
	}
	p.press("esc", "y")
	s = p.waitFor("list", func(s progSnap) bool { return s.mode == modeList })
	if s.selID != target.ID {
		t.Errorf("cursor on %s after closing the form, want %s", s.selID, target.ID)
	}
	if strings.Contains(s.view, "typed while refreshing") {
		t.Errorf("discarded title shows in the list")
	}
}

// After a bulk with a failure, r again re-sends only the failed one.
func TestBulkRetryOnlyFailed(t *testing.T) {
	p, three := progBulkSetup(t)
	progWaitBulk(p, "resolve: 2 saved, 1 failed: HTTP 503")
	p.srv.ClearFaults()
	p.srv.ResetRequests()
	p.press("r")
	s := progWaitBulk(p, "resolve: 1 saved")
	ps := progPatches(p.srv)
	if len(ps) != 1 || !strings.HasSuffix(ps[0].Path, three[1].ID) {
		t.Errorf("retry sent %d PATCHes (%v), want one for %s", len(ps), ps, three[1].ID)
	}
	if len(s.marked) != 0 {
		t.Errorf("still marked: %v", s.marked)
	}
	for _, x := range three {
		if !progHasTag(progServerTags(t, p.srv, x.ID), "resolved") {
			t.Errorf("%s not resolved", x.ID)
		}
	}
}

// u after a bulk undoes all of it.
func TestBulkUndo(t *testing.T) {
	p, three := progBulkSetup(t)
	progWaitBulk(p, "resolve: 2 saved, 1 failed: HTTP 503")
	p.srv.ClearFaults()
	p.press("esc") // drop the mark on the failed one
	p.press("u")
	progWaitBulk(p, "undid resolve of 2 sessions")
	for _, x := range three {
		if got := progServerTags(t, p.srv, x.ID); !slices.Equal(got, x.Tags) {
			t.Errorf("%s tags %v after undo, want %v", x.ID, got, x.Tags)
		}
	}
	// U makes it again, u reverts it again.
	p.press("U")
	progWaitBulk(p, "redid resolve of 2 sessions")
	for i, x := range three {
		if got := progHasTag(progServerTags(t, p.srv, x.ID), "resolved"); got != (i != 1) {
			t.Errorf("session %d resolved after redo: %v", i, got)
		}
	}
	p.press("u")
	progWaitBulk(p, "undid resolve of 2 sessions")
	p.press("u")
	p.waitView("nothing to undo")
}

// A bulk undo that partly fails says so, and u retries just the failed
// part.
func TestBulkUndoKeepsFailedParts(t *testing.T) {
	p, three := progBulkSetup(t)
	progWaitBulk(p, "resolve: 2 saved, 1 failed: HTTP 503")
	p.srv.ClearFaults()
	p.press("esc")
	failing := three[0].ID
	p.srv.SetFaults(apitest.Faults{
		Match: func(r *http.Request) bool {
			return r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/sessions/"+failing)
		},
		FailCount: 1000, FailStatus: 503,
	})
	p.press("u")
	progWaitBulk(p, "undid resolve of 1 session; 1 failed: HTTP 503 — u retries them")
	if !progHasTag(progServerTags(t, p.srv, failing), "resolved") {
		t.Fatal("the failing session was reverted")
	}
	p.srv.ClearFaults()
	p.srv.ResetRequests()
	p.press("u")
	progWaitBulk(p, "undid resolve of 1 session")
	if ps := progPatches(p.srv); len(ps) != 1 || !strings.HasSuffix(ps[0].Path, failing) {
		t.Fatalf("retry sent %v, want one PATCH of %s", ps, failing)
	}
	for _, x := range three {
		if got := progServerTags(t, p.srv, x.ID); !slices.Equal(got, x.Tags) {
			t.Errorf("%s tags %v after the retried undo, want %v", x.ID, got, x.Tags)
		}
	}
}

// A load that fails half way keeps the rows it got and says why, in one
// line without the server's HTML.
func TestLoadErrorKeepsScreen(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: 150})
	srv.SetFaults(apitest.Faults{
		Match: apitest.MatchList(100), FailCount: 1000, FailStatus: 500,
		FailBody: "<html><body><h1>500 Internal Server Error</h1></body></html>", FailContentType: "text/html",
	})
	p := startProg(t, srv, progOptions(progClient(srv, "")), 120, 40)
	s := p.waitFor("load error", func(s progSnap) bool { return s.idle && s.status.kind == statusError })
	if !strings.Contains(s.view, "server error (HTTP 500)") || !strings.Contains(s.view, "100 of 150 loaded") {
		t.Errorf("status line: %q", s.status.text)
	}
	if strings.Contains(s.view, "<html") || strings.Contains(s.view, "<h1>") {
		t.Errorf("raw HTML on screen")
	}
	if len(s.rows) != 100 {
		t.Errorf("%d rows shown, want the 100 loaded", len(s.rows))
	}
	if s.rows[0] != progPick(t, srv, 0).ID {
		t.Errorf("first row %s", s.rows[0])
	}
}

// A wrong key gets a hint about EVERRUNS_API_KEY, and no key is shown.
func TestUnauthorizedHint(t *testing.T) {
	const good, bad = "evr_live_GOODKEY_7f3a9c1d2e", "evr_live_WRONGKEY_c0ffee4242"
	srv := progServer(t, apitest.Options{Sessions: 5, APIKey: good})
	p := startProg(t, srv, progOptions(progClient(srv, bad)), 120, 40)
	s := p.waitFor("401", func(s progSnap) bool { return s.idle && s.status.kind == statusError })
	if !strings.Contains(s.view, "EVERRUNS_API_KEY") || !strings.Contains(s.view, "401") {
		t.Errorf("no hint: %q", s.status.text)
	}
	for _, k := range []string{good, bad, "GOODKEY", "WRONGKEY"} {
		if strings.Contains(s.view, k) {
			t.Errorf("the view shows the key %q", k)
		}
	}
	for _, r := range srv.Requests() {
		if r.Status != http.StatusUnauthorized {
			t.Errorf("request %s %s got %d", r.Method, r.Path, r.Status)
		}
	}
}

// ---- small helpers

func progItoa(n int) string { return thousands(int64(n)) }

func progSameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func progPtr[T any](v T) *T { return &v }

// An open detail view follows the auto refresh: a status change on the
// server shows in its fields without leaving the view.
func TestAutoRefreshUpdatesOpenDetail(t *testing.T) {
	srv := progServer(t, apitest.Options{Sessions: progSessions})
	opts := progOptions(progClient(srv, ""))
	opts.Refresh = 50 * time.Millisecond
	p := startProg(t, srv, opts, 120, 40)
	s := p.waitSettled("first load")
	first := s.rows[0]
	p.press("enter")
	p.waitFor("detail", func(s progSnap) bool { return s.mode == modeDetail })

	y, _ := srv.Get(first)
	y.Status = "waiting_for_tool_results"
	y.UpdatedAt = progNow.Add(5 * time.Second)
	srv.Put(y)

	s = p.waitFor("detail refreshed", func(s progSnap) bool {
		return s.mode == modeDetail && strings.Contains(s.view, "status waiting (waiting_for_tool_results)")
	})
	if s.selID != first {
		t.Errorf("selection moved to %s", s.selID)
	}
}
