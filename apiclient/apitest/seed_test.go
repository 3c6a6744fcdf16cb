package apitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
)

func TestGenerateDeterministic(t *testing.T) {
	a := Generate(500, 1, fixedNow)
	b := Generate(500, 1, fixedNow)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different data")
	}
	if c := Generate(500, 2, fixedNow); c[0].ID == a[0].ID {
		t.Fatal("different seeds, same ids")
	}
	x := New(Options{Sessions: 50, Now: clock}).All()
	y := New(Options{Sessions: 50, Now: clock}).All()
	if !reflect.DeepEqual(x, y) {
		t.Fatal("server seed data differs")
	}
}

func TestGenerateVariety(t *testing.T) {
	for _, n := range []int{10, 2000} {
		ss := Generate(n, 1, fixedNow)
		statuses := map[apiclient.Status]int{}
		var untitled, nullUsage, cache, caps, nullModel, resolved, nullOutput int
		ids := map[string]bool{}
		for i, s := range ss {
			statuses[s.Status]++
			if s.Title == nil {
				untitled++
			}
			if s.Usage == nil {
				nullUsage++
			} else if s.Usage.CacheReadTokens != nil {
				cache++
			}
			if len(s.Capabilities) > 0 {
				caps++
			}
			if s.ModelID == nil {
				nullModel++
			}
			if s.HasTag("resolved") {
				resolved++
			}
			if s.OutputPreview == nil {
				nullOutput++
			}
			if !ValidSessionID(s.ID) || !validID(s.AgentID, "agent_") || !validID(s.OrganizationID, "org_") || ids[s.ID] {
				t.Fatalf("bad or duplicate ids: %+v", s)
			}
			ids[s.ID] = true
			if i > 0 && !s.CreatedAt.Before(ss[i-1].CreatedAt) {
				t.Fatal("not strictly newest first")
			}
			if s.CreatedAt.After(fixedNow) || s.UpdatedAt.Before(s.CreatedAt) || s.UpdatedAt.After(fixedNow) {
				t.Fatalf("timestamps: %+v", s)
			}
			if strings.Contains(s.TitleOrEmpty()+s.PreviewOrEmpty()+s.OutputPreviewOrEmpty(), "%!") {
				t.Fatalf("format error in %+v", s)
			}
			if s.Status == apiclient.StatusStarted && (s.Usage != nil || s.OutputPreview != nil) {
				t.Fatalf("started session with a turn: %+v", s)
			}
			if s.WorkspaceID == "" || s.HarnessID == "" || s.OwnerPrincipalID == "" || !s.Source.Known() || !s.Activity.Known() {
				t.Fatalf("required field missing: %s", describe(&s))
			}
		}
		for _, st := range apiclient.Statuses {
			if statuses[st] == 0 {
				t.Errorf("n=%d: no %s session", n, st)
			}
		}
		if untitled == 0 || nullUsage == 0 || cache == 0 || nullOutput == 0 {
			t.Errorf("n=%d: untitled %d nullUsage %d cache %d nullOutput %d", n, untitled, nullUsage, cache, nullOutput)
		}
		if n == 2000 {
			if f := float64(untitled) / float64(n); f < 0.12 || f > 0.28 {
				t.Errorf("untitled fraction %.2f", f)
			}
			if f := float64(resolved) / float64(n); f < 0.18 || f > 0.32 {
				t.Errorf("resolved fraction %.2f", f)
			}
			if caps == 0 || nullModel == 0 || statuses["idle"] < n/2 {
				t.Errorf("caps %d nullModel %d statuses %v", caps, nullModel, statuses)
			}
		}
	}
}

func TestHostile(t *testing.T) {
	s := newTest(t, Options{Sessions: 10, Hostile: true})
	all := s.All()
	joined := ""
	for _, x := range all[:7] {
		joined += x.TitleOrEmpty() + x.PreviewOrEmpty() + strings.Join(x.Tags, "")
	}
	for _, want := range []string{"\x1b]52;c;ZXZpbA==\x07", "\x1b]8;;", "\x1bP", "\u009b", "\u202e", "\u2066", "\r", "\b", "\a", "🇯🇵", "❤️"} {
		if !strings.Contains(joined, want) {
			t.Errorf("hostile data lacks %q", want)
		}
	}
	big := all[6]
	if len(big.PreviewOrEmpty()) != 1<<20 {
		t.Fatalf("big preview %d bytes", len(big.PreviewOrEmpty()))
	}
	st, _, b := do(t, s, "GET", "/v1/sessions?limit=10", "")
	var p apiclient.SessionPage
	if err := json.Unmarshal(b, &p); err != nil || st != 200 || p.Data[0].TitleOrEmpty() != all[0].TitleOrEmpty() {
		t.Fatalf("hostile page round trip: %v", err)
	}
}

func TestActivity(t *testing.T) {
	run := func() []apiclient.Session {
		s := New(Options{Sessions: 50, Now: clock})
		changed := 0
		for i := 1; i <= 20; i++ {
			changed += s.Tick(fixedNow.Add(time.Duration(i) * time.Second))
		}
		if changed == 0 {
			t.Fatal("nothing happened")
		}
		return s.All()
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("activity not deterministic")
	}
	before := Generate(50, 1, fixedNow)
	if len(a) <= len(before) {
		t.Fatal("no new session appeared")
	}
	if a[0].CreatedAt.Before(fixedNow) {
		t.Fatal("new session not at the top")
	}
	bumped := 0
	for _, x := range a {
		if x.UpdatedAt.After(fixedNow) {
			bumped++
		}
	}
	if bumped < 2 {
		t.Fatalf("only %d sessions bumped", bumped)
	}
}

func TestActivityTickerRace(t *testing.T) {
	s := newTest(t, Options{Sessions: 100})
	s.StartActivity(time.Millisecond)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			if resp, err := http.Get(s.URL() + "/v1/sessions?limit=100"); err == nil {
				resp.Body.Close()
			}
		}
	}()
	for i := 0; i < 50; i++ {
		do(t, s, "PATCH", "/v1/sessions/"+s.All()[i%10].ID, `{"tags":["p1"]}`)
	}
	<-done
	s.StopActivity()
}

func BenchmarkListPage100k(b *testing.B) {
	s := New(Options{Sessions: 100_000, Now: clock, Prefix: "/"})
	h := s.Handler()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/sessions?limit=100&offset=50000", nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// TestGenerateUsageSpread: the demo's usage has the shape issue 13 asks
// for: a few agents and models dominate, some days spike, some sessions
// have only an estimated cost and some none.
func TestGenerateUsageSpread(t *testing.T) {
	ss := Generate(20000, 1, fixedNow)
	perAgent, perModel, perDay := map[string]int{}, map[string]int{}, map[string]int{}
	var estOnly, none, priced int
	for i := range ss {
		s := &ss[i]
		perAgent[s.AgentID]++
		if s.ModelID != nil {
			perModel[*s.ModelID]++
		}
		if i >= 200 {
			perDay[s.CreatedAt.UTC().Format(time.DateOnly)]++
		}
		switch _, kind, ok := s.Cost(); {
		case !ok:
			none++
		case kind == apiclient.CostEstimated:
			estOnly++
		default:
			priced++
		}
	}
	top2 := func(m map[string]int) float64 {
		var a, b, sum int
		for _, n := range m {
			sum += n
			if n > a {
				a, b = n, a
			} else if n > b {
				b = n
			}
		}
		return float64(a+b) / float64(sum)
	}
	if s := top2(perAgent); s < 0.5 {
		t.Errorf("two agents have %.0f%% of the sessions, want a majority", 100*s)
	}
	if s := top2(perModel); s < 0.5 {
		t.Errorf("two models have %.0f%% of the sessions, want a majority", 100*s)
	}
	var days []int
	for _, n := range perDay {
		days = append(days, n)
	}
	sort.Ints(days)
	if median, peak := days[len(days)/2], days[len(days)-2]; peak < 3*median {
		t.Errorf("busiest days have %d sessions, median %d: no spikes", peak, median)
	}
	if estOnly < len(ss)/10 || none < len(ss)/20 || priced < len(ss)/2 {
		t.Errorf("costs: %d estimated only, %d none, %d actual", estOnly, none, priced)
	}
}
