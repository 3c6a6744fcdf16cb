package contract

import (
	"strings"
	"testing"
)

const specPath = "../../testdata/everruns-sessions-openapi.json"

func TestEventDataSchema(t *testing.T) {
	for typ, want := range map[string]string{
		"session.title_updated": "SessionTitleUpdatedData",
		"output.message.delta":  "OutputMessageDeltaData",
		"turn.failed":           "TurnFailedData",
	} {
		if got := eventDataSchema(typ); got != want {
			t.Errorf("%s: %s, want %s", typ, got, want)
		}
	}
}

func TestLoadMissingDocument(t *testing.T) {
	if _, err := Load("no-such-file.json"); err == nil {
		t.Error("a missing document loaded")
	}
}

// A remembered verdict is the verdict: a bad event stays bad when seen again.
func TestEventRemembersProblems(t *testing.T) {
	c, err := Load(specPath)
	if err != nil {
		t.Fatal(err)
	}
	bad := []byte(`{"id":"event_1","type":"turn.failed","ts":"2026-08-01T00:00:00.000Z","session_id":"session_1","context":{},"data":{"turn_id":"t"}}`)
	for i := 0; i < 2; i++ {
		id, typ, problems := c.Event(bad)
		if id != "event_1" || typ != "turn.failed" || !strings.Contains(strings.Join(problems, "\n"), "turn.failed data as TurnFailedData") {
			t.Errorf("check %d: %s %s %q", i, id, typ, problems)
		}
	}
	if n := c.EventTypes()["turn.failed"]; n != 2 {
		t.Errorf("turn.failed counted %d times, want 2", n)
	}
}
