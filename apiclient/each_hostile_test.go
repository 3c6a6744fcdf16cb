package apiclient_test

// Issue 8: EachSession (the pager behind `sessions list --jsonl` and
// `--csv`) pages on its own, apart from ListAll, so it gets the same
// hostile rows as TestHostileServer's defects 1, 2 and 9: the outcome, the
// requests made, and the sessions held, counted.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

func TestEachSessionHostile(t *testing.T) {
	ctx := context.Background()
	const limit = 100
	each := func(c *apiclient.Client, opts apiclient.ListOptions) ([]string, apiclient.ListSummary, error) {
		var got []string
		opts.Limit = limit
		sum, err := c.EachSession(ctx, opts, func(s apiclient.Session) error { got = append(got, s.ID); return nil })
		return got, sum, err
	}
	// held bounds what EachSession holds at once: the pages in flight.
	const held = (apiclient.DefaultConcurrency + 1) * limit
	rows := []struct {
		defect int
		name   string
		run    func(t *testing.T)
	}{
		{1, "a lying total: stop at the short page", func(t *testing.T) {
			srv, c := hostileServer(t, 250)
			srv.SetLies(apitest.Lies{Total: apitest.Int64(1_000_000_000_000)})
			got, sum, err := each(c, apiclient.ListOptions{})
			if err != nil || !reflect.DeepEqual(got, ids(srv.All())) || sum.MaxHeld > held {
				t.Fatalf("%d sessions, held %d, %v", len(got), sum.MaxHeld, err)
			}
			if n := srv.ListRequests(); n < 3 || n > 3+apiclient.DefaultConcurrency {
				t.Fatalf("%d list requests for 3 pages of data", n)
			}
		}},
		{1, "a lying total and a repeated first page: stop on the repeat", func(t *testing.T) {
			srv, c := hostileServer(t, 300)
			srv.SetLies(apitest.Lies{Total: apitest.Int64(1_000_000_000_000), IgnoreOffset: true})
			got, sum, err := each(c, apiclient.ListOptions{})
			if err != nil || !reflect.DeepEqual(got, ids(srv.All()[:limit])) {
				t.Fatalf("%d sessions, %v", len(got), err)
			}
			wantWarning(t, sum.Warnings, "same sessions again")
			if n := srv.ListRequests(); n > 2+apiclient.DefaultConcurrency {
				t.Fatalf("%d list requests", n)
			}
		}},
		{1, "a cancel ends the paging, and says so", func(t *testing.T) {
			srv, c := hostileServer(t, 1000)
			srv.SetLies(apitest.Lies{Total: apitest.Int64(1_000_000_000_000)})
			// Cancelled while the first page is passed on, the dispatcher
			// sees the cancel and its next send at once and picks either:
			// repeated, both ways are taken. Neither may end as success
			// (a truncated list would exit 0).
			for range 20 {
				srv.ResetRequests()
				cctx, cancel := context.WithCancel(ctx)
				n := 0
				_, err := c.EachSession(cctx, apiclient.ListOptions{Limit: 10}, func(apiclient.Session) error {
					if n++; n == 1 {
						cancel()
					}
					return nil
				})
				if !errors.Is(err, context.Canceled) || srv.ListRequests() > 1+apiclient.DefaultConcurrency {
					t.Fatalf("err %v after %d requests", err, srv.ListRequests())
				}
			}
		}},
		{1, "a page larger than asked is cut, and held no longer", func(t *testing.T) {
			srv, c := hostileServer(t, 250)
			srv.SetLies(apitest.Lies{ExtraItems: 1000})
			got, sum, err := each(c, apiclient.ListOptions{})
			if err != nil || !reflect.DeepEqual(got, ids(srv.All())) || sum.MaxHeld > held {
				t.Fatalf("%d sessions, held %d, %v", len(got), sum.MaxHeld, err)
			}
			wantWarning(t, sum.Warnings, "more sessions in a page than asked")
		}},
		{2, "echoed offsets: rows in the order asked for, one warning", func(t *testing.T) {
			for _, echo := range []int64{-5, 1_000_000_000_000, 0} {
				srv, c := hostileServer(t, 250)
				srv.SetLies(apitest.Lies{EchoOffset: func(int) int64 { return echo }})
				got, sum, err := each(c, apiclient.ListOptions{})
				if err != nil || !reflect.DeepEqual(got, ids(srv.All())) {
					t.Fatalf("echo %d: %d sessions, %v", echo, len(got), err)
				}
				wantWarning(t, sum.Warnings, "rows are placed where they were asked for")
			}
		}},
		{9, "bad items are counted and placed, the rest kept", func(t *testing.T) {
			srv, c := hostileServer(t, 250)
			srv.SetLies(apitest.Lies{MangleItem: func(i int, item map[string]any) {
				if i == 3 || i == 150 {
					item["updated_at"] = ""
				}
			}})
			got, sum, err := each(c, apiclient.ListOptions{})
			if err != nil || len(got) != 248 || sum.Unreadable != 2 || len(sum.Problems) != 2 {
				t.Fatalf("%d sessions, summary %+v, %v", len(got), sum, err)
			}
			all := srv.All()
			for i, at := range []int{3, 150} {
				if p := sum.Problems[i]; p.Index != at || p.ID != all[at].ID {
					t.Fatalf("problem %d at %d (%s), want %d (%s)", i, p.Index, p.ID, at, all[at].ID)
				}
			}
		}},
	}
	for _, row := range rows {
		t.Run(fmt.Sprintf("%d/%s", row.defect, row.name), row.run)
	}
}

// A server that claims a huge total and cycles through a few pages
// whatever the offset (a cache keyed on the wrong thing): each session is
// passed once, and the paging stops on the first page seen before, not at
// the server's claimed end.
func TestEachSessionCyclingServer(t *testing.T) {
	for _, cycle := range []int{2, 3} {
		var requests atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
			lim, _ := strconv.Atoi(r.URL.Query().Get("limit"))
			page := off / max(lim, 1) % cycle
			data := make([]map[string]any, lim)
			for i := range data {
				data[i] = map[string]any{"id": fmt.Sprintf("s%d_%03d", page, i), "status": "idle"}
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "total": 1_000_000_000_000, "offset": off, "limit": lim})
		}))
		t.Cleanup(srv.Close)
		c := apiclient.New(apiclient.Config{BaseURL: srv.URL, MaxRetries: -1})
		seen := map[string]int{}
		_, err := c.EachSession(context.Background(), apiclient.ListOptions{Limit: 10}, func(s apiclient.Session) error {
			if seen[s.ID]++; len(seen) > 10*cycle || seen[s.ID] > 1 {
				return fmt.Errorf("session %s passed again (%d distinct so far)", s.ID, len(seen))
			}
			return nil
		})
		if err != nil || len(seen) != 10*cycle {
			t.Fatalf("cycle %d: %d distinct sessions, %v", cycle, len(seen), err)
		}
		if n := requests.Load(); n > int64(cycle+1+apiclient.DefaultConcurrency) {
			t.Fatalf("cycle %d: %d requests", cycle, n)
		}
	}
}
