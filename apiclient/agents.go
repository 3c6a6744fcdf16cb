package apiclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Agent is an agent as GET /v1/agents lists it (the fields a session
// browser shows; the rest of the configuration is not decoded).
type Agent struct {
	ID             string      `json:"id"`
	Name           string      `json:"name"`
	DisplayName    string      `json:"display_name,omitempty"`
	Description    string      `json:"description,omitempty"`
	Status         string      `json:"status,omitempty"` // active, archived, deleted (open)
	HarnessID      string      `json:"harness_id,omitempty"`
	DefaultModelID string      `json:"default_model_id,omitempty"`
	Tags           []string    `json:"tags,omitempty"`
	SessionCount   int64       `json:"session_count"`
	AppCount       int64       `json:"app_count"`
	Usage          *TokenUsage `json:"usage,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	ArchivedAt     *time.Time  `json:"archived_at,omitempty"`
	ViewURL        string      `json:"view_url,omitempty"`
}

// Label is the display name, or the name when there is none.
func (a *Agent) Label() string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.Name
}

// AgentPage is one page of GET /v1/agents.
type AgentPage struct {
	Data   []Agent `json:"data"`
	Total  int     `json:"total"`
	Offset int     `json:"offset"`
	Limit  int     `json:"limit"`
}

// maxAgentPages bounds ListAgents whatever the server says (100k agents).
const maxAgentPages = 1000

// ListAgents fetches every agent, page by page (search filters by name;
// "" lists all). It stops on an empty or short page, on a page that brings
// nothing new (a server ignoring offset), and after maxAgentPages pages;
// the server's total sizes nothing.
func (c *Client) ListAgents(ctx context.Context, search string) ([]Agent, error) {
	var out []Agent
	seen := map[string]bool{}
	offset := 0
	for range maxAgentPages {
		q := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(DefaultPageSize)}}
		if search != "" {
			q.Set("search", search)
		}
		var page AgentPage
		if err := c.getJSON(ctx, "/v1/agents", q, &page); err != nil {
			return out, err
		}
		fresh := 0
		for _, a := range page.Data {
			if !seen[a.ID] {
				seen[a.ID] = true
				out = append(out, a)
				fresh++
			}
		}
		if fresh == 0 || len(page.Data) < DefaultPageSize && (page.Limit <= 0 || len(page.Data) < page.Limit) {
			return out, nil
		}
		offset += len(page.Data)
	}
	return out, nil
}

// GetAgent fetches one agent.
func (c *Client) GetAgent(ctx context.Context, id string) (*Agent, error) {
	if id == "" || id == "." || id == ".." {
		return nil, fmt.Errorf("%w: agent id %q", ErrInvalidConfig, id)
	}
	var a Agent
	if err := c.getJSON(ctx, "/v1/agents/"+url.PathEscape(id), nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// getJSON sends a GET and decodes the 2xx body into v.
func (c *Client) getJSON(ctx context.Context, path string, q url.Values, v any) error {
	body, err := c.do(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return err
	}
	return decodeJSON(body, v, c.cfg.APIKey)
}
