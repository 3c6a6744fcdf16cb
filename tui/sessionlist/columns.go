package sessionlist

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/everruns/sessions/tui/common"
	"github.com/everruns/sessions/tui/safetext"
)

// ColKind is one column of the list.
type ColKind uint8

const (
	ColStatus ColKind = iota
	ColTitle
	ColAgent
	ColSource
	ColTags
	ColTokens
	ColIn
	ColOut
	ColCache
	ColCost
	ColCreated
	ColUpdated
	ColAge
	ColKinds
)

// columnNames are the names of the config's `columns = [...]`.
var columnNames = [ColKinds]string{"status", "title", "agent", "source", "tags", "tokens", "in", "out", "cache", "cost", "created", "updated", "age"}

// defaultColumns is the list's columns when the config names none.
var defaultColumns = []ColKind{ColStatus, ColTitle, ColTags, ColTokens, ColAge}

// fixedWidth is a column's width; title and tags share what is left.
var fixedWidth = [ColKinds]int{ColStatus: 10, ColAgent: 16, ColSource: 8, ColTokens: 7, ColIn: 6, ColOut: 6, ColCache: 6, ColCost: 8, ColCreated: 7, ColUpdated: 7, ColAge: 7}

// ColumnNames lists the column names the config accepts, in display order.
func ColumnNames() []string { return slices.Clone(columnNames[:]) }

// CheckColumns checks the config's column names: each known, none twice,
// at least one.
func CheckColumns(names []string) error {
	_, err := ParseColumns(names)
	return err
}

func ParseColumns(names []string) ([]ColKind, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("columns: name at least one of %s", strings.Join(columnNames[:], ", "))
	}
	var out []ColKind
	for _, n := range names {
		i := slices.Index(columnNames[:], strings.ToLower(strings.TrimSpace(n)))
		if i < 0 {
			return nil, fmt.Errorf("columns: unknown column %q (known: %s)", safetext.Line(n, 40), strings.Join(columnNames[:], ", "))
		}
		if slices.Contains(out, ColKind(i)) {
			return nil, fmt.Errorf("columns: %q appears twice", columnNames[i])
		}
		out = append(out, ColKind(i))
	}
	return out, nil
}

// header is the column's title; AGE names what it counts from.
func (c Columns) headerOf(k ColKind) string {
	switch k {
	case ColAge:
		return c.ageLabel()
	case ColIn, ColOut:
		return strings.ToUpper(columnNames[k])
	}
	return strings.ToUpper(columnNames[k])
}

// rightAligned columns hold numbers.
func rightAligned(k ColKind) bool {
	switch k {
	case ColTokens, ColIn, ColOut, ColCache, ColCost, ColCreated, ColUpdated, ColAge:
		return true
	}
	return false
}

// cellText is an optional column's text for r (status, title and tags are
// drawn apart, from their measured text).
func (c Columns) cellText(k ColKind, now time.Time, r *Row, names *AgentNames) string {
	u := r.S.Usage
	tok := func(n func() int64) string {
		if u == nil {
			return "—"
		}
		return common.CompactCount(n())
	}
	switch k {
	case ColAgent:
		if r.S.AgentID == "" {
			return "—"
		}
		return names.Label(r.S.AgentID)
	case ColSource:
		if r.Source == "" {
			return "—"
		}
		return r.Source
	case ColTokens:
		return TokenCell(r)
	case ColIn:
		return tok(func() int64 { return u.InputTokens })
	case ColOut:
		return tok(func() int64 { return u.OutputTokens })
	case ColCache:
		return tok(u.CacheRead)
	case ColCost:
		if s := common.CostText(&r.S); s != "" {
			return s
		}
		return "—"
	case ColCreated:
		return common.Age(now, r.S.CreatedAt)
	case ColUpdated:
		return common.Age(now, r.S.UpdatedAt)
	case ColAge:
		return c.age(now, r)
	}
	return ""
}

// KnownColumns is parseColumns keeping what it can: the known names, once
// each (the command line checks the config with CheckColumns first).
func KnownColumns(names []string) []ColKind {
	var out []ColKind
	for _, n := range names {
		if ks, err := ParseColumns([]string{n}); err == nil && !slices.Contains(out, ks[0]) {
			out = append(out, ks[0])
		}
	}
	return out
}

// Columns are the column widths of the list, derived from the total width.
type Columns struct {
	mark, status, title, tags, tokens, ageW int
	created                                 bool // AGE counts from creation, not the last update
	order                                   []ColKind
	width                                   [ColKinds]int
}

// age is the row's AGE cell: since creation or since the last update,
// following the order of the list, as the header says.
func (c Columns) age(now time.Time, r *Row) string {
	if c.created {
		return common.Age(now, r.S.CreatedAt)
	}
	return common.Age(now, r.S.UpdatedAt)
}

func LayoutColumns(width int) Columns { return LayoutColumnsOf(width, nil) }

// LayoutColumnsOf lays out the given columns (nil: the default set): fixed
// widths first, then title and tags share the rest.
func LayoutColumnsOf(width int, order []ColKind) Columns {
	if len(order) == 0 {
		order = defaultColumns
	}
	c := Columns{mark: GutterWidth, order: order}
	rest := width - c.mark - (len(order) - 1)
	for _, k := range order {
		c.width[k] = fixedWidth[k]
		rest -= fixedWidth[k]
	}
	if slices.Contains(order, ColTags) {
		c.width[ColTags] = min(max(rest/4, 6), 28)
		if !slices.Contains(order, ColTitle) {
			c.width[ColTags] = max(rest, 6)
		}
		rest -= c.width[ColTags]
	}
	if slices.Contains(order, ColTitle) {
		c.width[ColTitle] = max(rest, 8)
	}
	c.status, c.title, c.tags, c.tokens, c.ageW = c.width[ColStatus], c.width[ColTitle], c.width[ColTags], c.width[ColTokens], c.width[ColAge]
	return c
}

// Header is the line of column names above the rows.
func (c Columns) Header(k *StyleKit) string {
	var b strings.Builder
	b.WriteString(Blank(c.mark))
	for i, k := range c.order {
		if i > 0 {
			b.WriteByte(' ')
		}
		if rightAligned(k) {
			b.WriteString(PadLeft(c.headerOf(k), c.width[k]))
		} else {
			b.WriteString(safetext.Pad(c.headerOf(k), c.width[k]))
		}
	}
	return k.Header.Render(b.String())
}

// ageLabel names the AGE column by what it counts from.
func (c Columns) ageLabel() string {
	if c.created {
		return "CREATED"
	}
	return "UPDATED"
}

// Total is the width of a row laid out by c: the gutter, the columns and
// the gaps between them.
func (c Columns) Total() int {
	n := c.mark + max(len(c.order)-1, 0)
	for _, k := range c.order {
		n += c.width[k]
	}
	return n
}

// Width is column k's width in cells (0 when it is not shown).
func (c Columns) Width(k ColKind) int { return c.width[k] }
