package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/usageview"
)

// T opens the usage view over the sessions the list shows; enter on an
// agent row narrows the list with its query; esc and T close the view.
func TestUsageNarrowsList(t *testing.T) {
	m, _ := unitModel(t)
	m = unitKeys(t, m, "T")
	if m.mode != modeUsage || m.usage == nil {
		t.Fatalf("T → mode %v", m.mode)
	}
	if !strings.Contains(m.View(), "Token usage · 40 sessions") {
		t.Fatalf("usage view:\n%s", m.View())
	}
	m = unitKeys(t, m, "enter") // the top agent row
	if m.mode != modeList {
		t.Fatalf("enter on an agent → mode %v", m.mode)
	}
	q := m.spec.q.Raw
	if !strings.HasPrefix(q, "agent:") || m.filter.Value() != q {
		t.Fatalf("narrowed to %q (filter %q)", q, m.filter.Value())
	}
	// Back to the view: the narrowed list is what it counts now.
	m = unitKeys(t, m, "T")
	if strings.Contains(m.View(), "40 sessions") {
		t.Errorf("usage after narrowing still counts every session:\n%s", m.View())
	}
	m = unitKeys(t, m, "T")
	if m.mode != modeList {
		t.Errorf("T in the usage view → mode %v", m.mode)
	}
}

// Enter in the top sessions table opens that session's detail.
func TestUsageOpensSession(t *testing.T) {
	m, _ := unitModel(t)
	m = unitKeys(t, m, "T", "shift+tab", "enter")
	if m.mode != modeDetail || m.detail.ID() == "" {
		t.Fatalf("enter on a top session → mode %v on %q", m.mode, m.detail.ID())
	}
	if m.selected() == nil || m.selected().S.ID != m.detail.ID() {
		t.Errorf("the list cursor is not on the opened session")
	}
	// A session the list no longer has is refused, not opened.
	m = unitKeys(t, m, "esc", "T")
	m = unitUpdate(t, m, usageview.OpenSessionMsg{ID: "session_" + strings.Repeat("0", 32)})
	if m.mode != modeList || m.status.kind != statusError {
		t.Errorf("unknown session → mode %v, status %+v", m.mode, m.status)
	}
	// CloseMsg closes the view.
	m = unitKeys(t, m, "T")
	m = unitUpdate(t, m, usageview.CloseMsg{})
	if m.mode != modeList {
		t.Errorf("CloseMsg → mode %v", m.mode)
	}
}

// An open usage view follows the list: a refresh that brings a session
// re-aggregates (off the UI goroutine) and the figures count it, with the
// table and sort the developer chose kept; a stale aggregation is dropped.
func TestUsageFollowsTheList(t *testing.T) {
	m, _ := unitModel(t)
	n := len(m.view.rows)
	m = unitKeys(t, m, "T", "tab", "S")
	before := m.View()
	if !strings.Contains(before, fmt.Sprintf("Token usage · %d sessions", n)) {
		t.Fatalf("usage view:\n%s", before)
	}
	in := int64(7_000_000)
	fresh := apiclient.Session{ID: "session_new", Status: "active", CreatedAt: progNow.Add(time.Minute),
		UpdatedAt: progNow.Add(time.Minute), Usage: &apiclient.TokenUsage{InputTokens: in}}
	m = unitUpdate(t, m, refreshedMsg{gen: m.refresh.gen, pages: []apiclient.SessionPage{{Data: []apiclient.Session{fresh}}}, offsets: []int{0}})
	if len(m.view.rows) != n+1 {
		t.Fatalf("the refresh did not add the row: %d rows", len(m.view.rows))
	}
	after := m.View()
	if m.mode != modeUsage || !strings.Contains(after, fmt.Sprintf("Token usage · %d sessions", n+1)) {
		t.Fatalf("the usage view did not follow the list (mode %v):\n%s", m.mode, after)
	}
	if !strings.Contains(after, "[Models]") || !strings.Contains(after, "sort cost ▼") {
		t.Errorf("the table or sort chosen was lost:\n%s", after)
	}
	// An aggregation asked for before the view was opened again is dropped.
	stale := usageAggregatedMsg{gen: m.usageOf.gen - 1, agg: usageview.Aggregate(usageview.Data{Now: progNow})}
	m = unitUpdate(t, m, stale)
	if v := m.View(); !strings.Contains(v, fmt.Sprintf("Token usage · %d sessions", n+1)) {
		t.Errorf("a stale aggregation replaced the figures:\n%s", v)
	}
}
