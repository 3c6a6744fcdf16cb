package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// listFlags are the list command's filters and output choices.
type listFlags struct {
	statuses, sources, tags []string
	search, since, until    string
	mine, archived          bool
	asJSON, asJSONL, asCSV  bool
	fields                  string
	limit                   int
}

// statusAliases maps what --status accepts to activities (sent to the server)
// or execution statuses (checked here, after the server narrowed the list by
// the activities they imply). idle and paused are read as statuses, as
// before the server had activities; paused is the same either way.
var statusAliases = map[string]apiclient.Status{
	"started": apiclient.StatusStarted, "active": apiclient.StatusActive, "idle": apiclient.StatusIdle,
	"paused": apiclient.StatusPaused, "waitingfortoolresults": apiclient.StatusWaitingForToolResults,
	"waiting": apiclient.StatusWaitingForToolResults,
}

// activitiesOf is what activities a status can show as.
var activitiesOf = map[apiclient.Status][]apiclient.Activity{
	apiclient.StatusStarted:               {apiclient.ActivityIdle},
	apiclient.StatusActive:                {apiclient.ActivityRunning},
	apiclient.StatusWaitingForToolResults: {apiclient.ActivityRunning},
	apiclient.StatusPaused:                {apiclient.ActivityPaused},
	apiclient.StatusIdle:                  {apiclient.ActivityCompleted, apiclient.ActivityFailed, apiclient.ActivityIdle},
}

// statusChoice is --status parsed: activities for the server, and the
// statuses (if any) a row must have unless its activity was asked for.
type statusChoice struct {
	activities []apiclient.Activity
	wantAct    map[apiclient.Activity]bool
	wantStatus map[apiclient.Status]bool
}

func validStatusValues() string {
	var v []string
	for _, a := range apiclient.Activities {
		v = append(v, string(a))
	}
	for k := range statusAliases {
		if !slices.Contains(v, k) {
			v = append(v, k)
		}
	}
	slices.Sort(v)
	return strings.Join(v, ", ")
}

func parseStatuses(vals []string) (statusChoice, error) {
	c := statusChoice{wantAct: map[apiclient.Activity]bool{}, wantStatus: map[apiclient.Status]bool{}}
	add := func(a apiclient.Activity) {
		if !slices.Contains(c.activities, a) {
			c.activities = append(c.activities, a)
		}
	}
	for _, v := range splitList(vals) {
		k := strings.ReplaceAll(strings.ToLower(v), "_", "")
		if st, ok := statusAliases[k]; ok {
			c.wantStatus[st] = true
			for _, a := range activitiesOf[st] {
				add(a)
			}
			continue
		}
		if a := apiclient.Activity(k); a.Known() {
			c.wantAct[a] = true
			add(a)
			continue
		}
		return c, usageErrorf("unknown --status %q; valid: %s", line(v), validStatusValues())
	}
	return c, nil
}

// keep reports whether s matches the statuses asked for: the server has
// filtered by activity, but a status (active vs waiting) is finer.
func (c statusChoice) keep(s *apiclient.Session) bool {
	if len(c.wantStatus) == 0 || c.wantAct[s.Activity] {
		return true
	}
	return c.wantStatus[s.Status.Normal()]
}

func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func parseSources(vals []string) ([]apiclient.Source, error) {
	var out []apiclient.Source
	for _, v := range splitList(vals) {
		src := apiclient.Source(strings.ToLower(v))
		if !src.Known() {
			names := make([]string, len(apiclient.Sources))
			for i, s := range apiclient.Sources {
				names[i] = string(s)
			}
			return nil, usageErrorf("unknown --source %q; valid: %s", line(v), strings.Join(names, ", "))
		}
		out = append(out, src)
	}
	return out, nil
}

// parseWhen reads an RFC 3339 time or an age like 90m, 12h, 7d or 2w
// (that long before now).
func parseWhen(flag, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(v, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(v, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.ParseFloat(strings.TrimRight(v, "dw"), 64)
		if err == nil && n >= 0 && n < 1e5 {
			return now.Add(-time.Duration(n * float64(unit))), nil
		}
	} else if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, usageErrorf("%s %q: want an RFC 3339 time (2026-08-01T00:00:00Z) or an age (90m, 12h, 7d, 2w)", flag, line(v))
}

// resolveAgent turns --agent (an id, a name or a display name) into an id.
func resolveAgent(ctx context.Context, c *apiclient.Client, v string) (string, error) {
	if v == "" || strings.HasPrefix(v, "agent_") {
		return v, nil
	}
	agents, err := c.ListAgents(ctx, "")
	if err != nil {
		return "", apiError(err)
	}
	var hits []string
	for _, a := range agents {
		if strings.EqualFold(a.Name, v) || strings.EqualFold(a.DisplayName, v) {
			hits = append(hits, a.ID)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		var names []string
		for _, a := range agents {
			names = append(names, line(a.Name))
		}
		return "", usageErrorf("no agent named %q; agents: %s", line(v), strings.Join(names, ", "))
	}
	return "", usageErrorf("%d agents are named %q; use the id", len(hits), line(v))
}

// sessionFieldNames are the JSON keys of a session, for --fields.
var sessionFieldNames = apiclient.SessionKeys()

// defaultCSVFields are the CSV columns without --fields.
var defaultCSVFields = []string{"id", "status", "activity", "source", "title", "tags", "agent_id", "created_at", "updated_at"}

func parseFields(v string) ([]string, error) {
	var out []string
	for _, f := range splitList([]string{v}) {
		if !slices.Contains(sessionFieldNames, f) {
			return nil, usageErrorf("unknown field %q; fields are the JSON keys: %s", line(f), strings.Join(sessionFieldNames, ", "))
		}
		out = append(out, f)
	}
	return out, nil
}

// projected is a session reduced to fields, in that order, for JSON output.
type projected struct {
	keys []string
	vals map[string]json.RawMessage
}

func (p projected) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range p.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		v := p.vals[k]
		if v == nil {
			v = json.RawMessage("null")
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

func project(s *apiclient.Session, fields []string) (projected, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return projected{}, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return projected{}, err
	}
	return projected{keys: fields, vals: m}, nil
}

// cell renders one field as text: strings as they are (sanitised), string
// arrays joined by commas, anything else as compact JSON.
func cell(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return line(s)
	}
	var ss []string
	if json.Unmarshal(v, &ss) == nil {
		for i := range ss {
			ss[i] = line(ss[i])
		}
		return strings.Join(ss, ",")
	}
	return line(string(v))
}

func (a *app) listCommand() *cobra.Command {
	var lf listFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List sessions (all pages) as a table, CSV, JSON or JSON lines",
		Long: `list asks the server for the sessions matching the filters and prints them.
--status takes activities (running, paused, failed, completed, idle) and
statuses (started, active, idle, waitingfortoolresults or waiting, paused);
idle means the status idle. --search matches titles (the server's search).
--tag is applied here, after the server's filters.`,
		Example: `  sessions list --status failed --since 24h
  sessions list --source slack,schedule --agent support-triage --csv
  sessions list --status waiting --fields id,title,updated_at
  sessions list --search invoice --json | jq '.[].id'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runList(cmd, &lf)
		},
	}
	fl := cmd.Flags()
	addFilterFlags(cmd, &lf)
	fl.BoolVar(&lf.asJSON, "json", false, "print a JSON array of sessions")
	fl.BoolVar(&lf.asJSONL, "jsonl", false, "print one JSON session per line")
	fl.BoolVar(&lf.asCSV, "csv", false, "print CSV with a header row")
	fl.StringVar(&lf.fields, "fields", "", "columns to print, by JSON key (id,title,status,...)")
	fl.IntVar(&lf.limit, "limit", 0, "print at most this many sessions (0: all)")
	return cmd
}

func (a *app) runList(cmd *cobra.Command, lf *listFlags) error {
	formats := 0
	for _, on := range []bool{lf.asJSON, lf.asJSONL, lf.asCSV} {
		if on {
			formats++
		}
	}
	if formats > 1 {
		return usageErrorf("--json, --jsonl and --csv cannot be combined")
	}
	if lf.limit < 0 {
		return usageErrorf("--limit must be 0 or more")
	}
	f, err := parseListFilter(lf, time.Now())
	if err != nil {
		return err
	}
	fields, err := parseFields(lf.fields)
	if err != nil {
		return err
	}
	s, err := a.apiSettings(cmd)
	if err != nil {
		return err
	}
	c := a.client(s)
	ctx := ctxOf(cmd)
	agent, err := resolveAgent(ctx, c, s.Agent)
	if err != nil {
		return err
	}
	opts := f.opts
	opts.Limit, opts.AgentID = s.PageSize, agent
	keep := f.keep
	if lf.asJSONL || lf.asCSV {
		return a.streamList(ctx, c, opts, lf, fields, keep, !f.local)
	}
	if lf.limit > 0 && f.local {
		// Some filters are checked here: page until enough sessions pass
		// them, not through the whole list.
		return a.firstKept(ctx, c, opts, lf, fields, keep)
	}
	var notes listNotes
	if lf.limit > 0 {
		// Every row counts: fetch only enough pages. ListAll places rows
		// where they were asked for and lists each session once, whatever
		// the server echoes or repeats (issue 8).
		opts.MaxRows = lf.limit
	}
	all, err := c.ListAll(ctx, opts, apiclient.DefaultConcurrency, notes.add)
	notes.write(a.stderr)
	if err != nil {
		return apiError(err)
	}
	shown := make([]apiclient.Session, 0, len(all))
	for i := range all {
		if keep(&all[i]) && (lf.limit == 0 || len(shown) < lf.limit) {
			shown = append(shown, all[i])
		}
	}
	return writeErr(a.writeList(shown, lf, fields))
}

// firstKept lists the first lf.limit sessions that keep passes, paging
// only as far as needed to find them.
func (a *app) firstKept(ctx context.Context, c *apiclient.Client, opts apiclient.ListOptions, lf *listFlags,
	fields []string, keep func(*apiclient.Session) bool) error {
	var shown []apiclient.Session
	sum, err := eachKept(ctx, c, opts, lf.limit, keep, func(x *apiclient.Session) error {
		shown = append(shown, *x)
		return nil
	})
	writeStreamNotes(a.stderr, sum)
	if err != nil {
		return apiError(err)
	}
	return writeErr(a.writeList(shown, lf, fields))
}

func (a *app) writeList(shown []apiclient.Session, lf *listFlags, fields []string) error {
	rows := func(fields []string) ([][]string, error) {
		out := make([][]string, 0, len(shown))
		for i := range shown {
			p, err := project(&shown[i], fields)
			if err != nil {
				return nil, err
			}
			r := make([]string, len(fields))
			for j, f := range fields {
				r[j] = cell(p.vals[f])
			}
			out = append(out, r)
		}
		return out, nil
	}
	switch {
	case lf.asCSV:
		if fields == nil {
			fields = defaultCSVFields
		}
		body, err := rows(fields)
		if err != nil {
			return err
		}
		w := csv.NewWriter(a.stdout)
		_ = w.Write(fields)
		_ = w.WriteAll(body)
		return w.Error()
	case lf.asJSON || lf.asJSONL:
		var items []any
		for i := range shown {
			if fields == nil {
				items = append(items, &shown[i])
				continue
			}
			p, err := project(&shown[i], fields)
			if err != nil {
				return err
			}
			items = append(items, p)
		}
		if lf.asJSON {
			if items == nil {
				items = []any{}
			}
			b, err := marshalJSON(items, true)
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(b)
			return err
		}
		for _, it := range items {
			b, err := marshalJSON(it, false)
			if err != nil {
				return err
			}
			if _, err := a.stdout.Write(b); err != nil {
				return err
			}
		}
		return nil
	case fields != nil:
		body, err := rows(fields)
		if err != nil {
			return err
		}
		return writeColumns(a.stdout, fields, body)
	}
	return writeTable(a.stdout, shown)
}

// writeColumns prints a table of the chosen fields, each column as wide as
// its widest cell (capped at 60 cells).
func writeColumns(w io.Writer, header []string, body [][]string) error {
	width := make([]int, len(header))
	for j, h := range header {
		width[j] = len(h)
		for _, r := range body {
			width[j] = min(max(width[j], safetext.Width(r[j])), 60)
		}
	}
	var b strings.Builder
	row := func(r []string) {
		for j, c := range r {
			if j > 0 {
				b.WriteString("  ")
			}
			if j == len(r)-1 {
				b.WriteString(safetext.Truncate(c, width[j]))
			} else {
				b.WriteString(safetext.Pad(c, width[j]))
			}
		}
		b.WriteByte('\n')
	}
	upper := make([]string, len(header))
	for j, h := range header {
		upper[j] = strings.ToUpper(h)
	}
	row(upper)
	for _, r := range body {
		row(r)
	}
	_, err := fmt.Fprint(w, b.String())
	return err
}

// addFilterFlags registers the filters list and usage share.
func addFilterFlags(cmd *cobra.Command, lf *listFlags) {
	fl := cmd.Flags()
	fl.StringSliceVar(&lf.statuses, "status", nil, "only these activities or statuses (repeat or comma-separate: failed,running)")
	fl.StringSliceVar(&lf.sources, "source", nil, "only these sources (chat, api, slack, schedule, ...)")
	fl.StringArrayVar(&lf.tags, "tag", nil, "only sessions with this tag (repeat: all must match)")
	fl.StringVar(&lf.search, "search", "", "case-insensitive text in the title")
	fl.StringVar(&lf.since, "since", "", "created at or after: RFC 3339 time or age (7d, 12h)")
	fl.StringVar(&lf.until, "until", "", "created before: RFC 3339 time or age (7d, 12h)")
	fl.BoolVar(&lf.mine, "mine", false, "only sessions you own")
	fl.BoolVar(&lf.archived, "archived", false, "only archived sessions")
}

// listFilter is the filter flags parsed: what goes to the server (opts),
// what is checked here (keep: fine statuses, tags), and whether keep drops
// anything the server did not (local).
type listFilter struct {
	opts  apiclient.ListOptions
	keep  func(*apiclient.Session) bool
	local bool
}

// parseListFilter validates the filter flags (before any request).
func parseListFilter(lf *listFlags, now time.Time) (listFilter, error) {
	sc, err := parseStatuses(lf.statuses)
	if err != nil {
		return listFilter{}, err
	}
	sources, err := parseSources(lf.sources)
	if err != nil {
		return listFilter{}, err
	}
	after, err := parseWhen("--since", lf.since, now)
	if err != nil {
		return listFilter{}, err
	}
	before, err := parseWhen("--until", lf.until, now)
	if err != nil {
		return listFilter{}, err
	}
	var tags []string
	for _, t := range lf.tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return listFilter{
		opts: apiclient.ListOptions{Search: lf.search, Status: sc.activities, Source: sources, Mine: lf.mine,
			CreatedAfter: after, CreatedBefore: before, ArchivedOnly: lf.archived},
		keep: func(x *apiclient.Session) bool {
			if !sc.keep(x) {
				return false
			}
			for _, want := range tags {
				if !slices.ContainsFunc(x.Tags, func(t string) bool { return strings.EqualFold(t, want) }) {
					return false
				}
			}
			return true
		},
		local: len(tags) > 0 || len(sc.wantStatus) > 0,
	}, nil
}
