package tui

import (
	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/common"
)

// costText is the session's cost as the views show it (see common.CostText).
func costText(s *apiclient.Session) string { return common.CostText(s) }

// formatCost writes usd as "$1.23" (see common.FormatCost).
func formatCost(usd float64, estimated bool) string { return common.FormatCost(usd, estimated) }
