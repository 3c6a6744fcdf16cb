package apiclient

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// reservedTagPrefixes are refused by the server in a PATCH (HTTP 400), as is
// the single tag reservedTagName. The platform sets such tags itself.
var reservedTagPrefixes = [...]string{
	"__internal:", "app:", "app_channel:", "slack:app:", "slack:endpoint:",
	"fcp:endpoint:", "ag_ui:app:", "agent:", "endpoint:",
}

const reservedTagName = "platform-chat-starter"

// TagRefusal says why the server would refuse tag in a PATCH, or "" when it
// accepts it, so callers can refuse before sending anything. Case is
// ignored, as the issue tracker's report of the server has it: "APP:x" is
// refused like "app:x". Refusing one tag too many is harmless; letting one
// through only to have the whole PATCH refused is not.
func TagRefusal(tag string) string {
	low := strings.ToLower(tag)
	if low == reservedTagName {
		return `"` + reservedTagName + `" is reserved by the platform`
	}
	for _, p := range reservedTagPrefixes {
		if strings.HasPrefix(low, p) {
			return `"` + p + `" tags are reserved by the platform`
		}
	}
	return ""
}

// ApplyTagDelta takes remove out of current and appends add, keeping the
// order of current and adding nothing twice; a tag in both add and remove
// is removed. It reports which tags really changed, and never modifies
// current. Every tag edit goes through it as a delta on the server's
// current tags, so a tag someone else added meanwhile is kept.
func ApplyTagDelta(current, add, remove []string) (out, added, removed []string) {
	drop := make(map[string]bool, len(remove))
	for _, t := range remove {
		drop[t] = true
	}
	have := make(map[string]bool, len(current)+len(add))
	out = make([]string, 0, len(current)+len(add))
	for _, t := range current {
		switch {
		case drop[t]:
			if !have[t] {
				removed = append(removed, t)
				have[t] = true // report each removal once
			}
		case !have[t]:
			out = append(out, t)
			have[t] = true
		}
	}
	for _, t := range add {
		if !drop[t] && !have[t] {
			out = append(out, t)
			added = append(added, t)
			have[t] = true
		}
	}
	return out, added, removed
}

// SessionEditor reads and writes sessions. *Client is one; so is any API a
// program puts in front of it (and test fakes).
type SessionEditor interface {
	GetSession(ctx context.Context, id string) (*Session, error)
	UpdateSession(ctx context.Context, id string, req UpdateSessionRequest) (*Session, error)
}

// Edit is a change to one session as a delta: tags to add and remove (on
// top of whatever tags the session has when the change is saved) and,
// optionally, a new title.
type Edit struct {
	Title       *string
	Add, Remove []string
}

// EditResult says what SaveEdit did.
type EditResult struct {
	Session        *Session // as saved; as read when nothing needed saving
	Changed        bool     // a PATCH was sent and accepted
	Added, Removed []string // the tags that really changed
	TitleChanged   bool
	TitleBefore    *string // the title replaced when TitleChanged (nil: there was none)
	Attempts       int     // PATCHes sent
}

// SaveEdit saves e to session id: it reads the session, applies the delta
// to its current tags and title, and PATCHes only what really changes, so
// a tag someone else added meanwhile is kept. A PATCH is never re-sent as
// it was: when it fails in a way worth retrying (429, 502-504, a broken
// connection) and ed is a *Client with retries on, SaveEdit waits as the
// client's retry settings say (Retry-After first, OnRetry told), then reads
// the session again and re-applies the delta before the next PATCH. Other
// editors get one attempt. The answer must be the session asked for.
func SaveEdit(ctx context.Context, ed SessionEditor, id string, e Edit) (*EditResult, error) {
	c, _ := ed.(*Client)
	for attempt := 1; ; attempt++ {
		cur, err := ed.GetSession(ctx, id)
		if err != nil {
			return nil, err
		}
		res := &EditResult{Session: cur, Attempts: attempt - 1}
		var req UpdateSessionRequest
		if e.Title != nil && *e.Title != cur.TitleOrEmpty() {
			req = req.SetTitle(*e.Title)
			res.TitleChanged, res.TitleBefore = true, cur.Title
		}
		tags, added, removed := ApplyTagDelta(cur.Tags, e.Add, e.Remove)
		if len(added) > 0 || len(removed) > 0 {
			req = req.SetTags(tags)
			res.Added, res.Removed = added, removed
		}
		if req.Empty() {
			return res, nil
		}
		res.Attempts = attempt
		saved, err := ed.UpdateSession(ctx, id, req)
		if err == nil {
			res.Session, res.Changed = saved, true
			return res, nil
		}
		if c == nil || !c.waitToResave(ctx, id, attempt, err) {
			return nil, err
		}
	}
}

// waitToResave decides whether a failed PATCH is tried again (after a new
// read) and waits for it; false means give up with the error.
func (c *Client) waitToResave(ctx context.Context, id string, attempt int, err error) bool {
	if attempt > c.cfg.MaxRetries || errors.Is(err, ErrRedirected) || errors.Is(err, ErrWrongSession) {
		return false
	}
	var apiErr *APIError
	status := 0
	switch {
	case errors.As(err, &apiErr):
		if !apiErr.Temporary() {
			return false
		}
		status = apiErr.Status
	case !retryableTransport(err):
		return false
	}
	wait := backoff(c.backoffBase, c.backoffCap, attempt)
	if apiErr != nil && apiErr.RetryAfter > 0 {
		wait = time.Duration(apiErr.RetryAfter) * time.Second
	}
	if wait > c.maxRetryWait {
		return false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return false
	}
	if c.cfg.OnRetry != nil {
		path, _ := sessionPath(id, "")
		c.cfg.OnRetry(RetryEvent{Method: http.MethodPatch, Path: path, Attempt: attempt, Wait: wait, Status: status})
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
