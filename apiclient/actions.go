package apiclient

import (
	"context"
	"net/http"
)

// Pin pins the session for the calling user (204). Pins are per user; a
// token with no user behind it gets 401.
func (c *Client) Pin(ctx context.Context, id string) error {
	return c.noContent(ctx, http.MethodPut, id, "/pin")
}

// Unpin removes the calling user's pin (204).
func (c *Client) Unpin(ctx context.Context, id string) error {
	return c.noContent(ctx, http.MethodDelete, id, "/pin")
}

// Archive hides the session from default lists (204).
func (c *Client) Archive(ctx context.Context, id string) error {
	return c.noContent(ctx, http.MethodPut, id, "/archive")
}

// Unarchive brings an archived session back (204).
func (c *Client) Unarchive(ctx context.Context, id string) error {
	return c.noContent(ctx, http.MethodDelete, id, "/archive")
}

// Delete hard-deletes the session (204). Never retried.
func (c *Client) Delete(ctx context.Context, id string) error { return c.DeleteSession(ctx, id) }

// Cancel cancels the running turn. The result says whether there was one:
// Status is CancelCancelled or CancelNoOp (the server answers no_op unless
// the session is active); an empty 2xx body leaves Status "". Never retried.
func (c *Client) Cancel(ctx context.Context, id string) (CancelTurnResponse, error) {
	r, err := c.CancelTurn(ctx, id)
	if err != nil {
		return CancelTurnResponse{}, err
	}
	return *r, nil
}

func (c *Client) noContent(ctx context.Context, method, id, suffix string) error {
	path, err := sessionPath(id, suffix)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, method, path, nil, nil)
	return err
}
