package tui

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// Jumping to an id: ":" takes a session id; a loaded one is opened at once,
// another is fetched, and one the current organisation does not have is
// looked up with resolve-org, offering to switch to its organisation.

type (
	// jumpFoundMsg: the session was fetched (in organisation org).
	jumpFoundMsg struct {
		gen int
		s   *apiclient.Session
	}
	// jumpElsewhereMsg: the id lives in another organisation the user has.
	jumpElsewhereMsg struct {
		gen int
		id  string
		org apiclient.ResolvedOrg
	}
	// jumpFailedMsg: not found anywhere, or the lookup failed.
	jumpFailedMsg struct {
		gen int
		id  string
		err error
	}
)

// jumpState is the one-line id input and the switch offer it may lead to.
type jumpState struct {
	input *textinput.Model
	gen   int
	offer *jumpElsewhereMsg // waiting for y/n
}

func (m Model) openJump() (tea.Model, tea.Cmd) {
	in := textinput.New()
	in.Prompt = ":"
	in.Placeholder = "session id"
	in.CharLimit = 128
	in.Width = max(m.ctx.Width-4, 10)
	cmd := in.Focus()
	m.jump.input = &in
	m.jump.offer = nil
	m.back, m.mode = m.mode, modeJump
	if m.back == modeJump || m.back == modeHelp || m.back == modeOrgs {
		m.back = modeList
	}
	return m, cmd
}

func (m Model) onJumpKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.ctx.Keys
	if o := m.jump.offer; o != nil {
		switch {
		case keyMatches(k, keys.Confirm):
			m.jump.offer = nil
			m.mode = modeList
			name := safetext.Line(o.org.OrgName, 200)
			cmd := m.switchOrg(o.org.OrgID, name)
			m.jump.gen++
			return m, tea.Batch(cmd, getForJump(m.api, nil, o.id, m.jump.gen))
		case keyMatches(k, keys.Deny):
			m.jump.offer = nil
			m.mode = m.back
			return m, m.setToast("stayed in this organisation")
		}
		return m, nil
	}
	switch {
	case keyMatches(k, keys.Back):
		m.mode = m.back
		return m, nil
	case k.Type == tea.KeyEnter:
		id := strings.TrimSpace(m.jump.input.Value())
		if id == "" {
			m.mode = m.back
			return m, nil
		}
		m.mode = modeList
		if r := m.st.get(id); r != nil {
			return m.openRow(r)
		}
		oa, _ := m.api.(OrgAPI)
		m.jump.gen++
		m.setInfo("looking for " + safetext.Truncate(safetext.Line(id, 128), 40) + "…")
		return m, getForJump(m.api, oa, id, m.jump.gen)
	}
	in, cmd := m.jump.input.Update(k)
	m.jump.input = &in
	return m, cmd
}

// getForJump fetches id; on 404, or the 400 of a key of several
// organisations when none is chosen yet, it asks resolve-org (when org is
// set; it needs no organisation) which organisation has it.
func getForJump(api API, org OrgAPI, id string, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), orgTimeout)
		defer cancel()
		s, err := api.GetSession(ctx, id)
		if err == nil {
			return jumpFoundMsg{gen: gen, s: s}
		}
		var ae *apiclient.APIError
		notHere := errors.As(err, &ae) && ae.Status == http.StatusNotFound || apiclient.IsOrgRequired(err)
		if org == nil || !notHere {
			return jumpFailedMsg{gen: gen, id: id, err: err}
		}
		ro, rerr := org.ResolveOrg(ctx, id)
		if rerr != nil || ro == nil || ro.OrgID == "" {
			return jumpFailedMsg{gen: gen, id: id, err: err} // the 404 says it best
		}
		return jumpElsewhereMsg{gen: gen, id: id, org: *ro}
	}
}

func (m Model) onJumpFound(msg jumpFoundMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.jump.gen || msg.s == nil {
		return m, nil
	}
	r := m.st.get(msg.s.ID)
	if r == nil {
		r = rowsOf([]apiclient.Session{*msg.s})[0]
	}
	if m.status.kind == statusInfo && strings.HasPrefix(m.status.text, "looking for") {
		m.status = statusLine{}
	}
	return m.openRow(r)
}

func (m Model) onJumpElsewhere(msg jumpElsewhereMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.jump.gen {
		return m, nil
	}
	if msg.org.OrgID == m.org.id {
		return m, m.setError("session " + safetext.Truncate(safetext.Line(msg.id, 128), 40) + " not found")
	}
	m.jump.offer = &msg
	m.back, m.mode = modeList, modeJump
	m.status = statusLine{}
	return m, nil
}

func (m Model) onJumpFailed(msg jumpFailedMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.jump.gen {
		return m, nil
	}
	return m, m.setError("session " + safetext.Truncate(safetext.Line(msg.id, 128), 40) + ": " + describe(msg.err))
}

// openRow opens the detail view of r, loaded or not.
func (m Model) openRow(r *row) (tea.Model, tea.Cmd) {
	m.back = modeList
	return m.openDetailOf(r) // live, like enter in the list
}

// jumpView is the input line, or the offer to switch.
func (m Model) jumpView() string {
	t := m.ctx.Theme
	if o := m.jump.offer; o != nil {
		name := safetext.Line(o.org.OrgName, 200)
		if strings.TrimSpace(name) == "" {
			name = safetext.Line(o.org.OrgID, 64)
		}
		return t.Warning.Render("session "+safetext.Truncate(safetext.Line(o.id, 128), 40)+" is in organisation "+name) +
			"\nswitch there and open it? (y/n)"
	}
	return m.jump.input.View() + "\n" + t.Muted.Render("enter opens the session with this id; esc goes back")
}
