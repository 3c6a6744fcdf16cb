package apiclient_test

// Load benchmarks for the issue "Fast at 100,000 sessions".
//
//	go test -run '^$' -bench Load -benchmem ./apiclient/
//
// BenchmarkLoadAll loads every page from the in-memory server on loopback
// through the real client into the TUI (its model and store, driven through
// the public tui.Model like the Bubble Tea runtime would). BenchmarkLoadFloor
// is the floor: the same pages with bare net/http GETs and a plain JSON
// decode. Both use concurrency 4 and pages of 100.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui"
)

const (
	loadSessions    = 10_000
	loadPage        = 100
	loadConcurrency = 4
)

var loadNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func loadServer(b *testing.B) *apitest.Server {
	b.Helper()
	return apitest.NewTestServer(b, apitest.Options{Sessions: loadSessions, Now: func() time.Time { return loadNow }})
}

// runModel drives m like the Bubble Tea runtime: every command in its own
// goroutine, every message through Update, until no command is left. The
// spinner's first tick is dropped so that it does not keep ticking.
func runModel(b *testing.B, m tea.Model) tea.Model {
	msgs := make(chan tea.Msg, 64)
	pending := 0
	run := func(c tea.Cmd) {
		if c == nil {
			return
		}
		pending++
		go func() { msgs <- c() }()
	}
	run(m.Init())
	timeout := time.After(5 * time.Minute)
	for pending > 0 {
		select {
		case msg := <-msgs:
			pending--
			switch msg := msg.(type) {
			case nil, spinner.TickMsg:
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			default:
				var cmd tea.Cmd
				m, cmd = m.Update(msg)
				run(cmd)
			}
		case <-timeout:
			b.Fatal("load did not finish")
		}
	}
	return m
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkLoadAll: every page through apiclient.ListAll (concurrency 4,
// limit 100) into the TUI's store, and the derived list computed. B/session
// is the heap the loaded model keeps per session.
func BenchmarkLoadAll(b *testing.B) {
	b.Run(fmt.Sprintf("sessions=%d", loadSessions), func(b *testing.B) {
		srv := loadServer(b)
		client := apiclient.New(apiclient.Config{BaseURL: srv.URL(), MaxRetries: -1})
		var kept uint64
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			before := heapAlloc()
			b.StartTimer()

			m := tui.New(tui.Options{API: client, PageSize: loadPage, Concurrency: loadConcurrency, Now: func() time.Time { return loadNow }})
			m2 := runModel(b, m)

			b.StopTimer()
			if i == 0 {
				if v := m2.(tui.Model).View(); v == "" {
					b.Fatal("empty view")
				}
			}
			after := heapAlloc()
			runtime.KeepAlive(m2)
			if after > before {
				kept += after - before
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(kept)/float64(b.N)/loadSessions, "B/session")
	})
}

// floorSession is the contract's Session as a plain struct, the way one
// would write it without thinking of memory: every member in its natural
// type, and no method, so encoding/json decodes it alone.
type floorSession struct {
	ID                  string                      `json:"id"`
	OrganizationID      string                      `json:"organization_id"`
	WorkspaceID         string                      `json:"workspace_id"`
	HarnessID           string                      `json:"harness_id"`
	OwnerPrincipalID    string                      `json:"owner_principal_id"`
	AgentID             string                      `json:"agent_id"`
	AgentIdentityID     *string                     `json:"agent_identity_id"`
	AgentVersionID      *string                     `json:"agent_version_id"`
	BlueprintID         *string                     `json:"blueprint_id"`
	ModelID             *string                     `json:"model_id"`
	Status              string                      `json:"status"`
	Activity            string                      `json:"activity"`
	Source              string                      `json:"source"`
	IsPinned            *bool                       `json:"is_pinned"`
	Title               *string                     `json:"title"`
	Goal                *string                     `json:"goal"`
	Locale              *string                     `json:"locale"`
	Tags                []string                    `json:"tags"`
	Preview             *string                     `json:"preview"`
	OutputPreview       *string                     `json:"output_preview"`
	RunSummary          *string                     `json:"run_summary"`
	SystemPrompt        *string                     `json:"system_prompt"`
	Capabilities        []floorCapability           `json:"capabilities"`
	Features            []string                    `json:"features"`
	MaxIterations       *int64                      `json:"max_iterations"`
	ParallelToolCalls   *bool                       `json:"parallel_tool_calls"`
	ActiveScheduleCount *int64                      `json:"active_schedule_count"`
	CreatedAt           time.Time                   `json:"created_at"`
	StartedAt           *time.Time                  `json:"started_at"`
	FinishedAt          *time.Time                  `json:"finished_at"`
	UpdatedAt           time.Time                   `json:"updated_at"`
	Usage               *apiclient.TokenUsage       `json:"usage"`
	ParentSessionID     *string                     `json:"parent_session_id"`
	ForkedFromSessionID *string                     `json:"forked_from_session_id"`
	ForkedFromSequence  *int64                      `json:"forked_from_sequence"`
	Owner               *apiclient.PrincipalSummary `json:"owner"`
	EffectiveOwner      *apiclient.PrincipalSummary `json:"effective_owner"`
	ResolvedOwnerUserID *string                     `json:"resolved_owner_user_id"`
	BlueprintConfig     map[string]any              `json:"blueprint_config"`
	Hints               map[string]any              `json:"hints"`
	InitialFiles        []any                       `json:"initial_files"`
	MCPServers          map[string]any              `json:"mcpServers"`
	NetworkAccess       map[string]any              `json:"network_access"`
	Tools               []any                       `json:"tools"`
	AllowedActions      []apiclient.AllowedAction   `json:"allowed_actions"`
	SelfURL             string                      `json:"self_url"`
	ViewURL             string                      `json:"view_url"`
	UILink              string                      `json:"ui_link"`
}

type floorCapability struct {
	Ref    string         `json:"ref"`
	Config map[string]any `json:"config"`
}

// BenchmarkLoadFloor: the same pages from the same server over the same
// loopback HTTP, the same concurrency and page size, with bare GETs and
// encoding/json into a plain struct (floorSession); nothing else: no
// unknown members kept, no checks, no TUI.
func BenchmarkLoadFloor(b *testing.B) {
	b.Run(fmt.Sprintf("sessions=%d", loadSessions), func(b *testing.B) {
		srv := loadServer(b)
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadConcurrency}}
		// A plain page of plain sessions: no custom UnmarshalJSON anywhere
		// (apiclient.Session keeps unknown members, which is not the floor).
		type floorPage struct {
			Data  []floorSession `json:"data"`
			Total int            `json:"total"`
		}
		get := func(ctx context.Context, off int) (floorPage, error) {
			var p floorPage
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/v1/sessions?offset=%d&limit=%d", srv.URL(), off, loadPage), nil)
			if err != nil {
				return p, err
			}
			resp, err := hc.Do(req)
			if err != nil {
				return p, err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return p, fmt.Errorf("HTTP %d", resp.StatusCode)
			}
			err = json.NewDecoder(resp.Body).Decode(&p)
			return p, err
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ctx := context.Background()
			first, err := get(ctx, 0)
			if err != nil {
				b.Fatal(err)
			}
			all := make([][]floorSession, 0, min(first.Total/loadPage+1, 1<<16))
			all = append(all, first.Data)
			var (
				mu  sync.Mutex
				wg  sync.WaitGroup
				sem = make(chan struct{}, loadConcurrency)
			)
			for off := loadPage; off < first.Total; off += loadPage {
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer func() { <-sem; wg.Done() }()
					p, err := get(ctx, off)
					if err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					all = append(all, p.Data)
					mu.Unlock()
				}()
			}
			wg.Wait()
			n := 0
			for _, p := range all {
				n += len(p)
			}
			if n != loadSessions {
				b.Fatalf("loaded %d of %d", n, loadSessions)
			}
		}
	})
}

// BenchmarkListAllKept: the client's share of BenchmarkLoadAll's
// B/session: the heap the sessions ListAll returns keep, without the TUI.
func BenchmarkListAllKept(b *testing.B) {
	b.Run(fmt.Sprintf("sessions=%d", loadSessions), func(b *testing.B) {
		srv := loadServer(b)
		client := apiclient.New(apiclient.Config{BaseURL: srv.URL(), MaxRetries: -1})
		var kept uint64
		b.ReportAllocs()
		for range b.N {
			b.StopTimer()
			before := heapAlloc()
			b.StartTimer()
			all, err := client.ListAll(context.Background(), apiclient.ListOptions{Limit: loadPage}, loadConcurrency, nil)
			b.StopTimer()
			if err != nil || len(all) != loadSessions {
				b.Fatalf("%v, %d sessions", err, len(all))
			}
			if after := heapAlloc(); after > before {
				kept += after - before
			}
			runtime.KeepAlive(all)
			b.StartTimer()
		}
		b.ReportMetric(float64(kept)/float64(b.N)/loadSessions, "B/session")
	})
}
