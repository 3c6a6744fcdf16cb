package apiclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
)

// noControl fails when s is not a single clean line.
func noControl(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if unicode.IsControl(r) {
			t.Errorf("%s has control character %q: %q", what, r, s)
			return
		}
	}
}

func TestErrorBodyShapes(t *testing.T) {
	long := strings.Repeat("word ", 300)
	cases := []struct {
		name        string
		status      int
		ctype, body string
		header      map[string]string
		want        APIError
		user        string
	}{
		{"error string", 404, "application/json", `{"error":"Session not found"}`, nil,
			APIError{Status: 404, Message: "Session not found"}, "not found (HTTP 404)"},
		{"nested error", 400, "application/json", `{"error":{"code":"invalid_tag","message":"tag app:x is reserved"}}`, nil,
			APIError{Status: 400, Code: "invalid_tag", Message: "tag app:x is reserved"}, "bad request (HTTP 400): tag app:x is reserved"},
		{"nested numeric code", 409, "application/json", `{"error":{"code":42,"message":"busy"}}`, nil,
			APIError{Status: 409, Code: "42", Message: "busy"}, "conflict (HTTP 409): busy"},
		{"problem+json", 429, "application/problem+json",
			`{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"slow down","code":"rate_limited","retry_after_seconds":2}`, nil,
			APIError{Status: 429, Code: "rate_limited", Message: "slow down", RetryAfter: 2}, "rate limited (HTTP 429), retry in 2s"},
		{"problem title only", 403, "application/problem+json", `{"title":"Forbidden for org","status":403}`, nil,
			APIError{Status: 403, Message: "Forbidden for org"}, "forbidden (HTTP 403): Forbidden for org"},
		{"html from proxy", 502, "text/html", "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>", nil,
			APIError{Status: 502, Message: "HTTP 502 Bad Gateway"}, "server error (HTTP 502)"},
		{"html without type", 504, "", "<!DOCTYPE html><p>upstream timed out</p>", nil,
			APIError{Status: 504, Message: "HTTP 504 Gateway Timeout"}, "server error (HTTP 504)"},
		{"empty 500", 500, "", "", nil,
			APIError{Status: 500, Message: "Internal Server Error"}, "server error (HTTP 500)"},
		{"empty 400", 400, "application/json", "", nil,
			APIError{Status: 400, Message: "Bad Request"}, "bad request (HTTP 400)"},
		{"plain text", 400, "text/plain", "bad\x1b[31m input\there\nsecond line", nil,
			APIError{Status: 400, Message: "bad [31m input here"}, "bad request (HTTP 400): bad [31m input here"},
		{"json that is no object", 422, "application/json", `["x"]`, nil,
			APIError{Status: 422, Message: `["x"]`}, `unprocessable entity (HTTP 422): ["x"]`},
		{"retry-after header", 503, "", "", map[string]string{"Retry-After": "7"},
			APIError{Status: 503, Message: "Service Unavailable", RetryAfter: 7}, "server error (HTTP 503)"},
		{"401 with message", 401, "application/json", `{"error":"Invalid API key"}`, nil,
			APIError{Status: 401, Message: "Invalid API key; check EVERRUNS_API_KEY"}, "unauthorized (HTTP 401): check EVERRUNS_API_KEY"},
		{"401 empty", 401, "", "", nil,
			APIError{Status: 401, Message: "Unauthorized; check EVERRUNS_API_KEY"}, "unauthorized (HTTP 401): check EVERRUNS_API_KEY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				}
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}, Config{MaxRetries: -1})
			_, err := c.GetSession(context.Background(), "sess_001")
			var got *APIError
			if !errors.As(err, &got) {
				t.Fatalf("err = %T %v, want *APIError", err, err)
			}
			if *got != tc.want {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
			if got.UserMessage() != tc.user || Describe(err) != tc.user {
				t.Errorf("UserMessage = %q, Describe = %q, want %q", got.UserMessage(), Describe(err), tc.user)
			}
			noControl(t, "Message", got.Message)
			if strings.Contains(got.Message, "<") && strings.Contains(tc.ctype, "html") {
				t.Errorf("HTML leaked: %q", got.Message)
			}
		})
	}

	// A long plain-text body is capped.
	e := parseAPIError(500, http.Header{}, []byte(long), time.Now(), nil)
	if n := len([]rune(e.Message)); n > maxMessageLen+1 || !strings.HasSuffix(e.Message, "…") {
		t.Errorf("long message: %d runes %q", n, e.Message)
	}
}

func TestUserMessage(t *testing.T) {
	cases := map[string]*APIError{
		"server error (HTTP 500)":                         {Status: 500, Message: "db down"},
		"not found (HTTP 404)":                            {Status: 404, Message: "x"},
		"rate limited (HTTP 429), retry in 2s":            {Status: 429, RetryAfter: 2},
		"rate limited (HTTP 429)":                         {Status: 429},
		"unauthorized (HTTP 401): check EVERRUNS_API_KEY": {Status: 401},
		"bad request (HTTP 400): title too long":          {Status: 400, Message: "title too long"},
		"error (HTTP 499): odd":                           {Status: 499, Message: "odd"},
	}
	for want, e := range cases {
		if got := e.UserMessage(); got != want {
			t.Errorf("UserMessage(%+v) = %q, want %q", *e, got, want)
		}
	}
	if got := (&APIError{Status: 404, Message: "gone"}).Error(); got != "HTTP 404: gone" {
		t.Errorf("Error() = %q", got)
	}
}

// closedAddr returns an address nobody listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// hangUp closes the connection without an answer: the client sees EOF.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestScrubKey(t *testing.T) {
	const key = "evr_pat_0123456789abcdef"
	for in, want := range map[string]string{
		"token " + key + " refused":        "token [redacted] refused",
		"cut here: " + key[:12] + "…":      "cut here: [redacted]…",
		"cut here: " + key[:12] + "...":    "cut here: [redacted]...",
		"cut here: " + key[:12]:            "cut here: [redacted]",
		key[6:] + " was the rest":          "[redacted] was the rest",
		"short piece " + key[:7] + "…":     "short piece " + key[:7] + "…", // under minKeyPiece: too common to cut
		"two " + key + " and " + key + ".": "two [redacted] and [redacted].",
	} {
		if got := scrubKey(in, key); got != want {
			t.Errorf("scrubKey(%q) = %q, want %q", in, got, want)
		}
	}
	if got := scrubKey("abc", "abc"); got != "abc" {
		t.Errorf("a 3-character key was scrubbed: %q", got)
	}
}

// A key pasted into the URL's host reaches DNS errors and the plain-http
// warning: it is not printed there.
func TestKeyInHostNotPrinted(t *testing.T) {
	const key = "evr_pat_0123456789abcdef0123456789abcdef"
	c := New(Config{APIKey: key, BaseURL: "https://" + key + ".example.com/api"})
	host := key + ".example.com"
	err := c.requestError(&url.Error{Op: "Get", URL: "https://" + host + "/api/v1/sessions",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}})
	for _, s := range []string{err.Error(), Describe(err)} {
		if strings.Contains(s, key[:minKeyPiece]) {
			t.Fatalf("key in %q", s)
		}
	}
	if got := Describe(err); got != "cannot resolve host the host in EVERRUNS_API_URL" {
		t.Fatalf("Describe = %q", got)
	}
	// Another key (not the configured one) is caught by its shape.
	for host, want := range map[string]string{
		"app.everruns.com":                      "app.everruns.com",
		"127.0.0.1:8080":                        "127.0.0.1:8080",
		"[::1]:443":                             "[::1]:443",
		"ip-10-0-0-1.internal":                  "ip-10-0-0-1.internal",
		"evr_pat_deadbeef.example.com":          "the host in EVERRUNS_API_URL",
		"sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0.x": "the host in EVERRUNS_API_URL",
		"a b":                                   "the host in EVERRUNS_API_URL",
	} {
		if got := DisplayHost(host, ""); got != want {
			t.Errorf("DisplayHost(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestDescribe(t *testing.T) {
	refused := New(Config{BaseURL: "http://" + closedAddr(t) + "/api", MaxRetries: -1})
	_, errRefused := refused.GetSession(context.Background(), "sess_001")
	eof, _ := newTestServer(t, hangUp, Config{MaxRetries: -1})
	_, errEOF := eof.GetSession(context.Background(), "sess_001")

	cases := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&APIError{Status: 404}, "not found (HTTP 404)"},
		{fmt.Errorf("loading: %w", &APIError{Status: 503}), "server error (HTTP 503)"},
		{context.Canceled, "request canceled"},
		{context.DeadlineExceeded, "request timed out"},
		{fmt.Errorf("%w (over 9 bytes)", ErrResponseTooLarge), "response too large"},
		{fmt.Errorf("%w: unexpected EOF", ErrInvalidJSON), "invalid response from server (not the expected JSON)"},
		{errRefused, "cannot connect: connection refused (" + strings.TrimSuffix(strings.TrimPrefix(refused.BaseURL(), "http://"), "/api") + ")"},
		{errEOF, "connection closed by server"},
		{&net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}, "cannot resolve host nope.invalid"},
		{Config{BaseURL: "nope"}.Validate(), "invalid configuration: EVERRUNS_API_URL must look like https://host/api"},
		{errors.New("weird\nmulti-line\x07 thing"), "weird multi-line thing"},
	}
	for _, tc := range cases {
		if got := Describe(tc.err); got != tc.want {
			t.Errorf("Describe(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestKeyNeverInErrors provokes every kind of error with a distinctive key,
// including a server that echoes the key and a base URL that carries it.
func TestKeyNeverInErrors(t *testing.T) {
	const key = "evr_SECRET_a1b2c3d4e5f6"
	echo := func(status int, ctype string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(status)
			k := r.Header.Get("Authorization")
			fmt.Fprintf(w, `{"error":{"code":%q,"message":"bad key %s"}}`, k, k)
		}
	}
	var errs []error
	call := func(c *Client) {
		_, err := c.GetSession(context.Background(), "sess_001")
		if err == nil {
			t.Fatalf("no error from %s", c.BaseURL())
		}
		errs = append(errs, err)
	}
	for _, status := range []int{400, 401, 403, 404, 429, 500, 502} {
		c, _ := newTestServer(t, echo(status, "application/json"), Config{APIKey: key, MaxRetries: -1})
		call(c)
	}
	handlers := []http.HandlerFunc{
		hangUp,
		func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "not json %s", r.Header.Get("Authorization"))
		},
		func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, strings.Repeat(key, 100)) },
		func(w http.ResponseWriter, r *http.Request) { time.Sleep(200 * time.Millisecond) },
	}
	for _, h := range handlers {
		c, _ := newTestServer(t, h, Config{APIKey: key, MaxRetries: -1, MaxBodyBytes: 512, Timeout: 50 * time.Millisecond})
		call(c)
	}
	addr := closedAddr(t)
	for _, base := range []string{
		"http://" + addr + "/api",        // connection refused
		"http://" + key + "@" + addr,     // key in the userinfo, shown by url.Error
		"http://" + addr + "/" + key,     // key in the path
		key,                              // key pasted as the URL
		"http://[::1" + key + "]:80/api", // unparsable URL
	} {
		call(New(Config{APIKey: key, BaseURL: base, MaxRetries: -1}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(Config{APIKey: key, BaseURL: "http://" + addr}).ListAll(ctx, ListOptions{}, 2, nil)
	errs = append(errs, err)

	for _, err := range errs {
		texts := []string{err.Error(), Describe(err)}
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			texts = append(texts, apiErr.Code, apiErr.Message)
		}
		for _, s := range texts {
			if strings.Contains(s, key) {
				t.Errorf("key leaked: %q", s)
			}
			noControl(t, "error text", s)
		}
	}
}
