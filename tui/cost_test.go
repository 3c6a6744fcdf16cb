package tui

import (
	"math"
	"testing"

	"github.com/everruns/sessions/apiclient"
)

func TestCostText(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name  string
		usage *apiclient.TokenUsage
		want  string
	}{
		{"absent: no usage", nil, ""},
		{"absent: usage without cost", &apiclient.TokenUsage{InputTokens: 10}, ""},
		{"actual", &apiclient.TokenUsage{ActualCostUSD: f(1.234)}, "$1.23"},
		{"estimated", &apiclient.TokenUsage{EstimatedCostUSD: f(0.5)}, "~$0.50"},
		{"actual beats estimated", &apiclient.TokenUsage{ActualCostUSD: f(2), EstimatedCostUSD: f(9)}, "$2.00"},
		{"effective beats both", &apiclient.TokenUsage{EffectiveCostUSD: f(3.456), ActualCostUSD: f(2), EstimatedCostUSD: f(9)}, "$3.46"},
		{"under a cent", &apiclient.TokenUsage{ActualCostUSD: f(0.004)}, "<$0.01"},
		{"estimated under a cent", &apiclient.TokenUsage{EstimatedCostUSD: f(0.004)}, "~<$0.01"},
		{"zero", &apiclient.TokenUsage{ActualCostUSD: f(0)}, "$0.00"},
		{"negative lie", &apiclient.TokenUsage{ActualCostUSD: f(-4)}, "$?"},
		{"NaN lie", &apiclient.TokenUsage{ActualCostUSD: f(math.NaN())}, "$?"},
		{"huge lie", &apiclient.TokenUsage{ActualCostUSD: f(1e300)}, "$?"},
	}
	for _, c := range cases {
		s := apiclient.Session{Usage: c.usage}
		if got := costText(&s); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
