package apiclient_test

// Negative controls per endpoint: each case takes the demo
// server's real answer to a valid request, breaks it in one way, and checks
// that the contract validator names that defect. The same exchange
// unbroken must validate cleanly, so the failure comes from the defect
// and nothing else. Together with TestContractNegativeControls and
// TestContractEventsNegativeControls, every operation of the document has
// at least one control.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient/apitest"
)

// breakAnswer changes one answer of the server: its status, headers or body.
type breakAnswer func(status int, hdr http.Header, body []byte) (int, []byte)

// withoutKey drops a top-level member of a JSON object body.
func withoutKey(t *testing.T, key string) breakAnswer {
	return func(status int, hdr http.Header, body []byte) (int, []byte) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("answer is not an object: %.200s", body)
			return status, body
		}
		if _, ok := m[key]; !ok {
			t.Errorf("answer has no %q to remove: %.200s", key, body)
		}
		delete(m, key)
		b, _ := json.Marshal(m)
		return status, b
	}
}

// withKey sets a top-level member of a JSON object body.
func withKey(t *testing.T, key, value string) breakAnswer {
	return func(status int, hdr http.Header, body []byte) (int, []byte) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("answer is not an object: %.200s", body)
			return status, body
		}
		m[key] = json.RawMessage(value)
		b, _ := json.Marshal(m)
		return status, b
	}
}

// asOK answers 200 with a JSON body where the document says 204.
func asOK(status int, hdr http.Header, body []byte) (int, []byte) {
	if status != http.StatusNoContent {
		return status, body // the control below then fails: the server did not answer 204
	}
	hdr.Set("Content-Type", "application/json")
	return http.StatusOK, []byte(`{}`)
}

// breaker serves apitest through fn (when set) behind the validator.
type breaker struct {
	srv *apitest.Server
	fn  breakAnswer
}

func (b *breaker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	b.srv.Handler().ServeHTTP(rec, r)
	status, body := rec.Code, rec.Body.Bytes()
	hdr := rec.Header().Clone()
	if b.fn != nil {
		status, body = b.fn(status, hdr, body)
	}
	hdr.Del("Content-Length")
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func TestNegativeControlPerEndpoint(t *testing.T) {
	srv := apitest.New(apitest.Options{Sessions: 30, Seed: 5, APIKey: contractKey, Now: func() time.Time { return contractNow }})
	v := newValidator(t)
	b := &breaker{srv: srv}
	ts := httptest.NewServer(v.Wrap(b))
	t.Cleanup(ts.Close)
	base := ts.URL + "/api"
	agent := srv.Agents()[0].ID
	idx := 0
	session := func() string { idx++; return srv.All()[idx].ID } // a fresh one per case: some cases delete

	cases := []struct {
		op     string // the operation, as the validator names it
		method string
		path   func() string
		body   string
		brk    breakAnswer
		want   string
	}{
		{"GET /v1/agents", "GET", func() string { return "/v1/agents" },
			"", withKey(t, "total", `"many"`), "got string, want integer at /total"},
		{"GET /v1/agents/{agent_id}", "GET", func() string { return "/v1/agents/" + agent },
			"", withoutKey(t, "name"), "missing property 'name'"},
		{"GET /v1/orgs", "GET", func() string { return "/v1/orgs" },
			"", withKey(t, "data", `{}`), "want array at /data"},
		{"GET /v1/resolve-org", "GET", func() string { return "/v1/resolve-org?id=" + agent },
			"", withoutKey(t, "org_name"), "missing property 'org_name'"},
		{"GET /v1/sessions", "GET", func() string { return "/v1/sessions?limit=5" },
			"", withoutKey(t, "offset"), "missing property 'offset'"},
		{"GET /v1/sessions/facets", "GET", func() string { return "/v1/sessions/facets" },
			"", withKey(t, "by_activity", `[{"value":"running"}]`), `property "count" is missing`},
		{"GET /v1/sessions/stats", "GET", func() string { return "/v1/sessions/stats" },
			"", withKey(t, "total", `1.5`), "want integer"},
		{"GET /v1/sessions/{session_id}", "GET", func() string { return "/v1/sessions/" + session() },
			"", withKey(t, "source", `"carrier-pigeon"`), "value must be one of 'chat'"},
		{"PATCH /v1/sessions/{session_id}", "PATCH", func() string { return "/v1/sessions/" + session() },
			`{"title":"T"}`, withoutKey(t, "workspace_id"), "missing property 'workspace_id'"},
		{"DELETE /v1/sessions/{session_id}", "DELETE", func() string { return "/v1/sessions/" + session() },
			"", asOK, "status is not supported"},
		{"PUT /v1/sessions/{session_id}/pin", "PUT", func() string { return "/v1/sessions/" + session() + "/pin" },
			"", asOK, "status is not supported"},
		{"DELETE /v1/sessions/{session_id}/pin", "DELETE", func() string { return "/v1/sessions/" + session() + "/pin" },
			"", asOK, "status is not supported"},
		{"PUT /v1/sessions/{session_id}/archive", "PUT", func() string { return "/v1/sessions/" + session() + "/archive" },
			"", asOK, "status is not supported"},
		{"DELETE /v1/sessions/{session_id}/archive", "DELETE", func() string { return "/v1/sessions/" + session() + "/archive" },
			"", asOK, "status is not supported"},
		{"POST /v1/sessions/{session_id}/cancel", "POST", func() string { return "/v1/sessions/" + session() + "/cancel" },
			"", withoutKey(t, "message"), `property "message" is missing`},
		{"GET /v1/sessions/{session_id}/messages", "GET", func() string { return "/v1/sessions/" + session() + "/messages" },
			"", withKey(t, "data", `[{"id":"message_1"}]`), "missing properties 'session_id', 'sequence', 'role'"},
		{"GET /v1/sessions/{session_id}/events", "GET", func() string { return "/v1/sessions/" + session() + "/events" },
			"", withKey(t, "data", `[{"id":"event_1"}]`), "missing properties 'type', 'ts', 'session_id'"},
		{"GET /v1/sessions/{session_id}/export", "GET", func() string { return "/v1/sessions/" + session() + "/export" },
			"", func(status int, hdr http.Header, body []byte) (int, []byte) {
				hdr.Set("Content-Type", "text/html")
				return status, body
			}, "Content-Type has unexpected value"},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			// The valid exchange first: it must pass untouched.
			b.fn = nil
			if st, body := rawDo(t, c.method, base+c.path(), c.body, "Authorization", "Bearer "+contractKey); st >= 300 {
				t.Fatalf("clean %s: HTTP %d %.200s", c.op, st, body)
			}
			if f := v.Failures(); len(f) != 0 {
				t.Fatalf("the clean exchange fails: %q", f)
			}
			b.fn = c.brk
			rawDo(t, c.method, base+c.path(), c.body, "Authorization", "Bearer "+contractKey)
			b.fn = nil
			if f := strings.Join(v.Failures(), "\n"); !strings.Contains(f, c.want) {
				t.Fatalf("validator missed the broken %s (want %q); failures: %q", c.op, c.want, f)
			}
		})
		covered[c.op] = true
	}
	// The stream's request: a malformed since_id (the event payloads have
	// their own controls in TestContractEventsNegativeControls).
	id := session()
	rawDo(t, "GET", base+"/v1/sessions/"+id+"/sse?since_id=event_XYZ", "", "Authorization", "Bearer "+contractKey)
	if f := strings.Join(v.Failures(), "\n"); !strings.Contains(f, `parameter "since_id" in query has an error`) {
		t.Errorf("validator missed a malformed since_id on /sse: %q", f)
	}
	covered["GET /v1/sessions/{session_id}/sse"] = true
	for _, op := range specOperations(t) {
		if !covered[op] {
			t.Errorf("%s has no negative control here", op)
		}
	}
}
