package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

// usageColumns follow the --by key in CSV and JSON, in this order.
var usageColumns = []string{"sessions", "input_tokens", "cache_read_tokens", "cache_creation_tokens",
	"output_tokens", "total_tokens", "cost_usd", "estimated_share"}

type usageFlags struct {
	listFlags // the filters of list; its output flags are not registered
	by        string
	format    string
}

func (a *app) usageCommand() *cobra.Command {
	var uf usageFlags
	cmd := &cobra.Command{
		Use:   "usage",
		Short: "Sum token usage and cost by day, hour, agent, model, source or session",
		Long: `usage sums the token usage and cost of the sessions matching the filters
(the same as list's), grouped by --by:

  day, hour   UTC buckets of created_at (ISO 8601: 2026-08-01, 2026-08-01T14:00:00Z)
  agent       display name, else id     model    model id
  source      chat, api, slack, ...     session  session id

Prompt tokens are input + cache read + cache creation (the API's buckets are
disjoint); total is prompt + output. A session's cost is its effective cost,
else its actual cost, else its estimate; estimated_share is the part of
cost_usd that came from estimates (0-1). CSV and JSON have the columns
<by>, ` + strings.Join(usageColumns, ", ") + `;
the table adds a total row, and shows "-" for the cost of rows whose
sessions carry none (CSV and JSON: 0).`,
		Example: `  sessions usage --by day --since 30d
  sessions usage --by agent --format csv > agents.csv
  sessions usage --by model --source slack,schedule --format json
  sessions usage --by hour --since 24h --status failed`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runUsage(cmd, &uf) },
	}
	fl := cmd.Flags()
	fl.StringVar(&uf.by, "by", "day", "group by day, hour, agent, model, source or session")
	fl.StringVar(&uf.format, "format", "table", "output: table, csv or json")
	addFilterFlags(cmd, &uf.listFlags)
	return cmd
}

func (a *app) runUsage(cmd *cobra.Command, uf *usageFlags) error {
	by, err := apiclient.ParseUsageKey(uf.by)
	if err != nil {
		return usageErrorf("--by: %s", line(err.Error()))
	}
	format := strings.ToLower(strings.TrimSpace(uf.format))
	if format != "table" && format != "csv" && format != "json" {
		return usageErrorf("unknown --format %q; valid: table, csv, json", line(uf.format))
	}
	f, err := parseListFilter(&uf.listFlags, time.Now())
	if err != nil {
		return err
	}
	s, err := a.apiSettings(cmd)
	if err != nil {
		return err
	}
	c := a.client(s)
	ctx := ctxOf(cmd)
	if f.opts.AgentID, err = resolveAgent(ctx, c, s.Agent); err != nil {
		return err
	}
	f.opts.Limit = s.PageSize
	var labels map[string]string
	if by == apiclient.UsageByAgent {
		agents, err := c.ListAgents(ctx, "")
		if err != nil {
			fmt.Fprintf(a.stderr, "sessions: warning: agents are shown by id: %s\n", line(apiclient.Describe(err)))
		}
		labels = apiclient.AgentLabels(agents)
	}
	agg := apiclient.NewUsageAggregator(by, labels)
	var notes listNotes
	// Summed from what ListAll returns, not page by page: a page it passed
	// on can still be dropped when an earlier one turns out to be the last.
	all, err := c.ListAll(ctx, f.opts, apiclient.DefaultConcurrency, notes.add)
	notes.write(a.stderr)
	if err != nil {
		return apiError(err)
	}
	for i := range all {
		if f.keep(&all[i]) {
			agg.Add(&all[i])
		}
	}
	rep := agg.Report()
	switch format {
	case "csv":
		return writeErr(writeUsageCSV(a.stdout, rep))
	case "json":
		return writeErr(writeUsageJSON(a.stdout, rep))
	}
	return writeErr(writeUsageTable(a.stdout, rep))
}

// usageFields are a row's columns after the key, as CSV and JSON write them.
func usageFields(r *apiclient.UsageRow) []string {
	return []string{strconv.Itoa(r.Sessions), strconv.FormatInt(r.InputTokens, 10),
		strconv.FormatInt(r.CacheReadTokens, 10), strconv.FormatInt(r.CacheCreationTokens, 10),
		strconv.FormatInt(r.OutputTokens, 10), strconv.FormatInt(r.Total(), 10),
		fmtDecimal(r.CostUSD, 6), fmtDecimal(r.EstimatedShare(), 4)}
}

// fmtDecimal rounds to places decimals and prints the shortest form
// (0.30000000000000004 is 0.3).
func fmtDecimal(v float64, places int) string {
	p := math.Pow10(places)
	if math.Abs(v) < 1e15 {
		v = math.Round(v*p) / p
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func writeUsageCSV(w io.Writer, rep apiclient.UsageReport) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(append([]string{string(rep.By)}, usageColumns...))
	for i := range rep.Rows {
		_ = cw.Write(append([]string{line(rep.Rows[i].Key)}, usageFields(&rep.Rows[i])...))
	}
	cw.Flush()
	return cw.Error()
}

// writeUsageJSON writes an array of objects whose keys keep the CSV order.
func writeUsageJSON(w io.Writer, rep apiclient.UsageReport) error {
	var b bytes.Buffer
	b.WriteString("[")
	for i := range rep.Rows {
		if i > 0 {
			b.WriteString(",")
		}
		key, err := json.Marshal(line(rep.Rows[i].Key))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n  {%q: %s", string(rep.By), key)
		for j, v := range usageFields(&rep.Rows[i]) {
			fmt.Fprintf(&b, ", %q: %s", usageColumns[j], v)
		}
		b.WriteString("}")
	}
	if len(rep.Rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := w.Write(escapeUnsafeRunes(b.Bytes()))
	return err
}

// writeUsageTable prints aligned columns for people: thousands separators,
// cost in dollars, the estimated share in percent, and a total row.
func writeUsageTable(w io.Writer, rep apiclient.UsageReport) error {
	header := []string{strings.ToUpper(string(rep.By)), "SESSIONS", "INPUT", "CACHE READ", "CACHE WRITE",
		"OUTPUT", "TOTAL", "COST USD", "ESTIMATED"}
	cells := func(r *apiclient.UsageRow, key string) []string {
		est := "-"
		if r.CostUSD > 0 {
			est = strconv.FormatFloat(100*r.EstimatedShare(), 'f', 0, 64) + "%"
		}
		cost := "-" // no session of the row carried a cost: unknown, not free
		if r.CostedSessions > 0 {
			cost = strconv.FormatFloat(r.CostUSD, 'f', 4, 64)
		}
		return []string{key, usageThousands(int64(r.Sessions)), usageThousands(r.InputTokens), usageThousands(r.CacheReadTokens),
			usageThousands(r.CacheCreationTokens), usageThousands(r.OutputTokens), usageThousands(r.Total()),
			cost, est}
	}
	body := make([][]string, 0, len(rep.Rows)+1)
	for i := range rep.Rows {
		key := line(rep.Rows[i].Key)
		if key == "" {
			key = "(none)"
		}
		body = append(body, cells(&rep.Rows[i], key))
	}
	body = append(body, cells(&rep.Total, "TOTAL"))
	width := make([]int, len(header))
	for j, h := range header {
		width[j] = len(h)
		for _, r := range body {
			width[j] = max(width[j], safetext.Width(r[j]))
		}
	}
	width[0] = min(width[0], 48)
	var b strings.Builder
	row := func(r []string) {
		b.WriteString(safetext.Pad(r[0], width[0]))
		for j := 1; j < len(r); j++ {
			b.WriteString("  " + strings.Repeat(" ", width[j]-len(r[j])) + r[j])
		}
		b.WriteByte('\n')
	}
	row(header)
	for _, r := range body {
		row(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// usageThousands is n with comma separators (1,234,567).
func usageThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := 0; i < len(s); i++ {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
