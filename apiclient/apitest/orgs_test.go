package apitest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
)

// Keys of the multi-org tests: both is a PAT in both organisations, prim a
// PAT in the primary one only, jwt a JWT-like key in both.
const (
	patBoth = "evr_pat_" + "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
	patPrim = "evr_pat_" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
	jwtBoth = "header.payload.signature"
)

func twoOrgs(t *testing.T) (*Server, string) {
	t.Helper()
	s := newTest(t, Options{Sessions: 7, APIKey: patBoth, MoreKeys: []string{patPrim, jwtBoth},
		Orgs: []OrgSeed{{Name: "Staging", Sessions: 4, Keys: []string{patBoth, jwtBoth}}}})
	orgs := s.Orgs()
	if len(orgs) != 2 || orgs[0].ID != s.Org() || orgs[0].Name != OrgName || orgs[1].Name != "Staging" {
		t.Fatalf("Orgs() = %+v", orgs)
	}
	return s, orgs[1].ID
}

func as(key string, org ...string) []string {
	h := []string{"Authorization", "Bearer " + key}
	if len(org) > 0 {
		h = append(h, "X-Org-Id", org[0])
	}
	return h
}

func TestOrgRequiredForPATOfSeveralOrgs(t *testing.T) {
	s, staging := twoOrgs(t)
	st, h, b := do(t, s, "GET", "/v1/sessions", "", as(patBoth)...)
	wantError(t, st, h, b, http.StatusBadRequest)
	var p map[string]any
	_ = json.Unmarshal(b, &p)
	if p["detail"] != OrgRequiredMessage || p["code"] != nil {
		t.Errorf("400 body %s: want the server's detail and no code", b)
	}
	// Every org-scoped endpoint refuses alike; the user-level ones answer.
	for _, path := range []string{"/v1/sessions/facets", "/v1/agents", "/v1/sessions/" + s.All()[0].ID} {
		if st, _, _ := do(t, s, "GET", path, "", as(patBoth)...); st != http.StatusBadRequest {
			t.Errorf("%s without X-Org-Id: %d, want 400", path, st)
		}
	}
	for _, c := range []struct {
		name string
		hdr  []string
		want int
	}{
		{"PAT of one org, no header", as(patPrim), 200},
		{"JWT falls back to its first org", as(jwtBoth), 200},
		{"PAT with its org", as(patBoth, staging), 200},
		{"PAT outside the org", as(patPrim, staging), 404},
		{"malformed org", as(patBoth, "staging"), 401},
		{"no credential", nil, 401},
	} {
		st, h, b := do(t, s, "GET", "/v1/sessions", "", c.hdr...)
		if c.want != 200 {
			if st != c.want {
				t.Errorf("%s: %d, want %d: %s", c.name, st, c.want, b)
			} else {
				wantError(t, st, h, b, c.want)
			}
		} else if st != 200 {
			t.Errorf("%s: %d: %s", c.name, st, b)
		}
	}
}

func TestOrgScopesEverySessionEndpoint(t *testing.T) {
	s, staging := twoOrgs(t)
	prim := s.Org()
	lists := map[string][]apiclient.Session{}
	for _, org := range []string{prim, staging} {
		lists[org] = listAll(t, s, "include_archived=true", as(patBoth, org)...)
		for _, x := range lists[org] {
			if x.OrganizationID != org {
				t.Errorf("list in %s holds %s of %s", org, x.ID, x.OrganizationID)
			}
		}
	}
	if len(lists[prim]) != 7 || len(lists[staging]) != 4 || s.Len() != 11 {
		t.Fatalf("lists: %d in primary, %d in staging, %d stored", len(lists[prim]), len(lists[staging]), s.Len())
	}
	if got := listAll(t, s, "", as(jwtBoth)...); len(got) != 7 {
		t.Errorf("JWT without header: %d sessions, want the primary org's 7", len(got))
	}
	_, _, b := do(t, s, "GET", "/v1/sessions/facets", "", as(patBoth, staging)...)
	if f := decode[apiclient.Facets](t, b); f.Total != 4 {
		t.Errorf("facets in staging: total %d, want 4", f.Total)
	}
	_, _, b = do(t, s, "GET", "/v1/sessions/stats", "", as(patBoth, staging)...)
	if st := decode[apiclient.Stats](t, b); st.Total != 4 {
		t.Errorf("stats in staging: total %d, want 4", st.Total)
	}

	// One session of staging: invisible from the primary org on every route.
	id := lists[staging][0].ID
	for _, r := range []struct{ method, sub, body string }{
		{"GET", "", ""}, {"PATCH", "", `{"title":"moved"}`}, {"GET", "/messages", ""}, {"GET", "/events", ""},
		{"GET", "/export", ""}, {"PUT", "/pin", ""}, {"PUT", "/archive", ""}, {"POST", "/cancel", ""}, {"DELETE", "", ""},
	} {
		st, h, b := do(t, s, r.method, "/v1/sessions/"+id+r.sub, r.body, as(patBoth, prim)...)
		wantError(t, st, h, b, http.StatusNotFound)
	}
	if x, _ := s.Get(id); x.TitleOrEmpty() == "moved" || s.Archived(id) {
		t.Fatal("a write from another organisation changed the session")
	}
	if st, _, b := do(t, s, "PATCH", "/v1/sessions/"+id, `{"title":"moved"}`, as(patBoth, staging)...); st != 200 {
		t.Fatalf("PATCH in its org: %d %s", st, b)
	}

	// Agents are per organisation; a created session belongs to the org it was created in.
	_, _, b = do(t, s, "GET", "/v1/agents", "", as(patBoth, staging)...)
	var page struct{ Data []apiclient.Agent }
	_ = json.Unmarshal(b, &page)
	want := s.OrgAgents(staging)
	if len(page.Data) != len(want) || len(want) == 0 || page.Data[0].ID != want[0].ID || want[0].ID == s.Agents()[0].ID {
		t.Errorf("staging agents %s, want %v", b, want)
	}
	st, _, b := do(t, s, "POST", "/v1/sessions", `{"agent_id":"`+want[0].ID+`"}`, as(patBoth, staging)...)
	if x := decode[apiclient.Session](t, b); st != 201 || x.OrganizationID != staging {
		t.Errorf("create in staging: %d %s", st, b)
	}
}

func TestOrgsAndResolveNeedNoOrg(t *testing.T) {
	s, staging := twoOrgs(t)
	names := func(key string, hdr ...string) []string {
		st, _, b := do(t, s, "GET", "/v1/orgs", "", append(as(key), hdr...)...)
		if st != 200 {
			t.Fatalf("orgs: %d %s", st, b)
		}
		var l struct{ Data []apiclient.Organization }
		_ = json.Unmarshal(b, &l)
		var out []string
		for _, o := range l.Data {
			out = append(out, o.ID+" "+o.Name)
		}
		return out
	}
	if got := strings.Join(names(patBoth), ","); got != s.Org()+" "+OrgName+","+staging+" Staging" {
		t.Errorf("orgs of a two-org key: %s", got)
	}
	if got := names(patPrim, "X-Org-Id", "not-an-org"); len(got) != 1 || got[0] != s.Org()+" "+OrgName {
		t.Errorf("orgs of a one-org key (X-Org-Id not read): %v", got)
	}

	stagingSession := listAll(t, s, "", as(patBoth, staging)...)[0].ID
	primSession := listAll(t, s, "", as(patBoth, s.Org())...)[0].ID
	for _, c := range []struct {
		key, id string
		want    int
		org     string
	}{
		{patBoth, stagingSession, 200, staging},
		{patBoth, primSession, 200, s.Org()},
		{patPrim, primSession, 200, s.Org()},
		{patBoth, s.OrgAgents(staging)[0].ID, 200, staging},
		{patBoth, staging, 200, staging},
		{patPrim, stagingSession, 404, ""}, // not a member: as if unknown
		{patPrim, s.OrgAgents(staging)[0].ID, 404, ""},
		{patBoth, "session_" + strings.Repeat("0", 32), 404, ""},
		{patBoth, "%20", 404, ""},
	} {
		st, h, b := do(t, s, "GET", "/v1/resolve-org?id="+c.id, "", as(c.key)...)
		if c.want != 200 {
			wantError(t, st, h, b, c.want)
			continue
		}
		r := decode[apiclient.ResolvedOrg](t, b)
		wantName := map[string]string{s.Org(): OrgName, staging: "Staging"}[c.org]
		if st != 200 || r.OrgID != c.org || r.OrgName != wantName {
			t.Errorf("resolve %s: %d %s, want %s %s", c.id, st, b, c.org, wantName)
		}
	}
	st, h, b := do(t, s, "GET", "/v1/resolve-org", "", as(patBoth)...)
	wantError(t, st, h, b, http.StatusBadRequest)
}

func TestOneOrgByDefault(t *testing.T) {
	s := newTest(t, Options{Sessions: 3, APIKey: patBoth, StrictOrg: true})
	if len(s.Orgs()) != 1 {
		t.Fatalf("orgs %v", s.Orgs())
	}
	if st, _, b := do(t, s, "GET", "/v1/sessions", "", as(patBoth)...); st != 200 {
		t.Fatalf("one org, no header: %d %s", st, b)
	}
	// A session put with a foreign organization id still belongs to the only org.
	x := s.All()[0]
	x.ID, x.OrganizationID = "session_"+strings.Repeat("c", 32), "org_"+strings.Repeat("d", 32)
	s.Put(x)
	if st, _, _ := do(t, s, "GET", "/v1/sessions/"+x.ID, "", as(patBoth)...); st != 200 {
		t.Errorf("get: %d", st)
	}
}
