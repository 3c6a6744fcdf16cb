package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// usageNow puts the seed's 12 sessions across midnight UTC, so that --by day
// has two rows.
var usageNow = time.Date(2026, 8, 20, 2, 0, 0, 0, time.UTC)

func usageServer(t *testing.T) *apitest.Server {
	return newServer(t, apitest.Options{Sessions: 12, Now: func() time.Time { return usageNow }})
}

// TestUsageGolden pins the exact output of every --by in every --format
// for a small seed (read testdata/TestUsageGolden/*.golden).
func TestUsageGolden(t *testing.T) {
	srv := usageServer(t)
	for _, by := range apiclient.UsageKeys {
		for _, format := range []string{"table", "csv", "json"} {
			t.Run(string(by)+"_"+format, func(t *testing.T) {
				r := runCLI(t, apiEnv(srv), "usage", "--by", string(by), "--format", format)
				wantCode(t, r, 0)
				if r.stderr != "" {
					t.Fatalf("stderr: %s", r.stderr)
				}
				golden.RequireEqual(t, []byte(r.stdout))
			})
		}
	}
}

// TestUsageSumsMatchSessions checks the CSV against sums worked out here
// from the server's sessions, and the JSON against the CSV.
func TestUsageSumsMatchSessions(t *testing.T) {
	srv := usageServer(t)
	all := srv.All()
	var sessions int
	var in, cr, cc, out int64
	var cost, est float64
	for i := range all {
		sessions++
		if u := all[i].Usage; u != nil {
			in, out = in+u.InputTokens, out+u.OutputTokens
			if u.CacheReadTokens != nil {
				cr += *u.CacheReadTokens
			}
			if u.CacheCreationTokens != nil {
				cc += *u.CacheCreationTokens
			}
			switch {
			case u.EffectiveCostUSD != nil:
				cost += *u.EffectiveCostUSD
			case u.ActualCostUSD != nil:
				cost += *u.ActualCostUSD
			case u.EstimatedCostUSD != nil:
				cost += *u.EstimatedCostUSD
				est += *u.EstimatedCostUSD
			}
		}
	}
	if est == 0 || est == cost || cr == 0 || cc == 0 {
		t.Fatalf("seed lacks variety: est %v cost %v cr %d cc %d", est, cost, cr, cc)
	}
	for _, by := range apiclient.UsageKeys {
		r := runCLI(t, apiEnv(srv), "usage", "--by", string(by), "--format", "csv")
		wantCode(t, r, 0)
		recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := append([]string{string(by)}, usageColumns...)
		if strings.Join(recs[0], ",") != strings.Join(want, ",") {
			t.Fatalf("%s header %v", by, recs[0])
		}
		var got [6]int64
		var gotCost, gotEst float64
		for _, rec := range recs[1:] {
			for j := range got {
				n, err := strconv.ParseInt(rec[1+j], 10, 64)
				if err != nil {
					t.Fatalf("%s: %v in %v", by, err, rec)
				}
				got[j] += n
			}
			c, _ := strconv.ParseFloat(rec[7], 64)
			s, _ := strconv.ParseFloat(rec[8], 64)
			gotCost, gotEst = gotCost+c, gotEst+c*s
		}
		if got != [6]int64{int64(sessions), in, cr, cc, out, in + cr + cc + out} ||
			math.Abs(gotCost-cost) > 1e-5 || math.Abs(gotEst-est) > 1e-3 {
			t.Fatalf("%s: sums %v cost %v est %v; want %d %d %d %d %d cost %v est %v",
				by, got, gotCost, gotEst, sessions, in, cr, cc, out, cost, est)
		}
		if by == apiclient.UsageBySession && len(recs)-1 != len(all) {
			t.Fatalf("%d session rows for %d sessions", len(recs)-1, len(all))
		}

		j := runCLI(t, apiEnv(srv), "usage", "--by", string(by), "--format", "json")
		wantCode(t, j, 0)
		var objs []map[string]any
		if err := json.Unmarshal([]byte(j.stdout), &objs); err != nil || len(objs) != len(recs)-1 {
			t.Fatalf("%s json: %v, %d objects", by, err, len(objs))
		}
		for i, o := range objs {
			if len(o) != len(want) || o[string(by)] != recs[i+1][0] || strconv.FormatFloat(o["total_tokens"].(float64), 'f', -1, 64) != recs[i+1][6] {
				t.Fatalf("%s json row %d %v vs csv %v", by, i, o, recs[i+1])
			}
		}
		// Keys keep the CSV order.
		first := j.stdout[strings.Index(j.stdout, "{"):strings.Index(j.stdout, "}")]
		last := -1
		for _, k := range want {
			at := strings.Index(first, `"`+k+`":`)
			if at <= last {
				t.Fatalf("%s json key %s out of order: %s", by, k, first)
			}
			last = at
		}
	}
}

// TestUsageFilters: the server gets the filters it can apply; tags and
// fine statuses are applied here.
func TestUsageFilters(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 300})
	all := srv.All()
	agent := srv.Agents()[0]
	cut := all[100].CreatedAt
	srv.ResetRequests()
	r := runCLI(t, apiEnv(srv), "usage", "--by", "source", "--format", "csv", "--agent", agent.Name,
		"--source", "chat,api", "--status", "completed", "--until", cut.Format(time.RFC3339Nano), "--mine", "--search", "a")
	wantCode(t, r, 0)
	qs := listQueries(srv)
	if len(qs) == 0 {
		t.Fatal("no list request")
	}
	for _, q := range qs {
		if q.Get("agent_id") != agent.ID || q.Get("source") != "chat,api" || q.Get("status") != "completed" ||
			q.Get("created_before") != cut.UTC().Format(time.RFC3339Nano) || q.Get("mine") != "true" || q.Get("search") != "a" {
			t.Fatalf("query %v", q)
		}
	}
	want := 0
	for i := range all {
		s := &all[i]
		if s.AgentID == agent.ID && (s.Source == apiclient.SourceChat || s.Source == apiclient.SourceAPI) &&
			s.Activity == apiclient.ActivityCompleted && s.CreatedAt.Before(cut) &&
			s.OwnerPrincipalID == apitest.PrincipalID(0) && strings.Contains(strings.ToLower(s.TitleOrEmpty()), "a") {
			want++
		}
	}
	recs, _ := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	got := 0
	for _, rec := range recs[1:] {
		if rec[0] != "chat" && rec[0] != "api" {
			t.Fatalf("row for %q", rec[0])
		}
		n, _ := strconv.Atoi(rec[1])
		got += n
	}
	if want == 0 || got != want {
		t.Fatalf("%d sessions counted, want %d", got, want)
	}

	// A tag is not a server filter: applied to the rows.
	tagged := 0
	for i := range all {
		if all[i].HasTag("urgent") {
			tagged++
		}
	}
	r = runCLI(t, apiEnv(srv), "usage", "--by", "day", "--format", "json", "--tag", "URGENT")
	wantCode(t, r, 0)
	var objs []struct{ Sessions int }
	_ = json.Unmarshal([]byte(r.stdout), &objs)
	n := 0
	for _, o := range objs {
		n += o.Sessions
	}
	if tagged == 0 || n != tagged {
		t.Fatalf("--tag urgent: %d sessions, want %d", n, tagged)
	}
}

func TestUsageBadValues(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 5})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--by", "week"}, "day, hour, agent, model, source, session"},
		{[]string{"--format", "xml"}, "table, csv, json"},
		{[]string{"--status", "exploded"}, "completed"},
		{[]string{"--since", "yesterday"}, "RFC 3339"},
		{[]string{"--json"}, "unknown flag"},
	} {
		srv.ResetRequests()
		r := runCLI(t, apiEnv(srv), append([]string{"usage"}, c.args...)...)
		wantCode(t, r, 2)
		if !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, r.stderr, c.want)
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%v: %d requests sent", c.args, n)
		}
	}
}

// A lying server's counts neither wrap into negatives nor break the output,
// and its text reaches the terminal sanitised.
func TestUsageHostileServer(t *testing.T) {
	srv := newServer(t, apitest.Options{Hostile: true, Now: func() time.Time { return usageNow }})
	for _, s := range srv.All() {
		s.Usage = &apiclient.TokenUsage{InputTokens: math.MaxInt64, OutputTokens: math.MaxInt64}
		srv.Put(s)
	}
	r := runCLI(t, apiEnv(srv), "usage", "--by", "session", "--format", "csv")
	wantCode(t, r, 0)
	if strings.Contains(r.stdout, ",-") {
		t.Fatalf("negative count:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, strconv.FormatInt(math.MaxInt64, 10)) {
		t.Fatalf("no saturated total:\n%s", r.stdout)
	}
	r = runCLI(t, apiEnv(srv), "usage", "--by", "day")
	wantCode(t, r, 0)
	if strings.ContainsAny(r.stdout, "\x1b\u009b") || !strings.Contains(r.stdout, "9,223,372,036,854,775,807") {
		t.Fatalf("table:\n%s", r.stdout)
	}
}

// When the agents cannot be listed, --by agent still answers, by id, and
// says why on stderr; a failing session list exits 1.
func TestUsageAgentsUnavailable(t *testing.T) {
	srv := usageServer(t)
	srv.SetFaults(apitest.Faults{Match: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/v1/agents") },
		FailCount: 100, FailStatus: http.StatusInternalServerError})
	r := runCLI(t, apiEnv(srv), "usage", "--by", "agent", "--format", "csv", "--retries", "0")
	wantCode(t, r, 0)
	if !strings.Contains(r.stderr, "agents are shown by id") {
		t.Fatalf("stderr %q", r.stderr)
	}
	recs, _ := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	for _, rec := range recs[1:] {
		if !strings.HasPrefix(rec[0], "agent_") {
			t.Fatalf("row %v is not keyed by id", rec)
		}
	}
	srv.SetFaults(apitest.Faults{Match: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/v1/sessions") },
		FailCount: 100, FailStatus: http.StatusInternalServerError})
	r = runCLI(t, apiEnv(srv), "usage", "--by", "day", "--retries", "0")
	wantCode(t, r, 1)
	if r.stdout != "" {
		t.Fatalf("printed a partial report:\n%s", r.stdout)
	}
}
