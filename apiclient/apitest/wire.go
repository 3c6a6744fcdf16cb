package apitest

import (
	"time"

	"github.com/everruns/sessions/apiclient"
)

// wireSession is a Session as the server serialises it: nullable fields are
// sent as explicit nulls (as serde does for Option), tags always as an array,
// capabilities only when set (the spec does not allow null there).
type wireSession struct {
	ID             string                       `json:"id"`
	OrganizationID string                       `json:"organization_id"`
	AgentID        string                       `json:"agent_id"`
	ModelID        *string                      `json:"model_id"`
	Status         apiclient.Status             `json:"status"`
	Title          *string                      `json:"title"`
	Tags           []string                     `json:"tags"`
	Preview        *string                      `json:"preview"`
	OutputPreview  *string                      `json:"output_preview"`
	Capabilities   []apiclient.CapabilityConfig `json:"capabilities,omitempty"`
	CreatedAt      time.Time                    `json:"created_at"`
	StartedAt      *time.Time                   `json:"started_at"`
	FinishedAt     *time.Time                   `json:"finished_at"`
	UpdatedAt      time.Time                    `json:"updated_at"`
	Usage          *apiclient.TokenUsage        `json:"usage"`
}

type wirePage struct {
	Data   []wireSession `json:"data"`
	Total  int           `json:"total"`
	Offset int           `json:"offset"`
	Limit  int           `json:"limit"`
}

func wireOf(x *apiclient.Session) wireSession {
	tags := x.Tags
	if tags == nil {
		tags = []string{}
	}
	return wireSession{
		ID: x.ID, OrganizationID: x.OrganizationID, AgentID: x.AgentID, ModelID: x.ModelID,
		Status: x.Status, Title: x.Title, Tags: tags, Preview: x.Preview, OutputPreview: x.OutputPreview,
		Capabilities: x.Capabilities, CreatedAt: x.CreatedAt, StartedAt: x.StartedAt,
		FinishedAt: x.FinishedAt, UpdatedAt: x.UpdatedAt, Usage: x.Usage,
	}
}
