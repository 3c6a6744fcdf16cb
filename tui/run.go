package tui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"
)

// Run starts the program on the terminal and blocks until the user quits.
// When saves did not finish it returns an *UnsavedError naming them.
func Run(ctx context.Context, opts Options, progOpts ...tea.ProgramOption) error {
	m := New(opts)
	limitMemory(m.opts.MaxRows)
	all := append([]tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx)}, progOpts...)
	if m.opts.Mouse {
		all = append(all, tea.WithMouseCellMotion())
	}
	fm, err := tea.NewProgram(m, all...).Run()
	return runResult(fm, err)
}

// runResult is Run's error: what quitting left unsaved comes first (the
// user must hear of it even when the program was stopped by a signal), then
// the program's own error.
func runResult(fm tea.Model, err error) error {
	final, ok := fm.(Model)
	if !ok {
		return err
	}
	lost := final.lost
	if lost == nil && !final.quitting {
		lost = final.exitSummary() // killed (a signal, a panic) with saves in flight
	}
	if lost != nil {
		return lost
	}
	return err
}
