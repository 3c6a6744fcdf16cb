package apiclient

import "fmt"

// APIError is any non-2xx answer from the server.
type APIError struct {
	Status     int    // HTTP status
	Code       string // machine code when the body had one
	Message    string // human message, never raw HTML, never the key
	RetryAfter int    // seconds, when the server said
}

func (e *APIError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message) }
