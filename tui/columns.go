package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/everruns/sessions/tui/safetext"
)

// colKind is one column of the list.
type colKind uint8

const (
	colStatus colKind = iota
	colTitle
	colAgent
	colSource
	colTags
	colTokens
	colIn
	colOut
	colCache
	colCost
	colCreated
	colUpdated
	colAge
	colKinds
)

// columnNames are the names of the config's `columns = [...]`.
var columnNames = [colKinds]string{"status", "title", "agent", "source", "tags", "tokens", "in", "out", "cache", "cost", "created", "updated", "age"}

// defaultColumns is the list's columns when the config names none.
var defaultColumns = []colKind{colStatus, colTitle, colTags, colTokens, colAge}

// fixedWidth is a column's width; title and tags share what is left.
var fixedWidth = [colKinds]int{colStatus: 10, colAgent: 16, colSource: 8, colTokens: 7, colIn: 6, colOut: 6, colCache: 6, colCost: 8, colCreated: 7, colUpdated: 7, colAge: 7}

// ColumnNames lists the column names the config accepts, in display order.
func ColumnNames() []string { return slices.Clone(columnNames[:]) }

// CheckColumns checks the config's column names: each known, none twice,
// at least one.
func CheckColumns(names []string) error {
	_, err := parseColumns(names)
	return err
}

func parseColumns(names []string) ([]colKind, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("columns: name at least one of %s", strings.Join(columnNames[:], ", "))
	}
	var out []colKind
	for _, n := range names {
		i := slices.Index(columnNames[:], strings.ToLower(strings.TrimSpace(n)))
		if i < 0 {
			return nil, fmt.Errorf("columns: unknown column %q (known: %s)", safetext.Line(n, 40), strings.Join(columnNames[:], ", "))
		}
		if slices.Contains(out, colKind(i)) {
			return nil, fmt.Errorf("columns: %q appears twice", columnNames[i])
		}
		out = append(out, colKind(i))
	}
	return out, nil
}

// header is the column's title; AGE names what it counts from.
func (c columns) headerOf(k colKind) string {
	switch k {
	case colAge:
		return c.ageLabel()
	case colIn, colOut:
		return strings.ToUpper(columnNames[k])
	}
	return strings.ToUpper(columnNames[k])
}

// rightAligned columns hold numbers.
func rightAligned(k colKind) bool {
	switch k {
	case colTokens, colIn, colOut, colCache, colCost, colCreated, colUpdated, colAge:
		return true
	}
	return false
}

// cellText is an optional column's text for r (status, title and tags are
// drawn apart, from their measured text).
func (c columns) cellText(k colKind, now time.Time, r *row, names *agentNames) string {
	u := r.S.Usage
	tok := func(n func() int64) string {
		if u == nil {
			return "—"
		}
		return compactTokens(n())
	}
	switch k {
	case colAgent:
		if r.S.AgentID == "" {
			return "—"
		}
		return names.Label(r.S.AgentID)
	case colSource:
		if r.Source == "" {
			return "—"
		}
		return r.Source
	case colTokens:
		return tokenCell(r)
	case colIn:
		return tok(func() int64 { return u.InputTokens })
	case colOut:
		return tok(func() int64 { return u.OutputTokens })
	case colCache:
		return tok(u.CacheRead)
	case colCost:
		if s := costText(&r.S); s != "" {
			return s
		}
		return "—"
	case colCreated:
		return age(now, r.S.CreatedAt)
	case colUpdated:
		return age(now, r.S.UpdatedAt)
	case colAge:
		return c.age(now, r)
	}
	return ""
}

// knownColumns is parseColumns keeping what it can: the known names, once
// each (the command line checks the config with CheckColumns first).
func knownColumns(names []string) []colKind {
	var out []colKind
	for _, n := range names {
		if ks, err := parseColumns([]string{n}); err == nil && !slices.Contains(out, ks[0]) {
			out = append(out, ks[0])
		}
	}
	return out
}
