package tui

import (
	"context"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// orgsPAT belongs to both organisations of orgsServer: the server refuses
// its requests without X-Org-Id (400), as the real one does for a PAT.
const orgsPAT = "evr_pat_" + "a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4"

// orgsServer has the primary organisation (6 sessions) and Staging (4).
func orgsServer(t *testing.T) (srv *apitest.Server, primary, staging apiclient.Organization) {
	t.Helper()
	srv = progServer(t, apitest.Options{Sessions: 6, APIKey: orgsPAT,
		Orgs: []apitest.OrgSeed{{Name: "Staging", Sessions: 4}}})
	orgs := srv.Orgs()
	return srv, orgs[0], orgs[1]
}

// orgIDs lists the ids of an organisation's sessions, from the server.
func orgIDs(t *testing.T, srv *apitest.Server, org string) []string {
	t.Helper()
	p, err := progClient(srv, orgsPAT).WithOrg(org).ListSessions(context.Background(), apiclient.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range p.Data {
		ids = append(ids, s.ID)
	}
	return ids
}

// The key belongs to two organisations and none is set: the first load
// gets the server's 400, the picker opens by itself, and choosing Staging
// (typing to filter) loads Staging's sessions and names it in the header.
func TestOrgPickerOpensOnOrgRequired(t *testing.T) {
	srv, primary, staging := orgsServer(t)
	want := orgIDs(t, srv, staging.ID)
	p := startProg(t, srv, progOptions(progClient(srv, orgsPAT)), 100, 24)
	// The first frames may be drawn at the default width before the
	// window size arrives: wait for the picker that says why it opened.
	s := p.waitFor("organisation picker saying why it opened", func(s progSnap) bool {
		return s.mode == modeOrgs && strings.Contains(s.view, "Staging") && strings.Contains(s.view, primary.Name) &&
			strings.Contains(s.view, "several organisations")
	})
	if header := strings.SplitN(s.view, "\n", 2)[0]; !strings.Contains(header, "choose an organisation") || strings.Contains(header, "0 total") {
		t.Errorf("the header says a count before any organisation is chosen: %q", header)
	}
	p.typeText("stag")
	s = p.waitFor("filtered", func(s progSnap) bool { return !strings.Contains(s.view, primary.Name) })
	if !strings.Contains(s.view, "› ") {
		t.Errorf("no cursor visible without colour:\n%s", s.view)
	}
	p.press("enter")
	s = p.waitSettled("staging loaded")
	if s.mode != modeList || !strings.Contains(s.view, "sessions Staging") {
		t.Fatalf("mode %v; header does not name Staging:\n%s", s.mode, s.view)
	}
	got := slices.Clone(s.rows)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("rows %v, want Staging's %v", got, want)
	}
	for _, r := range srv.Requests() {
		if r.Path == "/v1/sessions" && r.Header.Get("X-Org-Id") != "" && r.Header.Get("X-Org-Id") != staging.ID {
			t.Errorf("a list went to organisation %q", r.Header.Get("X-Org-Id"))
		}
	}
	m := p.finish()
	if m.org.id != staging.ID {
		t.Errorf("org %q, want %q", m.org.id, staging.ID)
	}
}

// A name given where an organisation id belongs (EVERRUNS_ORG_ID=Staging)
// gets the server's 401, which reads like a bad key: the picker opens and
// says so, and choosing loads that organisation.
func TestOrgPickerOpensOnNameGivenAsID(t *testing.T) {
	srv, _, staging := orgsServer(t)
	opts := progOptions(progClient(srv, orgsPAT).WithOrg("Staging"))
	opts.OrgID = "Staging"
	p := startProg(t, srv, opts, 100, 24)
	p.waitFor("picker saying why", func(s progSnap) bool {
		return s.mode == modeOrgs && strings.Contains(s.view, `"Staging": it is not an organisation id`)
	})
	p.typeText("stag")
	p.press("enter")
	s := p.waitSettled("staging loaded")
	if s.mode != modeList || !strings.Contains(s.view, "sessions Staging") || strings.Contains(s.view, "EVERRUNS_API_KEY") {
		t.Fatalf("mode %v after choosing:\n%s", s.mode, s.view)
	}
	if m := p.finish(); m.org.id != staging.ID {
		t.Errorf("org %q, want %q", m.org.id, staging.ID)
	}
}

// O opens the picker at any time; switching clears marks and the filter.
func TestOrgPickerSwitchClearsMarksAndFilter(t *testing.T) {
	srv, primary, staging := orgsServer(t)
	opts := progOptions(progClient(srv, orgsPAT).WithOrg(primary.ID))
	opts.OrgID, opts.OrgName = primary.ID, primary.Name
	p := startProg(t, srv, opts, 100, 24)
	s := p.waitSettled("first load")
	if !strings.Contains(s.view, "sessions "+primary.Name) {
		t.Fatalf("header does not name %q:\n%s", primary.Name, s.view)
	}
	p.press("space", "/")
	p.typeText("a")
	p.press("enter", "O")
	p.waitFor("picker", func(s progSnap) bool { return s.mode == modeOrgs && strings.Contains(s.view, "Staging") })
	p.press("end", "enter")
	p.waitFor("notice", func(s progSnap) bool { return strings.Contains(s.view, "marks and filter cleared") })
	s = p.waitSettled("staging")
	if len(s.marked) != 0 || s.filter != "" {
		t.Errorf("marks %v, filter %q after a switch", s.marked, s.filter)
	}
	if !strings.Contains(s.view, "sessions "+staging.Name) {
		t.Errorf("header does not name Staging:\n%s", s.view)
	}
	if len(s.rows) != 4 {
		t.Errorf("%d rows, want Staging's 4", len(s.rows))
	}
}

// Jumping to the id of a session of the other organisation says which one
// has it and, on y, switches there and opens it.
func TestJumpToIDInOtherOrg(t *testing.T) {
	srv, primary, staging := orgsServer(t)
	target := orgIDs(t, srv, staging.ID)[2]
	opts := progOptions(progClient(srv, orgsPAT).WithOrg(primary.ID))
	opts.OrgID, opts.OrgName = primary.ID, primary.Name
	p := startProg(t, srv, opts, 100, 24)
	p.waitSettled("first load")

	// A loaded id opens at once.
	own := orgIDs(t, srv, primary.ID)[1]
	p.press(":")
	p.typeText(own)
	p.press("enter")
	p.waitFor("own session", func(s progSnap) bool { return s.mode == modeDetail && strings.Contains(s.view, own) })
	p.press("esc")

	p.press("ctrl+g")
	p.typeText(target)
	p.press("enter")
	s := p.waitFor("offer", func(s progSnap) bool { return strings.Contains(s.view, "(y/n)") })
	if !strings.Contains(s.view, "is in organisation Staging") {
		t.Fatalf("the offer does not name Staging:\n%s", s.view)
	}
	p.press("y")
	s = p.waitFor("opened in staging", func(s progSnap) bool {
		return s.mode == modeDetail && strings.Contains(s.view, target) && strings.Contains(s.view, "sessions Staging") && s.settled
	})
	m := p.finish()
	if m.org.id != staging.ID || m.detail.ID() != target {
		t.Errorf("org %q, detail of %q", m.org.id, m.detail.ID())
	}
}

// An id no organisation of the user has is reported, and nothing switches.
func TestJumpToUnknownID(t *testing.T) {
	srv, primary, _ := orgsServer(t)
	opts := progOptions(progClient(srv, orgsPAT).WithOrg(primary.ID))
	opts.OrgID, opts.OrgName = primary.ID, primary.Name
	p := startProg(t, srv, opts, 100, 24)
	p.waitSettled("first load")
	p.press(":")
	p.typeText("session_nope")
	p.press("enter")
	s := p.waitFor("error", func(s progSnap) bool { return s.status.kind == statusError })
	if !strings.Contains(s.status.text, "session_nope") || s.mode != modeList {
		t.Errorf("status %q, mode %v", s.status.text, s.mode)
	}
	if m := p.finish(); m.org.id != primary.ID {
		t.Errorf("switched to %q", m.org.id)
	}
}

// Before any organisation is chosen (the server's 400 to a key of several),
// jumping to an id still finds its organisation: resolve-org needs none.
// The picker names enter's verb and shows ids whole at 100 columns.
func TestJumpBeforeChoosingOrg(t *testing.T) {
	srv, _, staging := orgsServer(t)
	target := orgIDs(t, srv, staging.ID)[1]
	p := startProg(t, srv, progOptions(progClient(srv, orgsPAT)), 100, 24)
	s := p.waitFor("picker on the 400", func(s progSnap) bool {
		return s.mode == modeOrgs && strings.Contains(s.view, "Staging")
	})
	if !strings.Contains(s.view, staging.ID) || !strings.Contains(s.view, "enter switch") {
		t.Errorf("the picker cuts the id or does not say what enter does:\n%s", s.view)
	}
	p.press("esc", ":")
	p.typeText(target)
	p.press("enter")
	s = p.waitFor("offer", func(s progSnap) bool { return strings.Contains(s.view, "(y/n)") })
	if !strings.Contains(s.view, "is in organisation Staging") {
		t.Fatalf("the offer does not name Staging:\n%s", s.view)
	}
	p.press("y")
	p.waitFor("opened in staging", func(s progSnap) bool {
		return s.mode == modeDetail && strings.Contains(s.view, target) && strings.Contains(s.view, "sessions Staging") && s.settled
	})
	if m := p.finish(); m.org.id != staging.ID || m.detail.ID() != target {
		t.Errorf("org %q, detail of %q", m.org.id, m.detail.ID())
	}
}

// A refresh that failed in the old organisation (the 400 while the picker
// was open) is not reported against the new one.
func TestSwitchOrgForgetsRefreshFailure(t *testing.T) {
	srv, _, staging := orgsServer(t)
	opts := progOptions(progClient(srv, orgsPAT))
	m := New(opts)
	m = unitUpdate(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	m.refresh.failed = true
	if !strings.Contains(m.View(), "refresh failed") {
		t.Fatalf("the header does not show the failure:\n%s", m.View())
	}
	cmd := m.switchOrg(staging.ID, staging.Name)
	m = unitDrive(t, m, cmd)
	if m.refresh.failed || strings.Contains(m.View(), "refresh failed") {
		t.Errorf("the old organisation's refresh failure is still shown:\n%s", m.View())
	}
}

// Started in an organisation known by id only (--org-id, EVERRUNS_ORG_ID),
// the header learns its name without the picker.
func TestHeaderNamesOrgGivenByID(t *testing.T) {
	srv, _, staging := orgsServer(t)
	opts := progOptions(progClient(srv, orgsPAT).WithOrg(staging.ID))
	opts.OrgID = staging.ID
	p := startProg(t, srv, opts, 100, 24)
	p.waitFor("header with the name", func(s progSnap) bool { return s.settled && strings.Contains(s.view, "sessions Staging ·") })
	if m := p.finish(); m.org.id != staging.ID || m.org.name != "Staging" {
		t.Errorf("org %+v", m.org)
	}
}
