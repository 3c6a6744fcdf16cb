package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// orgPAT belongs to every organisation of orgServer; soloPAT to the primary
// one only. Both are personal access tokens, which the server refuses
// without X-Org-Id when they belong to several organisations.
const (
	orgPAT  = "evr_pat_" + "7e57ab1e7e57ab1e7e57ab1e7e57ab1e7e57ab1e7e57ab1e7e57ab1e7e57ab1e"
	soloPAT = "evr_pat_" + "5010501050105010501050105010501050105010501050105010501050105010"
)

type orgFixture struct {
	srv                         *apitest.Server
	prim, staging, acme, acmeLb string
}

// orgServer: Demo Org (5 sessions), Staging (3), Acme Corp (2), Acme Labs (1).
func orgServer(t *testing.T) orgFixture {
	t.Helper()
	keys := []string{orgPAT}
	srv := newServer(t, apitest.Options{Sessions: 5, APIKey: orgPAT, MoreKeys: []string{soloPAT},
		Orgs: []apitest.OrgSeed{{Name: "Staging", Sessions: 3, Keys: keys}, {Name: "Acme Corp", Sessions: 2, Keys: keys},
			{Name: "Acme Labs", Sessions: 1, Keys: keys}}})
	o := srv.Orgs()
	return orgFixture{srv, o[0].ID, o[1].ID, o[2].ID, o[3].ID}
}

// runOrgs is runCLI with orgPAT as the key, checking it never shows.
func runOrgs(t *testing.T, f orgFixture, env map[string]string, args ...string) result {
	t.Helper()
	full := map[string]string{apiclient.EnvAPIKey: orgPAT, apiclient.EnvAPIURL: f.srv.URL()}
	for k, v := range env {
		full[k] = v
	}
	r := runCLI(t, full, args...)
	for _, k := range []string{orgPAT, soloPAT, orgPAT[8:40], soloPAT[8:40]} {
		if strings.Contains(r.stdout+r.stderr, k) {
			t.Fatalf("output holds the key:\n%s\n%s", r.stdout, r.stderr)
		}
	}
	return r
}

// sentOrgs are the X-Org-Id headers of the session list requests.
func sentOrgs(srv *apitest.Server) (out []string) {
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/v1/sessions") {
			out = append(out, r.Header.Get("X-Org-Id"))
		}
	}
	srv.ResetRequests()
	return out
}

func TestOrgsCommand(t *testing.T) {
	f := orgServer(t)
	r := runOrgs(t, f, nil, "orgs")
	wantCode(t, r, 0)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], "ID") || !strings.Contains(lines[0], "NAME") {
		t.Fatalf("orgs table:\n%s", r.stdout)
	}
	for i, name := range []string{"Demo Org", "Staging", "Acme Corp", "Acme Labs"} {
		if !strings.HasPrefix(lines[i+1], "   org_") || !strings.HasSuffix(lines[i+1], "  "+name) {
			t.Errorf("row %d %q: want no marker (no org chosen) and %s", i+1, lines[i+1], name)
		}
	}
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"orgs", "--org", "staging"}, nil, f.staging},
		{[]string{"orgs"}, map[string]string{apiclient.EnvOrgID: f.acme}, f.acme},
		{[]string{"orgs", "--org-id", f.acmeLb}, nil, f.acmeLb},
	} {
		r := runOrgs(t, f, c.env, c.args...)
		wantCode(t, r, 0)
		marked := ""
		for _, l := range strings.Split(r.stdout, "\n") {
			if strings.HasPrefix(l, "*  ") {
				marked += strings.Fields(l)[1]
			}
		}
		if marked != c.want {
			t.Errorf("%v: marked %q, want %q\n%s", c.args, marked, c.want, r.stdout)
		}
	}

	r = runOrgs(t, f, nil, "orgs", "--json", "--org", "Acme Corp")
	wantCode(t, r, 0)
	var rows []struct {
		ID, Name string
		Current  bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 4 {
		t.Fatalf("orgs --json: %v\n%s", err, r.stdout)
	}
	for _, x := range rows {
		if x.Current != (x.ID == f.acme) || x.Name == "" {
			t.Errorf("orgs --json row %+v", x)
		}
	}
	// A key of one organisation: that one is in use without being chosen.
	r = runOrgs(t, f, map[string]string{apiclient.EnvAPIKey: soloPAT}, "orgs")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "*  "+f.prim) || strings.Contains(r.stdout, "Staging") {
		t.Errorf("orgs of a one-org key:\n%s", r.stdout)
	}
}

func TestOrgFlagTakesNameOrID(t *testing.T) {
	f := orgServer(t)
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		org  string
		n    int
	}{
		{"exact name, any case", []string{"--org", "STAGING", "list", "--json"}, nil, f.staging, 3},
		{"unique prefix", []string{"list", "--json", "--org", "acme l"}, nil, f.acmeLb, 1},
		{"exact name beats a prefix", []string{"list", "--json", "--org", "acme corp"}, nil, f.acme, 2},
		{"id", []string{"list", "--json", "--org", f.acme}, nil, f.acme, 2},
		{"--org beats EVERRUNS_ORG_ID", []string{"list", "--json", "--org", "Staging"}, map[string]string{apiclient.EnvOrgID: f.acme}, f.staging, 3},
		{"EVERRUNS_ORG_ID is an id", []string{"list", "--json"}, map[string]string{apiclient.EnvOrgID: f.acme}, f.acme, 2},
	} {
		r := runOrgs(t, f, c.env, c.args...)
		wantCode(t, r, 0)
		if got := ids(t, r.stdout); len(got) != c.n {
			t.Errorf("%s: %d sessions, want %d", c.name, len(got), c.n)
		}
		if got := sentOrgs(f.srv); len(got) == 0 || got[0] != c.org {
			t.Errorf("%s: sent X-Org-Id %v, want %s", c.name, got, c.org)
		}
	}
	// An id needs no lookup; a name one GET /v1/orgs.
	runOrgs(t, f, nil, "list", "--org", f.staging)
	for _, rq := range f.srv.Requests() {
		if strings.HasSuffix(rq.Path, "/v1/orgs") {
			t.Error("--org with an id looked the organisations up")
		}
	}

	for _, c := range []struct {
		name  string
		args  []string
		wants []string
	}{
		{"ambiguous prefix", []string{"list", "--org", "acme"}, []string{"--org", "matches several", "Acme Corp (" + f.acme + ")", "Acme Labs (" + f.acmeLb + ")"}},
		{"unknown", []string{"get", "session_x", "--org", "prod"}, []string{"--org", `"prod"`, "Demo Org (" + f.prim + ")", "Staging (" + f.staging + ")"}},
		{"both flags", []string{"list", "--org", "Staging", "--org-id", f.staging}, []string{"--org and --org-id"}},
	} {
		r := runOrgs(t, f, nil, c.args...)
		wantCode(t, r, exitUsage)
		for _, w := range c.wants {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", c.name, w, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "Acme Labs") && c.name == "ambiguous prefix" && strings.Contains(r.stderr, "Staging") {
			t.Errorf("%s: lists organisations that do not match:\n%s", c.name, r.stderr)
		}
	}
}

func TestConfigOrgIDTakesAName(t *testing.T) {
	f := orgServer(t)
	xdg := t.TempDir()
	writeConfig(t, xdg, `org_id = "acme corp"`+"\n", 0o600)
	env := map[string]string{"XDG_CONFIG_HOME": xdg}
	r := runOrgs(t, f, env, "list", "--json")
	wantCode(t, r, 0)
	if got := sentOrgs(f.srv); len(got) == 0 || got[0] != f.acme {
		t.Errorf("org_id by name: sent %v, want %s", got, f.acme)
	}
	// EVERRUNS_ORG_ID beats the file.
	env[apiclient.EnvOrgID] = f.staging
	r = runOrgs(t, f, env, "list", "--json")
	wantCode(t, r, 0)
	if got := ids(t, r.stdout); len(got) != 3 {
		t.Errorf("env over file: %d sessions", len(got))
	}
	writeConfig(t, xdg, `org_id = "nope"`+"\n", 0o600)
	r = runOrgs(t, f, map[string]string{"XDG_CONFIG_HOME": xdg}, "list")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "org_id in ") || !strings.Contains(r.stderr, "Staging ("+f.staging+")") {
		t.Errorf("unknown org_id: %s", r.stderr)
	}
}

func TestOrgRequiredSaysWhatToDo(t *testing.T) {
	f := orgServer(t)
	for _, args := range [][]string{{"list"}, {"agents"}, {"tag", "session_" + strings.Repeat("a", 32), "+x"}} {
		r := runOrgs(t, f, nil, args...)
		wantCode(t, r, exitUsage)
		for _, w := range []string{"several organisations", "--org", apiclient.EnvOrgID, "org_id",
			"Demo Org (" + f.prim + ")", "Acme Labs (" + f.acmeLb + ")", "sessions orgs"} {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, w, r.stderr)
			}
		}
	}
	// A key of one organisation needs nothing.
	r := runOrgs(t, f, map[string]string{apiclient.EnvAPIKey: soloPAT}, "list", "--json")
	wantCode(t, r, 0)
	if len(ids(t, r.stdout)) != 5 {
		t.Errorf("one-org key: %s", r.stdout)
	}
}

func TestGetFindsTheSessionsOrganisation(t *testing.T) {
	f := orgServer(t)
	var staged string
	for _, x := range f.srv.All() {
		if x.OrganizationID == f.staging {
			staged = x.ID
		}
	}
	note := "session " + staged + " is in organisation Staging (" + f.staging + "); showing it from there"
	for _, c := range []struct {
		name string
		args []string
	}{
		{"from another org", []string{"get", staged, "--org", "Demo Org"}},
		{"with no org chosen", []string{"get", staged}},
		{"as JSON", []string{"get", staged, "--json", "--org", f.acme}},
	} {
		f.srv.ResetRequests()
		r := runOrgs(t, f, nil, c.args...)
		wantCode(t, r, 0)
		if !strings.Contains(r.stdout, staged) || !strings.Contains(r.stderr, note) {
			t.Errorf("%s:\nstdout %s\nstderr %s", c.name, r.stdout, r.stderr)
		}
		var last apitest.Request
		for _, rq := range f.srv.Requests() {
			last = rq
		}
		if last.Header.Get("X-Org-Id") != f.staging || !strings.HasSuffix(last.Path, staged) {
			t.Errorf("%s: last request %s with X-Org-Id %q", c.name, last.Path, last.Header.Get("X-Org-Id"))
		}
	}
	// In its own org: no note. Not a member of its org, or unknown: not found.
	r := runOrgs(t, f, nil, "get", staged, "--org", "staging")
	wantCode(t, r, 0)
	if r.stderr != "" {
		t.Errorf("get in its own org wrote %q", r.stderr)
	}
	for _, c := range []struct {
		key, id string
	}{{soloPAT, staged}, {orgPAT, "session_" + strings.Repeat("0", 32)}} {
		r := runOrgs(t, f, map[string]string{apiclient.EnvAPIKey: c.key, apiclient.EnvOrgID: f.prim}, "get", c.id)
		wantCode(t, r, exitAPI)
		if !strings.Contains(r.stderr, "not found") || strings.Contains(r.stderr, "showing it") {
			t.Errorf("get %s: %s", c.id, r.stderr)
		}
	}
}

func TestDemoOrgs(t *testing.T) {
	if got := demoOrgs(1, 100); len(got) != 0 {
		t.Errorf("demoOrgs(1) = %v", got)
	}
	if got := demoOrgs(3, 100); len(got) != 2 || got[0].Sessions != 50 || got[0].Keys != nil {
		t.Errorf("demoOrgs(3) = %+v", got)
	}
	for _, args := range [][]string{{"--demo", "--demo-orgs", "0"}, {"--demo", "--demo-orgs", "99"}, {"demo-server", "--orgs", "0"}} {
		r := runCLI(t, nil, args...)
		wantCode(t, r, exitUsage)
		if !strings.Contains(r.stderr, "orgs must be between 1 and") {
			t.Errorf("%v: %s", args, r.stderr)
		}
	}
}

func TestOrgNamesAreSanitised(t *testing.T) {
	evil := "\x1b]52;c;cGF5bG9hZA==\x07Evil\x1b[2J\u202eCorp"
	srv := newServer(t, apitest.Options{Sessions: 1, APIKey: orgPAT, Orgs: []apitest.OrgSeed{{Name: evil, Sessions: 1}}})
	f := orgFixture{srv: srv}
	var foreign string
	for _, x := range srv.All() {
		if x.OrganizationID == srv.Orgs()[1].ID {
			foreign = x.ID
		}
	}
	for _, args := range [][]string{{"orgs"}, {"orgs", "--json"}, {"list"}, {"--org", "nope", "list"},
		{"get", foreign, "--org", srv.Org()}} {
		r := runOrgs(t, f, nil, args...)
		if out := r.stdout + r.stderr; strings.ContainsAny(out, "\x1b\x07\u202e") || !strings.Contains(out, "Evil") {
			t.Errorf("%v: exit %d, control characters or no name in:\n%q", args, r.code, out)
		}
	}
}

// EVERRUNS_ORG_ID and --org-id are sent as they are; a name there gets the
// server's 401 for a malformed X-Org-Id, which must not read as a bad key.
func TestOrgIDThatIsANameIsExplained(t *testing.T) {
	f := orgServer(t)
	for _, c := range []struct {
		env  map[string]string
		args []string
		from string
	}{
		{map[string]string{apiclient.EnvOrgID: "Staging"}, []string{"list"}, apiclient.EnvOrgID},
		{nil, []string{"--org-id", "Staging", "list"}, "--org-id"},
	} {
		r := runOrgs(t, f, c.env, c.args...)
		wantCode(t, r, exitUsage)
		for _, w := range []string{c.from + `: "Staging" is not an organisation id`, "--org and org_id take a name", "sessions orgs"} {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", c.args, w, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "check "+apiclient.EnvAPIKey) {
			t.Errorf("%v: blames the key:\n%s", c.args, r.stderr)
		}
	}
	// A wrong key with a well-formed organisation id still says "check the key".
	r := runOrgs(t, f, map[string]string{apiclient.EnvAPIKey: "evr_pat_" + strings.Repeat("0", 64), apiclient.EnvOrgID: f.staging}, "list")
	wantCode(t, r, exitAPI)
	if !strings.Contains(r.stderr, "check "+apiclient.EnvAPIKey) {
		t.Errorf("wrong key: %s", r.stderr)
	}
}
