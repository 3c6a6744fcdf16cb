package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// maxBody bounds request bodies read by the server.
const maxBody = 8 << 20

// Handler serves the API: request log, then faults, then auth, then routes.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	idx := s.log.add(r, body, s.now())
	sw := &statusWriter{ResponseWriter: w}
	fault := ""
	defer func() { s.log.finish(idx, sw.status, fault) }()
	if fault = s.applyFaults(sw, r); fault != "" {
		return
	}
	if err != nil || len(body) > maxBody {
		writeError(sw, http.StatusBadRequest, "could not read request body")
		return
	}
	if !s.authorized(r) {
		writeError(sw, http.StatusUnauthorized, "Invalid or missing API key")
		return
	}
	s.routeEvents(sw, r, body, s.route) // events.go: /events, /sse, and events of PATCH and cancel
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opts.APIKey == "" {
		return true
	}
	h := r.Header.Get("Authorization")
	for _, p := range []string{"", "Bearer ", "ApiKey "} {
		if h == p+s.opts.APIKey {
			return true
		}
	}
	return false
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) {
	p, ok := strings.CutPrefix(r.URL.Path, s.prefix)
	if !ok || !strings.HasPrefix(p, "/v1/sessions") {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	parts := strings.Split(strings.TrimPrefix(p, "/v1/sessions"), "/")
	// parts[0] is "" (from the leading slash) or the whole rest when it does not start with "/".
	switch {
	case len(parts) == 1 && parts[0] == "":
		switch r.Method {
		case http.MethodGet:
			s.list(w, r)
		case http.MethodPost:
			s.create(w, body)
		default:
			methodNotAllowed(w, "GET, POST")
		}
		return
	case len(parts) < 2 || parts[0] != "" || len(parts) > 3:
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	id := parts[1]
	sub := ""
	if len(parts) == 3 {
		sub = parts[2]
	}
	switch {
	case sub == "" && r.Method == http.MethodGet:
		s.withSession(w, id, func(x *apiclient.Session) { writeJSON(w, http.StatusOK, wireOf(x)) })
	case sub == "" && r.Method == http.MethodPatch:
		s.patch(w, id, body)
	case sub == "" && r.Method == http.MethodDelete:
		s.del(w, id)
	case sub == "":
		methodNotAllowed(w, "GET, PATCH, DELETE")
	case sub == "cancel" && r.Method == http.MethodPost:
		s.cancel(w, id)
	case sub == "messages" && r.Method == http.MethodGet:
		s.withSession(w, id, func(x *apiclient.Session) {
			writeJSON(w, http.StatusOK, apiclient.MessageList{Data: Transcript(*x)})
		})
	case sub == "cancel":
		methodNotAllowed(w, "POST")
	case sub == "messages":
		methodNotAllowed(w, "GET")
	default:
		writeError(w, http.StatusNotFound, "Not found")
	}
}

// ValidSessionID reports whether id is "session_" followed by 32 lowercase hex digits.
func ValidSessionID(id string) bool { return validID(id, "session_") }

func validID(id, prefix string) bool {
	hex, ok := strings.CutPrefix(id, prefix)
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

// withSession runs fn with a copy of the session under the read lock, or writes 400/404.
func (s *Server) withSession(w http.ResponseWriter, id string, fn func(*apiclient.Session)) {
	if !ValidSessionID(id) {
		writeError(w, http.StatusBadRequest, "Invalid session ID format")
		return
	}
	x, ok := s.Get(id)
	if !ok {
		writeError(w, http.StatusNotFound, "Session not found")
		return
	}
	fn(&x)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	offset, err := intParam(q.Get("offset"), 0)
	if err != nil || offset < 0 {
		writeError(w, http.StatusBadRequest, "Invalid offset: must be a non-negative integer")
		return
	}
	limit, err := intParam(q.Get("limit"), 20)
	if err != nil || limit < 1 || limit > 100 {
		writeError(w, http.StatusBadRequest, "Invalid limit: must be between 1 and 100")
		return
	}
	agent := q.Get("agent_id")
	page := wirePage{Data: []wireSession{}, Offset: offset, Limit: limit}
	s.mu.RLock()
	if agent == "" {
		page.Total = len(s.order)
		for i := offset; i < len(s.order) && i < offset+limit; i++ {
			page.Data = append(page.Data, wireOf(&s.order[i].s))
		}
	} else {
		for _, e := range s.order {
			if e.s.AgentID != agent {
				continue
			}
			if page.Total >= offset && page.Total < offset+limit {
				page.Data = append(page.Data, wireOf(&e.s))
			}
			page.Total++
		}
	}
	// Encode while holding the read lock: wire values share the stored pointers.
	b, err := json.Marshal(page)
	s.mu.RUnlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeRaw(w, http.StatusOK, "application/json", b)
}

func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n > 1<<31-1 {
		return 0, fmt.Errorf("not an int32: %q", v)
	}
	return n, nil
}

func (s *Server) create(w http.ResponseWriter, body []byte) {
	var req struct {
		AgentID      string                       `json:"agent_id"`
		Title        *string                      `json:"title"`
		Tags         []string                     `json:"tags"`
		ModelID      *string                      `json:"model_id"`
		Capabilities []apiclient.CapabilityConfig `json:"capabilities"`
	}
	if err := strictObject(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON body: "+err.Error())
		return
	}
	if !validID(req.AgentID, "agent_") {
		writeError(w, http.StatusBadRequest, "Invalid agent ID")
		return
	}
	if t, bad := firstReserved(req.Tags); bad {
		writeError(w, http.StatusBadRequest, "Tag is reserved: "+t)
		return
	}
	now := s.now().UTC()
	x := apiclient.Session{
		ID: newID("session_", s.act.next()), OrganizationID: s.org, AgentID: req.AgentID,
		ModelID: req.ModelID, Status: apiclient.StatusStarted, Title: req.Title,
		Tags: append([]string{}, req.Tags...), Capabilities: req.Capabilities,
		CreatedAt: now, UpdatedAt: now,
	}
	s.Put(x)
	writeJSON(w, http.StatusCreated, wireOf(&x))
}

func (s *Server) patch(w http.ResponseWriter, id string, body []byte) {
	if !ValidSessionID(id) {
		writeError(w, http.StatusBadRequest, "Invalid session ID format")
		return
	}
	var raw map[string]json.RawMessage
	if err := strictObject(body, &raw); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON body: "+err.Error())
		return
	}
	var title *string
	var tags *[]string
	if v, ok := raw["title"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &title); err != nil {
			writeError(w, http.StatusBadRequest, "Invalid title: must be a string")
			return
		}
	}
	if v, ok := raw["tags"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &tags); err != nil {
			writeError(w, http.StatusBadRequest, "Invalid tags: must be an array of strings")
			return
		}
		if t, bad := firstReserved(*tags); bad {
			writeError(w, http.StatusBadRequest, "Tag is reserved: "+t)
			return
		}
	}
	s.mu.Lock()
	e, ok := s.byID[id]
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Session not found")
		return
	}
	if title != nil {
		e.s.Title = title
	}
	if tags != nil {
		e.s.Tags = append([]string{}, (*tags)...)
	}
	e.s.UpdatedAt = s.bumpLocked(e.s.UpdatedAt)
	out := cloneSession(e.s)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, wireOf(&out))
}

// bumpLocked returns the clock's time, strictly after prev so an update is always visible.
func (s *Server) bumpLocked(prev time.Time) time.Time {
	t := s.now().UTC()
	if !t.After(prev) {
		t = prev.Add(time.Millisecond)
	}
	return t
}

func (s *Server) del(w http.ResponseWriter, id string) {
	if !ValidSessionID(id) {
		writeError(w, http.StatusBadRequest, "Invalid session ID format")
		return
	}
	if !s.Delete(id) {
		writeError(w, http.StatusNotFound, "Session not found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) cancel(w http.ResponseWriter, id string) {
	if !ValidSessionID(id) {
		writeError(w, http.StatusBadRequest, "Invalid session ID format")
		return
	}
	s.mu.Lock()
	e, ok := s.byID[id]
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Session not found")
		return
	}
	resp := apiclient.CancelTurnResponse{Status: "no_op", Message: "No active turn to cancel"}
	if running(e.s.Status) {
		now := s.bumpLocked(e.s.UpdatedAt)
		e.s.Status = apiclient.StatusIdle
		e.s.UpdatedAt = now
		e.s.FinishedAt = &now
		resp = apiclient.CancelTurnResponse{Status: "cancelled", Message: "Turn cancelled successfully"}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

func running(st apiclient.Status) bool {
	return st == apiclient.StatusActive || st == apiclient.StatusWaitingForToolResults ||
		st == apiclient.StatusWaitingForToolResultsFlat
}

// ReservedTag reports whether the server refuses tag.
func ReservedTag(tag string) bool {
	if tag == "platform-chat-starter" {
		return true
	}
	for _, p := range []string{"__internal:", "app:", "app_channel:", "slack:app:", "slack:endpoint:",
		"fcp:endpoint:", "ag_ui:app:", "agent:", "endpoint:"} {
		if strings.HasPrefix(tag, p) {
			return true
		}
	}
	return false
}

func firstReserved(tags []string) (string, bool) {
	for _, t := range tags {
		if ReservedTag(t) {
			return t, true
		}
	}
	return "", false
}

// strictObject decodes a JSON object, rejecting trailing data and non-objects.
func strictObject(body []byte, v any) error {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return fmt.Errorf("expected a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after JSON object")
	}
	return nil
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "Method not allowed")
}

// writeError writes the seed-era error shape {"error": "..."}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding failed"}`)
	}
	writeRaw(w, status, "application/json", b)
}

func writeRaw(w http.ResponseWriter, status int, contentType string, b []byte) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
