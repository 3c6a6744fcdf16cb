package querylang_test

import (
	"fmt"
	"time"

	"github.com/everruns/sessions/tui/querylang"
)

func Example() {
	now := time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC)
	q := querylang.Parse(`status:failed,running agent:ops-bot refnd #3254 tokens:>abc`)
	m := querylang.Compile(q, querylang.Env{
		Now:       now,
		KnownTags: map[string]bool{"billing": true},
		Agents:    []querylang.Agent{{ID: "agent_1", Name: "ops-bot"}},
	})
	for _, p := range m.Problems() {
		fmt.Printf("%d-%d %s (hint %v)\n", p.Start, p.End, p.Msg, p.Hint)
	}
	sp := m.Server()
	fmt.Printf("server: search=%q status=%v agent_id=%s local=%v\n", sp.Search, sp.Statuses, sp.AgentID, sp.LocalOnly)

	text, titleLen, set := querylang.BuildText("Refund for order #3254", "customer asks", "", "ops-bot")
	row := querylang.Subject{
		ID: "01ab", Text: text, TitleLen: titleLen, TextSet: set,
		AgentID: "agent_1", AgentName: "ops-bot", Status: "idle", Activity: "failed",
		Created: now.Add(-time.Hour), Updated: now,
	}
	ok, _ := m.Match(&row)
	fmt.Println("match:", ok)
	// Output:
	// 42-47 no session has tag "3254"; searched as text (hint true)
	// 55-59 tokens: use >100k, <5000 (hint false)
	// server: search="refnd" status=[running failed] agent_id=agent_1 local=[words]
	// match: true
}
