package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// Exit codes.
const (
	exitOK    = 0
	exitAPI   = 1 // the API (or the terminal UI) failed
	exitUsage = 2 // bad flags, arguments or configuration
)

// version is set with -ldflags "-X main.version=v1.2.3"; otherwise it comes
// from the module's build info ("(devel)" becomes "dev").
var version = ""

func currentVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// exitError carries an exit code and a one-line message for stderr.
type exitError struct {
	code int
	msg  string
	err  error // the client's error, when there is one
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, a ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, a...)}
}

// apiError turns a client error into exit code 1 with a human one-liner. The
// client's messages never hold the API key.
func apiError(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee
	}
	return &exitError{code: exitAPI, msg: apiclient.Describe(err), err: err}
}

// run is main without the process: it parses args, reads configuration from
// env and the config file, and returns the exit code.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	a := &app{env: env, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := a.explainOrgRequired(ctx, root.ExecuteContext(ctx)) // orgs.go
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "sessions: "+safetext.Line(ee.msg, 1000))
		}
		if ee.code == exitUsage {
			fmt.Fprintln(stderr, "Run 'sessions --help' for usage.")
		}
		return ee.code
	}
	// Anything else comes from cobra: unknown flags, commands or wrong arguments.
	fmt.Fprintln(stderr, "sessions: "+safetext.Line(err.Error(), 1000))
	fmt.Fprintln(stderr, "Run 'sessions --help' for usage.")
	return exitUsage
}
