package apitest

import (
	"net/http"
	"strings"
)

// IsPAT reports whether tok is a personal access token: evr_pat_ + 64 hex.
func IsPAT(tok string) bool {
	hex, ok := strings.CutPrefix(tok, "evr_pat_")
	if !ok || len(hex) != 64 {
		return false
	}
	for _, c := range []byte(hex) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// looksJWT: three non-empty base64url segments separated by dots.
func looksJWT(tok string) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for _, c := range []byte(p) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '=') {
				return false
			}
		}
	}
	return true
}

// authenticate applies the real server's header rules and returns the
// caller's credential and principal. ok is false for a 401.
func (s *Server) authenticate(r *http.Request) (ident string, principal int, ok bool) {
	h := r.Header.Get("Authorization")
	var tok string
	var form bool // the token has a shape this scheme accepts
	switch {
	case strings.HasPrefix(h, "Bearer "):
		tok = strings.TrimPrefix(h, "Bearer ")
		// A configured key that is not a PAT stands for a JWT.
		form = IsPAT(tok) || looksJWT(tok) || s.keyIndex(tok) >= 0
	case strings.HasPrefix(h, "ApiKey "):
		tok = strings.TrimPrefix(h, "ApiKey ")
		form = IsPAT(tok)
	default:
		tok = h
		form = strings.HasPrefix(tok, "evr_pat_")
	}
	if s.opts.APIKey == "" {
		return tok, 0, true // an open server: everyone is the first user
	}
	i := s.keyIndex(tok)
	if !form || i < 0 {
		return "", 0, false
	}
	return tok, i % len(principalNames), true
}

func (s *Server) keyIndex(tok string) int {
	if tok == "" || s.opts.APIKey == "" {
		return -1
	}
	if tok == s.opts.APIKey {
		return 0
	}
	for i, k := range s.opts.MoreKeys {
		if tok == k {
			return i + 1
		}
	}
	return -1
}
