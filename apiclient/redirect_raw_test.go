package apiclient_test

// Issue 8, defect 5: the export and the event stream send their
// requests with the client's http.Client but not through resty; the
// redirect policy must hold for them too (they carry the key as well).

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

func TestRedirectOutsideResty(t *testing.T) {
	ctx := context.Background()
	for _, call := range []struct {
		name string
		run  func(c *apiclient.Client, id string) error
	}{
		{"export", func(c *apiclient.Client, id string) error {
			var out bytes.Buffer
			_, err := c.Export(ctx, id, apiclient.ExportJSONL, &out)
			if out.Len() != 0 {
				return errors.New("the export wrote " + out.String())
			}
			return err
		}},
		{"event stream", func(c *apiclient.Client, id string) error {
			sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			s := c.Stream(sctx, id, apiclient.StreamOptions{})
			for range s.Items() {
			}
			return s.Err()
		}},
	} {
		t.Run(call.name, func(t *testing.T) {
			srv, c := hostileServer(t, 1)
			other, _ := hostileServer(t, 1)
			srv.SetLies(apitest.Lies{RedirectStatus: http.StatusFound, RedirectTo: other.URL()})
			err := call.run(c, srv.All()[0].ID)
			if !errors.Is(err, apiclient.ErrRedirected) ||
				!strings.Contains(apiclient.Describe(err), "refused a redirect to another host or port") {
				t.Fatalf("err = %v (%q)", err, apiclient.Describe(err))
			}
			if n := other.RequestCount(); n != 0 {
				t.Fatalf("the other port got %d requests", n)
			}
			if n := srv.RequestCount(); n != 1 {
				t.Fatalf("the server got %d requests, want 1 (a refused redirect is not retried)", n)
			}
		})
	}
}
