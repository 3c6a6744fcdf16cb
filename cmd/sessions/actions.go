package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// stdin is where "-" reads ids from; tests replace it.
var stdin io.Reader = os.Stdin

// maxStdinIDs bounds the ids read from standard input.
const maxStdinIDs = 100_000

// sessionIDs expands the arguments: "-" reads whitespace-separated ids from
// standard input (as `sessions list --jsonl | jq -r .id` prints them).
func sessionIDs(args []string) ([]string, error) {
	var ids []string
	usedStdin := false
	for _, a := range args {
		if a != "-" {
			ids = append(ids, a)
			continue
		}
		if usedStdin {
			return nil, usageErrorf("- (standard input) can be given once")
		}
		usedStdin = true
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sc.Split(bufio.ScanWords)
		for sc.Scan() {
			if len(ids) >= maxStdinIDs {
				return nil, usageErrorf("more than %d ids on standard input", maxStdinIDs)
			}
			ids = append(ids, sc.Text())
		}
		if err := sc.Err(); err != nil {
			return nil, usageErrorf("reading ids from standard input: %s", safetext.Line(err.Error(), 200))
		}
	}
	if len(ids) == 0 {
		return nil, usageErrorf("no session ids given")
	}
	return ids, nil
}

// oneSessionID is the id of a command that takes one: the argument, or
// the one id on standard input when it is "-".
func oneSessionID(cmd, arg string) (string, error) {
	ids, err := sessionIDs([]string{arg})
	if err != nil {
		return "", err
	}
	if len(ids) != 1 {
		return "", usageErrorf("%s takes one session id, got %d", cmd, len(ids))
	}
	return ids[0], nil
}

// eachSession runs do for every id, going on past failures: one line per
// id on stdout (or stderr for a failure), then "N <verb>, M failed"; exit 1
// if any failed.
func (a *app) eachSession(cmd *cobra.Command, args []string, verb string, do func(ctx context.Context, c *apiclient.Client, id string) (string, error)) error {
	ids, err := sessionIDs(args)
	if err != nil {
		return err
	}
	s, err := a.apiSettings(cmd)
	if err != nil {
		return err
	}
	c := a.client(s)
	ctx := ctxOf(cmd)
	ok, failed := 0, 0
	for _, id := range ids {
		if ctx.Err() != nil {
			fmt.Fprintf(a.stderr, "%s: not attempted (interrupted)\n", line(id))
			failed++
			continue
		}
		msg, err := do(ctx, c, id)
		if err != nil {
			failed++
			fmt.Fprintf(a.stderr, "%s: %s\n", line(id), apiclient.Describe(err))
			continue
		}
		ok++
		fmt.Fprintf(a.stdout, "%s: %s\n", line(id), msg)
	}
	fmt.Fprintf(a.stdout, "%d %s, %d failed\n", ok, verb, failed)
	if failed > 0 {
		return &exitError{code: exitAPI}
	}
	return nil
}

// simpleAction is a command taking ids that calls one client method each.
func (a *app) simpleAction(use, short, verb string, call func(*apiclient.Client, context.Context, string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use + " ID...|-",
		Short: short,
		Example: fmt.Sprintf("  sessions %s session_0123 session_4567\n  sessions list --status failed --jsonl | jq -r .id | sessions %s -",
			use, use),
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.eachSession(cmd, args, verb, func(ctx context.Context, c *apiclient.Client, id string) (string, error) {
				return verb, call(c, ctx, id)
			})
		},
	}
}

func (a *app) pinCommand() *cobra.Command {
	return a.simpleAction("pin", "Pin sessions for you (pins are per user)", "pinned", (*apiclient.Client).Pin)
}

func (a *app) unpinCommand() *cobra.Command {
	return a.simpleAction("unpin", "Unpin sessions", "unpinned", (*apiclient.Client).Unpin)
}

func (a *app) archiveCommand() *cobra.Command {
	return a.simpleAction("archive", "Archive sessions (hidden from lists unless --archived)", "archived", (*apiclient.Client).Archive)
}

func (a *app) unarchiveCommand() *cobra.Command {
	return a.simpleAction("unarchive", "Bring archived sessions back", "unarchived", (*apiclient.Client).Unarchive)
}

func (a *app) cancelCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "cancel ID...|-",
		Short:   "Cancel the running turn of sessions",
		Long:    "cancel stops the active turn of each session. A session with no active turn is left as it is\n(\"nothing to cancel\"), which is not a failure.",
		Example: "  sessions cancel session_0123",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.eachSession(cmd, args, "done", func(ctx context.Context, c *apiclient.Client, id string) (string, error) {
				r, err := c.Cancel(ctx, id)
				switch {
				case err != nil:
					return "", err
				case r.Cancelled():
					return "cancelled", nil
				case r.Status == apiclient.CancelNoOp:
					return "nothing to cancel", nil
				}
				return "cancel answered " + strconv.Quote(line(string(r.Status))), nil
			})
		},
	}
}

func (a *app) deleteCommand() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete ID...|- --yes",
		Short:   "Delete sessions for good (needs --yes)",
		Long:    "delete removes sessions permanently: the API has no undo. Without --yes it refuses and sends nothing.",
		Example: "  sessions delete session_0123 --yes",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes {
				return usageErrorf("delete is permanent: add --yes to delete %s", plural(len(args), "session"))
			}
			return a.eachSession(cmd, args, "deleted", func(ctx context.Context, c *apiclient.Client, id string) (string, error) {
				return "deleted", c.Delete(ctx, id)
			})
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "really delete (there is no undo)")
	return cmd
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func (a *app) exportCommand() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export ID|- [--format jsonl|atif] [-o FILE]",
		Short: "Export a session's messages (JSON lines) or its ATIF trajectory",
		Long: `export streams the session's export to standard output, or to FILE with -o.
A file is written next to its destination and renamed into place when the
export is complete, so a failed export never leaves a partial FILE.`,
		Example: "  sessions export session_0123 > session.jsonl\n  sessions export session_0123 --format atif -o trajectory.json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := apiclient.ExportFormat(strings.ToLower(format))
			if f != apiclient.ExportJSONL && f != apiclient.ExportATIF {
				return usageErrorf("--format must be jsonl or atif")
			}
			id, err := oneSessionID("export", args[0])
			if err != nil {
				return err
			}
			s, err := a.apiSettings(cmd)
			if err != nil {
				return err
			}
			c := a.client(s)
			if out == "" || out == "-" {
				_, err := c.Export(ctxOf(cmd), id, f, a.stdout)
				return apiErrorOrNil(err)
			}
			return exportToFile(ctxOf(cmd), c, id, f, out)
		},
	}
	cmd.Flags().StringVar(&format, "format", "jsonl", "jsonl (messages, one per line) or atif (one trajectory document)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	return cmd
}

func apiErrorOrNil(err error) error {
	if err == nil {
		return nil
	}
	return apiError(err)
}

// exportToFile writes to a temporary file beside path and renames it into
// place only when the whole export arrived.
func exportToFile(ctx context.Context, c *apiclient.Client, id string, f apiclient.ExportFormat, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return &exitError{code: exitAPI, msg: "export: " + safetext.Line(err.Error(), 300)}
	}
	_, err = c.Export(ctx, id, f, tmp)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return apiError(err)
	}
	return nil
}

func (a *app) agentsCommand() *cobra.Command {
	var (
		asJSON bool
		search string
	)
	cmd := &cobra.Command{
		Use:     "agents",
		Short:   "List the organisation's agents",
		Example: "  sessions agents\n  sessions agents --json | jq -r '.[].name'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.apiSettings(cmd)
			if err != nil {
				return err
			}
			agents, err := a.client(s).ListAgents(ctxOf(cmd), search)
			if err != nil {
				return apiError(err)
			}
			if asJSON {
				if agents == nil {
					agents = []apiclient.Agent{}
				}
				b, err := marshalJSON(agents, true)
				if err != nil {
					return apiError(err)
				}
				_, err = a.stdout.Write(b)
				return writeErr(err)
			}
			var b strings.Builder
			row := func(id, name, display, sessions string) {
				b.WriteString(safetext.Pad(id, 40) + "  " + safetext.Pad(name, 24) + "  " + safetext.Pad(display, 28) + "  " + sessions + "\n")
			}
			row("ID", "NAME", "DISPLAY NAME", "SESSIONS")
			for _, ag := range agents {
				row(line(ag.ID), line(ag.Name), line(ag.DisplayName), strconv.FormatInt(ag.SessionCount, 10))
			}
			_, err = io.WriteString(a.stdout, b.String())
			return writeErr(err)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of agents")
	cmd.Flags().StringVar(&search, "search", "", "only agents whose name contains this")
	return cmd
}
