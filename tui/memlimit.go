package tui

import (
	"os"
	"runtime/debug"
)

// The rows kept are bounded (Options.MaxRows), but with the runtime's
// default pacing the heap may grow to twice what is live before a
// collection: a hundred thousand rows would be held in twice their
// memory. Run sets a soft limit in proportion to the bound instead, so
// the collector works earlier when the heap nears it (more collections
// during a large load, the same rows kept). GOMEMLIMIT, when set, wins.
const (
	memLimitBase   = 64 << 20 // the program, its caches and a page in flight
	memLimitPerRow = 2560     // a kept row (~2 KB, BenchmarkLoadAll) and its share of slack
)

// limitMemory sets the soft memory limit for maxRows kept rows, unless
// the user set one.
func limitMemory(maxRows int) {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok || maxRows <= 0 {
		return
	}
	debug.SetMemoryLimit(memLimitBase + int64(maxRows)*memLimitPerRow)
}
