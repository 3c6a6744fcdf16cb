package tui

import (
	"fmt"
	"runtime/debug"
)

// Bubble Tea recovers a panic in Update, View or a Cmd and restores the
// terminal, but not one in a goroutine a Cmd starts itself (the load's page
// builders, a bulk run's saves): that would kill the process with the
// terminal left raw in the alternate screen. Those goroutines catch their
// panic and hand it to the program, whose Update panics again with it.

// goroutinePanicMsg carries a panic caught in one of our goroutines.
type goroutinePanicMsg struct {
	value any
	stack []byte
}

// String is the panic and the goroutine's stack. Neither holds the API key:
// the client never puts it in an error, and a stack shows no values.
func (p goroutinePanicMsg) String() string {
	return fmt.Sprintf("%v\n\ngoroutine stack:\n%s", p.value, p.stack)
}

// catchPanic, deferred at the top of a goroutine, hands a panic to report.
func catchPanic(report func(goroutinePanicMsg)) {
	if r := recover(); r != nil {
		report(goroutinePanicMsg{value: r, stack: debug.Stack()})
	}
}
