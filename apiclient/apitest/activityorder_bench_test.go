package apitest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkActivityPageLazyMillion: the page the TUI asks on every refresh
// of a million-session demo in order=last_activity (offset 0, limit 100),
// after some simulated activity has materialised the newest sessions.
func BenchmarkActivityPageLazyMillion(b *testing.B) {
	s := New(Options{Sessions: 1_000_000, Now: clock})
	for range 20 {
		s.Tick(fixedNow)
	}
	h := s.Handler()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/sessions?order=last_activity&offset=0&limit=100", nil)
	b.ResetTimer()
	for range b.N {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
