package tui

import tea "github.com/charmbracelet/bubbletea"

// Model is the root model: it routes messages and owns focus through one mode.
type Model struct {
	opts Options
}

// New builds the root model.
func New(opts Options) Model { return Model{opts: opts.withDefaults()} }

// Init starts loading.
func (m Model) Init() tea.Cmd { return nil }

// Update routes messages.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && (k.String() == "q" || k.String() == "ctrl+c") {
		return m, tea.Quit
	}
	return m, nil
}

// View renders the screen.
func (m Model) View() string { return "sessions: loading…" }
