// Package common is what the root hands down to the components that live in
// their own packages (tui/detail): the read-only Context and the few
// formatters every view shares, so a component shows numbers, ages, costs
// and activities exactly as the list does without importing the root.
package common

import (
	"time"

	"github.com/everruns/sessions/theme"
)

// Context is the shared, read-only context of a component. The root builds
// it once; a component keeps the copy it was given.
type Context struct {
	Theme *theme.Theme
	Now   func() time.Time // nil: the wall clock
}

// Time is now by the context's clock.
func (c Context) Time() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
