package apiclient_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
)

// plainSession has Session's fields and none of its methods: decoding into
// it is encoding/json alone, without the unknown-field capture.
type plainSession apiclient.Session

// BenchmarkDecodePage: one page of 100 sessions as apitest serves them,
// decoded into []Session (known fields plus Extra) and into the plain type.
// The difference is the cost of keeping unknown fields.
//
//	go test -run '^$' -bench DecodePage -benchmem ./apiclient/
func BenchmarkDecodePage(b *testing.B) {
	srv := apitest.New(apitest.Options{Sessions: 100, Now: func() time.Time { return loadNow }})
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1:1/api/v1/sessions?limit=100", nil))
	body := rec.Body.Bytes()
	b.Run("Session", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for range b.N {
			var p struct{ Data []apiclient.Session }
			if err := json.Unmarshal(body, &p); err != nil || len(p.Data) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeSessionPage", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for range b.N {
			p, err := apiclient.DecodeSessionPage(body)
			if err != nil || len(p.Data) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for range b.N {
			var p struct{ Data []plainSession }
			if err := json.Unmarshal(body, &p); err != nil || len(p.Data) != 100 {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecodePageValidOnly(b *testing.B) {
	srv := apitest.New(apitest.Options{Sessions: 100, Now: func() time.Time { return loadNow }})
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1:1/api/v1/sessions?limit=100", nil))
	body := rec.Body.Bytes()
	b.SetBytes(int64(len(body)))
	for range b.N {
		if !json.Valid(body) {
			b.Fatal("invalid")
		}
	}
}
