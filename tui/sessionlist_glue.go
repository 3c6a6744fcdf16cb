package tui

import "github.com/everruns/sessions/tui/sessionlist"

// The session list lives in tui/sessionlist; the root keeps its old names
// for the list's types, which it stores, derives and decorates.
type (
	row        = sessionlist.Row
	query      = sessionlist.Query
	listModel  = sessionlist.Model
	rowDecor   = sessionlist.Decor
	rowLineKey = sessionlist.LineKey
	columns    = sessionlist.Columns
	colKind    = sessionlist.ColKind
	styleKit   = sessionlist.StyleKit
	agentNames = sessionlist.AgentNames
)

// ColumnNames lists the column names the config accepts, in display order.
func ColumnNames() []string { return sessionlist.ColumnNames() }

// CheckColumns checks the config's column names: each known, none twice,
// at least one.
func CheckColumns(names []string) error { return sessionlist.CheckColumns(names) }

// listKeys are the root's bindings the list handles itself.
func listKeys(k *KeyMap) sessionlist.KeyMap {
	return sessionlist.KeyMap{Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown, Top: k.Top, Bottom: k.Bottom}
}
