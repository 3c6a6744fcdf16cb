package main

import (
	"encoding/csv"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// listQueries are the list requests' parsed queries.
func listQueries(srv *apitest.Server) []url.Values {
	var out []url.Values
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/v1/sessions") {
			q, _ := url.ParseQuery(r.Query)
			out = append(out, q)
		}
	}
	return out
}

func TestListServerFilters(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 300})
	all := srv.All()
	want := func(pred func(s *apiclient.Session) bool) []string {
		out := []string{}
		for i := range all {
			if pred(&all[i]) {
				out = append(out, all[i].ID)
			}
		}
		return out
	}
	check := func(name string, args []string, param, value string, wantIDs []string) {
		t.Helper()
		srv.ResetRequests()
		r := runCLI(t, apiEnv(srv), append([]string{"list", "--json"}, args...)...)
		wantCode(t, r, 0)
		if len(wantIDs) == 0 {
			t.Fatalf("%s: test data has no match", name)
		}
		if got := ids(t, r.stdout); !reflect.DeepEqual(got, wantIDs) {
			t.Fatalf("%s: got %d sessions, want %d", name, len(got), len(wantIDs))
		}
		for _, q := range listQueries(srv) {
			if q.Get(param) != value {
				t.Fatalf("%s: sent %s=%q, want %q", name, param, q.Get(param), value)
			}
		}
	}
	check("activity", []string{"--status", "failed"}, "status", "failed",
		want(func(s *apiclient.Session) bool { return s.Activity == apiclient.ActivityFailed }))
	check("waiting", []string{"--status", "waiting"}, "status", "running",
		want(func(s *apiclient.Session) bool { return s.Status == apiclient.StatusWaitingForToolResults }))
	check("legacy spelling", []string{"--status", "waiting_for_tool_results,failed"}, "status", "running,failed",
		want(func(s *apiclient.Session) bool {
			return s.Status == apiclient.StatusWaitingForToolResults || s.Activity == apiclient.ActivityFailed
		}))
	check("source", []string{"--source", "slack,SCHEDULE"}, "source", "slack,schedule",
		want(func(s *apiclient.Session) bool {
			return s.Source == apiclient.SourceSlack || s.Source == apiclient.SourceSchedule
		}))
	agent := srv.Agents()[1]
	for _, v := range []string{agent.ID, agent.Name, agent.DisplayName, strings.ToUpper(agent.Name)} {
		check("agent "+v, []string{"--agent", v}, "agent_id", agent.ID,
			want(func(s *apiclient.Session) bool { return s.AgentID == agent.ID }))
	}
	mine := apitest.PrincipalID(0)
	check("mine", []string{"--mine"}, "mine", "true", want(func(s *apiclient.Session) bool { return s.OwnerPrincipalID == mine }))
	cut := all[150].CreatedAt
	check("until", []string{"--until", cut.Format(time.RFC3339Nano)}, "created_before", cut.UTC().Format(time.RFC3339Nano),
		want(func(s *apiclient.Session) bool { return s.CreatedAt.Before(cut) }))
	// An age: sessions are generated back from the real clock only for "now" tests; just check what is sent.
	srv.ResetRequests()
	wantCode(t, runCLI(t, apiEnv(srv), "list", "--json", "--since", "7d"), 0)
	q := listQueries(srv)[0]
	if after, err := time.Parse(time.RFC3339Nano, q.Get("created_after")); err != nil || time.Since(after) < 7*24*time.Hour-time.Minute || time.Since(after) > 7*24*time.Hour+time.Minute {
		t.Fatalf("--since 7d sent %q", q.Get("created_after"))
	}
	x := all[7]
	do := apiclient.New(apiclient.Config{APIKey: testKey, BaseURL: srv.URL(), MaxRetries: -1})
	if err := do.Archive(t.Context(), x.ID); err != nil {
		t.Fatal(err)
	}
	check("archived", []string{"--archived"}, "archived_only", "true", []string{x.ID})
	check("default hides archived", nil, "archived_only", "",
		want(func(s *apiclient.Session) bool { return s.ID != x.ID }))
}

func TestListBadValues(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 5})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--status", "exploded"}, "waiting"},
		{[]string{"--status", "exploded"}, "completed"},
		{[]string{"--source", "email"}, "schedule"},
		{[]string{"--since", "yesterday"}, "RFC 3339"},
		{[]string{"--until", "-3d"}, "age"},
		{[]string{"--fields", "id,colour"}, "updated_at"},
		{[]string{"--agent", "nobody"}, "support-triage"},
		{[]string{"--csv", "--json"}, "cannot be combined"},
		{[]string{"--limit", "-1"}, "--limit"},
	} {
		srv.ResetRequests()
		r := runCLI(t, apiEnv(srv), append([]string{"list"}, c.args...)...)
		wantCode(t, r, 2)
		if !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, r.stderr, c.want)
		}
		if n := len(listQueries(srv)); n != 0 {
			t.Errorf("%v: %d list requests sent", c.args, n)
		}
	}
}

func TestListCSVFieldsLimit(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 250})
	all := srv.All()
	r := runCLI(t, apiEnv(srv), "list", "--csv")
	wantCode(t, r, 0)
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) != len(all)+1 || strings.Join(recs[0], ",") != strings.Join(defaultCSVFields, ",") {
		t.Fatalf("csv: %v, %d records, header %v", err, len(recs), recs[0])
	}
	if recs[1][0] != all[0].ID || recs[1][1] != string(all[0].Status) || recs[1][3] != string(all[0].Source) {
		t.Fatalf("first row %v", recs[1])
	}

	r = runCLI(t, apiEnv(srv), "list", "--csv", "--fields", "id,tags,usage")
	wantCode(t, r, 0)
	recs, _ = csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if len(recs[0]) != 3 || recs[0][2] != "usage" || !strings.Contains(recs[1][2], "input_tokens") {
		t.Fatalf("csv fields: %v", recs[:2])
	}

	r = runCLI(t, apiEnv(srv), "list", "--fields", "id,title", "--limit", "3")
	wantCode(t, r, 0)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "TITLE") || !strings.HasPrefix(lines[1], all[0].ID) {
		t.Fatalf("table fields:\n%s", r.stdout)
	}

	r = runCLI(t, apiEnv(srv), "list", "--jsonl", "--fields", "title,id", "--limit", "2")
	wantCode(t, r, 0)
	for i, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || len(m) != 2 || m["id"] != all[i].ID || !strings.HasPrefix(l, `{"title":`) {
			t.Fatalf("jsonl fields: %q", l)
		}
	}

	// --limit fetches only the pages it needs.
	for _, c := range []struct{ limit, requests int }{{5, 1}, {150, 2}} {
		srv.ResetRequests()
		r = runCLI(t, apiEnv(srv), "list", "--json", "--limit", itoa(c.limit))
		wantCode(t, r, 0)
		if got := ids(t, r.stdout); len(got) != c.limit || got[c.limit-1] != all[c.limit-1].ID || len(listQueries(srv)) != c.requests {
			t.Fatalf("--limit %d: %d rows, %d requests", c.limit, len(got), len(listQueries(srv)))
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// --limit with a filter checked here (a status value: the server filters
// by activity) pages only until enough sessions pass it, and lists exactly
// the first ones that do, in the server's order.
func TestListLimitWithLocalFilterStopsEarly(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 1000})
	var want []string
	for _, s := range srv.All() {
		if s.Status.Normal() == "waitingfortoolresults" && len(want) < 2 {
			want = append(want, s.ID)
		}
	}
	if len(want) < 2 {
		t.Fatal("setup: fewer than 2 waiting sessions")
	}
	srv.ResetRequests()
	r := runCLI(t, apiEnv(srv), "list", "--json", "--status", "waiting", "--limit", "2")
	wantCode(t, r, 0)
	if got := ids(t, r.stdout); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("listed %v, want %v", got, want)
	}
	// The whole list is 10 pages of 100; the first two waiting sessions
	// are within the first pages.
	if n := len(listQueries(srv)); n >= 10 {
		t.Fatalf("%d list requests: the whole list was read", n)
	}
}
