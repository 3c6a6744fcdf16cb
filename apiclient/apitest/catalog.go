package apitest

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// wireAgent is an agent as GET /v1/agents renders it (AgentWithCounts in WithUrls).
type wireAgent struct {
	ID               string           `json:"id"`
	Name             string           `json:"name"`
	DisplayName      string           `json:"display_name,omitempty"`
	Description      string           `json:"description,omitempty"`
	SystemPrompt     string           `json:"system_prompt"`
	HarnessID        string           `json:"harness_id"`
	DefaultModelID   string           `json:"default_model_id,omitempty"`
	Status           string           `json:"status"`
	Tags             []string         `json:"tags"`
	CreatedAt        time.Time        `json:"created_at"`
	UpdatedAt        time.Time        `json:"updated_at"`
	SessionCount     int64            `json:"session_count"`
	AppCount         int64            `json:"app_count"`
	EffectiveHarness effectiveHarness `json:"effective_harness"`
	SelfURL          string           `json:"self_url"`
	ViewURL          string           `json:"view_url"`
	UILink           string           `json:"ui_link"`
}

type effectiveHarness struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Status string `json:"status"`
}

func (s *Server) wireAgents(c *caller) []wireAgent {
	n := map[string]int64{}
	s.mu.RLock()
	for e := range s.entriesLocked() {
		n[e.s.AgentID]++
	}
	s.mu.RUnlock()
	epoch := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	o := s.orgs[0]
	if x := s.orgByID[c.org]; x != nil {
		o = x // agents belong to one organisation
	}
	out := make([]wireAgent, len(o.agents))
	for i, a := range o.agents {
		view := s.opts.ConsoleURL + "/orgs/" + o.id + "/agents/" + a.ID
		out[i] = wireAgent{
			ID: a.ID, Name: a.Name, DisplayName: a.DisplayName,
			Description:  "Demo agent: " + a.DisplayName,
			SystemPrompt: "You are " + a.DisplayName + ".", HarnessID: a.HarnessID, DefaultModelID: a.ModelID,
			Status: "active", Tags: []string{}, CreatedAt: epoch.Add(time.Duration(i) * time.Hour),
			UpdatedAt: epoch.Add(time.Duration(i) * time.Hour), SessionCount: n[a.ID],
			EffectiveHarness: effectiveHarness{ID: a.HarnessID, Source: "explicit", Status: "active"},
			SelfURL:          c.apiBase + "/v1/agents/" + a.ID, ViewURL: view, UILink: view,
		}
	}
	return out
}

func (s *Server) routeAgents(w http.ResponseWriter, r *http.Request, rest string, c *caller) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, "GET")
		return
	}
	all := s.wireAgents(c)
	if rest == "" {
		q := r.URL.Query()
		offset, err := intParam(q.Get("offset"), 0)
		if err != nil || offset < 0 {
			writeError(w, http.StatusBadRequest, "Invalid offset: must be a non-negative integer")
			return
		}
		limit, err := intParam(q.Get("limit"), 20)
		if err != nil || limit < 1 {
			writeError(w, http.StatusBadRequest, "Invalid limit: must be a positive integer")
			return
		}
		limit = min(limit, maxLimit)
		search := strings.ToLower(q.Get("search"))
		page := struct {
			Data    []wireAgent `json:"data"`
			Total   int         `json:"total"`
			Offset  int         `json:"offset"`
			Limit   int         `json:"limit"`
			NextURL string      `json:"next_url,omitempty"`
			PrevURL string      `json:"prev_url,omitempty"`
		}{Data: []wireAgent{}, Offset: offset, Limit: limit}
		for _, a := range all {
			if search != "" && !strings.Contains(strings.ToLower(a.Name+"\n"+a.DisplayName), search) {
				continue
			}
			if page.Total >= offset && page.Total < offset+limit {
				page.Data = append(page.Data, a)
			}
			page.Total++
		}
		writeJSON(w, http.StatusOK, page)
		return
	}
	id := strings.TrimPrefix(rest, "/")
	if !validID(id, "agent_") {
		writeError(w, http.StatusBadRequest, "Invalid agent ID format")
		return
	}
	for _, a := range all {
		if a.ID == id {
			writeJSON(w, http.StatusOK, a)
			return
		}
	}
	writeError(w, http.StatusNotFound, "Agent not found")
}

// export streams the transcript: JSONL (one message per line) or one ATIF
// trajectory document.
func (s *Server) export(w http.ResponseWriter, r *http.Request, id string) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "jsonl" && format != "atif" {
		writeError(w, http.StatusBadRequest, "Invalid format: expected jsonl or atif")
		return
	}
	s.withSession(w, id, func(x *apiclient.Session) {
		msgs := Transcript(*x)
		w.Header().Set("Content-Type", "application/x-ndjson")
		ext := "jsonl"
		if format == "atif" {
			ext = "json"
		}
		w.Header().Set("Content-Disposition", `attachment; filename="`+x.ID+"."+ext+`"`)
		w.WriteHeader(http.StatusOK)
		bw := bufio.NewWriter(w)
		defer bw.Flush()
		enc := json.NewEncoder(bw)
		if format == "atif" {
			_ = enc.Encode(atifOf(x, msgs))
			return
		}
		for _, m := range msgs {
			_ = enc.Encode(m)
		}
	})
}

// atifOf folds a transcript into a minimal ATIF-v1.7 trajectory.
func atifOf(x *apiclient.Session, msgs []apiclient.Message) map[string]any {
	steps := make([]map[string]any, 0, len(msgs))
	for i, m := range msgs {
		var text []string
		for _, p := range m.Content {
			if p.Text != "" {
				text = append(text, p.Text)
			}
		}
		src := map[apiclient.MessageRole]string{apiclient.RoleUser: "user", apiclient.RoleAgent: "agent"}[m.Role]
		if src == "" {
			src = "system"
		}
		steps = append(steps, map[string]any{"step_id": i + 1, "timestamp": m.CreatedAt, "source": src,
			"message": strings.Join(text, "\n")})
	}
	return map[string]any{"schema_version": "ATIF-v1.7", "session_id": x.ID,
		"agent": map[string]any{"name": x.AgentID}, "steps": steps}
}
