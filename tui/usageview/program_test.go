package usageview

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// host is the smallest root: it sizes the view, records what the view asks
// of it, and quits on CloseMsg.
type host struct {
	v   Model
	got []tea.Msg
}

func (h host) Init() tea.Cmd { return nil }

func (h host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.v.SetSize(msg.Width, msg.Height)
		return h, nil
	case NarrowMsg, OpenSessionMsg:
		h.got = append(h.got, msg)
		return h, nil
	case CloseMsg:
		return h, tea.Quit
	}
	var cmd tea.Cmd
	h.v, cmd = h.v.Update(msg)
	return h, cmd
}

func (h host) View() string { return h.v.View() }

// TestProgramUsageView runs the view in a program: the keys a developer
// would press to answer "which agent costs the most" (S: sort by cost), "which
// session used the most" (top sessions, enter) and "how did usage develop"
// (the chart's cursor), then esc.
func TestProgramUsageView(t *testing.T) {
	d := seedData(300)
	tm := teatest.NewTestModel(t, host{v: New(d, plainTheme())}, teatest.WithInitialTermSize(80, 24))
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	send := func(keys ...string) {
		for _, k := range keys {
			tm.Send(keyMsg(k))
		}
	}
	wait("per day of created_at (UTC)")
	send("S") // share -> cost
	wait("sort cost ▼")
	send("enter") // the costliest agent
	send("left", "left")
	wait("2026-08-18 UTC")
	send("shift+tab", "down", "enter") // the second heaviest session
	send("esc")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	final := tm.FinalModel(t).(host)
	if len(final.got) != 2 {
		t.Fatalf("messages %v", final.got)
	}
	nm, ok := final.got[0].(NarrowMsg)
	costliest := final.v.tables[ByAgent].rows[final.v.tables[ByAgent].order[0]]
	if !ok || nm.Field != "agent" || nm.Value != costliest.ID {
		t.Fatalf("first message %v, want the costliest agent %s", final.got[0], costliest.Key)
	}
	for i := range final.v.tables[ByAgent].rows {
		if final.v.tables[ByAgent].rows[i].CostUSD > costliest.CostUSD {
			t.Fatal("sorted by cost, the first agent is not the costliest")
		}
	}
	if om, ok := final.got[1].(OpenSessionMsg); !ok || om.ID != final.v.top.entries[final.v.top.byTokens[1]].s.ID {
		t.Fatalf("second message %v", final.got[1])
	}
	if v := final.v.View(); final.v.top.cursor != 1 || !strings.Contains(v, "▸    2 ") {
		t.Fatalf("final view:\n%s", v)
	}
}
