package tui

import (
	"os"
	"runtime/debug"
	"testing"
)

// Run's soft memory limit follows the bound on kept rows, and a limit the
// user set (GOMEMLIMIT) is left alone.
func TestLimitMemory(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	env, had := os.LookupEnv("GOMEMLIMIT")
	os.Unsetenv("GOMEMLIMIT")
	defer func() {
		if had {
			os.Setenv("GOMEMLIMIT", env)
		}
	}()

	limitMemory(100_000)
	if got, want := debug.SetMemoryLimit(-1), int64(memLimitBase+100_000*memLimitPerRow); got != want {
		t.Errorf("limit for 100,000 rows: %d, want %d", got, want)
	}
	limitMemory(1000)
	if got := debug.SetMemoryLimit(-1); got != memLimitBase+1000*memLimitPerRow {
		t.Errorf("limit for 1,000 rows: %d", got)
	}

	debug.SetMemoryLimit(123 << 20)
	os.Setenv("GOMEMLIMIT", "123MiB")
	limitMemory(100_000)
	if got := debug.SetMemoryLimit(-1); got != 123<<20 {
		t.Errorf("GOMEMLIMIT set: limit changed to %d", got)
	}
}
