package apiclient

import (
	"errors"
	"net/url"
)

// Why ParseHTTPURL refused a URL. The errors never repeat the URL: a user
// may have pasted a key into it.
var (
	ErrNotHTTPURL     = errors.New("not an http(s) URL with a host")
	ErrURLCredentials = errors.New("the URL holds credentials")
)

// ParseHTTPURL parses raw as an absolute http or https URL with a host and
// no user:password part. It is the one check of a URL the program talks to
// or opens: the API base URL (Config.Validate, the CLI's --api-url) and a
// session's view_url (the TUI's open action).
func ParseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, ErrNotHTTPURL
	}
	if u.User != nil {
		return nil, ErrURLCredentials
	}
	return u, nil
}

// ResolvedTag is the tag that marks a session as dealt with: the TUI's r
// and the CLI's `sessions resolve` add it.
const ResolvedTag = "resolved"
