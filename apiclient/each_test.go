package apiclient_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

func eachServer(t *testing.T, n int) (*apitest.Server, *apiclient.Client) {
	t.Helper()
	srv := apitest.NewTestServer(t, apitest.Options{Sessions: n, Now: func() time.Time { return loadNow }})
	return srv, apiclient.New(apiclient.Config{BaseURL: srv.URL(), MaxRetries: -1})
}

// EachSession passes the same sessions as ListAll, in server order, and
// holds no more than the pages in flight.
func TestEachSessionStreamsInOrder(t *testing.T) {
	srv, c := eachServer(t, 1234)
	want, err := c.ListAll(context.Background(), apiclient.ListOptions{Limit: 50}, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	sum, err := c.EachSession(context.Background(), apiclient.ListOptions{Limit: 50}, func(s apiclient.Session) error {
		got = append(got, s.ID)
		return nil
	})
	if err != nil || sum.Rows != 1234 || sum.Total != 1234 || sum.Bounded || len(got) != len(want) {
		t.Fatalf("err %v, summary %+v, %d rows, want %d", err, sum, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].ID {
			t.Fatalf("row %d: %s, want %s", i, got[i], want[i].ID)
		}
	}
	if max := (apiclient.DefaultConcurrency + 1) * 50; sum.MaxHeld > max || sum.MaxHeld < 50 {
		t.Errorf("held up to %d sessions, want 50..%d", sum.MaxHeld, max)
	}
	_ = srv
}

// MaxRows stops after the newest rows and says the server had more; a
// bound smaller than a page costs one request of that size.
func TestEachSessionMaxRows(t *testing.T) {
	srv, c := eachServer(t, 500)
	var n int
	sum, err := c.EachSession(context.Background(), apiclient.ListOptions{Limit: 100, MaxRows: 250}, func(apiclient.Session) error { n++; return nil })
	if err != nil || n != 250 || sum.Rows != 250 || !sum.Bounded || sum.Total != 500 {
		t.Fatalf("err %v, %d rows, summary %+v", err, n, sum)
	}
	if r := srv.ListRequests(); r != 3 {
		t.Errorf("%d list requests, want 3", r)
	}

	srv, c = eachServer(t, 500)
	sum, err = c.EachSession(context.Background(), apiclient.ListOptions{MaxRows: 5}, func(apiclient.Session) error { return nil })
	if err != nil || sum.Rows != 5 || !sum.Bounded {
		t.Fatalf("err %v, summary %+v", err, sum)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || !strings.Contains(reqs[0].Query, "limit=5") {
		t.Errorf("requests %+v, want one with limit=5", reqs)
	}

	// A bound the list does not reach is not reported as hit.
	_, c = eachServer(t, 40)
	sum, err = c.EachSession(context.Background(), apiclient.ListOptions{MaxRows: 40}, func(apiclient.Session) error { return nil })
	if err != nil || sum.Rows != 40 || sum.Bounded {
		t.Fatalf("err %v, summary %+v", err, sum)
	}
}

// An error from fn stops the paging and is returned.
func TestEachSessionStopsOnError(t *testing.T) {
	srv, c := eachServer(t, 5000)
	stop := errors.New("enough")
	n := 0
	_, err := c.EachSession(context.Background(), apiclient.ListOptions{Limit: 10}, func(apiclient.Session) error {
		if n++; n == 15 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 15 {
		t.Fatalf("err %v after %d rows", err, n)
	}
	if r := srv.ListRequests(); r > 2+apiclient.DefaultConcurrency {
		t.Errorf("%d list requests after stopping in the second page", r)
	}
}

// A server ignoring offset sends the first page again: the listing stops
// with a warning rather than looping.
func TestEachSessionServerIgnoresOffset(t *testing.T) {
	srv, c := eachServer(t, 300)
	srv.SetLies(apitest.Lies{IgnoreOffset: true})
	sum, err := c.EachSession(context.Background(), apiclient.ListOptions{Limit: 100}, func(apiclient.Session) error { return nil })
	if err != nil || sum.Rows != 100 || len(sum.Warnings) == 0 {
		t.Fatalf("err %v, summary %+v", err, sum)
	}
}

// The iterator form yields the same rows and stops when the loop breaks.
func TestSessionsIterator(t *testing.T) {
	srv, c := eachServer(t, 1000)
	n := 0
	for s, err := range c.Sessions(context.Background(), apiclient.ListOptions{Limit: 100}) {
		if err != nil || s.ID == "" {
			t.Fatal(err)
		}
		if n++; n == 120 {
			break
		}
	}
	if n != 120 || srv.ListRequests() > 2+apiclient.DefaultConcurrency {
		t.Errorf("%d rows, %d requests", n, srv.ListRequests())
	}
}

// ListAll with MaxRows keeps the newest rows and marks the page that hit it.
func TestListAllMaxRows(t *testing.T) {
	srv, c := eachServer(t, 1000)
	bounded := 0
	all, err := c.ListAll(context.Background(), apiclient.ListOptions{Limit: 100, MaxRows: 330}, 4, func(ev apiclient.PageEvent) {
		if ev.Bounded {
			bounded++
			if ev.Total != 1000 {
				t.Errorf("total %d", ev.Total)
			}
		}
	})
	if err != nil || len(all) != 330 || bounded != 1 {
		t.Fatalf("err %v, %d rows, bounded reported %d times", err, len(all), bounded)
	}
	whole := srv.All()
	for i := range all {
		if all[i].ID != whole[i].ID {
			t.Fatalf("row %d is not the %dth newest", i, i)
		}
	}
	if r := srv.ListRequests(); r != 4 {
		t.Errorf("%d list requests, want 4", r)
	}
}
