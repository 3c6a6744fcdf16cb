package apiclient

import (
	"context"
)

// FacetCount is one bucket of a facet: an activity, a source or an agent id.
type FacetCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// Facets is the body of GET /v1/sessions/facets: counts over the same filter
// predicate as the list, each dimension counted without its own selection.
type Facets struct {
	Total         int64        `json:"total"`
	ByActivity    []FacetCount `json:"by_activity"`
	BySource      []FacetCount `json:"by_source"`
	ByAgent       []FacetCount `json:"by_agent"`
	ActiveNow     int64        `json:"active_now"`
	FailedToday   int64        `json:"failed_today"`
	P95DurationMS int64        `json:"p95_duration_ms"`
	TokensToday   int64        `json:"tokens_today"`
}

// Stats is the body of GET /v1/sessions/stats: counts per status.
type Stats struct {
	Total                 int64 `json:"total"`
	Active                int64 `json:"active"`
	Idle                  int64 `json:"idle"`
	Started               int64 `json:"started"`
	WaitingForToolResults int64 `json:"waiting_for_tool_results"`
}

// Facets counts the sessions that opts' filters select (paging and the
// archive switches are not part of the facets endpoint and are not sent).
func (c *Client) Facets(ctx context.Context, opts ListOptions) (*Facets, error) {
	var f Facets
	if err := c.getJSON(ctx, "/v1/sessions/facets", opts.FilterQuery(), &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Stats counts the organisation's sessions per status.
func (c *Client) Stats(ctx context.Context) (*Stats, error) {
	var s Stats
	if err := c.getJSON(ctx, "/v1/sessions/stats", nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
