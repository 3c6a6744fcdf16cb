package apitest

import (
	"math/rand"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// LazyThreshold is the number of generated sessions above which a server
// generates them on demand (Options.Lazy forces it for fewer).
const LazyThreshold = 200_000

// lazyBase is the generated part of a large server, held as a formula
// rather than as sessions: session i (0 is the newest) is made from its
// index alone whenever it is needed, and its id encodes i, so that a
// lookup by id needs no table. Sessions that change (or are deleted) are
// materialised into the server's ordinary store and left out of the
// formula (Server.over). Below LazyThreshold the server keeps using
// Generate, whose values the tests and golden files depend on.
type lazyBase struct {
	n      int
	seed   int64
	t0     time.Time // the newest session is just before it
	now    time.Time
	org    string
	agents []Agent
	key    uint64 // scrambles indices into ids

	sumOnce sync.Once // builds sum, the records counts read (lazycount.go)
	sum     *lazySummary
}

// lazyGap is the mean time between two generated sessions: a million span
// about two years.
const lazyGap = 60 * time.Second

func newLazyBase(n int, seed int64, now time.Time, org string, agents []Agent) *lazyBase {
	now = now.UTC().Truncate(time.Millisecond)
	return &lazyBase{n: n, seed: seed, t0: now, now: now, org: org, agents: agents,
		key: splitmix(uint64(seed) ^ 0x1a2b)}
}

// created is session i's creation time: strictly decreasing in i, since
// each step is at least lazyGap minus a jitter below it.
func (z *lazyBase) created(i int) time.Time {
	j := time.Duration(splitmix(z.key^uint64(i)) % uint64(lazyGap-time.Millisecond))
	return z.t0.Add(-time.Duration(i+1)*lazyGap + j).Truncate(time.Millisecond)
}

// multiplier is odd, so multiplying by it is a bijection of uint64; inv is
// its inverse modulo 2^64.
const multiplier = 0x9e3779b97f4a7c15

var inv = func() uint64 {
	x := uint64(multiplier) // Newton: each step doubles the correct low bits
	for range 6 {
		x *= 2 - multiplier*x
	}
	return x
}()

// id is session i's id: session_ + 32 hex digits, the first 16 an
// invertible scramble of i, the last 16 a check of them.
func (z *lazyBase) id(i int) string {
	a := (uint64(i) ^ z.key) * multiplier
	b := make([]byte, 0, len("session_")+32)
	b = append(b, "session_"...)
	b = appendHex16(b, a)
	b = appendHex16(b, splitmix(a^z.key))
	return string(b)
}

// appendHex16 appends x as 16 lower-case hex digits (%016x, without fmt:
// ids are made for every generated session).
func appendHex16(b []byte, x uint64) []byte {
	const digits = "0123456789abcdef"
	for sh := 60; sh >= 0; sh -= 4 {
		b = append(b, digits[x>>uint(sh)&0xf])
	}
	return b
}

// index is the inverse of id.
func (z *lazyBase) index(id string) (int, bool) {
	h, ok := strings.CutPrefix(id, "session_")
	if !ok || len(h) != 32 {
		return 0, false
	}
	a, err1 := strconv.ParseUint(h[:16], 16, 64)
	b, err2 := strconv.ParseUint(h[16:], 16, 64)
	if err1 != nil || err2 != nil || b != splitmix(a^z.key) {
		return 0, false
	}
	i := (a * inv) ^ z.key
	if i >= uint64(z.n) {
		return 0, false
	}
	return int(i), true
}

// gen makes session i, the same every time.
func (z *lazyBase) gen(i int) apiclient.Session {
	rng := rand.New(&splitSource{x: splitmix(uint64(z.seed)) ^ uint64(i)*0x632be59bd9b4e019})
	c := z.created(i)
	return genSessionID(rng, i, z.agents, z.org, c, z.now, func(uint64) string { return z.id(i) })
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// splitSource is a math/rand source that costs nothing to create, unlike
// rand.NewSource (which fills 607 words): one per generated session.
type splitSource struct{ x uint64 }

func (s *splitSource) Uint64() uint64 {
	s.x += 0x9e3779b97f4a7c15
	z := s.x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (s *splitSource) Int63() int64    { return int64(s.Uint64() >> 1) }
func (s *splitSource) Seed(seed int64) { s.x = uint64(seed) }
