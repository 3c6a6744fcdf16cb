package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// platformChatTag marks the console's own chat threads: the server refuses
// to change their title or tags, archive, unpin or delete them (400). The
// TUI refuses first, with a reason, rather than sending a request that fails.
const platformChatTag = "platform-chat-starter"

// Every platform-chat refusal says the same thing.
const platformChatWhy = "a platform chat session (tagged " + platformChatTag + ") cannot be "

// allowRel checks the session's allowed_actions for rel. A session without
// the list is allowed everything (older servers do not send it); with it, a
// missing rel is refused with what the server does offer.
func allowRel(r *row, rel string) (bool, string) {
	if r.S.AllowedActions.IsZero() {
		return true, ""
	}
	acts := r.S.Actions()
	rels := make([]string, 0, len(acts))
	for _, a := range acts {
		if a.Rel == rel {
			return true, ""
		}
		rels = append(rels, safetext.Line(a.Rel, 40))
	}
	why := "the server does not allow it now (it offers: " + strings.Join(rels, ", ") + ")"
	if rel == "cancel" {
		why = "nothing is running (the server offers no cancel)"
	}
	return false, why
}

// allowUpdate is the check of actions that change title or tags.
func allowUpdate(r *row) (bool, string) {
	if r.S.HasTag(platformChatTag) {
		return false, platformChatWhy + "retitled or retagged"
	}
	return allowRel(r, "update")
}

// sessionActions are the actions of issue 11: pin, archive, cancel, delete,
// open and copy.
func sessionActions() []Action {
	return []Action{
		{
			Name:     "pin",
			Key:      func(k *KeyMap) *key.Binding { return &k.Pin },
			Modes:    inList | inDetail,
			HelpOnly: true,
			Allowed: func(r *row) (bool, string) {
				if !r.S.Pinned() {
					return allowRel(r, "pin")
				}
				if r.S.HasTag(platformChatTag) {
					return false, platformChatWhy + "unpinned"
				}
				return allowRel(r, "unpin")
			},
			// Toggles by the row's is_pinned; the revert is the state before.
			Do: func(ctx context.Context, env actionEnv, r *row, _ bool) (actionResult, error) {
				was := r.S.Pinned()
				res, err := setPinned(ctx, env, r.S.ID, !was)
				res.revert = was
				return res, err
			},
			Undo: func(ctx context.Context, env actionEnv, id string, revert any) (actionResult, error) {
				was, _ := revert.(bool)
				res, err := setPinned(ctx, env, id, was)
				res.label = "Undone: " + strings.ToLower(res.label)
				return res, err
			},
			Done:   "Pinned",
			Failed: "pin failed",
		},
		{
			Name:     "archive",
			Key:      func(k *KeyMap) *key.Binding { return &k.Archive },
			Modes:    inList | inDetail | inMarked,
			HelpOnly: true,
			// No rel: archive is always offered, but for a platform chat.
			Allowed: func(r *row) (bool, string) {
				if r.S.HasTag(platformChatTag) {
					return false, platformChatWhy + "archived"
				}
				return true, ""
			},
			Do: func(ctx context.Context, env actionEnv, r *row, _ bool) (actionResult, error) {
				if err := env.API.Archive(ctx, r.S.ID); err != nil {
					return actionResult{}, err
				}
				return actionResult{removed: true, revert: true, label: "Archived — u brings it back"}, nil
			},
			Undo: func(ctx context.Context, env actionEnv, id string, _ any) (actionResult, error) {
				if err := env.API.Unarchive(ctx, id); err != nil {
					return actionResult{}, err
				}
				// Back in the list as the server has it now.
				s, err := env.API.GetSession(ctx, id)
				if err != nil {
					return actionResult{label: "Undone: unarchived (reload to see it)"}, nil
				}
				return actionResult{session: s, label: "Undone: unarchived"}, nil
			},
			Done:   "Archived",
			Failed: "archive failed",
		},
		{
			Name:     "cancel",
			Key:      func(k *KeyMap) *key.Binding { return &k.Cancel },
			Modes:    inList | inDetail,
			HelpOnly: true,
			Allowed:  func(r *row) (bool, string) { return allowRel(r, "cancel") },
			Confirm:  func(int) string { return "Cancel the running turn?" },
			Do: func(ctx context.Context, env actionEnv, r *row, _ bool) (actionResult, error) {
				resp, err := env.API.Cancel(ctx, r.S.ID)
				if err != nil {
					return actionResult{}, err
				}
				label := "Turn cancelled"
				if resp.Status == apiclient.CancelNoOp {
					label = "nothing was running"
				} else if !resp.Cancelled() {
					label = "cancel answered " + strconv.Quote(safetext.Line(string(resp.Status), 40))
				}
				// The session's status moved: show it as the server has it.
				s, err := env.API.GetSession(ctx, r.S.ID)
				if err != nil {
					s = nil
				}
				return actionResult{session: s, label: label}, nil
			},
			Done:   "Turn cancelled",
			Failed: "cancel failed",
		},
		{
			Name:     "delete",
			Key:      func(k *KeyMap) *key.Binding { return &k.Delete },
			Modes:    inList | inDetail,
			HelpOnly: true,
			Allowed: func(r *row) (bool, string) {
				if r.S.HasTag(platformChatTag) {
					return false, platformChatWhy + "deleted"
				}
				return allowRel(r, "delete")
			},
			Confirm: func(n int) string {
				return "Delete permanently? It cannot be undone. Type " + strconv.Quote(deleteWord) + ":"
			},
			Typed: deleteWord,
			Do: func(ctx context.Context, env actionEnv, r *row, _ bool) (actionResult, error) {
				if err := env.API.Delete(ctx, r.S.ID); err != nil {
					return actionResult{}, err
				}
				return actionResult{removed: true}, nil
			},
			Done:   "Deleted",
			Failed: "delete failed",
		},
		{
			Name:     "open",
			Key:      func(k *KeyMap) *key.Binding { return &k.OpenBrowser },
			Modes:    inList | inDetail,
			HelpOnly: true,
			Do:       openViewURL,
			// Done is the label openViewURL gives.
			Failed: "not opened",
		},
		{
			Name:     "copy id",
			Key:      func(k *KeyMap) *key.Binding { return &k.CopyID },
			Modes:    inList | inDetail,
			HelpOnly: true,
			Do:       copyID,
			Failed:   "id not copied",
		},
		{
			Name:     "copy json",
			Key:      func(k *KeyMap) *key.Binding { return &k.CopyJSON },
			Modes:    inList | inDetail,
			HelpOnly: true,
			Do:       copyJSON,
			Done:     "copied the session as JSON",
			Failed:   "JSON not copied",
		},
	}
}

// deleteWord is what the user types to delete.
const deleteWord = "delete"

// setPinned pins or unpins, then reads the session back: its is_pinned and
// allowed_actions (pin ↔ unpin) changed. If the read fails, the row is
// updated locally and its allowed_actions dropped, so that the next P is
// not refused on stale links.
func setPinned(ctx context.Context, env actionEnv, id string, on bool) (actionResult, error) {
	call, label := env.API.Unpin, "Unpinned"
	if on {
		call, label = env.API.Pin, "Pinned"
	}
	if err := call(ctx, id); err != nil {
		return actionResult{}, err
	}
	s, err := env.API.GetSession(ctx, id)
	if err != nil {
		return actionResult{label: label + " (reload to see it)"}, nil
	}
	if s.Pinned() != on { // the server's read lags behind its write
		s.IsPinned = &on
		s.AllowedActions = apiclient.ActionList{}
	}
	return actionResult{session: s, label: label}, nil
}

// errNotPlainID: an id that is not plain is not put on the clipboard.
var errNotPlainID = errors.New("it holds characters an id should not have (only letters, digits and _ - . : are copied)")

// copyID copies the session's id, or says why it will not.
func copyID(_ context.Context, env actionEnv, r *row, _ bool) (actionResult, error) {
	if !plainID(r.S.ID) {
		return actionResult{}, errNotPlainID
	}
	if err := env.Clipboard(r.S.ID); err != nil {
		return actionResult{}, err
	}
	// A plain id is its own sanitised form: what is copied is what is shown.
	return actionResult{label: "copied " + r.ID}, nil
}

// maxCopyJSONBytes bounds what Y puts on the clipboard.
const maxCopyJSONBytes = 1 << 20

// copyJSON copies the session as JSON, with every control and invisible
// format character written as a \u escape: the text pasted is the data,
// never a terminal sequence.
func copyJSON(_ context.Context, env actionEnv, r *row, _ bool) (actionResult, error) {
	b, err := json.Marshal(r.S)
	if err != nil {
		return actionResult{}, err
	}
	if len(b) > maxCopyJSONBytes {
		return actionResult{}, fmt.Errorf("the session's JSON is %d bytes, more than %d", len(b), maxCopyJSONBytes)
	}
	if err := env.Clipboard(safeJSON(b)); err != nil {
		return actionResult{}, err
	}
	return actionResult{}, nil
}

// safeJSON escapes control and invisible format characters in JSON text.
// They can only be inside strings (JSON has no others outside them), where
// a \u escape is the same value, so the JSON stays valid and equal.
func safeJSON(b []byte) string {
	var out strings.Builder
	out.Grow(len(b))
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			out.WriteString(`\ufffd`)
		case unicode.IsControl(r) || safetext.IsInvisible(r) || r == '\u2028' || r == '\u2029':
			if r > 0xffff {
				a, z := utf16.EncodeRune(r)
				fmt.Fprintf(&out, `\u%04x\u%04x`, a, z)
			} else {
				fmt.Fprintf(&out, `\u%04x`, r)
			}
		default:
			out.Write(b[i : i+size])
		}
		i += size
	}
	return out.String()
}

// maxURLBytes bounds a view_url worth opening.
const maxURLBytes = 2048

// safeURL returns the session's view_url if it is an http(s) URL of plain
// printable ASCII; anything else is never handed to a browser or shell.
func safeURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("the session has no view_url")
	}
	if len(raw) > maxURLBytes {
		return "", errors.New("its view_url is too long")
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= 0x20 || c >= 0x7f {
			return "", errors.New("its view_url holds characters a URL should not have")
		}
	}
	u, err := apiclient.ParseHTTPURL(raw)
	if err != nil {
		return "", errors.New("its view_url is not an http(s) URL")
	}
	return u.String(), nil
}

// openViewURL opens the session's page in the browser; with none, it shows
// the URL and copies it.
func openViewURL(_ context.Context, env actionEnv, r *row, _ bool) (actionResult, error) {
	u, err := safeURL(r.S.ViewURL)
	if err != nil {
		return actionResult{}, err
	}
	if err := env.OpenURL(u); err == nil {
		return actionResult{label: "opened " + u}, nil
	}
	if err := env.Clipboard(u); err != nil {
		return actionResult{label: "no browser: " + u, sticky: true}, nil
	}
	return actionResult{label: "no browser; copied " + u, sticky: true}, nil
}

// openBrowser runs $BROWSER, else xdg-open (open on macOS), with the URL as
// its one argument: no shell is involved.
func openBrowser(u string) error {
	name := os.Getenv("BROWSER")
	if name == "" {
		name = "xdg-open"
		if runtime.GOOS == "darwin" {
			name = "open"
		}
	}
	cmd := exec.Command(name, u)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	return cmd.Run()
}

// removeSession drops a session that left the list (archived, deleted):
// from the store, the reload in progress, the marks and the detail view.
func (m *Model) removeSession(id string) {
	m.st.remove(id)
	m.refresh.forget(id)
	if m.load.next != nil && m.load.next != m.st {
		m.load.next.remove(id)
	}
	delete(m.marked, id)
	if m.mode == modeDetail && m.detail.ID() == id {
		m.mode = modeList
	}
	if m.back == modeDetail && m.detail.ID() == id {
		m.back = modeList
	}
}

// remove drops a session by id; the slot is left empty.
func (s *store) remove(id string) {
	if s.dropOutside(id) { // found on the server (serverquery.go)
		return
	}
	at, ok := s.byID[id]
	if !ok {
		return
	}
	s.slots[at] = nil
	delete(s.byID, id)
	s.loaded--
	if s.total > 0 {
		s.total--
	}
	s.changed()
}

// newTypedInput is the text input of a typed confirmation.
func newTypedInput() *textinput.Model {
	in := textinput.New()
	in.Prompt = " "
	in.CharLimit = 32
	in.Width = 12
	in.Cursor.SetMode(cursor.CursorStatic) // no blink ticks for one word
	in.Focus()
	return &in
}

// onTypedConfirmKey handles a typed confirmation: the word then enter runs
// the action; anything else typed, esc or ctrl+c does not.
func (m Model) onTypedConfirmKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	p := m.pending
	keys := m.ctx.Keys
	switch {
	case keyMatches(k, keys.TypedConfirm):
		m.pending = nil
		if got := strings.TrimSpace(p.typed.Value()); got != p.action.Typed {
			return m, m.setToast(p.action.Name + " cancelled: type " + strconv.Quote(p.action.Typed) + " to confirm")
		}
		return m.execute(p.action, p.rows, p.bulk)
	case keyMatches(k, keys.TypedCancel, keys.ForceQuit):
		m.pending = nil
		return m, m.setToast(p.action.Name + " cancelled")
	}
	in, cmd := p.typed.Update(k)
	np := *p
	np.typed = &in
	m.pending = &np
	return m, cmd
}
