package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// sessionsAt are n sessions, s0 the newest created and updated, a minute apart.
func sessionsAt(n int) []apiclient.Session {
	out := make([]apiclient.Session, n)
	for i := range out {
		at := progNow.Add(-time.Duration(i) * time.Minute)
		out[i] = apiclient.Session{ID: fmt.Sprintf("s%d", i), Status: "idle", CreatedAt: at, UpdatedAt: at}
	}
	return out
}

// updatedModel is a model of 60 loaded sessions (more than the window
// shows) in the updated order, the list scrolled so that the cursor, on
// s3, is not on the first line.
func updatedModel(t *testing.T) Model {
	t.Helper()
	m := New(Options{API: noStats{}, Now: progClock})
	m.load.active, m.load.complete = false, true
	m.st.applyPage(0, apiclient.SessionPage{Data: sessionsAt(60), Total: 60})
	m.spec.sort = sortUpdated
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = unitKeys(t, m, "j", "j", "j")
	m.list.Offset = 1 // as after scrolling
	if m.selected().S.ID != "s3" {
		t.Fatalf("cursor on %s", m.selected().S.ID)
	}
	return m
}

// With the updated order, a refresh that updates a row and brings a new
// session does not reorder the rows under the cursor: the updated row
// stays in place with its new data, the new one goes above, the cursor
// stays on its session at its place on screen, and the header announces
// them; the next move takes them in.
func TestRefreshAnnouncesInsteadOfReordering(t *testing.T) {
	m := updatedModel(t)
	screenRow := m.list.Cursor - m.list.Offset
	s5 := sessionsAt(10)[5]
	s5.UpdatedAt, s5.Status = progNow.Add(time.Minute), "active"
	n1 := apiclient.Session{ID: "n1", Status: "started", CreatedAt: progNow.Add(2 * time.Minute), UpdatedAt: progNow.Add(2 * time.Minute)}
	m = unitUpdate(t, m, refreshedMsg{gen: m.refresh.gen, pages: []apiclient.SessionPage{{Data: []apiclient.Session{n1, s5}}}, offsets: []int{0}})

	want := []string{"n1", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"}
	if got := unitRowIDs(m)[:11]; !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v (s5 held in place, n1 above)", got, want)
	}
	if m.selected().S.ID != "s3" || m.list.Cursor-m.list.Offset != screenRow {
		t.Errorf("cursor on %s at screen row %d, want s3 at %d", m.selected().S.ID, m.list.Cursor-m.list.Offset, screenRow)
	}
	if r := m.st.get("s5"); r == nil || r.S.Status != "active" {
		t.Error("the held row does not show its new data")
	}
	if v := m.View(); !strings.Contains(v, "1 new, 1 updated ↑") {
		t.Errorf("no announcement:\n%s", v)
	}

	// A second refresh adds to the announcement and still holds.
	s7 := sessionsAt(10)[7]
	s7.UpdatedAt = progNow.Add(3 * time.Minute)
	m = unitUpdate(t, m, refreshedMsg{gen: m.refresh.gen, pages: []apiclient.SessionPage{{Data: []apiclient.Session{s7}}}, offsets: []int{0}})
	if got := unitRowIDs(m)[:11]; !slices.Equal(got, want) || !strings.Contains(m.View(), "1 new, 2 updated ↑") {
		t.Fatalf("second refresh: rows %v\n%s", got, m.View())
	}

	// The user moves: the order is the updated one again, the cursor
	// moved one row from s3.
	m = unitKeys(t, m, "j")
	want = []string{"s7", "n1", "s5", "s0", "s1", "s2", "s3", "s4", "s6", "s8", "s9"}
	if got := unitRowIDs(m)[:11]; !slices.Equal(got, want) {
		t.Fatalf("after a move: rows %v, want %v", got, want)
	}
	if m.selected().S.ID != "s4" {
		t.Errorf("cursor on %s after j, want s4", m.selected().S.ID)
	}
	if v := m.View(); strings.Contains(v, "updated ↑") {
		t.Errorf("announcement stays after the move:\n%s", v)
	}
}

// The mouse wheel moves as keys do: the held rows go where they belong.
func TestRefreshHeldRowsTakenByTheWheel(t *testing.T) {
	m := updatedModel(t)
	s5 := sessionsAt(10)[5]
	s5.UpdatedAt = progNow.Add(time.Minute)
	m = unitUpdate(t, m, refreshedMsg{gen: m.refresh.gen, pages: []apiclient.SessionPage{{Data: []apiclient.Session{s5}}}, offsets: []int{0}})
	if got := unitRowIDs(m)[:3]; !slices.Equal(got, []string{"s0", "s1", "s2"}) || !strings.Contains(m.View(), "1 updated ↑") {
		t.Fatalf("setup: rows %v, not held\n%s", got, m.View())
	}
	m = unitUpdate(t, m, tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if got := unitRowIDs(m)[:3]; !slices.Equal(got, []string{"s5", "s0", "s1"}) {
		t.Fatalf("after the wheel: rows %v, want s5 on top", got)
	}
	if strings.Contains(m.View(), "updated ↑") {
		t.Errorf("announcement stays after the wheel:\n%s", m.View())
	}
}

// In the created order nothing is held: an updated row keeps its place
// anyway, and a new session goes on top.
func TestRefreshCreatedOrderHoldsNothing(t *testing.T) {
	m := updatedModel(t)
	m = unitKeys(t, m, "s", "s", "s") // round to created
	if m.spec.sort != sortServer {
		t.Fatalf("sort %v", m.spec.sort)
	}
	s5 := sessionsAt(10)[5]
	s5.UpdatedAt = progNow.Add(time.Minute)
	m = unitUpdate(t, m, refreshedMsg{gen: m.refresh.gen, pages: []apiclient.SessionPage{{Data: []apiclient.Session{s5}}}, offsets: []int{0}})
	if m.refresh.hold.any() || strings.Contains(m.View(), "updated ↑") {
		t.Error("the created order held a row")
	}
}

// An old session changed since the last tick (on the page by last
// activity, not loaded) is not new: it does not go on top.
func TestRefreshOldSessionIsNotNew(t *testing.T) {
	m := updatedModel(t)
	old := apiclient.Session{ID: "old", Status: "idle", CreatedAt: progNow.Add(-time.Hour), UpdatedAt: progNow.Add(time.Minute)}
	m = unitUpdate(t, m, refreshedMsg{gen: m.refresh.gen, pages: []apiclient.SessionPage{{Data: []apiclient.Session{old}}}, offsets: []int{0}})
	if m.st.get("old") != nil {
		t.Error("an old session changed since went on top as new")
	}
}

// countingAPI counts the agents and facets calls.
type countingAPI struct {
	API
	agents, facets atomic.Int32
}

func (c *countingAPI) ListAgents(context.Context, string) ([]apiclient.Agent, error) {
	c.agents.Add(1)
	return nil, nil
}

func (c *countingAPI) Facets(context.Context, apiclient.ListOptions) (*apiclient.Facets, error) {
	c.facets.Add(1)
	return &apiclient.Facets{}, nil
}

func (c *countingAPI) ListSessions(context.Context, apiclient.ListOptions) (*apiclient.SessionPage, error) {
	return &apiclient.SessionPage{}, nil
}

// Each refresh tick asks one page and the facets; the agents only one
// tick in agentsEvery.
func TestRefreshTickIsCheap(t *testing.T) {
	api := &countingAPI{}
	m := New(Options{API: api, Now: progClock, Refresh: time.Hour})
	m.load.active, m.load.complete = false, true
	for range agentsEvery {
		nm, cmd := m.Update(refreshTickMsg{gen: m.refresh.gen})
		m = nm.(Model)
		for _, msg := range unitRunCmd(cmd, unitWait) {
			if r, ok := msg.(refreshedMsg); ok && len(r.pages) != 1 {
				t.Fatalf("%d pages asked by one tick", len(r.pages))
			}
			nm, _ := m.Update(msg)
			m = nm.(Model)
		}
	}
	if a, f := api.agents.Load(), api.facets.Load(); a != 1 || f != agentsEvery {
		t.Errorf("%d ticks asked the agents %d times and the facets %d times", agentsEvery, a, f)
	}
}

// A session archived while a refresh was on its way is not brought back by
// that refresh's answer (the page was read before the archive); the record
// of it goes once a refresh asked after the archive is answered.
func TestRefreshDoesNotResurrectARemovedSession(t *testing.T) {
	m := updatedModel(t)
	m.refresh.interval = time.Hour // each answer schedules the next refresh, a new generation
	newest := apiclient.Session{ID: "newest", Status: "idle", CreatedAt: progNow.Add(time.Hour), UpdatedAt: progNow.Add(time.Hour)}
	m = unitUpdate(t, m, refreshedMsg{gen: m.refresh.gen, pages: []apiclient.SessionPage{{Data: []apiclient.Session{newest}}}, offsets: []int{0}})
	if m.st.get("newest") == nil {
		t.Fatal("setup: the new session is not listed")
	}
	asked := m.refresh.gen // a refresh asked now, answered after the archive
	m.removeSession("newest")
	m = unitUpdate(t, m, refreshedMsg{gen: asked, pages: []apiclient.SessionPage{{Data: []apiclient.Session{newest}}}, offsets: []int{0}})
	if m.st.get("newest") != nil {
		t.Fatal("a refresh asked before the archive brought the session back")
	}
	if len(m.refresh.gone) != 1 {
		t.Fatalf("the removal is forgotten before a later refresh: %v", m.refresh.gone)
	}
	m = unitUpdate(t, m, refreshedMsg{gen: m.refresh.gen, pages: []apiclient.SessionPage{{}}, offsets: []int{0}})
	if len(m.refresh.gone) != 0 {
		t.Fatalf("removals kept after a later refresh: %v", m.refresh.gone)
	}
}
