package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// The organisation comes from, in order: --org, --org-id, EVERRUNS_ORG_ID,
// then org_id in the config file. --org and org_id take a name or an id: an
// id (org_ + 32 hex) is sent as it is, anything else is looked up in GET
// /v1/orgs, which needs no X-Org-Id. --org-id and EVERRUNS_ORG_ID are sent
// as they are, as before (the SDKs read the same variable, as an id).

// orgSetting picks the organisation setting and says where it came from.
func (a *app) orgSetting(changed func(string) bool, fc *fileConfig, path string) (value, from string) {
	switch {
	case changed("org"):
		return strings.TrimSpace(a.org), "--org"
	case changed("org-id"):
		return strings.TrimSpace(a.orgID), "--org-id"
	}
	if v := strings.TrimSpace(a.env(apiclient.EnvOrgID)); v != "" {
		return v, apiclient.EnvOrgID
	}
	if fc.OrgID != nil && strings.TrimSpace(*fc.OrgID) != "" {
		return strings.TrimSpace(*fc.OrgID), "org_id in " + safetext.Line(path, 300)
	}
	return "", ""
}

// matchOrg finds want among orgs: an id, else a case-insensitive exact name,
// else a unique case-insensitive name prefix. With no single match it
// returns the names that tie (none when nothing matches).
func matchOrg(orgs []apiclient.Organization, want string) (found *apiclient.Organization, tied []apiclient.Organization) {
	var exact, prefix []apiclient.Organization
	lw := strings.ToLower(want)
	for i, o := range orgs {
		switch ln := strings.ToLower(o.Name); {
		case o.ID == want:
			return &orgs[i], nil
		case ln == lw:
			exact = append(exact, o)
		case strings.HasPrefix(ln, lw):
			prefix = append(prefix, o)
		}
	}
	for _, l := range [][]apiclient.Organization{exact, prefix} {
		if len(l) == 1 {
			return &l[0], nil
		}
		if len(l) > 1 {
			return nil, l
		}
	}
	return nil, nil
}

// orgList is "Name (id), Name (id)" for messages.
func orgList(orgs []apiclient.Organization) string {
	if len(orgs) == 0 {
		return "(none)"
	}
	parts := make([]string, len(orgs))
	for i, o := range orgs {
		parts[i] = safetext.Line(o.Name, 80) + " (" + safetext.Line(o.ID, 80) + ")"
	}
	return strings.Join(parts, ", ")
}

// resolveOrg turns a name in s.OrgID into the organisation's id. An id is
// kept without a request. Unknown or ambiguous names exit 2 with the choices.
func (a *app) resolveOrg(ctx context.Context, s *settings) error {
	byName := s.OrgFrom == "--org" || strings.HasPrefix(s.OrgFrom, "org_id")
	if s.OrgID == "" || !byName || apiclient.LooksLikeOrgID(s.OrgID) {
		return nil
	}
	orgs, err := a.clientInOrg(s, "").ListOrgs(ctx)
	if err != nil {
		return apiError(err)
	}
	o, tied := matchOrg(orgs, s.OrgID)
	switch {
	case o == nil && len(tied) > 0:
		return usageErrorf("%s: %q matches several organisations: %s; give more of the name or the id",
			s.OrgFrom, safetext.Line(s.OrgID, 80), orgList(tied))
	case o == nil:
		return usageErrorf("%s: no organisation of yours is named %q; yours: %s",
			s.OrgFrom, safetext.Line(s.OrgID, 80), orgList(orgs))
	}
	s.OrgID, s.OrgName = o.ID, o.Name
	return nil
}

// clientInOrg is a client for s acting in org ("" sends no X-Org-Id).
func (a *app) clientInOrg(s *settings, org string) *apiclient.Client {
	c := *s
	c.OrgID = org
	return a.client(&c)
}

// explainOrgRequired replaces the server's "specify X-Org-Id" refusal with
// what to do about it and the caller's organisations (from GET /v1/orgs,
// which needs none). It also explains the 401 the server gives a malformed
// organisation id, which would otherwise blame the API key.
func (a *app) explainOrgRequired(ctx context.Context, err error) error {
	if a.last == nil {
		return err
	}
	if bad := a.badOrgID(err); bad != nil {
		return bad
	}
	if !apiclient.IsOrgRequired(err) {
		return err
	}
	msg := "this API key belongs to several organisations: choose one with --org NAME|ID, " +
		apiclient.EnvOrgID + "=ID or org_id (a name or an id) in the config file"
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if orgs, lerr := a.clientInOrg(a.last, "").ListOrgs(ctx); lerr == nil {
		msg += "; yours: " + orgList(orgs) + " (see 'sessions orgs')"
	}
	return &exitError{code: exitUsage, msg: msg, err: err}
}

// badOrgID is the error for a 401 when the organisation id, from --org-id
// or EVERRUNS_ORG_ID (sent as they are), is not shaped like one: the server
// refuses a malformed X-Org-Id with 401, and a name there is the likely
// slip. nil otherwise.
func (a *app) badOrgID(err error) error {
	var ae *apiclient.APIError
	s := a.last
	if !errors.As(err, &ae) || ae.Status != 401 || s.OrgID == "" || apiclient.LooksLikeOrgID(s.OrgID) ||
		(s.OrgFrom != "--org-id" && s.OrgFrom != apiclient.EnvOrgID) {
		return nil
	}
	return &exitError{code: exitUsage, err: err, msg: fmt.Sprintf("%s: %q is not an organisation id (org_ and 32 hex digits) "+
		"and the server refused it (HTTP 401); --org and org_id take a name too; 'sessions orgs' lists yours",
		s.OrgFrom, safetext.Line(s.OrgID, 80))}
}

// getAnywhere fetches session id in the configured organisation and, when it
// is not there (404, or no organisation chosen), in the one resolve-org says
// owns it, with a note on stderr.
func (a *app) getAnywhere(ctx context.Context, c *apiclient.Client, id string) (*apiclient.Session, error) {
	sess, err := c.GetSession(ctx, id)
	var ae *apiclient.APIError
	if err == nil || !(errors.As(err, &ae) && ae.Status == 404 || apiclient.IsOrgRequired(err)) {
		return sess, err
	}
	ro, rerr := c.ResolveOrg(ctx, id)
	if rerr != nil || ro.OrgID == "" || ro.OrgID == c.OrgID() {
		return nil, err // the first answer says it best
	}
	sess, err2 := c.WithOrg(ro.OrgID).GetSession(ctx, id)
	if err2 != nil {
		return nil, err2
	}
	fmt.Fprintf(a.stderr, "sessions: session %s is in organisation %s (%s); showing it from there\n",
		line(id), safetext.Line(ro.OrgName, 80), safetext.Line(ro.OrgID, 80))
	return sess, nil
}

func (a *app) orgsCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "orgs",
		Short: "List your organisations (* marks the one in use)",
		Long: `orgs lists the organisations the API key belongs to. The one in use (from
--org, --org-id, EVERRUNS_ORG_ID or org_id, or your only one) is marked *.
Choose one with --org NAME|ID or org_id (a name or an id), or --org-id and
EVERRUNS_ORG_ID (an id, sent as it is).`,
		Example: "  sessions orgs\n  sessions orgs --json | jq -r '.[].name'\n  sessions --org staging list",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings(cmd)
			if err != nil {
				return err
			}
			if s.APIKey == "" {
				return a.noKeyError(false)
			}
			orgs, err := a.clientInOrg(s, "").ListOrgs(ctxOf(cmd))
			if err != nil {
				return apiError(err)
			}
			current := ""
			switch {
			case s.OrgID != "":
				if o, _ := matchOrg(orgs, s.OrgID); o != nil {
					current = o.ID
				} else {
					fmt.Fprintf(a.stderr, "sessions: warning: %s %q is not one of these organisations\n",
						s.OrgFrom, safetext.Line(s.OrgID, 80))
				}
			case len(orgs) == 1:
				current = orgs[0].ID // the server's default for a key of one organisation
			}
			if asJSON {
				return writeErr(writeOrgsJSON(a.stdout, orgs, current))
			}
			return writeErr(writeOrgsTable(a.stdout, orgs, current))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print a JSON array of {"id","name","current"}`)
	return cmd
}

func writeOrgsTable(w io.Writer, orgs []apiclient.Organization, current string) error {
	idW := len("ID")
	for _, o := range orgs {
		idW = min(max(idW, safetext.Width(line(o.ID))), 48)
	}
	var b strings.Builder
	b.WriteString("   " + safetext.Pad("ID", idW) + "  NAME\n")
	for _, o := range orgs {
		mark := "   "
		if o.ID == current {
			mark = "*  "
		}
		b.WriteString(mark + safetext.Pad(line(o.ID), idW) + "  " + line(o.Name) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeOrgsJSON(w io.Writer, orgs []apiclient.Organization, current string) error {
	type row struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Current bool   `json:"current"`
	}
	rows := make([]row, len(orgs))
	for i, o := range orgs {
		rows[i] = row{ID: o.ID, Name: o.Name, Current: o.ID == current}
	}
	b, err := marshalJSON(rows, true)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
