package apiclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// ExportFormat is the format of GET /v1/sessions/{id}/export.
type ExportFormat string

// Export formats: one JSON message per line, or one ATIF trajectory document.
const (
	ExportJSONL ExportFormat = "jsonl"
	ExportATIF  ExportFormat = "atif"
)

// MaxExportBytes caps an export: above the server's own 50 MiB ATIF cap,
// so that a server streaming without end cannot fill the disk.
const MaxExportBytes int64 = 256 << 20

// exportCap is MaxExportBytes; tests lower it.
var exportCap = MaxExportBytes

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// Export streams the session's export to w as it arrives (nothing is held
// in memory) and returns the bytes written. format "" is jsonl. It is sent
// once, never retried: a retry could repeat what w already received. A body
// over MaxExportBytes fails with ErrResponseTooLarge after that many bytes.
func (c *Client) Export(ctx context.Context, id string, format ExportFormat, w io.Writer) (int64, error) {
	if c.cfgErr != nil {
		return 0, c.cfgErr
	}
	if format == "" {
		format = ExportJSONL
	}
	if format != ExportJSONL && format != ExportATIF {
		return 0, fmt.Errorf("%w: export format %q (want jsonl or atif)", ErrInvalidConfig, format)
	}
	path, err := sessionPath(id, "/export")
	if err != nil {
		return 0, err
	}
	ctx = context.WithValue(ctx, bodyCapKey{}, exportCap)
	u := c.base + path + "?" + url.Values{"format": {string(format)}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, c.requestError(err)
	}
	req.Header = c.rc.Header.Clone()
	req.Header.Set("Accept", "application/x-ndjson, application/json")
	resp, err := c.rc.GetClient().Do(req)
	if err != nil {
		return 0, c.requestError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return 0, parseAPIError(resp.StatusCode, resp.Header, body, time.Now(), c.scrub)
	}
	ew := &errWriter{w: w}
	n, err := io.Copy(ew, resp.Body)
	switch {
	case ew.err != nil:
		return n, ew.err // the destination failed, not the server
	case errors.Is(err, ErrResponseTooLarge):
		return n, err
	case err != nil:
		return n, c.requestError(err)
	}
	return n, nil
}

// errWriter remembers the destination's own error, to tell it from the body's.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}
