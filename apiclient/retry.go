package apiclient

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-resty/resty/v2"
)

// Retry timing. The backoff doubles from base up to cap; a server's
// Retry-After is honoured up to maxRetryWait, and beyond that we give up at
// once so the user sees "retry in Ns" instead of a frozen screen.
const (
	defaultMaxRetries   = 3
	defaultBackoffBase  = 250 * time.Millisecond
	defaultBackoffCap   = 8 * time.Second
	defaultMaxRetryWait = 60 * time.Second
)

// errRetryTooLong stops resty's retry loop; the caller then reports the last
// response as an ordinary APIError (with its RetryAfter).
var errRetryTooLong = errors.New("retry wait too long")

// retryableMethod: only reads are retried by the transport. A PATCH carries
// a tag list computed from a read made before the wait, so re-sending it
// would drop a tag added meanwhile: SaveEdit re-reads and re-applies the
// edit instead. DELETE and POST cancel are not retried.
func retryableMethod(m string) bool { return m == http.MethodGet }

func retryableStatus(s int) bool {
	switch s {
	case http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableTransport lists failures where the request likely never reached
// the handler or the connection broke: worth another try. DNS, TLS, bad
// URLs and oversized bodies would fail the same way again.
func retryableTransport(err error) bool {
	if errors.Is(err, ErrResponseTooLarge) || errors.Is(err, resty.ErrResponseBodyTooLarge) || errors.Is(err, context.Canceled) {
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true // per-attempt timeout; the context bounds the whole call
	}
	for _, target := range []error{io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET,
		syscall.ECONNREFUSED, syscall.ECONNABORTED, syscall.EPIPE} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// shouldRetry is the single resty retry condition. It must decide everything:
// adding any condition replaces resty's default "retry every transport error
// for every method". resp is nil only for errors before sending.
func shouldRetry(resp *resty.Response, err error) bool {
	if resp == nil || resp.Request == nil || !retryableMethod(resp.Request.Method) {
		return false
	}
	if err != nil {
		return retryableTransport(err)
	}
	return retryableStatus(resp.StatusCode())
}

// retryWait is resty's RetryAfter hook, called only right before a wait. It
// picks the wait itself (Retry-After, else backoff with jitter) so that
// OnRetry is told the real value; resty clamps it to [0, maxRetryWait].
func (c *Client) retryWait(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	attempt := resp.Request.Attempt
	wait := backoff(c.backoffBase, c.backoffCap, attempt)
	if d, ok := serverRetryAfter(resp); ok && d > 0 {
		wait = d
	}
	if wait > c.maxRetryWait {
		return 0, errRetryTooLong
	}
	if dl, ok := resp.Request.Context().Deadline(); ok && time.Until(dl) < wait {
		return 0, errRetryTooLong // the wait alone would blow the caller's budget
	}
	if c.cfg.OnRetry != nil {
		c.cfg.OnRetry(RetryEvent{
			Method:  resp.Request.Method,
			Path:    strings.TrimPrefix(resp.Request.URL, c.base),
			Attempt: attempt,
			Wait:    wait,
			Status:  resp.StatusCode(),
		})
	}
	return wait, nil
}

// backoff is exponential with "equal jitter": half fixed, half random, so
// concurrent ListAll workers do not retry in lockstep.
func backoff(base, limit time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// serverRetryAfter reads the Retry-After header, else retry_after_seconds
// from a problem+json body.
func serverRetryAfter(resp *resty.Response) (time.Duration, bool) {
	if resp.RawResponse == nil {
		return 0, false
	}
	if d, ok := parseRetryAfter(resp.Header().Get("Retry-After"), time.Now()); ok {
		return d, true
	}
	e := parseAPIError(resp.StatusCode(), http.Header{}, resp.Body(), time.Now(), nil)
	if e.RetryAfter > 0 {
		return time.Duration(e.RetryAfter) * time.Second, true
	}
	return 0, false
}

// parseRetryAfter accepts both RFC 9110 forms: delay-seconds and HTTP-date.
// A date in the past means "now" (0).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		secs = min(secs, 1<<20) // avoid Duration overflow on silly values
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
