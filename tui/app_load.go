package tui

import (
	"errors"
	"fmt"
	"github.com/everruns/sessions/tui/safetext"
	"net/http"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
)

// onPage puts an arriving page on screen. The first load fills the shown
// store directly so the first page paints at once; a reload fills a new
// store and meanwhile refreshes rows already shown, so nothing jumps.
func (m Model) onPage(msg pageLoadedMsg) (tea.Model, tea.Cmd) {
	next := waitForLoad(msg.ch)
	if msg.gen != m.load.gen {
		return m, next // stale: keep draining so its goroutine can finish
	}
	// Pages may land out of order; progress only moves forward.
	// Progress runs to the bound when the organisation is larger.
	m.load.loaded, m.load.total = max(m.load.loaded, msg.ev.Loaded), min(msg.ev.Total, m.opts.MaxRows)
	rows := msg.rows
	if rows == nil {
		rows = rowsOf(msg.ev.Page.Data)
	}
	// Rows go where they were asked for (the client says how the server's
	// echo disagreed, in the event's warnings); a warning is all it costs.
	at := msg.ev.RequestedOffset
	misplaced := m.load.next.misplaced
	m.load.next.applyRows(at, msg.ev.Page.Total, rows)
	if msg.ev.Bounded {
		m.load.next.bounded = true
	}
	notes := msg.ev.Warnings
	if m.load.next.misplaced != misplaced {
		notes = append(notes, fmt.Sprintf("the page asked at offset %d lies beyond the rows received: its rows were put last", at))
	}
	if ps := msg.ev.Page.Problems; len(ps) > 0 {
		m.load.problems += len(ps)
		notes = append(notes, fmt.Sprintf("%s could not be read and %s not shown (%s)",
			plural(m.load.problems, "session"), map[bool]string{true: "is", false: "are"}[m.load.problems == 1], ps[0].String()))
	}
	var warn tea.Cmd
	if len(notes) > 0 {
		warn = m.setWarning(strings.Join(notes, "; "))
	}
	if m.load.next != m.st {
		for _, s := range msg.ev.Page.Data {
			if old := m.st.get(s.ID); old != nil && s.UpdatedAt.After(old.S.UpdatedAt) {
				m.st.upsert(s)
			}
		}
	}
	return m, tea.Batch(next, m.pageArrived(), warn)
}

// pageArrived notes new data. While a load streams in, the list is only
// recomputed when the loaded rows have doubled since the last time, so a
// long load costs O(N log N) of recomputing rather than O(N²); the end of
// the load recomputes anyway. The first page paints at once.
func (m *Model) pageArrived() tea.Cmd {
	m.followed = m.st.version // paced here, not followed at once
	if m.load.derivedAt > 0 && m.st.loaded < 2*m.load.derivedAt {
		return nil
	}
	m.load.derivedAt = max(m.st.loaded, 1)
	return m.request()
}

func (m Model) onLoadFinished(msg loadFinishedMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.load.gen {
		return m, nil
	}
	m.load.active = false
	m.load.cancel = nil
	if msg.err != nil {
		// Keep what is shown; say what happened in one line.
		m.load.err = msg.err
		got := ""
		if m.load.total > 0 {
			got = fmt.Sprintf(" (%s of %s loaded)", thousands(int64(m.load.loaded)), thousands(int64(m.load.total)))
		}
		if apiclient.IsOrgRequired(msg.err) && m.mode == modeList {
			// The key belongs to several organisations: let the user pick.
			m.status = statusLine{}
			nm, cmd := m.openOrgs("— this key belongs to several organisations; choose one")
			return nm, cmd
		}
		if badOrgID(msg.err, m.org.id) && m.mode == modeList {
			// A name where an id belongs (EVERRUNS_ORG_ID, --org-id): the
			// server's 401 would read like a bad key. Listing needs no id.
			m.status = statusLine{}
			nm, cmd := m.openOrgs(fmt.Sprintf("— the server refused %q: it is not an organisation id; choose one",
				safetext.Line(m.org.id, 40)))
			return nm, cmd
		}
		if m.load.aborted {
			return m, m.setError("load cancelled" + got + " — ctrl+r to load again")
		}
		return m, m.setError("load failed: " + describe(msg.err) + got + " — ctrl+r to retry")
	}
	if m.load.toTop {
		m.list, m.load.toTop = m.list.Reset(), false
	}
	if m.load.next != nil && m.load.next != m.st {
		m.load.next.keepNewer(m.st)
		if len(m.st.outside) > 0 {
			m.load.next.setOutside(m.st.outside) // found on the server: still shown
		}
		m.st = m.load.next
	}
	m.load.next = nil
	m.load.complete = true
	counts := m.askServerCounts()
	if !m.st.bounded {
		m.st.total = m.st.loaded // all of it is here: that is the count
	}
	if m.status.kind == statusError || m.status.kind == statusInfo {
		m.status = statusLine{} // an old error, or "reloading…": done now
	}
	return m, counts
}

// badOrgID reports a 401 while acting in an organisation whose id does not
// have the shape of one.
func badOrgID(err error, orgID string) bool {
	var ae *apiclient.APIError
	return orgID != "" && !apiclient.LooksLikeOrgID(orgID) && errors.As(err, &ae) && ae.Status == http.StatusUnauthorized
}
