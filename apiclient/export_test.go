package apiclient

import (
	"net/http"
	"time"
)

// Hooks for the external tests (package apiclient_test).

// UseTransport sends c's requests through rt (e.g. an httptest TLS server's
// client transport), keeping the body cap.
func UseTransport(c *Client, rt http.RoundTripper) {
	c.rc.SetTransport(capTransport{base: rt, max: c.cfg.MaxBodyBytes})
}

// FastRetries shrinks c's retry waits to milliseconds.
func FastRetries(c *Client) *Client {
	c.backoffBase, c.backoffCap = time.Millisecond, 4*time.Millisecond
	return c
}
