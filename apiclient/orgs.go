package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Organization is one organisation the caller belongs to.
type Organization struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ResolvedOrg is the organisation that owns a resource.
type ResolvedOrg struct {
	OrgID   string `json:"org_id"`
	OrgName string `json:"org_name"`
}

// ListOrgs lists the caller's organisations (GET /v1/orgs, not paginated).
func (c *Client) ListOrgs(ctx context.Context) ([]Organization, error) {
	var list struct {
		Data []Organization `json:"data"`
	}
	if err := c.getJSON(ctx, "/v1/orgs", nil, &list); err != nil {
		return nil, err
	}
	return list.Data, nil
}

// ResolveOrg finds the organisation owning id (a session, agent, ... id).
// The server answers 404 for ids outside the caller's organisations.
func (c *Client) ResolveOrg(ctx context.Context, id string) (*ResolvedOrg, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: empty id", ErrInvalidConfig)
	}
	var r ResolvedOrg
	if err := c.getJSON(ctx, "/v1/resolve-org", url.Values{"id": {id}}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// OrgID is the organisation the client sends as X-Org-Id ("" for none: the
// server then picks the caller's only organisation, or refuses, see
// IsOrgRequired).
func (c *Client) OrgID() string { return c.cfg.OrgID }

// WithOrg returns a client like c that acts in organisation id ("" sends no
// X-Org-Id). It shares c's connections, retry and redirect policy; c is
// unchanged, so requests in flight on c stay in their organisation.
func (c *Client) WithOrg(id string) *Client {
	id = strings.TrimSpace(id)
	cc := *c
	cc.cfg.OrgID = id
	rc := c.rc.Clone() // the same *http.Client, hence transport and redirect policy
	rc.Header = c.rc.Header.Clone()
	if id == "" {
		rc.Header.Del("X-Org-Id")
	} else {
		rc.Header.Set("X-Org-Id", id)
	}
	cc.rc = rc
	return &cc
}

// IsOrgRequired reports whether err is the server's refusal of a request
// without X-Org-Id from a caller of several organisations: a 400 whose
// message names X-Org-Id (the server's problem has no code) or whose code
// says an organisation is required. A client then lists the organisations
// (ListOrgs needs no X-Org-Id) and asks the user to pick one.
func IsOrgRequired(err error) bool {
	var e *APIError
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest {
		return false
	}
	switch strings.ToLower(e.Code) {
	case "org_required", "organization_required", "organisation_required", "org_id_required":
		return true
	}
	return strings.Contains(strings.ToLower(e.Message), "x-org-id")
}

// LooksLikeOrgID reports whether s has the shape of the server's
// organisation ids (org_ and 32 lower-case hex digits). The server answers
// a malformed X-Org-Id with 401, which reads like a bad key: a name given
// where an id belongs is the likely slip.
func LooksLikeOrgID(s string) bool {
	hex, ok := strings.CutPrefix(s, "org_")
	if !ok || len(hex) != 32 {
		return false
	}
	for _, c := range []byte(hex) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
