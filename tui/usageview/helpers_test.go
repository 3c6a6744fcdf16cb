package usageview

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/theme"
)

// testNow is the one clock of these tests.
var testNow = time.Date(2026, 8, 20, 14, 30, 0, 0, time.UTC)

// seedData is n sessions of the apitest seed and its agents' labels.
func seedData(n int) Data {
	ss := apitest.Generate(n, 1, testNow)
	ptrs := make([]*apiclient.Session, len(ss))
	for i := range ss {
		ptrs[i] = &ss[i]
	}
	labels := map[string]string{}
	for _, a := range apitest.SeedAgents(1) {
		labels[a.ID] = a.DisplayName
	}
	return Data{Sessions: ptrs, Agents: labels, Now: testNow}
}

func plainTheme() *theme.Theme { return theme.New(theme.Dark, true) }

func newSized(d Data, w, h int) Model {
	m := New(d, plainTheme())
	m.SetSize(w, h)
	return m
}

// press sends keys ("tab", "down", "s", ...) and returns the model and the
// messages their commands produced.
func press(t *testing.T, m Model, keys ...string) (Model, []tea.Msg) {
	t.Helper()
	var msgs []tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(keyMsg(k))
		if cmd != nil {
			msgs = append(msgs, cmd())
		}
	}
	return m, msgs
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}
