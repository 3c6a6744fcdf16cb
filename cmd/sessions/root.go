package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui"
	"github.com/everruns/sessions/tui/safetext"
)

// Defaults of the settings that have one.
const (
	defaultRefresh      = 10 * time.Second
	defaultPageSize     = 100
	defaultDemoSessions = 500
	maxDemoSessions     = 10_000_000 // above apitest.LazyThreshold, generated on demand
	maxDemoOrgs         = 8
	maxMaxRows          = 10_000_000
)

// app holds the flag values and the process environment of one run.
type app struct {
	env            func(string) string
	stdout, stderr io.Writer

	// Persistent flags (every command).
	apiURL, orgID, org, agent, configPath string
	pageSize, retries                     int

	// Root (TUI) flags.
	refresh      time.Duration
	themeName    string
	noMouse      bool
	demo         bool
	demoSessions int
	demoHostile  bool
	demoFaults   float64
	demoOrgs     int
	maxRows      int

	last *settings // of the command that ran: explainOrgRequired lists its orgs
}

// settings are the effective values after flags > env > config file > defaults.
type settings struct {
	APIKey   string // never printed
	APIURL   string
	OrgID    string // an id once resolveOrg ran (orgs.go); before, a name or an id
	OrgName  string // when resolveOrg looked the organisation up
	OrgFrom  string // where OrgID came from: "--org", "--org-id", EVERRUNS_ORG_ID or "org_id in <file>"
	Agent    string
	Refresh  time.Duration
	PageSize int
	MaxRows  int // sessions the TUI keeps, the newest
	Theme    theme.Mode
	Mouse    bool
	Keys     map[string][]string
	Columns  []string   // the list's columns; nil: the default set
	Views    []tui.View // the saved views: the defaults merged with [views]

	ConfigPath string // the file read, "" when none
}

const rootLong = `sessions browses and triages the sessions of the Everruns agent platform.

Without a subcommand it opens the terminal UI. Configuration comes from flags,
then the environment (EVERRUNS_API_KEY, EVERRUNS_API_URL, EVERRUNS_ORG_ID), then
the config file ($XDG_CONFIG_HOME/sessions/config.toml). The API key is read
only from the environment or the config file, never from a flag.

Try it without an account:  sessions --demo

Exit codes: 0 ok, 1 API error, 2 usage or configuration error.`

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "sessions",
		Short:         "Browse and triage Everruns agent sessions",
		Long:          rootLong,
		Version:       currentVersion(),
		Args:          cobra.NoArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE:          func(cmd *cobra.Command, _ []string) error { return a.runTUI(cmd) },
	}
	root.SetVersionTemplate("sessions {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErrorf("%s", err.Error()) })

	pf := root.PersistentFlags()
	pf.StringVar(&a.apiURL, "api-url", "", "API base URL, path prefix kept (env EVERRUNS_API_URL; default "+apiclient.DefaultBaseURL+")")
	pf.StringVar(&a.org, "org", "", "organisation name or id (unique name prefix accepted; see 'sessions orgs')")
	pf.StringVar(&a.orgID, "org-id", "", "organisation id sent as X-Org-Id (env EVERRUNS_ORG_ID; --org takes names too)")
	pf.StringVar(&a.agent, "agent", "", "only sessions of this agent id (API agent_id filter)")
	pf.IntVar(&a.pageSize, "page-size", defaultPageSize, "sessions per list request, 1-100")
	pf.StringVar(&a.configPath, "config", "", "config file (default $XDG_CONFIG_HOME/sessions/config.toml)")
	pf.IntVar(&a.retries, "retries", 3, "retries for 429/502/503/504 on reads and saves (0 disables)")

	f := root.Flags()
	f.DurationVar(&a.refresh, "refresh", defaultRefresh, "auto refresh interval, 0 turns it off")
	f.StringVar(&a.themeName, "theme", string(theme.Auto), "colour theme: dark, light or auto")
	f.BoolVar(&a.noMouse, "no-mouse", false, "do not capture the mouse")
	f.IntVar(&a.maxRows, "max-rows", tui.DefaultMaxRows, "sessions kept in memory, the newest (config max_rows)")
	f.BoolVar(&a.demo, "demo", false, "run against a built-in demo server with generated sessions (no account needed)")
	f.IntVar(&a.demoSessions, "demo-sessions", defaultDemoSessions, "number of generated sessions for --demo")
	f.BoolVar(&a.demoHostile, "demo-hostile", false, "add sessions with terminal escape sequences to the demo data")
	_ = f.MarkHidden("demo-hostile")
	f.Float64Var(&a.demoFaults, "demo-faults", 0, "fraction (0..1) of the demo server's PATCH requests that fail with HTTP 503, to try bulk retries")
	f.IntVar(&a.demoOrgs, "demo-orgs", 1, fmt.Sprintf("organisations of the demo key (1-%d); with several the demo asks which one, as the API does", maxDemoOrgs))

	root.AddCommand(a.listCommand(), a.getCommand(), a.tagCommand(), a.titleCommand(),
		a.resolveCommand(), a.demoServerCommand())
	root.AddCommand(a.pinCommand(), a.unpinCommand(), a.archiveCommand(), a.unarchiveCommand(),
		a.cancelCommand(), a.deleteCommand(), a.exportCommand(), a.agentsCommand())
	root.AddCommand(a.usageCommand()) // usage.go
	root.AddCommand(a.watchCommand()) // watch.go
	root.AddCommand(a.orgsCommand())  // orgs.go
	return root
}

// settings resolves the effective configuration for cmd.
func (a *app) settings(cmd *cobra.Command) (*settings, error) {
	path, explicit := a.configPath, cmd.Flags().Changed("config")
	if !explicit {
		path = defaultConfigPath(a.env)
	}
	fc, err := loadConfig(path, explicit, a.stderr)
	if err != nil {
		return nil, &exitError{code: exitUsage, msg: err.Error()}
	}
	s := &settings{ConfigPath: path}
	changed := cmd.Flags().Changed
	str := func(flagName, flagVal, envName string, file *string, def string) string {
		if changed(flagName) {
			return strings.TrimSpace(flagVal)
		}
		if envName != "" {
			if v := strings.TrimSpace(a.env(envName)); v != "" {
				return v
			}
		}
		if file != nil && strings.TrimSpace(*file) != "" {
			return strings.TrimSpace(*file)
		}
		return def
	}
	s.APIKey = str("", "", apiclient.EnvAPIKey, fc.APIKey, "")
	s.APIURL = str("api-url", a.apiURL, apiclient.EnvAPIURL, fc.APIURL, apiclient.DefaultBaseURL)
	if changed("org") && changed("org-id") {
		return nil, usageErrorf("--org and --org-id set the same thing: use one (--org takes a name or an id)")
	}
	s.OrgID, s.OrgFrom = a.orgSetting(changed, fc, path)
	s.Agent = str("agent", a.agent, "", fc.Agent, "")

	s.Refresh = defaultRefresh
	if fc.Refresh != nil {
		s.Refresh = *fc.Refresh
	}
	if cmd.Flags().Lookup("refresh") != nil && changed("refresh") {
		s.Refresh = a.refresh
	}
	if s.Refresh < 0 {
		return nil, usageErrorf("refresh must be 0 (off) or a positive duration")
	}
	if s.Refresh > 0 && s.Refresh < time.Second {
		return nil, usageErrorf("refresh must be at least 1s (or 0 to turn it off)")
	}

	s.PageSize = defaultPageSize
	if fc.PageSize != nil {
		s.PageSize = *fc.PageSize
	}
	if changed("page-size") {
		s.PageSize = a.pageSize
	}
	if s.PageSize < 1 || s.PageSize > 100 {
		return nil, usageErrorf("page size must be between 1 and 100, got %d", s.PageSize)
	}

	s.MaxRows = tui.DefaultMaxRows
	if fc.MaxRows != nil {
		s.MaxRows = *fc.MaxRows
	}
	if cmd.Flags().Lookup("max-rows") != nil && changed("max-rows") {
		s.MaxRows = a.maxRows
	}
	if s.MaxRows < 1 || s.MaxRows > maxMaxRows {
		return nil, usageErrorf("max rows must be between 1 and %d, got %d", maxMaxRows, s.MaxRows)
	}

	themeName := string(theme.Auto)
	if fc.Theme != nil {
		themeName = *fc.Theme
	}
	if cmd.Flags().Lookup("theme") != nil && changed("theme") {
		themeName = a.themeName
	}
	switch m := theme.Mode(strings.ToLower(strings.TrimSpace(themeName))); m {
	case theme.Auto, theme.Dark, theme.Light:
		s.Theme = m
	default:
		return nil, usageErrorf("theme must be dark, light or auto, got %q", safetext.Line(themeName, 40))
	}

	s.Mouse = true
	if fc.Mouse != nil {
		s.Mouse = *fc.Mouse
	}
	if cmd.Flags().Lookup("no-mouse") != nil && changed("no-mouse") {
		s.Mouse = !a.noMouse
	}
	s.Keys = fc.Keys
	s.Columns = fc.Columns
	if s.Views, err = fc.views(); err != nil {
		return nil, usageErrorf("config file %s: %s", safetext.Line(path, 300), err.Error())
	}

	if err := checkAPIURL(s.APIURL, s.APIKey, a.stderr); err != nil {
		return nil, err
	}
	a.last = s
	return s, nil
}

// checkAPIURL refuses URLs the client cannot use and warns when the key
// would travel in clear text to another machine. The URL is not echoed, and
// the host only through apiclient.DisplayHost: a user may have pasted a key
// into it.
func checkAPIURL(raw, key string, warn io.Writer) error {
	u, err := apiclient.ParseHTTPURL(raw)
	switch {
	case errors.Is(err, apiclient.ErrURLCredentials):
		return usageErrorf("the API URL must not hold credentials; put the key in %s", apiclient.EnvAPIKey)
	case err != nil:
		return usageErrorf("the API URL must look like https://host/api (set with --api-url, %s or api_url)", apiclient.EnvAPIURL)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		fmt.Fprintf(warn, "sessions: warning: the API URL uses plain http to %s; the API key is sent unencrypted\n",
			safetext.Line(apiclient.DisplayHost(u.Hostname(), key), 100))
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// client builds the API client for s. The key goes only into the client.
func (a *app) client(s *settings) *apiclient.Client { return a.clientNotify(s, nil) }

// clientNotify is client with a hook told before each retry wait.
func (a *app) clientNotify(s *settings, onRetry func(apiclient.RetryEvent)) *apiclient.Client {
	retries := a.retries
	if retries <= 0 {
		retries = -1 // Config: negative disables, 0 means the default
	}
	return apiclient.New(apiclient.Config{
		APIKey:     s.APIKey,
		BaseURL:    s.APIURL,
		OrgID:      s.OrgID,
		UserAgent:  "sessions/" + currentVersion(),
		MaxRetries: retries,
		OnRetry:    onRetry,
	})
}

// apiSettings is settings plus the check that a key is configured.
func (a *app) apiSettings(cmd *cobra.Command) (*settings, error) {
	s, err := a.settings(cmd)
	if err != nil {
		return nil, err
	}
	if s.APIKey == "" {
		return nil, a.noKeyError(false)
	}
	if err := a.resolveOrg(ctxOf(cmd), s); err != nil {
		return nil, err
	}
	return s, nil
}

func (a *app) noKeyError(tui bool) error {
	msg := "no API key: set " + apiclient.EnvAPIKey + " (or api_key in the config file)"
	if tui {
		msg += ", or try the built-in demo with: sessions --demo"
	} else {
		msg += "; to try without an account run: sessions --demo (or sessions demo-server)"
	}
	return &exitError{code: exitUsage, msg: msg}
}

// runTUI starts the terminal UI against the configured API or the demo server.
func (a *app) runTUI(cmd *cobra.Command) error {
	if a.demo && cmd.Flags().Changed("api-url") {
		return usageErrorf("--demo and --api-url cannot be combined")
	}
	if a.demoSessions < 0 || a.demoSessions > maxDemoSessions {
		return usageErrorf("--demo-sessions must be between 0 and %d", maxDemoSessions)
	}
	if a.demoOrgs < 1 || a.demoOrgs > maxDemoOrgs {
		return usageErrorf("--demo-orgs must be between 1 and %d", maxDemoOrgs)
	}
	s, err := a.settings(cmd)
	if err != nil {
		return err
	}
	if !a.demo && s.APIKey == "" {
		return a.noKeyError(true)
	}
	km := tui.DefaultKeyMap()
	if err := tui.ApplyKeyOverrides(km, s.Keys); err != nil {
		return usageErrorf("config file %s: %s", safetext.Line(s.ConfigPath, 300), err.Error())
	}
	if s.Columns != nil {
		if err := tui.CheckColumns(s.Columns); err != nil {
			return usageErrorf("config file %s: %s", safetext.Line(s.ConfigPath, 300), err.Error())
		}
	}
	views, err := tui.MergeViews(tui.DefaultViews(), s.Views)
	if err != nil {
		return usageErrorf("config file %s: %s", safetext.Line(s.ConfigPath, 300), err.Error())
	}
	if !a.isTerminal() {
		return usageErrorf("the interactive UI needs a terminal; for scripts use 'sessions list' (see --help)")
	}
	ctx := cmd.Context()
	if a.demo {
		stop, err := a.startDemo(s)
		if err != nil {
			return &exitError{code: exitAPI, msg: "demo server: " + err.Error()}
		}
		defer stop()
	}
	if err := a.resolveOrg(ctx, s); err != nil {
		return err
	}
	notify, retries := tui.RetryNotifier()
	opts := tui.Options{
		API:      a.clientNotify(s, notify),
		Retries:  retries,
		AgentID:  s.Agent,
		Theme:    theme.New(s.Theme, a.env("NO_COLOR") != ""),
		Keys:     km,
		Refresh:  s.Refresh,
		PageSize: s.PageSize,
		Mouse:    s.Mouse,
		Columns:  s.Columns,
		MaxRows:  s.MaxRows,
		Views:    views,
		// The organisation resolveOrg settled on; the picker (O) switches
		// with the client's WithOrg (tui's default for an *apiclient.Client).
		OrgID:   s.OrgID,
		OrgName: s.OrgName,
	}
	err = tui.Run(ctx, opts)
	var lost *tui.UnsavedError
	if errors.As(err, &lost) { // even after a signal: say what was not saved
		return &exitError{code: exitAPI, msg: lost.Error()}
	}
	if err != nil && ctx.Err() == nil {
		return &exitError{code: exitAPI, msg: "terminal UI: " + safetext.Line(err.Error(), 300)}
	}
	return nil
}

// isTerminal reports whether stdin and stdout are terminals.
func (a *app) isTerminal() bool {
	out, ok := a.stdout.(*os.File)
	if !ok {
		return false
	}
	return term.IsTerminal(out.Fd()) && term.IsTerminal(os.Stdin.Fd())
}

// ctxOf returns the command's context, never nil.
func ctxOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
