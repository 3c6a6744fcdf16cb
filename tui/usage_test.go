package tui

import (
	"strings"
	"testing"

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
