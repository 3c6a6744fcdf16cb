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

// requestError is a request that got no usable HTTP answer. Its text is built
// once, with the API key scrubbed, because the wrapped error (a *url.Error)
// prints the URL and we do not control what users put there.
type requestError struct {
	msg string
	err error
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
	case errors.Is(err, ErrInvalidConfig):
		return oneLine(err.Error(), maxMessageLen)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "cannot connect: connection refused" + hostSuffix(err)
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + oneLine(dnsErr.Name, 100)
	case errors.As(err, &certErr), errors.As(err, &hostErr):
		return "TLS certificate not trusted" + hostSuffix(err)
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "request timed out"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection closed by server"
	case errors.As(err, &urlErr) && urlErr.Op == "parse":
		return "invalid API URL"
	}
	return oneLine(err.Error(), maxMessageLen)
}

// hostSuffix names the host of a failed request, which helps spot a wrong
// EVERRUNS_API_URL. Only the host: paths and queries stay out of the UI.
func hostSuffix(err error) string {
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		return ""
	}
	u, perr := url.Parse(urlErr.URL)
	if perr != nil || u.Host == "" {
		return ""
	}
	return " (" + oneLine(u.Host, 100) + ")"
}
