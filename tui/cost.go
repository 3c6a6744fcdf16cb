package tui

import (
	"fmt"
	"math"

	"github.com/everruns/sessions/apiclient"
)

// costText is the session's cost as the views show it: effective, else
// actual, else estimated (marked "~"), in dollars to the cent; "" when the
// session has none.
func costText(s *apiclient.Session) string {
	usd, kind, ok := s.Cost()
	if !ok {
		return ""
	}
	return formatCost(usd, kind == apiclient.CostEstimated)
}

// formatCost writes usd as "$1.23"; a cost under a cent but above zero
// reads "<$0.01" rather than a misleading "$0.00". A value no real cost
// has (negative, not a number, absurdly large) is shown as "?", never sized
// or trusted.
func formatCost(usd float64, estimated bool) string {
	prefix := ""
	if estimated {
		prefix = "~"
	}
	switch {
	case math.IsNaN(usd) || math.IsInf(usd, 0) || usd < 0 || usd >= 1e12:
		return prefix + "$?"
	case usd == 0:
		return prefix + "$0.00"
	case usd < 0.01:
		return prefix + "<$0.01"
	}
	return prefix + fmt.Sprintf("$%.2f", usd)
}
