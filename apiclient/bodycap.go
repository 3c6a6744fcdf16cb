package apiclient

import (
	"fmt"
	"io"
	"net/http"
)

// capTransport caps response bodies: reading past max fails with
// ErrResponseTooLarge. It stands in for resty's own body limit, which reads
// 512 bytes at a time and made reading a page cost more than decoding it.
type capTransport struct {
	base http.RoundTripper
	max  int64
}

func (t capTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	limit := t.max
	if v, ok := r.Context().Value(bodyCapKey{}).(int64); ok && v > 0 {
		limit = v // a streaming call (Export) sets its own cap
	}
	resp.Body = &cappedBody{rc: resp.Body, left: limit, max: limit}
	return resp, nil
}

// bodyCapKey is the context key of a per-request body cap (an int64).
type bodyCapKey struct{}

type cappedBody struct {
	rc        io.ReadCloser
	left, max int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// At the cap: one more byte means the body is too large.
		var one [1]byte
		if n, err := b.rc.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("%w (over %d bytes)", ErrResponseTooLarge, b.max)
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
