package apiclient

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
)

// APIError is any non-2xx answer from the server.
type APIError struct {
	Status     int    // HTTP status
	Code       string // machine code when the body had one
	Message    string // human message, one line, never raw HTML, never the key
	RetryAfter int    // seconds, when the server said
}

func (e *APIError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message) }

// UserMessage is short text for a status bar, e.g. "not found (HTTP 404)" or
// "rate limited (HTTP 429), retry in 2s". The server's message is added only
// where it helps the user act (4xx other than 404/429).
func (e *APIError) UserMessage() string {
	s := e.Status
	switch {
	case s == http.StatusUnauthorized:
		return "unauthorized (HTTP 401): check " + EnvAPIKey
	case s == http.StatusNotFound:
		return "not found (HTTP 404)"
	case IsOrgRequired(e):
		return "no organisation chosen (HTTP 400): the key belongs to several; set " + EnvOrgID
	case s == http.StatusTooManyRequests:
		if e.RetryAfter > 0 {
			return fmt.Sprintf("rate limited (HTTP 429), retry in %ds", e.RetryAfter)
		}
		return "rate limited (HTTP 429)"
	case s >= 500:
		return fmt.Sprintf("server error (HTTP %d)", s)
	}
	label := strings.ToLower(http.StatusText(s))
	if label == "" {
		label = "error"
	}
	msg := e.Message
	if msg == "" || strings.EqualFold(msg, http.StatusText(s)) {
		return fmt.Sprintf("%s (HTTP %d)", label, s)
	}
	return fmt.Sprintf("%s (HTTP %d): %s", label, s, msg)
}

// Temporary reports whether trying again later may succeed (429 and 502-504).
func (e *APIError) Temporary() bool { return retryableStatus(e.Status) }

// ErrResponseTooLarge is returned (wrapped) when a response body exceeds the cap.
var ErrResponseTooLarge = errors.New("response too large")

// ErrInvalidJSON is returned (wrapped) when a 2xx body is not the expected JSON.
var ErrInvalidJSON = errors.New("invalid JSON from server")

// ErrInvalidConfig is returned (wrapped) for a missing or malformed base URL
// or session id, before anything is sent.
var ErrInvalidConfig = errors.New("invalid configuration")

// ErrRedirected is returned (wrapped) when the client refused to follow a
// redirect: any redirect of a write (the write would not reach its endpoint
// with its method), or a read sent to another origin or from https to http.
var ErrRedirected = errors.New("redirect refused")

// ErrWrongSession is returned (wrapped) when a 2xx answer is not the session
// asked for: an empty object, a session without an id, or another session.
var ErrWrongSession = errors.New("unexpected answer")

// ErrListTooLong is returned (wrapped) by ListAll when a server keeps sending
// new sessions past MaxListSessions.
var ErrListTooLong = errors.New("list too long")

// requestError is a request that got no usable HTTP answer. Its text is built
// once, with the API key scrubbed, because the wrapped error (a *url.Error)
// prints the URL and we do not control what users put there. desc is
// Describe's line, also built (and scrubbed) once.
type requestError struct {
	msg  string
	desc string
	err  error
}

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return e.err }

// Describe turns any error from this package into one short line for a
// status bar. It never returns raw HTML, control characters or the API key
// (errors built by Client are scrubbed).
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var reqErr *requestError
	if errors.As(err, &reqErr) && reqErr.desc != "" {
		return reqErr.desc
	}
	return describe(err, "")
}

// describe is Describe for an error not yet described; key (when known) is
// scrubbed from what it names.
func describe(err error, key string) string {
	var apiErr *APIError
	var dnsErr *net.DNSError
	var urlErr *url.Error
	var certErr *x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var netErr net.Error
	switch {
	case errors.As(err, &apiErr):
		return apiErr.UserMessage()
	case errors.Is(err, context.Canceled):
		return "request canceled"
	case errors.Is(err, ErrResponseTooLarge):
		return "response too large"
	case errors.Is(err, ErrInvalidJSON):
		return "invalid response from server (not the expected JSON)"
	case errors.Is(err, ErrInvalidConfig), errors.Is(err, ErrWrongSession), errors.Is(err, ErrListTooLong):
		return cutScrubbed(err.Error(), key)
	case errors.Is(err, ErrRedirected):
		var r *redirectError
		if errors.As(err, &r) {
			return r.Error() // built from our own words and a scrubbed host
		}
		return ErrRedirected.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "cannot connect: connection refused" + hostSuffix(err, key)
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + DisplayHost(dnsErr.Name, key)
	case errors.As(err, &certErr), errors.As(err, &hostErr):
		return "TLS certificate not trusted" + hostSuffix(err, key)
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "request timed out"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection closed by server"
	case errors.As(err, &urlErr) && urlErr.Op == "parse":
		return "invalid API URL"
	}
	return cutScrubbed(err.Error(), key)
}

// cutScrubbed is s as one short line without the key: scrubbed before the
// cut, and again after it for a piece of the key left at the cut.
func cutScrubbed(s, key string) string {
	return cutLine(s, maxMessageLen, func(s string) string { return scrubKey(s, key) })
}

// hostSuffix names the host of a failed request, which helps spot a wrong
// EVERRUNS_API_URL. Only the host: paths and queries stay out of the UI.
func hostSuffix(err error, key string) string {
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		return ""
	}
	u, perr := url.Parse(urlErr.URL)
	if perr != nil || u.Host == "" {
		return ""
	}
	return " (" + DisplayHost(u.Host, key) + ")"
}

// DisplayHost is host as it may be shown: without the key (key may be ""),
// and replaced by a neutral phrase when it does not look like a host name,
// because a key pasted by mistake into EVERRUNS_API_URL ends up there.
func DisplayHost(host, key string) string {
	if host == "" || scrubKey(host, key) != host || !plausibleHost(host) {
		return "the host in " + EnvAPIURL
	}
	return host
}

// plausibleHost accepts names, IPv4 and bracketed IPv6 addresses with an
// optional port, and refuses what looks like a token: characters a host name
// cannot hold (a key's underscores), labels over 63 characters, and long
// labels mixing many letters and digits.
func plausibleHost(host string) bool {
	if len(host) > 253 {
		return false
	}
	h := host
	if strings.HasPrefix(h, "[") { // [v6]:port
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		return net.ParseIP(h[1:end]) != nil && (end == len(h)-1 || isPort(h[end+1:]))
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		if !isPort(h[i:]) {
			return false
		}
		h = h[:i]
	}
	for _, label := range strings.Split(h, ".") {
		if len(label) == 0 || len(label) > 63 {
			return false
		}
		letters, digits := 0, 0
		for _, c := range []byte(label) {
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
				letters++
			case c >= '0' && c <= '9':
				digits++
			case c == '-':
			default:
				return false
			}
		}
		if len(label) >= 24 && letters >= 4 && digits >= 4 {
			return false
		}
	}
	return true
}

func isPort(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// redactedMark replaces the key, or a piece of it, in messages.
const redactedMark = "[redacted]"

// minKeyPiece is the shortest piece of a key that scrubKey removes at a cut.
const minKeyPiece = 8

// scrubKey removes key from s: every whole occurrence, and a piece of it of
// minKeyPiece or more characters where s was cut: a start of the key at the
// end of s (before a trailing ellipsis), an end of the key at its start.
// Keys under 4 characters are left alone: replacing them would mangle words.
func scrubKey(s, key string) string {
	if len(key) < 4 {
		return s
	}
	s = strings.ReplaceAll(s, key, redactedMark)
	if len(key) <= minKeyPiece {
		return s
	}
	body, tail := s, ""
	for _, e := range []string{"…", "..."} {
		if b, ok := strings.CutSuffix(body, e); ok {
			body, tail = b, e
			break
		}
	}
	for n := len(key) - 1; n >= minKeyPiece; n-- {
		if b, ok := strings.CutSuffix(body, key[:n]); ok {
			body = b + redactedMark
			break
		}
	}
	for n := len(key) - 1; n >= minKeyPiece; n-- {
		if b, ok := strings.CutPrefix(body, key[len(key)-n:]); ok {
			body = redactedMark + b
			break
		}
	}
	return body + tail
}
