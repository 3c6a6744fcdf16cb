package apiclient

import (
	"context"
	"fmt"
	"net/url"
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
