package theme

import "github.com/charmbracelet/lipgloss"

// UsageStyles are the styles of the usage view (tui/usageview): kept in
// their own block so that the view's look changes in one place.
type UsageStyles struct {
	Title      lipgloss.Style // the view's heading
	Note       lipgloss.Style // what the figures are over (created_at, UTC)
	Axis       lipgloss.Style // chart axes and their labels
	Bar        lipgloss.Style // chart columns and table bars
	BarCursor  lipgloss.Style // the chart column under the cursor
	Tab        lipgloss.Style // a table's name in the tab bar
	TabActive  lipgloss.Style // the table shown
	Header     lipgloss.Style // table column names
	SortHeader lipgloss.Style // the column the table is sorted by
	Row        lipgloss.Style
	RowCursor  lipgloss.Style
	Estimated  lipgloss.Style // a cost that is (partly) an estimate, marked ~
	Total      lipgloss.Style // the totals line's figures
}

func usageStyles(p Palette, noColor bool) UsageStyles {
	fg := func(c lipgloss.TerminalColor) lipgloss.Style {
		if noColor {
			return lipgloss.NewStyle()
		}
		return lipgloss.NewStyle().Foreground(c)
	}
	cursor := lipgloss.NewStyle().Bold(true)
	if noColor {
		cursor = cursor.Reverse(true)
	} else {
		cursor = cursor.Background(p.SelectedBg)
	}
	return UsageStyles{
		Title:      fg(p.Accent).Bold(true),
		Note:       fg(p.Muted),
		Axis:       fg(p.Muted),
		Bar:        fg(p.Idle),
		BarCursor:  fg(p.Highlight).Bold(true),
		Tab:        fg(p.Muted),
		TabActive:  fg(p.Accent).Bold(true).Underline(true),
		Header:     fg(p.Muted).Bold(true),
		SortHeader: fg(p.Fg).Bold(true),
		Row:        fg(p.Fg),
		RowCursor:  cursor,
		Estimated:  fg(p.Warning),
		Total:      fg(p.Fg).Bold(true),
	}
}
