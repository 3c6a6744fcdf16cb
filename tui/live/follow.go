package live

// Follow is the auto-follow rule of the live transcript: while following,
// the view sticks to the bottom as lines arrive; scrolling up pauses it;
// G (or scrolling back to the bottom) resumes it. Pure logic: the detail
// view asks Following after new content and moves its viewport.
type Follow struct {
	paused bool
	unseen int // lines that arrived while paused
}

// Following reports whether the view should jump to the bottom on new content.
func (f *Follow) Following() bool { return !f.paused }

// Scrolled records a scroll by the user: up pauses, reaching the bottom
// resumes.
func (f *Follow) Scrolled(up, atBottom bool) {
	switch {
	case up && !atBottom:
		f.paused = true
	case atBottom:
		f.Resume()
	}
}

// Resume follows again (the G key).
func (f *Follow) Resume() { f.paused, f.unseen = false, 0 }

// Arrived records n new lines; while paused they count as unseen.
func (f *Follow) Arrived(n int) {
	if f.paused && n > 0 {
		f.unseen += n
	}
}

// Unseen is how many lines arrived below the view while paused.
func (f *Follow) Unseen() int { return f.unseen }
