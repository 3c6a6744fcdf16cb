package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// listNotes collects what ListAll found wrong with the server's pages, for
// stderr: each warning once, and one line per session that could not be
// read (up to maxProblemLines, then a count).
type listNotes struct {
	warnings []string
	problems []string
	more     int
}

const maxProblemLines = 20

func (n *listNotes) add(ev apiclient.PageEvent) {
	n.warnings = append(n.warnings, ev.Warnings...)
	for _, p := range ev.Page.Problems {
		if len(n.problems) == maxProblemLines {
			n.more++
			continue
		}
		who := "a session without a readable id"
		if p.ID != "" {
			who = "session " + p.ID
		}
		n.problems = append(n.problems, fmt.Sprintf("skipped %s at position %d: %s",
			who, ev.RequestedOffset+p.Index+1, p.Err.Error()))
	}
}

func (n *listNotes) write(w io.Writer) {
	for _, s := range n.warnings {
		fmt.Fprintf(w, "sessions: warning: %s\n", line(s))
	}
	for _, s := range n.problems {
		fmt.Fprintf(w, "sessions: warning: %s\n", line(s))
	}
	if n.more > 0 {
		fmt.Fprintf(w, "sessions: warning: %d more sessions could not be read and were skipped\n", n.more)
	}
}

func writeErr(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitAPI, msg: "write: " + safetext.Line(err.Error(), 200)}
}

func (a *app) getCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "get ID|-",
		Short: "Show one session (from whichever of your organisations holds it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := oneSessionID("get", args[0])
			if err != nil {
				return err
			}
			s, err := a.apiSettings(cmd)
			if err != nil {
				return err
			}
			sess, err := a.getAnywhere(ctxOf(cmd), a.client(s), id) // orgs.go
			if err != nil {
				return apiError(err)
			}
			if asJSON {
				b, err := marshalJSON(sess, true)
				if err != nil {
					return apiError(err)
				}
				_, err = a.stdout.Write(b)
				return writeErr(err)
			}
			return writeErr(writeDetail(a.stdout, sess))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the session as JSON")
	return cmd
}

// updateTags applies a tag delta to the server's current tags through
// apiclient.SaveEdit: it reads the session right before the PATCH (again
// before any retry), so a tag someone else added meanwhile is kept, and
// sends only tags. It returns the saved session and whether a PATCH was needed.
func updateTags(ctx context.Context, c *apiclient.Client, id string, add, remove []string) (*apiclient.Session, bool, error) {
	res, err := apiclient.SaveEdit(ctx, c, id, apiclient.Edit{Add: add, Remove: remove})
	if err != nil {
		return nil, false, err
	}
	return res.Session, res.Changed, nil
}

func (a *app) tagCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tag ID|- [+TAG|-TAG|TAG]...",
		Short: "Add (+tag or tag) and remove (-tag) tags, keeping the others",
		Long: `tag changes the tags of one session as a delta on the server's current tags:
other tags, including ones another operator just added, are kept in their
order; new tags are appended. Reserved platform tags are refused.
A bare name adds. Everything after ID is a tag change, so put flags
(--api-url, ...) before ID.`,
		Example: `  sessions tag session_0123 +resolved -urgent`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			add, remove, err := parseTagArgs(args[1:])
			if err != nil {
				return usageErrorf("%s", err.Error())
			}
			id, err := oneSessionID("tag", args[0])
			if err != nil {
				return err
			}
			s, err := a.apiSettings(cmd)
			if err != nil {
				return err
			}
			saved, changed, err := updateTags(ctxOf(cmd), a.client(s), id, add, remove)
			if err != nil {
				return apiError(err)
			}
			state := "tags"
			if !changed {
				state = "tags unchanged"
			}
			fmt.Fprintf(a.stdout, "%s: %s: %s\n", line(saved.ID), state, orDash(tagList(saved.Tags, ", ")))
			return nil
		},
	}
	// Stop flag parsing at the ID so "-urgent" is a tag removal, not a flag.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func (a *app) titleCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "title ID|- TITLE",
		Short:   "Set the title of a session",
		Example: `  sessions title session_0123 "Refund for order 1234"`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			title := strings.TrimSpace(args[1])
			if title == "" {
				return usageErrorf("the title cannot be empty (the API cannot clear a title)")
			}
			if safetext.Line(title, 0) != title {
				return usageErrorf("the title cannot hold line breaks, tabs or control characters")
			}
			id, err := oneSessionID("title", args[0])
			if err != nil {
				return err
			}
			s, err := a.apiSettings(cmd)
			if err != nil {
				return err
			}
			res, err := apiclient.SaveEdit(ctxOf(cmd), a.client(s), id, apiclient.Edit{Title: &title})
			if err != nil {
				return apiError(err)
			}
			state := "title"
			if !res.Changed {
				state = "title unchanged"
			}
			fmt.Fprintf(a.stdout, "%s: %s: %s\n", line(res.Session.ID), state, line(res.Session.TitleOrEmpty()))
			return nil
		},
	}
}

func (a *app) resolveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "resolve ID...|-",
		Short: "Tag sessions as resolved (keeps their other tags)",
		Long: `resolve adds the tag "resolved" to each session, as a delta on its current
tags. It goes on past failures, prints a summary and exits 1 if any failed.`,
		Example: `  sessions list --tag urgent --status idle --jsonl | jq -r .id | sessions resolve -`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
					fmt.Fprintf(a.stderr, "%s: %s\n", line(id), "not attempted (interrupted)")
					failed++
					continue
				}
				_, changed, err := updateTags(ctx, c, id, []string{apiclient.ResolvedTag}, nil)
				if err != nil {
					failed++
					fmt.Fprintf(a.stderr, "%s: %s\n", line(id), apiclient.Describe(err))
					continue
				}
				ok++
				if changed {
					fmt.Fprintf(a.stdout, "%s: resolved\n", line(id))
				} else {
					fmt.Fprintf(a.stdout, "%s: already resolved\n", line(id))
				}
			}
			fmt.Fprintf(a.stdout, "%d resolved, %d failed\n", ok, failed)
			if failed > 0 {
				return &exitError{code: exitAPI}
			}
			return nil
		},
	}
}
