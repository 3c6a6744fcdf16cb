package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/everruns/sessions/apiclient"
)

// listStreamed, when set (by tests), receives the summary of a streamed
// list: how many sessions the client held at once, among others.
var listStreamed func(apiclient.ListSummary)

// errListLimit stops a streamed list once --limit rows are out.
var errListLimit = errors.New("limit reached")

// streamList writes --jsonl and --csv rows as the pages arrive, in server
// order, holding no row after writing it: memory stays the size of the
// pages in flight whatever the organisation's size. --limit stops the
// paging (serverSide: every row counts, so the client asks for no more
// than --limit rows; otherwise rows are counted as they pass the local
// filters).
func (a *app) streamList(ctx context.Context, c *apiclient.Client, opts apiclient.ListOptions, lf *listFlags,
	fields []string, keep func(*apiclient.Session) bool, serverSide bool) error {
	if lf.limit > 0 && serverSide {
		opts.MaxRows = lf.limit
	}
	var row func(*apiclient.Session) error
	var flush func() error
	if lf.asCSV {
		if fields == nil {
			fields = defaultCSVFields
		}
		w := csv.NewWriter(a.stdout) // buffered: rows reach stdout as the buffer fills
		if err := w.Write(fields); err != nil {
			return writeErr(err)
		}
		cells := make([]string, len(fields))
		row = func(x *apiclient.Session) error {
			p, err := project(x, fields)
			if err != nil {
				return err
			}
			for j, f := range fields {
				cells[j] = cell(p.vals[f])
			}
			return w.Write(cells)
		}
		flush = func() error { w.Flush(); return w.Error() }
	} else {
		row = func(x *apiclient.Session) error {
			var item any = x
			if fields != nil {
				p, err := project(x, fields)
				if err != nil {
					return err
				}
				item = p
			}
			b, err := marshalJSON(item, false)
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(b)
			return err
		}
		flush = func() error { return nil }
	}
	var werr error // a write or projection error: not the API's fault
	sum, err := eachKept(ctx, c, opts, lf.limit, keep, func(x *apiclient.Session) error {
		werr = row(x)
		return werr
	})
	if ferr := flush(); werr == nil {
		werr = ferr
	}
	writeStreamNotes(a.stderr, sum)
	if listStreamed != nil {
		listStreamed(sum)
	}
	switch {
	case werr != nil:
		return writeErr(werr)
	case err != nil:
		return apiError(err)
	}
	return nil
}

// eachKept hands fn, in the server's order, each session keep passes, and
// stops paging once limit of them were handed (0: no limit); reaching the
// limit is not an error.
func eachKept(ctx context.Context, c *apiclient.Client, opts apiclient.ListOptions, limit int,
	keep func(*apiclient.Session) bool, fn func(*apiclient.Session) error) (apiclient.ListSummary, error) {
	n := 0
	sum, err := c.EachSession(ctx, opts, func(x apiclient.Session) error {
		if !keep(&x) {
			return nil
		}
		if err := fn(&x); err != nil {
			return err
		}
		if n++; limit > 0 && n >= limit {
			return errListLimit
		}
		return nil
	})
	if errors.Is(err, errListLimit) {
		err = nil
	}
	return sum, err
}

// writeStreamNotes writes what the listing found wrong, as listNotes does.
func writeStreamNotes(w io.Writer, sum apiclient.ListSummary) {
	var n listNotes
	n.warnings = sum.Warnings
	for _, p := range sum.Problems {
		if len(n.problems) == maxProblemLines {
			break
		}
		who := "a session without a readable id"
		if p.ID != "" {
			who = "session " + p.ID
		}
		n.problems = append(n.problems, fmt.Sprintf("skipped %s at position %d: %s", who, p.Index+1, p.Err.Error()))
	}
	n.more = sum.Unreadable - len(n.problems)
	n.write(w)
}
