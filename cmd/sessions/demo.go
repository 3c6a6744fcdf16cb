package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui/safetext"
)

// demoKey makes a throwaway personal access token (evr_pat_ + 64 hex) for
// the in-process demo server, so the demo exercises authentication like the
// real API. It is never shown.
func demoKey() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "evr_pat_" + hex.EncodeToString(b[:])
}

// startDemo starts the in-memory server on a loopback ephemeral port with
// simulated activity and points s at it.
func (a *app) startDemo(s *settings) (stop func(), err error) {
	key := demoKey()
	srv := apitest.New(apitest.Options{
		APIKey:    key,
		StrictOrg: true,
		Prefix:    "/api",
		Sessions:  a.demoSessions,
		Activity:  true,
		Hostile:   a.demoHostile,
		Orgs:      demoOrgs(a.demoOrgs, a.demoSessions),
	})
	if a.demoFaults > 0 {
		// Saves fail now and then, with the body shape of the seed era;
		// loads stay healthy so the demo remains usable.
		srv.SetFaults(apitest.Faults{
			Match:       apitest.MatchMethod(http.MethodPatch),
			FailureRate: min(a.demoFaults, 1),
			FailStatus:  http.StatusServiceUnavailable,
			FailBody:    `{"error":"service unavailable (injected by --demo-faults)"}`,
		})
	}
	u, err := srv.Start()
	if err != nil {
		return nil, err
	}
	s.APIURL, s.APIKey = u, key
	if s.OrgFrom != "--org" { // EVERRUNS_ORG_ID and org_id name real organisations
		s.OrgID, s.OrgFrom = "", ""
	}
	return func() { _ = srv.Close() }, nil
}

// demoOrgs are the organisations beside the primary one of a demo key that
// belongs to n (the key is a PAT: without an organisation the server
// answers 400, as the real one does). Each holds half as many sessions.
func demoOrgs(n, sessions int) []apitest.OrgSeed {
	var out []apitest.OrgSeed
	for range max(n-1, 0) {
		out = append(out, apitest.OrgSeed{Sessions: sessions / 2})
	}
	return out
}

func (a *app) demoServerCommand() *cobra.Command {
	var (
		addr     string
		sessions int
		key      string
		activity bool
		hostile  bool
		latency  time.Duration
		orgs     int
	)
	cmd := &cobra.Command{
		Use:   "demo-server",
		Short: "Serve the demo API (in-memory sessions) for curl and the SDKs",
		Long: `demo-server serves an in-memory, Everruns-compatible session API with generated
sessions and simulated activity, until interrupted. Point curl, the SDKs or
'sessions' itself at the printed base URL.`,
		Example: `  sessions demo-server --addr 127.0.0.1:8080
  EVERRUNS_API_URL=http://127.0.0.1:8080/api EVERRUNS_API_KEY=any sessions list`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if sessions < 0 || sessions > maxDemoSessions {
				return usageErrorf("--sessions must be between 0 and %d", maxDemoSessions)
			}
			if orgs < 1 || orgs > maxDemoOrgs {
				return usageErrorf("--orgs must be between 1 and %d", maxDemoOrgs)
			}
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return usageErrorf("--addr must be host:port, e.g. 127.0.0.1:8080")
			}
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return &exitError{code: exitAPI, msg: "cannot listen on " + safetext.Line(addr, 100) + ": " + describeListenError(err)}
			}
			srv := apitest.New(apitest.Options{
				APIKey:    key,
				StrictOrg: true,
				Prefix:    "/api",
				Sessions:  sessions,
				Activity:  activity,
				Hostile:   hostile,
				Orgs:      demoOrgs(orgs, sessions),
			})
			if latency < 0 {
				return usageErrorf("--latency must be 0 or more")
			}
			if latency > 0 {
				srv.SetFaults(apitest.Faults{Latency: latency})
			}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(l) }()

			base := "http://" + l.Addr().String() + "/api"
			out := a.stdout
			auth := "no key required"
			if key != "" {
				auth = "key required"
			}
			fmt.Fprintf(out, "Everruns demo API: %s (%d sessions, %s)\n", base, sessions, auth)
			if orgs > 1 {
				fmt.Fprintln(out, "Organisations (send X-Org-Id; GET /v1/orgs lists them):")
				for _, o := range srv.Orgs() {
					fmt.Fprintf(out, "  %s  %s\n", o.ID, o.Name)
				}
			}
			if !isLoopback(host) {
				fmt.Fprintln(a.stderr, "sessions: warning: serving demo data on a non-loopback address")
			}
			fmt.Fprintln(out, "Try:")
			if key != "" {
				fmt.Fprintf(out, "  curl -s -H \"Authorization: Bearer $EVERRUNS_API_KEY\" '%s/v1/sessions?limit=5'\n", base)
				fmt.Fprintf(out, "  EVERRUNS_API_URL=%s sessions list   # with EVERRUNS_API_KEY set to your --key\n", base)
			} else {
				fmt.Fprintf(out, "  curl -s '%s/v1/sessions?limit=5'\n", base)
				fmt.Fprintf(out, "  EVERRUNS_API_URL=%s EVERRUNS_API_KEY=any sessions\n", base)
			}
			fmt.Fprintln(out, "Press Ctrl+C to stop.")

			ctx := ctxOf(cmd)
			select {
			case <-ctx.Done():
				_ = srv.Close()
				select {
				case <-done:
				case <-time.After(5 * time.Second):
				}
				return nil
			case err := <-done:
				if err != nil {
					return &exitError{code: exitAPI, msg: "demo server: " + safetext.Line(err.Error(), 300)}
				}
				return nil
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "listen address (host:port; port 0 picks a free one)")
	f.IntVar(&sessions, "sessions", defaultDemoSessions, "number of generated sessions (above 200000 they are generated on demand)")
	f.StringVar(&key, "key", "", "require this API key, sent as Bearer (a PAT evr_pat_+64 hex is also accepted bare; default: no key required)")
	f.BoolVar(&activity, "activity", true, "simulate sessions starting, running and finishing")
	f.BoolVar(&hostile, "hostile", false, "add sessions whose text holds terminal escape sequences")
	f.DurationVar(&latency, "latency", 0, "delay every request by this much (e.g. 20ms), as a distant server would")
	f.IntVar(&orgs, "orgs", 1, fmt.Sprintf("organisations (1-%d), each further one with half as many sessions; a PAT --key of several must send X-Org-Id", maxDemoOrgs))
	return cmd
}

func describeListenError(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return safetext.Line(oe.Err.Error(), 200)
	}
	return safetext.Line(err.Error(), 200)
}
