package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/ and run as ordinary
// tests under plain `go test`. The real sessions there were made with
// apitest.Generate(3, 1, time.Unix(0, 0)); apitest imports this package, so
// the internal fuzz tests cannot call it. Run a fuzzer with e.g.
//
//	go test -run '^$' -fuzz '^FuzzDecodeError$' -fuzztime 60s ./apiclient/

// exerciseSession calls every helper a view may call on decoded data.
func exerciseSession(t *testing.T, s *Session) {
	t.Helper()
	_ = s.TitleOrEmpty() + s.PreviewOrEmpty() + s.OutputPreviewOrEmpty()
	_ = s.Usage.Total() + s.Usage.CacheRead() + s.Usage.CacheCreation()
	_ = s.Status.Known()
	for _, tag := range s.Tags {
		if !s.HasTag(tag) {
			t.Fatalf("HasTag(%q) = false for tags %q", tag, s.Tags)
		}
	}
	_ = s.HasTag("")
}

// roundTrip asserts that a value json.Unmarshal accepted marshals again and
// that the marshalled form is stable.
func roundTrip[T any](t *testing.T, v *T) {
	t.Helper()
	b1, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("re-marshal failed: %v (value %+v)", err, *v)
	}
	var again T
	if err := json.Unmarshal(b1, &again); err != nil {
		t.Fatalf("own output does not decode: %v\n%s", err, b1)
	}
	b2, err := json.Marshal(&again)
	if err != nil {
		t.Fatalf("second marshal failed: %v", err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("round trip not stable:\n%s\n%s", b1, b2)
	}
}

func FuzzDecodeSession(f *testing.F) {
	f.Add([]byte(`{"id":"s","status":"idle","usage":{"input_tokens":1,"output_tokens":2}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Session
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		exerciseSession(t, &s)
		roundTrip(t, &s)
		var viaDecode Session
		if err := decodeJSON(data, &viaDecode, ""); err != nil {
			t.Fatalf("decodeJSON rejects what json.Unmarshal accepts: %v", err)
		}
	})
}

func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":"s","tags":["a"]}],"total":1,"offset":0,"limit":50}`))
	f.Add([]byte(`{"data":[{"id":"a"},{"id":"b","updated_at":""},{"id":7},null,{"id":"c"}],"total":5}`))
	f.Add([]byte(`{"data":[{"id":"sk-fuzz-SECRET-0123456789","created_at":"sk-fuzz-SECRET-0123456789"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p SessionPage
		if err := decodeJSON(data, &p, ""); err != nil {
			if !strings.HasPrefix(err.Error(), ErrInvalidJSON.Error()) || strings.ContainsAny(err.Error(), "\n\r\x1b") {
				t.Fatalf("decode error is not one clean line: %q", err)
			}
			return
		}
		// Per-item decoding: every item is either kept or reported, and a
		// kept one has an id.
		var items struct{ Data []json.RawMessage }
		_ = json.Unmarshal(data, &items)
		if got := len(p.Data) + len(p.Problems); got != len(items.Data) || p.Excess != 0 {
			t.Fatalf("%d items became %d sessions + %d problems (excess %d)", len(items.Data), len(p.Data), len(p.Problems), p.Excess)
		}
		for i := range p.Data {
			if p.Data[i].ID == "" {
				t.Fatalf("kept a session without an id: %+v", p.Data[i])
			}
			exerciseSession(t, &p.Data[i])
		}
		last := -1
		for _, pr := range p.Problems {
			if pr.Index <= last || pr.Index >= len(items.Data) || !errors.Is(pr.Err, ErrInvalidJSON) {
				t.Fatalf("problem %+v out of order or unwrapped", pr)
			}
			last = pr.Index
			checkUILine(t, "problem", pr.String())
		}
		roundTrip(t, &p)

		// The bounded decode ListSessions uses keeps at most maxItems and
		// scrubs the key from what it reports.
		const maxItems = 2
		var b SessionPage
		if err := b.decode(data, maxItems, func(s string) string { return scrubKey(s, fuzzKey) }, newInterner()); err != nil {
			t.Fatalf("bounded decode fails where Unmarshal did not: %v", err)
		}
		if n := len(b.Data) + len(b.Problems); n > maxItems || n+b.Excess != len(items.Data) {
			t.Fatalf("bounded decode kept %d + %d, excess %d, of %d items", len(b.Data), len(b.Problems), b.Excess, len(items.Data))
		}
		for _, pr := range b.Problems {
			if strings.Contains(pr.String(), fuzzKey) {
				t.Fatalf("key in problem %q", pr)
			}
		}
	})
}

// fuzzKey is the API key set on the client in FuzzDecodeError. Seeds echo it.
const fuzzKey = "sk-fuzz-SECRET-0123456789"

var fuzzContentTypes = []string{"application/json", "application/problem+json", "text/html", "text/plain", ""}

// checkUILine asserts s is one line of clean text: valid UTF-8 and no C0,
// DEL, C1 or bidi/format characters (oneLine drops all of Cf).
func checkUILine(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s is not valid UTF-8: %q", what, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
			r == 0x200e || r == 0x200f || r == 0x061c || r == 0x2028 || r == 0x2029 {
			t.Fatalf("%s has control or format character %U: %q", what, r, s)
		}
	}
}

func FuzzDecodeError(f *testing.F) {
	f.Add(uint16(4), byte(0), []byte(`{"error":"Session not found"}`), "")
	f.Add(uint16(102), byte(2), []byte("<html><body>Bad Gateway</body></html>"), "")
	f.Add(uint16(29), byte(1), []byte(`{"title":"slow down","retry_after_seconds":2}`), "3")
	c := New(Config{APIKey: fuzzKey})
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, statusSeed uint16, ctSeed byte, body []byte, retryAfter string) {
		status := 400 + int(statusSeed)%200
		ctype := fuzzContentTypes[int(ctSeed)%len(fuzzContentTypes)]
		h := http.Header{}
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		// Exactly what Client.do does before handing the error out.
		e := parseAPIError(status, h, body, now, c.scrub)

		if e.Status != status {
			t.Fatalf("Status = %d, want %d", e.Status, status)
		}
		if e.Message == "" {
			t.Fatalf("empty message")
		}
		checkUILine(t, "Message", e.Message)
		checkUILine(t, "Code", e.Code)
		// The cap is maxMessageLen runes plus the ellipsis (see oneLine);
		// a 401 adds a fixed hint.
		limit := maxMessageLen + 1
		if status == http.StatusUnauthorized {
			limit += len("; check " + EnvAPIKey)
		}
		if n := utf8.RuneCountInString(e.Message); n > limit {
			t.Fatalf("Message is %d runes > %d: %q", n, limit, e.Message)
		}
		if n := utf8.RuneCountInString(e.Code); n > 101 {
			t.Fatalf("Code is %d runes > 101: %q", n, e.Code)
		}
		trimmed := bytes.TrimSpace(body)
		if ctype == "text/html" || (len(trimmed) > 0 && trimmed[0] == '<') {
			low := strings.ToLower(e.Message)
			for _, tag := range []string{"<html", "<body", "<head", "<!doctype", "<p>", "<title"} {
				if strings.Contains(low, tag) {
					t.Fatalf("raw HTML %q in message %q (content type %q)", tag, e.Message, ctype)
				}
			}
		}
		for _, s := range []string{e.Message, e.Code, e.Error(), e.UserMessage(), Describe(e)} {
			if strings.Contains(s, fuzzKey) {
				t.Fatalf("API key leaked: %q", s)
			}
		}
		checkUILine(t, "UserMessage", e.UserMessage())
		checkUILine(t, "Describe", Describe(e))
		// RetryAfter is turned into a time.Duration by the retry logic.
		if e.RetryAfter < 0 || e.RetryAfter > math.MaxInt64/int(time.Second) {
			t.Fatalf("RetryAfter = %d out of range (body %q, header %q)", e.RetryAfter, body, retryAfter)
		}
	})
}
