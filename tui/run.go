package tui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"
)

// Run starts the program on the terminal and blocks until the user quits.
func Run(ctx context.Context, opts Options, progOpts ...tea.ProgramOption) error {
	m := New(opts)
	all := append([]tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx)}, progOpts...)
	if m.opts.Mouse {
		all = append(all, tea.WithMouseCellMotion())
	}
	_, err := tea.NewProgram(m, all...).Run()
	return err
}
