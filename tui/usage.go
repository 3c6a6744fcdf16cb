package tui

import (
	"fmt"
	"sort"
	"strings"

	bt "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

const usageTop = 20

// usageModel is the token usage view over the sessions the filter shows,
// computed once when it opens.
type usageModel struct {
	ctx                             *Context
	sessions                        int
	input, output, cacheRd, cacheCr int64
	top                             []*row
	byAgent, byStatus               []usageGroup
	cursor                          int
}

type usageGroup struct {
	name     string
	sessions int
	tokens   int64
}

func newUsage(ctx *Context, rows []*row) usageModel {
	u := usageModel{ctx: ctx, sessions: len(rows)}
	agents, statuses := map[string]*usageGroup{}, map[string]*usageGroup{}
	add := func(m map[string]*usageGroup, k string, t int64) {
		g := m[k]
		if g == nil {
			g = &usageGroup{name: k}
			m[k] = g
		}
		g.sessions++
		g.tokens += t
	}
	for _, r := range rows {
		us := r.s.Usage
		if us != nil {
			u.input += us.InputTokens
			u.output += us.OutputTokens
			u.cacheRd += us.CacheRead()
			u.cacheCr += us.CacheCreation()
		}
		add(agents, r.agent, r.total)
		add(statuses, r.status, r.total)
	}
	u.top = topByTokens(rows, usageTop)
	u.byAgent, u.byStatus = sortedGroups(agents), sortedGroups(statuses)
	return u
}

// topByTokens keeps the n heaviest rows with a bounded insertion: O(N·n).
func topByTokens(rows []*row, n int) []*row {
	top := make([]*row, 0, n+1)
	for _, r := range rows {
		if r.total == 0 {
			continue
		}
		i := sort.Search(len(top), func(i int) bool { return top[i].total < r.total })
		if i >= n {
			continue
		}
		top = append(top, nil)
		copy(top[i+1:], top[i:])
		top[i] = r
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

func sortedGroups(m map[string]*usageGroup) []usageGroup {
	out := make([]usageGroup, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].tokens != out[j].tokens {
			return out[i].tokens > out[j].tokens
		}
		return out[i].name < out[j].name
	})
	return out
}

// cacheHitRatio is cache reads over all prompt tokens (apiclient's arithmetic).
func cacheHitRatio(input, cacheRead, cacheCreation int64) string {
	prompt := apiclient.PromptTokens(input, cacheRead, cacheCreation)
	if prompt == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*apiclient.CacheHitRatio(cacheRead, prompt))
}

func (m Model) onUsageKey(k bt.KeyMsg) (bt.Model, bt.Cmd) {
	keys := m.ctx.Keys
	u := &m.usage
	switch {
	case keyMatches(k, keys.Back, keys.Usage):
		m.mode = modeList
	case keyMatches(k, keys.Quit):
		return m.quit()
	case keyMatches(k, keys.Up):
		u.cursor = max(u.cursor-1, 0)
	case keyMatches(k, keys.Down):
		u.cursor = min(u.cursor+1, max(len(u.top)-1, 0))
	case keyMatches(k, keys.Open):
		if u.cursor < len(u.top) {
			id := u.top[u.cursor].s.ID
			if i := indexOf(m.view.rows, id, 0); i >= 0 {
				m.list = m.list.jumpTo(i, m.view.rows)
			}
			m.mode = modeList
		}
	}
	return m, nil
}

func (u usageModel) View(width, height int) string {
	t := u.ctx.Theme
	var b strings.Builder
	line := func(s string) { b.WriteString(safetext.Truncate(s, width) + "\n") }
	b.WriteString(t.PaneTitle.Render(fmt.Sprintf("Token usage · %s shown", plural(u.sessions, "session"))) + "\n")
	total := apiclient.TotalTokens(u.input, u.output, u.cacheRd, u.cacheCr)
	line(fmt.Sprintf("%s %s   %s %s   %s %s   %s %s   %s %s   %s %s",
		t.Label.Render("input"), t.Value.Render(thousands(u.input)),
		t.Label.Render("output"), t.Value.Render(thousands(u.output)),
		t.Label.Render("cache read"), t.Value.Render(thousands(u.cacheRd)),
		t.Label.Render("cache creation"), t.Value.Render(thousands(u.cacheCr)),
		t.Label.Render("total"), t.Value.Render(thousands(total)),
		t.Label.Render("cache hit"), t.Value.Render(cacheHitRatio(u.input, u.cacheRd, u.cacheCr))))
	b.WriteString("\n" + t.PaneTitle.Render(fmt.Sprintf("Top %d by total tokens", usageTop)) + t.Muted.Render("  (enter jumps to the session)") + "\n")

	nameW := min(40, width/3)
	numW := 8
	barW := max(width-nameW-numW-4, 5)
	var maxTok int64 = 1
	if len(u.top) > 0 {
		maxTok = max(u.top[0].total, 1)
	}
	groupsH := 3 + min(len(u.byAgent), 6)
	room := max(height-6-groupsH, 3)
	start := max(0, u.cursor-room+1)
	for i := start; i < len(u.top) && i < start+room; i++ {
		r := u.top[i]
		// In floats: barW * total overflows int64 for a lying total.
		n := min(int(float64(barW)*float64(r.total)/float64(maxTok)), barW)
		bar := t.BarInput.Render(strings.Repeat("█", max(n, 1))) + strings.Repeat(" ", barW-max(n, 1))
		cursor := "  "
		name := safetext.Pad(r.title, nameW)
		if i == u.cursor {
			cursor = t.PickerCursor.Render("▸ ")
			name = t.RowSelected.Render(name)
		}
		b.WriteString(cursor + name + " " + bar + " " + padLeft(compactTokens(r.total), numW) + "\n")
	}
	if len(u.top) == 0 {
		b.WriteString(t.Muted.Render("  no usage in these sessions") + "\n")
	}
	half := max((width-2)/2, 20)
	b.WriteString("\n" + lipgloss.JoinHorizontal(lipgloss.Top,
		lipgloss.NewStyle().Width(half).Render(u.groupView("By agent", u.byAgent, half, 6)),
		"  ",
		lipgloss.NewStyle().Width(half).Render(u.groupView("By status", u.byStatus, half, 6))))
	return b.String()
}

func (u usageModel) groupView(title string, gs []usageGroup, width, n int) string {
	t := u.ctx.Theme
	lines := []string{t.PaneTitle.Render(title)}
	for i, g := range gs {
		if i == n {
			lines = append(lines, t.Muted.Render(fmt.Sprintf("… %d more", len(gs)-n)))
			break
		}
		nums := fmt.Sprintf("%14s %8s", plural(g.sessions, "session"), compactTokens(g.tokens))
		lines = append(lines, safetext.Pad(g.name, max(width-len(nums)-1, 4))+" "+t.Muted.Render(nums))
	}
	return strings.Join(lines, "\n")
}
