package apiclient_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// orgKey is a personal access token: the server refuses a PAT of several
// organisations without X-Org-Id (a JWT would fall back to its first org).
const (
	orgKey   = "evr_pat_" + "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e"
	otherKey = "evr_pat_" + "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"
)

// twoOrgServer has the primary org (6 sessions) and Staging (4); orgKey
// belongs to both, otherKey to the primary one only.
func twoOrgServer(t *testing.T) (srv *apitest.Server, staging string) {
	t.Helper()
	srv = apitest.NewTestServer(t, apitest.Options{Sessions: 6, APIKey: orgKey, MoreKeys: []string{otherKey},
		Orgs: []apitest.OrgSeed{{Name: "Staging", Sessions: 4, Keys: []string{orgKey}}}})
	return srv, srv.Orgs()[1].ID
}

func TestWithOrgSwitchesOrganisation(t *testing.T) {
	srv, staging := twoOrgServer(t)
	ctx := context.Background()
	c := apiclient.New(apiclient.Config{APIKey: orgKey, BaseURL: srv.URL(), MaxRetries: -1})

	_, err := c.ListSessions(ctx, apiclient.ListOptions{})
	if !apiclient.IsOrgRequired(err) {
		t.Fatalf("no org, two orgs: err %v, want IsOrgRequired", err)
	}
	if d := apiclient.Describe(err); !strings.Contains(d, apiclient.EnvOrgID) || !strings.Contains(d, "HTTP 400") {
		t.Errorf("Describe = %q, want it to name %s", d, apiclient.EnvOrgID)
	}
	orgs, err := c.ListOrgs(ctx) // needs no X-Org-Id
	if err != nil || len(orgs) != 2 || orgs[1].ID != staging || orgs[1].Name != "Staging" || orgs[0].Name != apitest.OrgName {
		t.Fatalf("ListOrgs = %+v, %v", orgs, err)
	}

	s := c.WithOrg(staging)
	if c.OrgID() != "" || s.OrgID() != staging {
		t.Fatalf("OrgID: original %q, copy %q", c.OrgID(), s.OrgID())
	}
	page, err := s.ListSessions(ctx, apiclient.ListOptions{})
	if err != nil || len(page.Data) != 4 {
		t.Fatalf("staging list: %v, %v", page, err)
	}
	for _, x := range page.Data {
		if x.OrganizationID != staging {
			t.Errorf("staging list holds %s of %s", x.ID, x.OrganizationID)
		}
	}
	id := page.Data[0].ID
	// Every way the client sends a request carries the org: do (JSON calls),
	// Export (its own request) and Stream (its own client).
	if _, err := s.GetSession(ctx, id); err != nil {
		t.Errorf("get in staging: %v", err)
	}
	if _, err := s.Export(ctx, id, apiclient.ExportJSONL, io.Discard); err != nil {
		t.Errorf("export in staging: %v", err)
	}
	st := s.Stream(ctx, id, apiclient.StreamOptions{MaxFailures: 1})
	if it := <-st.Items(); fmt.Sprintf("%T", it) != "apiclient.StreamConnected" {
		t.Errorf("stream in staging: first item %#v", it)
	}
	_ = st.Close()
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, id) && r.Header.Get("X-Org-Id") != staging {
			t.Errorf("%s %s sent X-Org-Id %q", r.Method, r.Path, r.Header.Get("X-Org-Id"))
		}
	}

	// The original is unchanged; a copy in the primary org does not see staging's session.
	if _, err := c.ListSessions(ctx, apiclient.ListOptions{}); !apiclient.IsOrgRequired(err) {
		t.Errorf("original after WithOrg: %v", err)
	}
	p := s.WithOrg(srv.Org())
	if _, err := p.Export(ctx, id, apiclient.ExportJSONL, io.Discard); !isStatus(err, 404) {
		t.Errorf("export of a staging session from the primary org: %v, want 404", err)
	}
	if _, err := s.WithOrg("").GetSession(ctx, id); !apiclient.IsOrgRequired(err) {
		t.Errorf("WithOrg(\"\") still sends an org: %v", err)
	}
}

func TestWithOrgConcurrent(t *testing.T) {
	srv, staging := twoOrgServer(t)
	c := apiclient.New(apiclient.Config{APIKey: orgKey, BaseURL: srv.URL(), OrgID: srv.Org(), MaxRetries: -1})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			org, want := srv.Org(), 6
			if i%2 == 1 {
				org, want = staging, 4
			}
			page, err := c.WithOrg(org).ListSessions(context.Background(), apiclient.ListOptions{})
			if err == nil && len(page.Data) != want {
				err = fmt.Errorf("org %s: %d sessions, want %d", org, len(page.Data), want)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestResolveOrgFindsTheOwner(t *testing.T) {
	srv, staging := twoOrgServer(t)
	ctx := context.Background()
	c := apiclient.New(apiclient.Config{APIKey: orgKey, BaseURL: srv.URL(), OrgID: srv.Org(), MaxRetries: -1})
	page, err := c.WithOrg(staging).ListSessions(ctx, apiclient.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := page.Data[0].ID
	if _, err := c.GetSession(ctx, id); !isStatus(err, 404) {
		t.Fatalf("get from the primary org: %v, want 404", err)
	}
	ro, err := c.ResolveOrg(ctx, id)
	if err != nil || ro.OrgID != staging || ro.OrgName != "Staging" {
		t.Fatalf("ResolveOrg = %+v, %v", ro, err)
	}
	// Without an org at all, and from a key outside staging: as if unknown.
	if ro, err := c.WithOrg("").ResolveOrg(ctx, id); err != nil || ro.OrgID != staging {
		t.Errorf("ResolveOrg without X-Org-Id = %+v, %v", ro, err)
	}
	other := apiclient.New(apiclient.Config{APIKey: otherKey, BaseURL: srv.URL(), MaxRetries: -1})
	if _, err := other.ResolveOrg(ctx, id); !isStatus(err, 404) {
		t.Errorf("ResolveOrg by a non-member: %v, want 404", err)
	}
	if _, err := c.ResolveOrg(ctx, ""); !errors.Is(err, apiclient.ErrInvalidConfig) {
		t.Errorf("ResolveOrg(\"\"): %v", err)
	}
}

func TestIsOrgRequired(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"server's 400", &apiclient.APIError{Status: 400, Message: apitest.OrgRequiredMessage}, true},
		{"wrapped", fmt.Errorf("load: %w", &apiclient.APIError{Status: 400, Message: "Set the x-org-id header"}), true},
		{"code only", &apiclient.APIError{Status: 400, Code: "org_required", Message: "Bad Request"}, true},
		{"other 400", &apiclient.APIError{Status: 400, Message: "Invalid status \"x\""}, false},
		{"404 naming the header", &apiclient.APIError{Status: 404, Message: "X-Org-Id: Organization not found"}, false},
		{"401", &apiclient.APIError{Status: 401, Message: "Invalid organization ID format"}, false},
		{"not an API error", errors.New("X-Org-Id"), false},
		{"nil", nil, false},
	} {
		if got := apiclient.IsOrgRequired(c.err); got != c.want {
			t.Errorf("%s: IsOrgRequired = %v, want %v", c.name, got, c.want)
		}
	}
}

func isStatus(err error, status int) bool {
	var e *apiclient.APIError
	return errors.As(err, &e) && e.Status == status
}

// TestContractSeveralOrgs validates the exchanges of a two-org server: the
// 400 without X-Org-Id, the org list, resolve-org and a scoped 404.
func TestContractSeveralOrgs(t *testing.T) {
	srv, v, base := contractServer(t, apitest.Options{Sessions: 5, APIKey: orgKey,
		Orgs: []apitest.OrgSeed{{Name: "Staging", Sessions: 3}}})
	staging := srv.Orgs()[1].ID
	c := apiclient.New(apiclient.Config{APIKey: orgKey, BaseURL: base, MaxRetries: -1})
	ctx := context.Background()
	if _, err := c.ListSessions(ctx, apiclient.ListOptions{}); !apiclient.IsOrgRequired(err) {
		t.Errorf("list without org: %v", err)
	}
	if orgs, err := c.ListOrgs(ctx); err != nil || len(orgs) != 2 {
		t.Errorf("ListOrgs = %v, %v", orgs, err)
	}
	page, err := c.WithOrg(staging).ListSessions(ctx, apiclient.ListOptions{})
	if err != nil || len(page.Data) != 3 {
		t.Fatalf("staging list: %v", err)
	}
	if ro, err := c.ResolveOrg(ctx, page.Data[0].ID); err != nil || ro.OrgID != staging {
		t.Errorf("ResolveOrg = %v, %v", ro, err)
	}
	if _, err := c.WithOrg(srv.Org()).GetSession(ctx, page.Data[0].ID); !isStatus(err, 404) {
		t.Errorf("get across orgs: %v", err)
	}
	if _, err := c.WithOrg("org_"+strings.Repeat("9", 32)).ListSessions(ctx, apiclient.ListOptions{}); !isStatus(err, 404) {
		t.Errorf("list in a foreign org: %v", err)
	}
	reportContract(t, v, 6)
}

func TestLooksLikeOrgID(t *testing.T) {
	for s, want := range map[string]bool{
		"org_a13ae1a59c1c989be3e21a3424a94493": true,
		"org_A13AE1A59C1C989BE3E21A3424A94493": false, // the server's ids are lower-case
		"org_a13ae1a59c1c989be3e21a3424a9449":  false,
		"Staging":                              false,
		"":                                     false,
		"org_a13ae1a59c1c989be3e21a3424a9449z": false,
	} {
		if got := apiclient.LooksLikeOrgID(s); got != want {
			t.Errorf("LooksLikeOrgID(%q) = %v", s, got)
		}
	}
}
