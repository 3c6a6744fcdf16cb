package apitest

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
)

// listAll pages GET /v1/sessions with query q and returns every session.
func listAll(t *testing.T, s *Server, q string, hdr ...string) (out []apiclient.Session) {
	t.Helper()
	for off := 0; ; off += 100 {
		st, _, b := do(t, s, "GET", "/v1/sessions?limit=100&offset="+itoa(off)+"&"+q, "", hdr...)
		if st != 200 {
			t.Fatalf("list %s: %d %s", q, st, b)
		}
		p := decode[apiclient.SessionPage](t, b)
		out = append(out, p.Data...)
		if len(p.Data) < 100 {
			return out
		}
	}
}

func TestOptionalFieldsOmitted(t *testing.T) {
	s := newTest(t, Options{Sessions: 300, Hostile: true})
	_, _, b := do(t, s, "GET", "/v1/sessions?limit=100", "")
	if bytes.Contains(b, []byte(":null")) {
		t.Fatal("a field is sent as null")
	}
	var raw struct{ Data []map[string]json.RawMessage }
	_ = json.Unmarshal(b, &raw)
	for _, x := range raw.Data {
		for _, k := range []string{"id", "workspace_id", "harness_id", "owner_principal_id", "status", "activity", "source", "tags", "is_pinned", "self_url", "view_url", "ui_link", "allowed_actions"} {
			if _, ok := x[k]; !ok {
				t.Fatalf("%s missing in %s", k, x["id"])
			}
		}
	}
}

// TestSeedVariety: failed and completed runs, several sources, costs on
// most sessions (some estimated only, some none), a few dominant agents.
func TestSeedVariety(t *testing.T) {
	ss := Generate(5000, 1, fixedNow)
	act, src, agents := map[apiclient.Activity]int{}, map[apiclient.Source]int{}, map[string]int{}
	var failedText, costed, estOnly, noCost, withUsage, chat int
	for _, s := range ss {
		act[s.Activity]++
		src[s.Source]++
		agents[s.AgentID]++
		if s.Activity == apiclient.ActivityFailed && (strings.HasPrefix(s.OutputPreviewOrEmpty(), "Error:") || s.RunSummary != nil && strings.Contains(*s.RunSummary, "failed")) {
			failedText++
		}
		if s.Activity == apiclient.ActivityRunning && !s.Status.Running() || s.Status.Running() && s.Activity != apiclient.ActivityRunning {
			t.Fatalf("activity disagrees with status: %s", describe(&s))
		}
		if s.HasTag(PlatformChatTag) {
			chat++
		}
		if s.Usage == nil {
			continue
		}
		withUsage++
		switch _, kind, ok := s.Cost(); {
		case !ok:
			noCost++
		case kind == apiclient.CostEstimated:
			estOnly++
			costed++
		default:
			costed++
		}
	}
	for _, a := range apiclient.Activities {
		if act[a] == 0 {
			t.Errorf("no %s session: %v", a, act)
		}
	}
	if len(src) < 8 || src[apiclient.SourceChat] < src[apiclient.SourceSlack] {
		t.Errorf("sources %v", src)
	}
	if failedText != act[apiclient.ActivityFailed] {
		t.Errorf("%d of %d failed runs say why", failedText, act[apiclient.ActivityFailed])
	}
	if costed < withUsage*6/10 || estOnly == 0 || noCost == 0 {
		t.Errorf("costs: %d of %d, %d estimated only, %d none", costed, withUsage, estOnly, noCost)
	}
	top := agents[SeedAgents(1)[0].ID]
	if top < len(ss)*4/10 || len(agents) != 6 || chat == 0 {
		t.Errorf("agent spread %v, platform chats %d", agents, chat)
	}
	// Small sets (the tests' sizes) hold no protected platform chats.
	for _, s := range Generate(200, 1, fixedNow) {
		if s.HasTag(PlatformChatTag) {
			t.Fatalf("platform chat in a small seed: %s", s.ID)
		}
	}
}

// TestListFilters: every filter against a predicate computed here, and an
// unknown value is a 400 problem.
func TestListFilters(t *testing.T) {
	s := newTest(t, Options{Sessions: 400})
	all := s.All()
	agent := s.Agents()[2].ID
	cut := all[100].CreatedAt
	for _, c := range []struct {
		q    string
		want func(*apiclient.Session) bool
	}{
		{"status=failed", func(x *apiclient.Session) bool { return x.Activity == apiclient.ActivityFailed }},
		{"status=running,paused", func(x *apiclient.Session) bool {
			return x.Activity == apiclient.ActivityRunning || x.Activity == apiclient.ActivityPaused
		}},
		{"source=slack,schedule", func(x *apiclient.Session) bool {
			return x.Source == apiclient.SourceSlack || x.Source == apiclient.SourceSchedule
		}},
		{"agent_id=" + agent, func(x *apiclient.Session) bool { return x.AgentID == agent }},
		{"search=REFUND", func(x *apiclient.Session) bool { return strings.Contains(strings.ToLower(x.TitleOrEmpty()), "refund") }},
		{"mine=true", func(x *apiclient.Session) bool { return x.OwnerPrincipalID == principalID(0) }},
		{"created_after=" + url.QueryEscape(cut.Format(time.RFC3339Nano)), func(x *apiclient.Session) bool { return !x.CreatedAt.Before(cut) }},
		{"created_before=" + url.QueryEscape(cut.Format(time.RFC3339Nano)), func(x *apiclient.Session) bool { return x.CreatedAt.Before(cut) }},
	} {
		got := listAll(t, s, c.q)
		n := 0
		for i := range all {
			if c.want(&all[i]) {
				if n >= len(got) || got[n].ID != all[i].ID {
					t.Fatalf("%s: row %d differs", c.q, n)
				}
				n++
			}
		}
		if n != len(got) || n == 0 || n == len(all) {
			t.Errorf("%s: %d rows, want %d of %d", c.q, len(got), n, len(all))
		}
	}
	byActivity := listAll(t, s, "order=last_activity")
	for i := 1; i < len(byActivity); i++ {
		if byActivity[i].UpdatedAt.After(byActivity[i-1].UpdatedAt) {
			t.Fatal("order=last_activity is not updated_at desc")
		}
	}
	for _, q := range []string{"status=waiting", "status=idle,exploded", "source=email", "mine=1", "order=title",
		"created_after=2026-01-01", "include_archived=yes"} {
		st, h, b := do(t, s, "GET", "/v1/sessions?"+q, "")
		wantError(t, st, h, b, 400)
		st, h, b = do(t, s, "GET", "/v1/sessions/facets?"+q, "")
		if q != "include_archived=yes" { // not a facets parameter
			wantError(t, st, h, b, 400)
		}
	}
}

// TestFacetsMatchList: the facets count what the list returns, each
// dimension without its own selection.
func TestFacetsMatchList(t *testing.T) {
	s := newTest(t, Options{Sessions: 500})
	for _, q := range []string{"", "status=failed", "source=chat,api&mine=true", "agent_id=" + s.Agents()[0].ID + "&status=completed"} {
		_, _, b := do(t, s, "GET", "/v1/sessions/facets?"+q, "")
		f := decode[apiclient.Facets](t, b)
		rows := listAll(t, s, q)
		if f.Total != int64(len(rows)) {
			t.Errorf("%q: facets total %d, list %d", q, f.Total, len(rows))
		}
		v, _ := url.ParseQuery(q)
		for dim, bucket := range map[string][]apiclient.FacetCount{"status": f.ByActivity, "source": f.BySource, "agent_id": f.ByAgent} {
			w := url.Values{}
			for k := range v {
				if k != dim {
					w[k] = v[k]
				}
			}
			without := listAll(t, s, w.Encode())
			var sum int64
			for _, c := range bucket {
				sum += c.Count
			}
			if sum != int64(len(without)) {
				t.Errorf("%q %s: buckets sum %d, list without it %d", q, dim, sum, len(without))
			}
		}
	}
	_, _, b := do(t, s, "GET", "/v1/sessions/stats", "")
	st := decode[apiclient.Stats](t, b)
	if st.Total != 500 || st.Active+st.Idle+st.Started+st.WaitingForToolResults > st.Total || st.WaitingForToolResults == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestPinsPerKeyAndArchive(t *testing.T) {
	const k2 = "second-user-key"
	s := newTest(t, Options{Sessions: 30, APIKey: testPAT, MoreKeys: []string{k2}})
	a, b := []string{"Authorization", "Bearer " + testPAT}, []string{"Authorization", "Bearer " + k2}
	id := s.All()[3].ID
	if st, _, body := do(t, s, "PUT", "/v1/sessions/"+id+"/pin", "", a...); st != 204 {
		t.Fatalf("pin: %d %s", st, body)
	}
	get := func(hdr []string) apiclient.Session {
		_, _, body := do(t, s, "GET", "/v1/sessions/"+id, "", hdr...)
		return decode[apiclient.Session](t, body)
	}
	if x := get(a); !x.Pinned() || !x.Can("unpin") || x.Can("pin") {
		t.Fatalf("pinner sees %+v", x.AllowedActions)
	}
	if x := get(b); x.Pinned() || !x.Can("pin") {
		t.Fatal("pins leak to another user")
	}
	if mine := listAll(t, s, "mine=true", b...); len(mine) == 0 || mine[0].OwnerPrincipalID != principalID(1) {
		t.Fatal("mine for the second user")
	}
	do(t, s, "DELETE", "/v1/sessions/"+id+"/pin", "", a...)
	if x := get(a); x.Pinned() {
		t.Fatal("unpin")
	}

	do(t, s, "PUT", "/v1/sessions/"+id+"/archive", "", a...)
	if len(listAll(t, s, "", a...)) != 29 || len(listAll(t, s, "include_archived=true", a...)) != 30 {
		t.Fatal("archived session in the default list")
	}
	if only := listAll(t, s, "archived_only=true", a...); len(only) != 1 || only[0].ID != id || !s.Archived(id) {
		t.Fatal("archived_only")
	}
	_, _, body := do(t, s, "GET", "/v1/sessions/facets", "", a...)
	if f := decode[apiclient.Facets](t, body); f.Total != 29 {
		t.Fatalf("facets count an archived session: %d", f.Total)
	}
	do(t, s, "DELETE", "/v1/sessions/"+id+"/archive", "", a...)
	if len(listAll(t, s, "", a...)) != 30 {
		t.Fatal("unarchive")
	}
}

func TestCancelOnlyActive(t *testing.T) {
	s := newTest(t, Options{Sessions: 40})
	for _, x := range s.All() {
		_, _, b := do(t, s, "POST", "/v1/sessions/"+x.ID+"/cancel", "")
		r := decode[apiclient.CancelTurnResponse](t, b)
		if want := x.Status == apiclient.StatusActive; r.Cancelled() != want {
			t.Fatalf("%s: %+v", describe(&x), r)
		}
		if y, _ := s.Get(x.ID); x.Status == apiclient.StatusActive && (y.Status != apiclient.StatusIdle || y.Activity == apiclient.ActivityRunning) {
			t.Fatalf("after cancel: %s", describe(&y))
		}
	}
}

func TestPlatformChatRestrictions(t *testing.T) {
	s := newTest(t, Options{Sessions: 10})
	x := s.All()[2]
	x.Tags = []string{PlatformChatTag}
	s.Put(x)
	id := "/v1/sessions/" + x.ID
	do(t, s, "PUT", id+"/pin", "")
	for _, c := range []struct{ method, path, body string }{
		{"PATCH", id, `{"title":"new"}`},
		{"PATCH", id, `{"tags":[]}`},
		{"PUT", id + "/archive", ""},
		{"DELETE", id + "/pin", ""},
		{"DELETE", id, ""},
	} {
		st, h, b := do(t, s, c.method, c.path, c.body)
		wantError(t, st, h, b, 400)
	}
	if st, _, b := do(t, s, "PATCH", id, `{"goal":"still fine","locale":"en-GB"}`); st != 200 {
		t.Fatalf("goal on a platform chat: %d %s", st, b)
	}
	if st, _, _ := do(t, s, "PATCH", id, `{"locale":"not a locale"}`); st != 400 {
		t.Fatal("invalid locale accepted")
	}
	_, _, b := do(t, s, "GET", id, "")
	if y := decode[apiclient.Session](t, b); y.Can("update") || y.Can("delete") || y.Can("unpin") || !y.Pinned() {
		t.Fatalf("allowed actions of a platform chat: %+v", y.AllowedActions)
	}
}

func TestPagingLinks(t *testing.T) {
	s := newTest(t, Options{Sessions: 45})
	_, _, b := do(t, s, "GET", "/v1/sessions?limit=20&offset=20&status=completed,idle,running,paused,failed", "")
	p := decode[apiclient.SessionPage](t, b)
	if !strings.Contains(p.NextURL, "offset=40") || !strings.Contains(p.PrevURL, "offset=0") || !strings.Contains(p.NextURL, "status=") {
		t.Fatalf("links %q %q", p.NextURL, p.PrevURL)
	}
	_, _, b = do(t, s, "GET", "/v1/sessions?limit=20&offset=40", "")
	if p = decode[apiclient.SessionPage](t, b); p.NextURL != "" || bytes.Contains(b, []byte("next_url")) {
		t.Fatal("next_url on the last page")
	}
}

func TestAgentsOrgsExport(t *testing.T) {
	s := newTest(t, Options{Sessions: 20})
	_, _, b := do(t, s, "GET", "/v1/agents?limit=500", "")
	var page struct {
		Data  []apiclient.Agent
		Limit int
	}
	_ = json.Unmarshal(b, &page)
	if len(page.Data) != 6 || page.Limit != 100 || page.Data[0].Name != "support-triage" || page.Data[0].DisplayName != "Support Triage" {
		t.Fatalf("agents %s", b)
	}
	_, _, b = do(t, s, "GET", "/v1/agents?search=TRIAGE", "")
	if _ = json.Unmarshal(b, &page); len(page.Data) != 1 {
		t.Fatalf("agent search %s", b)
	}
	st, h, b := do(t, s, "GET", "/v1/agents/agent_"+strings.Repeat("0", 32), "")
	wantError(t, st, h, b, 404)
	_, _, b = do(t, s, "GET", "/v1/orgs", "")
	if !strings.Contains(string(b), s.Org()) {
		t.Fatalf("orgs %s", b)
	}
	x := s.All()[0]
	st, h, b = do(t, s, "GET", "/v1/sessions/"+x.ID+"/export", "")
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if st != 200 || h.Get("Content-Type") != "application/x-ndjson" || len(lines) != len(Transcript(x)) {
		t.Fatalf("jsonl export: %d %q %d lines", st, h.Get("Content-Type"), len(lines))
	}
	_, _, b = do(t, s, "GET", "/v1/sessions/"+x.ID+"/export?format=atif", "")
	var doc struct {
		SchemaVersion string `json:"schema_version"`
		Steps         []any
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.SchemaVersion != "ATIF-v1.7" || len(doc.Steps) != len(lines) {
		t.Fatalf("atif export %s", b)
	}
}
