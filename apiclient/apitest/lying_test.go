package apitest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

type rawPage struct {
	Data   []map[string]any `json:"data"`
	Total  int64            `json:"total"`
	Offset int64            `json:"offset"`
	Limit  int              `json:"limit"`
}

func TestLiesList(t *testing.T) {
	s := newTest(t, Options{Sessions: 30})
	all := s.All()
	s.SetLies(Lies{Total: Int64(1_000_000_000_000), EchoOffset: func(int) int64 { return -5 }, ExtraItems: 3,
		MangleItem: func(i int, item map[string]any) {
			if i == 11 {
				item["updated_at"] = ""
			}
		}})
	st, _, b := do(t, s, "GET", "/v1/sessions?offset=10&limit=5", "")
	p := decode[rawPage](t, b)
	if st != 200 || p.Total != 1_000_000_000_000 || p.Offset != -5 || p.Limit != 5 || len(p.Data) != 8 {
		t.Fatalf("%d: total %d offset %d limit %d, %d items", st, p.Total, p.Offset, p.Limit, len(p.Data))
	}
	if p.Data[0]["id"] != all[10].ID || p.Data[1]["updated_at"] != "" {
		t.Fatalf("items %v %v", p.Data[0]["id"], p.Data[1]["updated_at"])
	}
	if r := s.Requests(); r[len(r)-1].Fault != "lie-list" {
		t.Fatalf("logged fault %q", r[len(r)-1].Fault)
	}

	s.SetLies(Lies{IgnoreOffset: true})
	_, _, b = do(t, s, "GET", "/v1/sessions?offset=20&limit=5", "")
	if p := decode[rawPage](t, b); p.Data[0]["id"] != all[0].ID || p.Offset != 20 || p.Total != 30 {
		t.Fatalf("ignored offset: first %v, offset %d, total %d", p.Data[0]["id"], p.Offset, p.Total)
	}
	s.SetLies(Lies{})
	_, _, b = do(t, s, "GET", "/v1/sessions?offset=20&limit=5", "")
	if p := decode[rawPage](t, b); p.Data[0]["id"] != all[20].ID {
		t.Fatal("lies still told after SetLies(Lies{})")
	}
}

func TestLiesRedirectAndPatchAnswers(t *testing.T) {
	s := newTest(t, Options{Sessions: 2})
	a, b := s.All()[0], s.All()[1]
	s.SetLies(Lies{RedirectStatus: 308, RedirectTo: "https://elsewhere.example/api", RedirectCount: 1,
		RedirectMatch: MatchMethod(http.MethodPatch)})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPatch, s.URL()+"/v1/sessions/"+a.ID+"?x=1", strings.NewReader(`{"title":"T"}`))
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 308 || resp.Header.Get("Location") != "https://elsewhere.example/api/v1/sessions/"+a.ID+"?x=1" {
		t.Fatalf("%d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got, _ := s.Get(a.ID); got.TitleOrEmpty() == "T" {
		t.Fatal("a redirected PATCH was applied")
	}
	// RedirectCount 1: the next PATCH is served.
	if st, _, _ := do(t, s, "PATCH", "/v1/sessions/"+a.ID, `{"title":"T"}`); st != 200 {
		t.Fatalf("second PATCH: %d", st)
	}

	s.SetLies(Lies{PatchAnswer: "{}"})
	if st, _, body := do(t, s, "PATCH", "/v1/sessions/"+a.ID, `{"title":"U"}`); st != 200 || string(body) != "{}" {
		t.Fatalf("PatchAnswer: %d %s", st, body)
	}
	s.SetLies(Lies{PatchAnswerWith: b.ID})
	st, _, body := do(t, s, "PATCH", "/v1/sessions/"+a.ID, `{"title":"U"}`)
	var got struct{ ID string }
	if st != 200 || json.Unmarshal(body, &got) != nil || got.ID != b.ID {
		t.Fatalf("PatchAnswerWith: %d %s", st, body)
	}
	if x, _ := s.Get(a.ID); x.TitleOrEmpty() != "T" {
		t.Fatalf("a lied-to PATCH was applied: %q", x.TitleOrEmpty())
	}
}

func TestFaultRetryAfterAndOnFault(t *testing.T) {
	s := newTest(t, Options{Sessions: 1})
	var kinds []string
	s.SetFaults(Faults{FailCount: 1, FailRetryAfter: 7, OnFault: func(k string) { kinds = append(kinds, k) }})
	st, h, _ := do(t, s, "GET", "/v1/sessions", "")
	if st != 503 || h.Get("Retry-After") != "7" {
		t.Fatalf("%d Retry-After %q", st, h.Get("Retry-After"))
	}
	if st, _, _ := do(t, s, "GET", "/v1/sessions", ""); st != 200 || len(kinds) != 1 || kinds[0] != "fail" {
		t.Fatalf("%d, OnFault saw %q", st, kinds)
	}
}
