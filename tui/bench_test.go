package tui

// Benchmarks for the issue "Fast at 100,000 sessions".
//
//	go test -run '^$' -bench . -benchmem ./tui/
//
// Each benchmark has sub-benchmarks sessions=10000 and sessions=100000, at a
// 160x45 terminal, with sessions from apitest.Generate loaded without network.
// BenchmarkBaselineBubblesList and BenchmarkBaselineBubblesTable put the same
// data in the stock bubbles components: the naive baselines. The baseline
// list takes about a second per keystroke at 100k; run it with
// -benchtime=3x (or filter it out) when that is too slow.

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui/querylang"
	"github.com/everruns/sessions/tui/sessionlist"
)

var (
	benchNow   = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	benchSizes = []int{10_000, 100_000}
	benchSize  = tea.WindowSizeMsg{Width: 160, Height: 45}
)

// benchPrefix is typed before the timer starts; every iteration types
// benchLast onto it. "café" is from the generator's vocabulary (the "Café
// POS sync" topic): the prefix "caf" matches nearly every session as a
// fuzzy subsequence, the full word a few percent, so the measured keystroke
// is the expensive kind, narrowing a big previous result to a small one.
const (
	benchPrefix = "caf"
	benchLast   = 'é'
)

var (
	benchSetupOnce sync.Once
	benchMu        sync.Mutex
	benchSessCache = map[int][]apiclient.Session{}
	benchModels    = map[int]Model{}
)

// benchInit makes lipgloss render as on a true-colour, dark terminal, for
// every benchmark alike (under go test stdout is no terminal, and lipgloss
// would otherwise drop all styling).
func benchInit() {
	benchSetupOnce.Do(func() {
		lipgloss.SetColorProfile(termenv.TrueColor)
		lipgloss.SetHasDarkBackground(true)
	})
}

func benchSessions(n int) []apiclient.Session {
	benchMu.Lock()
	defer benchMu.Unlock()
	if s, ok := benchSessCache[n]; ok {
		return s
	}
	s := apitest.Generate(n, 1, benchNow)
	benchSessCache[n] = s
	return s
}

// benchModel is the root model with n sessions loaded, a finished load, the
// derived list in place and a 160x45 terminal. It is built once per n; the
// Model value is copied by the caller and nothing it shares is mutated by
// the benchmarks (derives build new results).
func benchModel(b *testing.B, n int) Model {
	b.Helper()
	benchInit()
	benchMu.Lock()
	m, ok := benchModels[n]
	benchMu.Unlock()
	if ok {
		return m
	}
	sessions := benchSessions(n)
	m = New(Options{Now: func() time.Time { return benchNow }})
	// First load: pages land in the shown store (m.load.next == m.st).
	for off := 0; off < n; off += 100 {
		end := min(off+100, n)
		m.load.next.applyPage(off, apiclient.SessionPage{Data: sessions[off:end], Total: n, Offset: off, Limit: 100})
	}
	tm, cmd := m.Update(loadFinishedMsg{gen: m.load.gen})
	tm = settle(b, tm, cmd)
	tm, cmd = tm.Update(benchSize)
	m = settle(b, tm, cmd).(Model)
	if m.st.loaded != n || len(m.view.rows) != n || m.deriving {
		b.Fatalf("model not loaded: %d stored, %d shown, deriving %v", m.st.loaded, len(m.view.rows), m.deriving)
	}
	benchMu.Lock()
	benchModels[n] = m
	benchMu.Unlock()
	return m
}

// settle runs the commands an Update returned, as the Bubble Tea runtime
// would (each in its own goroutine), and feeds derived lists back until no
// derive is in flight. Other messages (cursor blinks and the like, which
// sleep) are not waited for and are dropped.
func settle(b *testing.B, tm tea.Model, cmd tea.Cmd) tea.Model {
	ch := make(chan tea.Msg, 64)
	run := func(c tea.Cmd) {
		if c != nil {
			go func() { ch <- c() }()
		}
	}
	run(cmd)
	timeout := time.After(time.Minute)
	for tm.(Model).deriving {
		select {
		case msg := <-ch:
			switch msg := msg.(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			case viewDerivedMsg:
				tm, cmd = tm.Update(msg)
				run(cmd)
			}
		case <-timeout:
			b.Fatal("settle: derive did not finish")
		}
	}
	return tm
}

func keyRune(r rune) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}} }

var benchSink int

// BenchmarkCursorMove: one `down` through the root model's Update, then View.
func BenchmarkCursorMove(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			m := benchModel(b, n)
			down := tea.KeyMsg{Type: tea.KeyDown}
			var tm tea.Model = m
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if mm := tm.(Model); mm.list.Cursor >= len(mm.view.rows)-1 {
					b.StopTimer()
					mm.list = mm.list.MoveTo(0, mm.view.rows)
					tm = mm
					b.StartTimer()
				}
				tm, _ = tm.Update(down)
				benchSink += len(tm.View())
			}
		})
	}
}

// benchMatchRatio reports how many sessions q matches, as a fraction.
func benchMatchRatio(m Model, q string) float64 {
	pq := sessionlist.CompileQuery(q, sessionlist.QueryEnv(m.all, m.qin.directory, m.ctx.Now()))
	n := 0
	for _, r := range m.all {
		if _, ok := pq.MatchRow(r); ok {
			n++
		}
	}
	return float64(n) / float64(len(m.all))
}

// BenchmarkFilterKeystroke: one more character typed into the / filter,
// the derive it starts run to completion and fed back, then View. Setup
// types all but the last character; each iteration types the last one and,
// off the clock, deletes it again.
func BenchmarkFilterKeystroke(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			m := benchModel(b, n)
			word := benchPrefix + string(benchLast)
			b.Logf("filter %q after %q: matches %.1f%% of %d sessions (prefix %.1f%%)",
				word, benchPrefix, 100*benchMatchRatio(m, word), n, 100*benchMatchRatio(m, benchPrefix))
			tm, cmd := m.Update(keyRune('/'))
			tm = settle(b, tm, cmd)
			for _, r := range benchPrefix {
				tm, cmd = tm.Update(keyRune(r))
				tm = settle(b, tm, cmd)
			}
			if mm := tm.(Model); mm.mode != modeFilter || mm.view.spec.q.Raw != benchPrefix {
				b.Fatalf("setup: mode %v, query %q", mm.mode, mm.view.spec.q.Raw)
			}
			last, bs := keyRune(benchLast), tea.KeyMsg{Type: tea.KeyBackspace}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tm, cmd = tm.Update(last)
				tm = settle(b, tm, cmd)
				benchSink += len(tm.View())

				b.StopTimer()
				if i == 0 {
					if mm := tm.(Model); mm.view.spec.q.Raw != word {
						b.Fatalf("typed: query %q", mm.view.spec.q.Raw)
					}
				}
				tm, cmd = tm.Update(bs)
				tm = settle(b, tm, cmd)
				b.StartTimer()
			}
		})
	}
}

// benchQuery is a structured query typed into / in
// BenchmarkQueryKeystroke: a status, an agent by name and a misspelt word.
const benchQuery = "status:completed agent:ops refnd"

// BenchmarkQueryKeystroke: the last character of a structured query typed
// into the / filter (the derive run to completion and fed back, then
// View), as BenchmarkFilterKeystroke. The agents are known by name, as
// when the agents API has answered.
func BenchmarkQueryKeystroke(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			m := benchModel(b, n)
			for _, a := range apitest.SeedAgents(1) {
				m.qin.directory = append(m.qin.directory, querylang.Agent{ID: a.ID, Name: a.Name, DisplayName: a.DisplayName})
			}
			prefix, last := benchQuery[:len(benchQuery)-1], rune(benchQuery[len(benchQuery)-1])
			b.Logf("query %q: matches %.2f%% of %d sessions (prefix %.2f%%)",
				benchQuery, 100*benchMatchRatio(m, benchQuery), n, 100*benchMatchRatio(m, prefix))
			tm, cmd := m.Update(keyRune('/'))
			tm = settle(b, tm, cmd)
			for _, r := range prefix {
				tm, cmd = tm.Update(keyRune(r))
				tm = settle(b, tm, cmd)
			}
			if mm := tm.(Model); mm.mode != modeFilter || mm.view.spec.q.Raw != prefix || len(mm.spec.q.Problems()) != 0 {
				b.Fatalf("setup: mode %v, query %q, problems %v", mm.mode, mm.view.spec.q.Raw, mm.spec.q.Problems())
			}
			lastKey, bs := keyRune(last), tea.KeyMsg{Type: tea.KeyBackspace}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tm, cmd = tm.Update(lastKey)
				tm = settle(b, tm, cmd)
				benchSink += len(tm.View())

				b.StopTimer()
				if i == 0 {
					if mm := tm.(Model); mm.view.spec.q.Raw != benchQuery || len(mm.view.rows) == 0 {
						b.Fatalf("typed: query %q, %d rows", mm.view.spec.q.Raw, len(mm.view.rows))
					}
				}
				tm, cmd = tm.Update(bs)
				tm = settle(b, tm, cmd)
				b.StartTimer()
			}
		})
	}
}

// benchItem is a session as a bubbles/list item.
type benchItem struct{ title, desc, filter string }

func (i benchItem) Title() string       { return i.title }
func (i benchItem) Description() string { return i.desc }
func (i benchItem) FilterValue() string { return i.filter }

func benchListItems(sessions []apiclient.Session) []list.Item {
	items := make([]list.Item, len(sessions))
	for i := range sessions {
		s := &sessions[i]
		title := s.TitleOrEmpty()
		if title == "" {
			title = s.PreviewOrEmpty()
		}
		items[i] = benchItem{title: title, desc: s.PreviewOrEmpty(), filter: title + " " + s.PreviewOrEmpty()}
	}
	return items
}

// settleList runs a bubbles/list command like the runtime and feeds its
// FilterMatchesMsg back; blinks are dropped.
func settleList(b *testing.B, l list.Model, cmd tea.Cmd) list.Model {
	ch := make(chan tea.Msg, 64)
	run := func(c tea.Cmd) {
		if c != nil {
			go func() { ch <- c() }()
		}
	}
	run(cmd)
	timeout := time.After(time.Minute)
	for {
		select {
		case msg := <-ch:
			switch msg := msg.(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			case list.FilterMatchesMsg:
				l, _ = l.Update(msg)
				return l
			}
		case <-timeout:
			b.Fatal("settleList: no FilterMatchesMsg")
		}
	}
}

// BenchmarkBaselineBubblesList: the same data and keystrokes in a default
// bubbles/list, its filter command run to completion, then View.
func BenchmarkBaselineBubblesList(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			benchInit()
			l := list.New(benchListItems(benchSessions(n)), list.NewDefaultDelegate(), benchSize.Width, benchSize.Height)
			l.Title = "sessions"
			var cmd tea.Cmd
			l, cmd = l.Update(keyRune('/'))
			_ = cmd // focus blink only
			for _, r := range benchPrefix {
				l, cmd = l.Update(keyRune(r))
				l = settleList(b, l, cmd)
			}
			if l.FilterValue() != benchPrefix || l.FilterState() != list.Filtering {
				b.Fatalf("setup: filter %q state %v", l.FilterValue(), l.FilterState())
			}
			last, bs := keyRune(benchLast), tea.KeyMsg{Type: tea.KeyBackspace}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				l, cmd = l.Update(last)
				l = settleList(b, l, cmd)
				benchSink += len(l.View())

				b.StopTimer()
				if i == 0 {
					b.Logf("bubbles/list: %q matches %d of %d", l.FilterValue(), len(l.VisibleItems()), n)
				}
				l, cmd = l.Update(bs)
				l = settleList(b, l, cmd)
				b.StartTimer()
			}
		})
	}
}

// BenchmarkBaselineBubblesTable: the same data in a bubbles/table (status,
// title, tags, tokens; 40 rows high), one `down` and View.
func BenchmarkBaselineBubblesTable(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			benchInit()
			sessions := benchSessions(n)
			rows := make([]table.Row, len(sessions))
			for i := range sessions {
				s := &sessions[i]
				title := s.TitleOrEmpty()
				if title == "" {
					title = s.PreviewOrEmpty()
				}
				tokens := "—"
				if s.Usage != nil {
					tokens = compactTokens(s.Usage.Total())
				}
				rows[i] = table.Row{string(s.Status), title, strings.Join(s.Tags, " "), tokens}
			}
			t := table.New(
				table.WithColumns([]table.Column{
					{Title: "STATUS", Width: 12},
					{Title: "TITLE", Width: 100},
					{Title: "TAGS", Width: 28},
					{Title: "TOKENS", Width: 8},
				}),
				table.WithRows(rows),
				table.WithHeight(40),
				table.WithWidth(benchSize.Width),
				table.WithFocused(true),
			)
			t.SetStyles(table.DefaultStyles())
			down := tea.KeyMsg{Type: tea.KeyDown}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if t.Cursor() >= n-1 {
					b.StopTimer()
					t.GotoTop()
					b.StartTimer()
				}
				t, _ = t.Update(down)
				benchSink += len(t.View())
			}
		})
	}
}
