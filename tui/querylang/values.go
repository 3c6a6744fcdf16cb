package querylang

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Activity values (the server's outcome view and its status filter) and
// execution status values (the session's wire status).
var (
	activities = []string{"running", "failed", "completed", "idle", "paused"}
	statuses   = []string{"started", "active", "waitingfortoolresults"}
	// Sources is the server's closed set of session sources.
	Sources = []string{"chat", "api", "slack", "ag_ui", "fcp", "schedule",
		"webhook", "a2a", "eval", "subagent", "unknown"}
	isValues = []string{"pinned", "resolved", "archived"}
)

// statusValue reads a status: word. activity tells which field it tests:
// the activity (running, failed, completed, idle, paused) or the execution
// status (started, active, waitingfortoolresults). idle and paused are
// both; they are read as activities, the view the web console groups by.
func statusValue(text string) (canon string, activity, ok bool) {
	v := strings.ToLower(text)
	switch v {
	case "waiting", "waiting_for_tool_results", "waitingfortoolresults":
		return "waitingfortoolresults", false, true
	}
	for _, a := range activities {
		if v == a {
			return a, true, true
		}
	}
	for _, s := range statuses {
		if v == s {
			return s, false, true
		}
	}
	return "", false, false
}

// valueHelp is the short list of what a qualifier takes, for messages.
func valueHelp(k Kind) string {
	switch k {
	case KindTag:
		return "a tag, or none"
	case KindStatus:
		return "running failed completed idle paused started active waiting"
	case KindAgent:
		return "name, display name or id prefix"
	case KindSource:
		return strings.Join(Sources, " ")
	case KindModel:
		return "a model id"
	case KindCreated, KindUpdated:
		return "<2h, >1d, a date or >2026-08-01"
	case KindTokens:
		return ">100k, <5000"
	case KindCost:
		return ">0.50, <2"
	case KindIs:
		return "pinned resolved archived"
	case KindID:
		return "id prefix"
	}
	return ""
}

// checkValue validates v for a qualifier of kind k. It returns "" when v
// is fine; otherwise a message, with hint set when v is kept anyway.
func checkValue(k Kind, v Value) (msg string, hint bool) {
	name := k.Name()
	switch k {
	case KindStatus:
		if _, _, ok := statusValue(v.Text); !ok {
			return name + ": use " + valueHelp(k), false
		}
	case KindIs:
		if !contains(isValues, strings.ToLower(v.Text)) {
			return "is: use " + valueHelp(k), false
		}
	case KindSource:
		// The set is closed on the server, but servers evolve: an unknown
		// source is still matched on the loaded rows.
		if !contains(Sources, strings.ToLower(v.Text)) {
			return `source: "` + clip(v.Text) + `" is not a known source; matched on loaded rows`, true
		}
	case KindCreated, KindUpdated:
		w, ok := parseWhen(v.Text, time.UTC)
		switch {
		case !ok:
			return name + ": use " + valueHelp(k), false
		case w.op == "" && w.kind != whenDate:
			return name + ": add < (within) or > (longer ago)", false
		}
	case KindTokens, KindCost:
		op, rest := cutOp(v.Text)
		if _, ok := parseNumber(rest, k == KindCost); !ok || op == "" {
			return name + ": use " + valueHelp(k), false
		}
	}
	return "", false
}

// clip shortens echoed input so a message stays one line.
func clip(s string) string {
	if len(s) <= 20 {
		return s
	}
	n := 17
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// cutOp splits a leading comparison (>, >=, <, <=) from a value.
func cutOp(s string) (op, rest string) {
	for _, o := range []string{">=", "<=", ">", "<"} {
		if strings.HasPrefix(s, o) {
			return o, s[len(o):]
		}
	}
	return "", s
}

// maxNumber bounds tokens: and cost: values, far above any real session.
const maxNumber = 1e15

// parseNumber reads 100, 1.5k, 2m (and $0.50 when dollar is set).
func parseNumber(s string, dollar bool) (float64, bool) {
	if dollar {
		s = strings.TrimPrefix(s, "$")
	}
	mult := 1.0
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k', 'K':
			mult, s = 1e3, s[:n-1]
		case 'm', 'M':
			mult, s = 1e6, s[:n-1]
		}
	}
	// Plain decimals only: strconv would also take hex, "inf" and "1_000".
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' }) >= 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f*mult > maxNumber {
		return 0, false
	}
	return f * mult, true
}

type whenKind uint8

const (
	whenAgo     whenKind = iota // a duration before now
	whenDate                    // a calendar day (YYYY-MM-DD)
	whenInstant                 // an RFC 3339 time
)

// when is a created:/updated: value.
type when struct {
	op   string
	kind whenKind
	ago  time.Duration
	at   time.Time // whenDate: the day's start in loc; whenInstant: the time
}

// maxAgo bounds durations so that now - ago never overflows.
const maxAgo = 200 * 365 * 24 * time.Hour

// parseWhen reads >1d, <2h30m, 2026-08-01, >=2026-08-01T10:00:00Z. Dates
// are days in loc.
func parseWhen(s string, loc *time.Location) (when, bool) {
	w := when{}
	w.op, s = cutOp(s)
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		w.kind, w.at = whenDate, t
		return w, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		w.kind, w.at = whenInstant, t
		return w, true
	}
	d, ok := parseAgo(s)
	w.kind, w.ago = whenAgo, d
	return w, ok
}

// parseAgo reads a duration as number-unit pairs: 90s 15m 2h 1d 2w 1d12h.
func parseAgo(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 12 {
			return 0, false
		}
		n, _ := strconv.ParseInt(s[:i], 10, 64)
		var unit time.Duration
		switch s[i] {
		case 's':
			unit = time.Second
		case 'm':
			unit = time.Minute
		case 'h':
			unit = time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'w':
			unit = 7 * 24 * time.Hour
		default:
			return 0, false
		}
		if n > int64(maxAgo/unit) {
			return 0, false
		}
		total += time.Duration(n) * unit
		if total > maxAgo {
			return 0, false
		}
		s = s[i+1:]
	}
	return total, true
}
