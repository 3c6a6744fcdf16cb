// Package contract is test support: it checks HTTP exchanges and events
// against the Everruns sessions OpenAPI 3.1 document with kin-openapi. The
// apiclient contract tests and the demo-server check (cmd/sessions) share it,
// so that both hold the server to the same reading of the document.
//
// The document needs three allowances, made here once: its examples do not
// all match their own patterns (example validation is off), it names the
// security schemes bearerAuth and cookieAuth without defining them (they are
// declared as the server has them), and its EventData is a oneOf whose
// branches overlap, so that no real event validates against it (Event is
// checked with data unconstrained, then data against the schema its type
// names; see Event).
package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// eventsOp is the operation whose answer lists stored events.
const eventsOp = "GET /v1/sessions/{session_id}/events"

// Checker validates exchanges against one loaded document. It is safe for
// concurrent use.
type Checker struct {
	doc    *openapi3.T // EventData's oneOf relaxed
	router routers.Router
	server string           // scheme://host requests are matched as if sent to
	errSch *openapi3.Schema // ErrorResponse
	event  *openapi3.Schema // Event, data unconstrained
	opts   *openapi3filter.Options

	mu     sync.Mutex
	events map[string][]string // problems by raw event: VisitJSON is slow
	types  map[string]int      // event types checked
}

// LoadDocument loads and validates a fresh copy of the document at path, as
// written (EventData keeps its oneOf), with the undefined security schemes
// declared.
func LoadDocument(path string) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if !doc.IsOpenAPI31OrLater() {
		return nil, fmt.Errorf("%s is OpenAPI %s, want 3.1", path, doc.OpenAPI)
	}
	// The cut document keeps GET /v1/orgs' security requirement but not the
	// schemes it names.
	if doc.Components.SecuritySchemes == nil {
		doc.Components.SecuritySchemes = openapi3.SecuritySchemes{}
	}
	doc.Components.SecuritySchemes["bearerAuth"] = &openapi3.SecuritySchemeRef{Value: openapi3.NewJWTSecurityScheme()}
	doc.Components.SecuritySchemes["cookieAuth"] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{Type: "apiKey", In: "cookie", Name: "session"}}
	if err := doc.Validate(loader.Context, openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("%s does not validate: %w", path, err)
	}
	return doc, nil
}

// Load returns a Checker for the document at path. Its first server must
// end in /api, the prefix every local server (apitest, demo-server) uses too.
func Load(path string) (*Checker, error) {
	doc, err := LoadDocument(path)
	if err != nil {
		return nil, err
	}
	if len(doc.Servers) == 0 || !strings.HasSuffix(doc.Servers[0].URL, "/api") {
		return nil, fmt.Errorf("%s: unexpected servers %v", path, doc.Servers)
	}
	for _, name := range []string{"ErrorResponse", "Event", "EventData"} {
		if doc.Components.Schemas[name] == nil {
			return nil, fmt.Errorf("%s has no %s", path, name)
		}
	}
	// Every $ref to EventData shares this value: Event's data is then
	// unconstrained, and Event checks it by type.
	doc.Components.Schemas["EventData"].Value.OneOf = nil
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	opts := &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true, AuthenticationFunc: bearerAuth}
	opts.WithCustomSchemaErrorFunc(func(e *openapi3.SchemaError) string {
		return fmt.Sprintf("%s at /%s", e.Reason, strings.Join(e.JSONPointer(), "/"))
	})
	return &Checker{
		doc: doc, router: router, server: strings.TrimSuffix(doc.Servers[0].URL, "/api"), opts: opts,
		errSch: doc.Components.Schemas["ErrorResponse"].Value, event: doc.Components.Schemas["Event"].Value,
		events: map[string][]string{}, types: map[string]int{},
	}, nil
}

// bearerAuth checks the security requirements the document states: a
// Bearer token for bearerAuth (clients of the API have no cookie).
func bearerAuth(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName != "bearerAuth" {
		return fmt.Errorf("no %s credential", in.SecuritySchemeName)
	}
	if tok, ok := strings.CutPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer "); !ok || tok == "" {
		return errors.New("no Bearer token")
	}
	return nil
}

// Operations lists the document's operations, sorted, as "METHOD /path".
func (c *Checker) Operations() []string {
	var out []string
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	sort.Strings(out)
	return out
}

// Exchange is a request that was checked, waiting for its answer.
type Exchange struct {
	What string // the request as sent: "GET /api/v1/sessions?limit=5"
	Op   string // the document's operation, "GET /v1/sessions"; "" when none matched
	in   *openapi3filter.RequestValidationInput
}

// Request checks a request as a local server received it (path prefix
// /api), body being what it carried. Each problem names the request.
func (c *Checker) Request(ctx context.Context, r *http.Request, body []byte) (*Exchange, []string) {
	x := &Exchange{What: r.Method + " " + r.URL.RequestURI()}
	// A copy addressed to the document's server.
	u, err := url.Parse(c.server + r.URL.RequestURI())
	if err != nil {
		return x, []string{fmt.Sprintf("%s: bad URL: %v", x.What, err)}
	}
	vreq := r.Clone(ctx)
	vreq.URL, vreq.Host, vreq.RequestURI = u, u.Host, ""
	vreq.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := c.router.FindRoute(vreq)
	if err != nil {
		return x, []string{fmt.Sprintf("%s: no route in spec: %v", x.What, err)}
	}
	x.Op = route.Method + " " + route.Path
	x.in = &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: c.opts}
	if err := openapi3filter.ValidateRequest(ctx, x.in); err != nil {
		return x, []string{fmt.Sprintf("%s: request: %v", x.What, err)}
	}
	return x, nil
}

// Response checks the answer to x: against the operation's responses; an
// error status also for an RFC 9457 problem+json ErrorResponse body; a list
// of events also event by event (see Event).
func (c *Checker) Response(ctx context.Context, x *Exchange, status int, h http.Header, body []byte) []string {
	var out []string
	fail := func(format string, args ...any) {
		out = append(out, x.What+": "+fmt.Sprintf(format, args...))
	}
	if x.in != nil {
		hdr := h
		if status >= 400 && hdr.Get("Content-Type") == "application/problem+json" {
			// The server sends errors as problem+json; the document still
			// says application/json for ErrorResponse.
			hdr = hdr.Clone()
			hdr.Set("Content-Type", "application/json")
		}
		err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
			RequestValidationInput: x.in, Status: status, Header: hdr,
			Body: io.NopCloser(bytes.NewReader(body)), Options: c.opts,
		})
		// The document lists few error statuses; the server's README adds
		// 400 for bad filters, 401/404 for auth and org on every path. An
		// undocumented error status is checked for its body shape below.
		if err != nil && !(status >= 400 && strings.Contains(err.Error(), "status is not supported")) {
			fail("response %d: %v", status, err)
		}
	}
	// The document describes most error statuses without a body; the server
	// sends problem+json, checked against ErrorResponse here.
	if status >= 400 {
		var doc any
		if ct := h.Get("Content-Type"); ct != "application/problem+json" {
			fail("error %d with Content-Type %q", status, ct)
		} else if err := json.Unmarshal(body, &doc); err != nil {
			fail("error %d body %.200q is not JSON", status, body)
		} else if err := c.errSch.VisitJSON(doc); err != nil {
			fail("error %d body is not an ErrorResponse: %v", status, err)
		}
	}
	if status == http.StatusOK && x.Op == eventsOp {
		var list struct{ Data []json.RawMessage }
		if err := json.Unmarshal(body, &list); err != nil {
			fail("events: %v", err)
		}
		for _, e := range list.Data {
			_, _, problems := c.Event(e)
			for _, p := range problems {
				fail("event: %s", p)
			}
		}
	}
	return out
}
