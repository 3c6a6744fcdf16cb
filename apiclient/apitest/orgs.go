package apitest

import (
	"net/http"
	"strings"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// OrgName is the default name of the primary organisation.
const OrgName = "Demo Org"

// OrgRequiredMessage is the real server's answer (400, a problem without a
// code) to a personal access token of several organisations sent without
// X-Org-Id.
const OrgRequiredMessage = "Multiple organizations available. Specify the target organization via the X-Org-Id header."

// OrgSeed is one organisation beside the primary one (Options.Orgs).
type OrgSeed struct {
	ID       string // default: derived from the server's seed and the position
	Name     string // default: a name from DemoOrgNames
	Sessions int    // generated sessions owned by this organisation
	// Keys are the credentials (Options.APIKey, MoreKeys) of the users who
	// belong to it; nil means every user. A server without keys lets
	// everyone into every organisation.
	Keys []string
}

// DemoOrgNames name the further organisations whose OrgSeed has no Name.
var DemoOrgNames = []string{"Staging", "Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises"}

// org is one organisation of the server: who belongs to it and its agents.
type org struct {
	id, name string
	agents   []Agent
	keys     map[string]bool // nil: every user
	created  time.Time
}

// initOrgs builds the primary organisation and Options.Orgs, and returns the
// sessions to seed in the further ones. s.org and s.agents are set.
func (s *Server) initOrgs(t0 time.Time) []apiclient.Session {
	epoch := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	name := s.opts.OrgName
	if name == "" {
		name = OrgName
	}
	s.orgs = []*org{{id: s.org, name: name, agents: s.agents, keys: keySet(s.opts.OrgKeys), created: epoch}}
	s.orgByID = map[string]*org{s.org: s.orgs[0]}
	var seed []apiclient.Session
	for i, o := range s.opts.Orgs {
		k := int64(i + 1)
		oseed := s.opts.Seed + k*1_000_003 // its own agents, titles and ids
		x := &org{id: o.ID, name: o.Name, agents: SeedAgents(oseed), keys: keySet(o.Keys),
			created: epoch.Add(time.Duration(k) * 24 * time.Hour)}
		if x.id == "" {
			x.id = SeedOrg(oseed)
		}
		if x.name == "" {
			x.name = DemoOrgNames[i%len(DemoOrgNames)]
		}
		if _, dup := s.orgByID[x.id]; dup {
			continue // one organisation per id
		}
		s.orgs = append(s.orgs, x)
		s.orgByID[x.id] = x
		for _, y := range Generate(o.Sessions, oseed, t0) {
			y.OrganizationID = x.id
			seed = append(seed, y)
		}
	}
	return seed
}

func keySet(keys []string) map[string]bool {
	if keys == nil {
		return nil
	}
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// Orgs lists the server's organisations, the primary one first.
func (s *Server) Orgs() []apiclient.Organization {
	out := make([]apiclient.Organization, len(s.orgs))
	for i, o := range s.orgs {
		out[i] = apiclient.Organization{ID: o.id, Name: o.name, CreatedAt: o.created, UpdatedAt: o.created}
	}
	return out
}

// OrgAgents are the agents of the organisation id (nil for an unknown one).
func (s *Server) OrgAgents(id string) []Agent {
	if o := s.orgByID[id]; o != nil {
		return append([]Agent(nil), o.agents...)
	}
	return nil
}

// orgOf is the organisation owning x: its organization_id when that is one of
// the server's, else the primary one (tests put sessions with any id).
func (s *Server) orgOf(x *apiclient.Session) string {
	if len(s.orgs) == 1 {
		return s.org
	}
	if _, ok := s.orgByID[x.OrganizationID]; ok {
		return x.OrganizationID
	}
	return s.org
}

// inOrg is the organisation scope of every session endpoint: a session of
// another organisation does not exist for the caller.
func (s *Server) inOrg(x *apiclient.Session, orgID string) bool {
	return len(s.orgs) == 1 || s.orgOf(x) == orgID
}

// memberOrgs are the organisations of the caller with credential ident.
func (s *Server) memberOrgs(ident string) []*org {
	var out []*org
	for _, o := range s.orgs {
		if s.opts.APIKey == "" || o.keys == nil || o.keys[ident] {
			out = append(out, o)
		}
	}
	return out
}

// userLevel reports the endpoints that act for the user, not within an
// organisation: they read no X-Org-Id (the server's handlers take the
// authenticated user alone), so a key of several organisations needs none.
func (s *Server) userLevel(r *http.Request) bool {
	p := strings.TrimPrefix(r.URL.Path, s.prefix)
	return p == "/v1/orgs" || p == "/v1/resolve-org"
}

// selectOrg applies the server's X-Org-Id rules for the caller with
// credential ident and returns the organisation the request acts in, or the
// status and message of the refusal. Without StrictOrg and with a single
// organisation the header is not checked (tests send made-up ids).
func (s *Server) selectOrg(r *http.Request, ident string) (orgID string, status int, msg string) {
	hdr := r.Header.Get("X-Org-Id")
	if !s.opts.StrictOrg && len(s.orgs) == 1 {
		return s.org, 0, ""
	}
	mine := s.memberOrgs(ident)
	if hdr == "" {
		switch {
		case len(mine) == 0:
			return "", http.StatusUnauthorized, "No organization available"
		case len(mine) == 1:
			return mine[0].id, 0, ""
		case s.opts.APIKey == "" || !IsPAT(ident):
			// No-auth mode and a JWT (any configured key that is not a PAT)
			// fall back to the user's first organisation, as on the server.
			return mine[0].id, 0, ""
		}
		return "", http.StatusBadRequest, OrgRequiredMessage
	}
	if !validID(hdr, "org_") {
		return "", http.StatusUnauthorized, "Invalid organization ID format"
	}
	for _, o := range mine {
		if o.id == hdr {
			return o.id, 0, ""
		}
	}
	return "", http.StatusNotFound, "Organization not found"
}

// writeOrgRefusal writes the refusals of selectOrg as the server does: a
// problem without a code for the 400 and the 404, "unauthorized" for 401.
func writeOrgRefusal(w http.ResponseWriter, status int, msg string) {
	if status == http.StatusUnauthorized {
		writeError(w, status, msg)
		return
	}
	writeProblem(w, problem{Title: http.StatusText(status), Status: status, Detail: msg})
}

// sessionOutsideOrg reports a request for one session (any method, any sub
// path) whose session exists in another organisation than c's: the server
// answers as if it did not exist.
func (s *Server) sessionOutsideOrg(r *http.Request, c *caller) bool {
	if len(s.orgs) == 1 {
		return false
	}
	rest, ok := strings.CutPrefix(strings.TrimPrefix(r.URL.Path, s.prefix), "/v1/sessions/")
	if !ok {
		return false
	}
	id, _, _ := strings.Cut(rest, "/")
	if !ValidSessionID(id) {
		return false
	}
	x, ok := s.Get(id)
	return ok && !s.inOrg(&x, c.org)
}

func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request, c *caller) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, "GET")
		return
	}
	data := []map[string]any{}
	for _, o := range s.memberOrgs(c.ident) {
		data = append(data, map[string]any{
			"id": o.id, "name": o.name, "default_provider_per_service": map[string]string{},
			"created_at": o.created, "updated_at": o.created,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

// resolveOrg answers for an organisation, session or agent id when the
// caller belongs to the owning organisation; 404 for anything else (the
// server never reveals foreign ids), 400 without the id parameter.
func (s *Server) resolveOrg(w http.ResponseWriter, r *http.Request, c *caller) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, "GET")
		return
	}
	q := r.URL.Query()
	if !q.Has("id") {
		writeError(w, http.StatusBadRequest, "Failed to deserialize query string: missing field `id`")
		return
	}
	id := strings.TrimSpace(q.Get("id"))
	owner := ""
	if x, ok := s.Get(id); ok {
		owner = s.orgOf(&x)
	}
	for _, o := range s.orgs {
		if o.id == id {
			owner = o.id
		}
		for _, a := range o.agents {
			if a.ID == id {
				owner = o.id
			}
		}
	}
	for _, o := range s.memberOrgs(c.ident) {
		if owner != "" && o.id == owner {
			writeJSON(w, http.StatusOK, apiclient.ResolvedOrg{OrgID: o.id, OrgName: o.name})
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not found")
}
