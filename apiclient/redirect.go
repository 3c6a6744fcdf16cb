package apiclient

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// maxRedirects bounds the redirects followed by one read.
const maxRedirects = 10

// redirectError is a redirect the client refused. Its text is ours, with at
// most a host shown through DisplayHost.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }
func (e *redirectError) Unwrap() error { return ErrRedirected }

// origin is a URL's scheme, host and port, the unit the key is bound to.
type origin struct{ scheme, host, port string }

func originOf(u *url.URL) origin {
	o := origin{scheme: strings.ToLower(u.Scheme), host: strings.ToLower(u.Hostname()), port: u.Port()}
	if o.port == "" {
		switch o.scheme {
		case "http":
			o.port = "80"
		case "https":
			o.port = "443"
		}
	}
	return o
}

// checkRedirect is the client's redirect policy. Go turns a PATCH answered
// 301/302/303 into a GET and re-sends headers to wherever it is sent, so:
//   - a write (any method but GET and HEAD) never follows a redirect: it
//     either reaches its endpoint with its method or fails, saying so;
//   - a read follows only within the configured base URL's origin, so the
//     key (Authorization, X-Org-Id) never goes to another host or port, and
//     never from https to plain http.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	first, prev := via[0], via[len(via)-1]
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	upgrade := strings.EqualFold(prev.URL.Scheme, "http") && strings.EqualFold(req.URL.Scheme, "https")
	downgrade := strings.EqualFold(prev.URL.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https")
	write := first.Method != http.MethodGet && first.Method != http.MethodHead
	switch {
	case upgrade && originOf(req.URL).host == c.origin.host:
		msg := "the server redirects http to https: set " + EnvAPIURL + " to the https URL"
		if write {
			msg += fmt.Sprintf(" (the %s was not sent again, nothing was changed)", first.Method)
		}
		return &redirectError{msg}
	case write:
		return &redirectError{fmt.Sprintf("the %s request was redirected (HTTP %d) and not sent again: nothing was changed; check %s",
			first.Method, status, EnvAPIURL)}
	case downgrade:
		return &redirectError{"refused a redirect from https to plain http (the key would travel unencrypted); check " + EnvAPIURL}
	case originOf(req.URL) != c.origin:
		return &redirectError{fmt.Sprintf("refused a redirect to another host or port (%s): the key is only sent to %s",
			DisplayHost(req.URL.Host, c.cfg.APIKey), EnvAPIURL)}
	case len(via) >= maxRedirects:
		return &redirectError{fmt.Sprintf("stopped after %d redirects", maxRedirects)}
	}
	return nil
}
