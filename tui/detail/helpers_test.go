package detail

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/safetext"
	"github.com/muesli/termenv"
)

// testCtx is the rectangle and theme a test opens views with.
type testCtx struct {
	Width, Height int
	Theme         *theme.Theme
}

func detailTestCtx(w, h int) *testCtx {
	lipgloss.SetColorProfile(termenv.Ascii)
	return &testCtx{Width: w, Height: h, Theme: theme.New(theme.Dark, true)}
}

// open is the detail of s as the root opens it: New, then SetSize.
func (c *testCtx) open(s apiclient.Session, gen int) Model {
	ctx := common.Context{Theme: c.Theme, Now: func() time.Time { return detailTestNow }}
	return New(ctx, testKeys(), testRow(s), gen).SetSize(c.Width, c.Height)
}

// testKeys are the program's default bindings of the view (tui.DefaultKeyMap
// fills the real ones).
func testKeys() KeyMap {
	b := func(keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], keys[0]))
	}
	return KeyMap{
		Up: b("k", "up"), Down: b("j", "down"), PageUp: b("pgup", "ctrl+b"), PageDown: b("pgdown", "ctrl+f"),
		Top: b("g", "home"), Bottom: b("G", "end"),
		Search: b("/"), SearchNext: b("n"), SearchPrev: b("N"),
		SearchRun: b("enter"), SearchCancel: b("esc"), ClearSearch: b("esc"),
	}
}

// testRow sanitises s as the root's row does.
func testRow(s apiclient.Session) Row {
	r := Row{
		Session: s,
		ID:      safetext.Tag(s.ID, 512),
		Status:  safetext.Line(string(s.Status), common.MaxTagBytes),
		Title:   safetext.Line(s.TitleOrEmpty(), 512),
		Agent:   safetext.Tag(s.AgentID, common.MaxTagBytes),
	}
	r.Act, r.Cell = common.ActivityOf(s)
	var tags []string
	for _, t := range s.Tags {
		if c := safetext.Tag(t, common.MaxTagBytes); c != "" {
			tags = append(tags, c)
		}
	}
	r.Tags = strings.Join(tags, " ")
	return r
}

// keyMsg is the key message of a key name ("enter", "esc", "j", "pgdown").
func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// press sends keys one by one; typed text is given rune by rune.
func press(t *testing.T, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		m, _ = m.Update(keyMsg(k))
	}
	return m
}
