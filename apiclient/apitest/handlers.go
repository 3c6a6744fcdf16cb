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
	sw := &statusWriter{ResponseWriter: w, log: &s.log, idx: idx}
	fault := ""
	defer func() { s.log.finish(idx, sw.status, fault) }()
	if fault = s.applyFaults(sw, r); fault != "" {
		return
	}
	if err != nil || len(body) > maxBody {
		writeError(sw, http.StatusBadRequest, "could not read request body")
		return
	}
	ident, principal, ok := s.authenticate(r)
	if !ok {
		writeError(sw, http.StatusUnauthorized, "Invalid or missing API key")
		return
	}
	c := &caller{ident: ident, principal: principal, apiBase: "http://" + r.Host + s.prefix, console: s.opts.ConsoleURL}
	if !s.userLevel(r) { // orgs.go: the X-Org-Id rules and the organisation's scope
		var st int
		var msg string
		if c.org, st, msg = s.selectOrg(r, ident); st != 0 {
			writeOrgRefusal(sw, st, msg)
			return
		}
		if s.sessionOutsideOrg(r, c) {
			writeError(sw, http.StatusNotFound, "Session not found")
			return
		}
	}
	// events.go: /events, /sse, and the events of PATCH and cancel.
	s.routeEvents(sw, r, body, func(w http.ResponseWriter, r *http.Request, body []byte) { s.route(w, r, body, c) })
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte, c *caller) {
	p, ok := strings.CutPrefix(r.URL.Path, s.prefix)
	if !ok {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	switch {
	case p == "/v1/agents" || strings.HasPrefix(p, "/v1/agents/"):
		s.routeAgents(w, r, strings.TrimPrefix(p, "/v1/agents"), c)
		return
	case p == "/v1/orgs":
		s.listOrgs(w, r, c)
		return
	case p == "/v1/resolve-org":
		s.resolveOrg(w, r, c)
		return
	case !strings.HasPrefix(p, "/v1/sessions"):
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	parts := strings.Split(strings.TrimPrefix(p, "/v1/sessions"), "/")
	// parts[0] is "" (from the leading slash) or the whole rest when it does not start with "/".
	switch {
	case len(parts) == 1 && parts[0] == "":
		switch r.Method {
		case http.MethodGet:
			s.list(w, r, c)
		case http.MethodPost:
			s.create(w, body, c)
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
	if sub == "" && (id == "facets" || id == "stats") {
		if r.Method != http.MethodGet {
			methodNotAllowed(w, "GET")
		} else if id == "facets" {
			s.facets(w, r, c)
		} else {
			s.stats(w, c)
		}
		return
	}
	switch {
	case sub == "" && r.Method == http.MethodGet:
		s.withSession(w, id, func(x *apiclient.Session) { s.writeSession(w, http.StatusOK, x, c) })
	case sub == "" && r.Method == http.MethodPatch:
		s.patch(w, id, body, c)
	case sub == "" && r.Method == http.MethodDelete:
		s.del(w, id, c)
	case sub == "":
		methodNotAllowed(w, "GET, PATCH, DELETE")
	case sub == "cancel" && r.Method == http.MethodPost:
		s.cancel(w, id)
	case sub == "messages" && r.Method == http.MethodGet:
		s.withSession(w, id, func(x *apiclient.Session) {
			writeJSON(w, http.StatusOK, apiclient.MessageList{Data: Transcript(*x)})
		})
	case sub == "export" && r.Method == http.MethodGet:
		s.export(w, r, id)
	case (sub == "pin" || sub == "archive") && (r.Method == http.MethodPut || r.Method == http.MethodDelete):
		s.mark(w, id, sub, r.Method == http.MethodPut, c)
	case sub == "cancel":
		methodNotAllowed(w, "POST")
	case sub == "messages" || sub == "export":
		methodNotAllowed(w, "GET")
	case sub == "pin" || sub == "archive":
		methodNotAllowed(w, "PUT, DELETE")
	default:
		writeError(w, http.StatusNotFound, "Not found")
	}
}

// writeSession renders one session for c.
func (s *Server) writeSession(w http.ResponseWriter, status int, x *apiclient.Session, c *caller) {
	s.mu.RLock()
	c.pins = s.pins[c.ident]
	ws := wireOf(x, c)
	s.mu.RUnlock()
	writeJSON(w, status, ws)
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

func (s *Server) create(w http.ResponseWriter, body []byte, c *caller) {
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
		ID: newID("session_", s.act.next()), OrganizationID: c.org, AgentID: req.AgentID,
		ModelID: req.ModelID, Status: apiclient.StatusStarted, Title: req.Title,
		Tags: append([]string{}, req.Tags...), Capabilities: req.Capabilities,
		CreatedAt: now, UpdatedAt: now, Source: apiclient.SourceAPI, Activity: apiclient.ActivityIdle,
	}
	setOwner(&x, c.principal)
	s.Put(x)
	s.writeSession(w, http.StatusCreated, &x, c)
}

func (s *Server) patch(w http.ResponseWriter, id string, body []byte, c *caller) {
	if !ValidSessionID(id) {
		writeError(w, http.StatusBadRequest, "Invalid session ID format")
		return
	}
	var raw map[string]json.RawMessage
	if err := strictObject(body, &raw); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON body: "+err.Error())
		return
	}
	var title, goal, locale *string
	var tags *[]string
	for _, f := range []struct {
		name string
		dst  **string
	}{{"title", &title}, {"goal", &goal}, {"locale", &locale}} {
		if v, ok := raw[f.name]; ok && !isNull(v) {
			if err := json.Unmarshal(v, f.dst); err != nil {
				writeError(w, http.StatusBadRequest, "Invalid "+f.name+": must be a string")
				return
			}
		}
	}
	if locale != nil && !validLocale(*locale) {
		writeError(w, http.StatusBadRequest, "Invalid locale: must be a BCP 47 tag such as en-US")
		return
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
	e, ok := s.lookupLocked(id)
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Session not found")
		return
	}
	if (title != nil || tags != nil) && e.s.HasTag(PlatformChatTag) {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "The title and tags of a platform chat session cannot be changed")
		return
	}
	if title != nil {
		e.s.Title = title
	}
	if goal != nil {
		e.s.Goal = goal
	}
	if locale != nil {
		e.s.Locale = locale
	}
	if tags != nil {
		e.s.Tags = append([]string{}, (*tags)...)
	}
	e.s.UpdatedAt = s.bumpLocked(e.s.UpdatedAt)
	out := cloneSession(e.s)
	s.mu.Unlock()
	s.writeSession(w, http.StatusOK, &out, c)
}

// validLocale is a loose BCP 47 check: letters and digits in 1-8 character
// subtags joined by '-', starting with a 2-3 letter language.
func validLocale(l string) bool {
	parts := strings.Split(l, "-")
	if len(parts[0]) < 2 || len(parts[0]) > 3 {
		return false
	}
	for i, p := range parts {
		if p == "" || len(p) > 8 {
			return false
		}
		for _, c := range []byte(p) {
			letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !letter && (i == 0 || c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}

// bumpLocked returns the clock's time, strictly after prev so an update is always visible.
func (s *Server) bumpLocked(prev time.Time) time.Time {
	t := s.now().UTC()
	if !t.After(prev) {
		t = prev.Add(time.Millisecond)
	}
	return t
}

func (s *Server) del(w http.ResponseWriter, id string, c *caller) {
	if !ValidSessionID(id) {
		writeError(w, http.StatusBadRequest, "Invalid session ID format")
		return
	}
	s.mu.Lock()
	e, ok := s.lookupLocked(id)
	switch {
	case !ok:
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Session not found")
		return
	case e.s.HasTag(PlatformChatTag):
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "A platform chat session cannot be deleted")
		return
	}
	s.removeLocked(e)
	for _, p := range s.pins {
		delete(p, id)
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// mark pins/unpins (per caller) or archives/unarchives a session: 204.
func (s *Server) mark(w http.ResponseWriter, id, what string, on bool, c *caller) {
	if !ValidSessionID(id) {
		writeError(w, http.StatusBadRequest, "Invalid session ID format")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.lookupLocked(id)
	if !ok {
		writeError(w, http.StatusNotFound, "Session not found")
		return
	}
	chat := e.s.HasTag(PlatformChatTag)
	switch {
	case what == "archive" && on && chat:
		writeError(w, http.StatusBadRequest, "A platform chat session cannot be archived")
		return
	case what == "pin" && !on && chat:
		writeError(w, http.StatusBadRequest, "A platform chat session cannot be unpinned")
		return
	case what == "archive":
		e.archived = on
	case on:
		if s.pins[c.ident] == nil {
			s.pins[c.ident] = map[string]bool{}
		}
		s.pins[c.ident][id] = true
	default:
		delete(s.pins[c.ident], id)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) cancel(w http.ResponseWriter, id string) {
	if !ValidSessionID(id) {
		writeError(w, http.StatusBadRequest, "Invalid session ID format")
		return
	}
	s.mu.Lock()
	e, ok := s.lookupLocked(id)
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Session not found")
		return
	}
	resp := apiclient.CancelTurnResponse{Status: apiclient.CancelNoOp, Message: "No active turn to cancel"}
	if e.s.Status.Is(apiclient.StatusActive) { // the server cancels only an active turn
		now := s.bumpLocked(e.s.UpdatedAt)
		e.s.Status = apiclient.StatusIdle
		e.s.Activity = apiclient.ActivityIdle
		e.s.UpdatedAt = now
		e.s.FinishedAt = &now
		resp = apiclient.CancelTurnResponse{Status: apiclient.CancelCancelled, Message: "Turn cancelled successfully"}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

func running(st apiclient.Status) bool { return st.Running() }

// ReservedTag reports whether the server refuses tag.
func ReservedTag(tag string) bool {
	// In any case: the client refuses APP:x as the server does app:x, and
	// the model must not accept what the client says the server refuses.
	tag = strings.ToLower(tag)
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

// problem is an RFC 9457 error body, as the server sends since June 2026.
type problem struct {
	Type   string `json:"type,omitempty"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code,omitempty"`
}

// writeError writes application/problem+json with msg as the detail.
func writeError(w http.ResponseWriter, status int, msg string) {
	title := http.StatusText(status)
	if title == "" {
		title = "Error"
	}
	code := strings.ToLower(strings.ReplaceAll(title, " ", "_"))
	writeProblem(w, problem{Title: title, Status: status, Detail: msg, Code: code})
}

// writeProblem writes p as application/problem+json with p.Status.
func writeProblem(w http.ResponseWriter, p problem) {
	b, _ := json.Marshal(p)
	writeRaw(w, p.Status, "application/problem+json", b)
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
