package apiclient

import "math"

// Token arithmetic, in one place for the TUI, the CLI and the demo server.
// The API's prompt buckets are disjoint: input_tokens excludes the prompt
// tokens read from or written to the cache, so
//
//	prompt = input + cache read + cache creation
//	total  = prompt + output
//	cache hit ratio = cache read / prompt
//
// Sums saturate and negative counts count as 0: a lying server's numbers
// clamp at math.MaxInt64 instead of wrapping into negative totals.

// PromptTokens is every prompt token the model saw.
func PromptTokens(input, cacheRead, cacheCreation int64) int64 {
	return addSat(addSat(addSat(0, input), cacheRead), cacheCreation)
}

// TotalTokens is prompt plus output tokens.
func TotalTokens(input, output, cacheRead, cacheCreation int64) int64 {
	return addSat(PromptTokens(input, cacheRead, cacheCreation), output)
}

// addSat adds a non-negative b to a, clamping at math.MaxInt64.
func addSat(a, b int64) int64 {
	if b <= 0 {
		return a
	}
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// Add adds b to u bucket by bucket (saturating, as every sum here); a
// cache or cost field present on either side is present in the sum.
func (u *TokenUsage) Add(b *TokenUsage) {
	if b == nil {
		return
	}
	u.InputTokens = addSat(max(u.InputTokens, 0), b.InputTokens)
	u.OutputTokens = addSat(max(u.OutputTokens, 0), b.OutputTokens)
	addInt := func(x **int64, y *int64) {
		if y != nil {
			v := addSat(0, *y)
			if *x != nil {
				v = addSat(max(**x, 0), v)
			}
			*x = &v
		}
	}
	addCost := func(x **float64, y *float64) {
		if y != nil {
			v := *y
			if *x != nil {
				v += **x
			}
			*x = &v
		}
	}
	addInt(&u.CacheReadTokens, b.CacheReadTokens)
	addInt(&u.CacheCreationTokens, b.CacheCreationTokens)
	addCost(&u.ActualCostUSD, b.ActualCostUSD)
	addCost(&u.EstimatedCostUSD, b.EstimatedCostUSD)
	addCost(&u.EffectiveCostUSD, b.EffectiveCostUSD)
}

// CacheHitRatio is the share of prompt tokens served from the cache, in
// [0, 1]; 0 when there were no prompt tokens.
func CacheHitRatio(cacheRead, prompt int64) float64 {
	if prompt <= 0 || cacheRead <= 0 {
		return 0
	}
	return float64(min(cacheRead, prompt)) / float64(prompt)
}

// CacheRead returns cache read tokens, 0 when absent.
func (u *TokenUsage) CacheRead() int64 {
	if u == nil || u.CacheReadTokens == nil {
		return 0
	}
	return *u.CacheReadTokens
}

// CacheCreation returns cache creation tokens, 0 when absent.
func (u *TokenUsage) CacheCreation() int64 {
	if u == nil || u.CacheCreationTokens == nil {
		return 0
	}
	return *u.CacheCreationTokens
}

// Prompt is input + cache read + cache creation tokens (0 for nil usage).
func (u *TokenUsage) Prompt() int64 {
	if u == nil {
		return 0
	}
	return PromptTokens(u.InputTokens, u.CacheRead(), u.CacheCreation())
}

// Total is prompt + output tokens (0 for nil usage).
func (u *TokenUsage) Total() int64 {
	if u == nil {
		return 0
	}
	return addSat(u.Prompt(), u.OutputTokens)
}

// CacheHitRatio is cache read / prompt; 0 when there is no prompt.
func (u *TokenUsage) CacheHitRatio() float64 { return CacheHitRatio(u.CacheRead(), u.Prompt()) }

// CostKind says which of the usage's cost fields a cost came from.
type CostKind string

// Cost kinds, in the order Cost prefers them.
const (
	CostEffective CostKind = "effective" // best effort for aggregated usage
	CostActual    CostKind = "actual"    // reported by the provider
	CostEstimated CostKind = "estimated" // from the model's price table
)

// Cost is the best cost the usage carries: effective, else actual, else
// estimated. ok is false when there is none.
func (u *TokenUsage) Cost() (usd float64, kind CostKind, ok bool) {
	switch {
	case u == nil:
		return 0, "", false
	case u.EffectiveCostUSD != nil:
		return *u.EffectiveCostUSD, CostEffective, true
	case u.ActualCostUSD != nil:
		return *u.ActualCostUSD, CostActual, true
	case u.EstimatedCostUSD != nil:
		return *u.EstimatedCostUSD, CostEstimated, true
	}
	return 0, "", false
}

// Cost is the session's cost (see TokenUsage.Cost).
func (s *Session) Cost() (usd float64, kind CostKind, ok bool) { return s.Usage.Cost() }
