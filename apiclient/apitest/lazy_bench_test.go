package apitest

import "testing"

// BenchmarkLazyGen: one generated session of a lazy server (a filtered
// request over a million costs a million of these).
func BenchmarkLazyGen(b *testing.B) {
	z := newLazyBase(1_000_000, 1, fixedNow, "org", SeedAgents(1))
	b.ReportAllocs()
	for i := range b.N {
		_ = z.gen(i % 1_000_000)
	}
}
