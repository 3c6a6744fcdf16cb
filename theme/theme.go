// Package theme holds the palette and every lipgloss style of the program,
// built in one place so that views never invent colours of their own.
package theme

import (
	"os"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// Mode picks the palette.
type Mode string

// Palette modes. Auto lets lipgloss pick by the terminal background.
const (
	Auto  Mode = "auto"
	Dark  Mode = "dark"
	Light Mode = "light"
)

// Palette is the set of colours the styles are built from.
type Palette struct {
	Fg, Muted, Subtle, Border, Accent, Highlight lipgloss.TerminalColor
	SelectedBg, MarkedBg, ChangedBg              lipgloss.TerminalColor
	Started, Active, Idle, Other                 lipgloss.TerminalColor
	Error, Success, Warning, Tag                 lipgloss.TerminalColor
}

func adaptive(light, dark string) lipgloss.AdaptiveColor {
	return lipgloss.AdaptiveColor{Light: light, Dark: dark}
}

// pick returns the palette for a mode; fixed modes choose one side of each
// adaptive colour so a light theme stays light on any terminal.
func pick(mode Mode) Palette {
	c := func(light, dark string) lipgloss.TerminalColor {
		switch mode {
		case Dark:
			return lipgloss.Color(dark)
		case Light:
			return lipgloss.Color(light)
		}
		return adaptive(light, dark)
	}
	return Palette{
		Fg:         c("#1f2328", "#e6edf3"),
		Muted:      c("#6e7781", "#8b949e"),
		Subtle:     c("#8c959f", "#6e7681"),
		Border:     c("#d0d7de", "#30363d"),
		Accent:     c("#0969da", "#58a6ff"),
		Highlight:  c("#bf8700", "#e3b341"),
		SelectedBg: c("#ddf4ff", "#1f3a5f"),
		MarkedBg:   c("#fff8c5", "#3b2e00"),
		ChangedBg:  c("#dafbe1", "#12361f"),
		Started:    c("#8250df", "#d2a8ff"),
		Active:     c("#1a7f37", "#3fb950"),
		Idle:       c("#0969da", "#79c0ff"),
		Other:      c("#6e7781", "#8b949e"),
		Error:      c("#cf222e", "#f85149"),
		Success:    c("#1a7f37", "#3fb950"),
		Warning:    c("#9a6700", "#d29922"),
		Tag:        c("#953800", "#ffa657"),
	}
}

// Theme is every style of the program.
type Theme struct {
	NoColor bool

	App         lipgloss.Style
	HeaderTitle lipgloss.Style
	HeaderInfo  lipgloss.Style
	HeaderCount lipgloss.Style

	StatusStarted lipgloss.Style
	StatusActive  lipgloss.Style
	StatusIdle    lipgloss.Style
	StatusOther   lipgloss.Style
	// Activities: a failed run must stand out (its glyph carries it without colour).
	StatusFailed    lipgloss.Style
	StatusCompleted lipgloss.Style
	StatusPaused    lipgloss.Style
	Pinned          lipgloss.Style // the pinned marker

	RowTitle     lipgloss.Style
	RowUntitled  lipgloss.Style // an untitled session shows its preview, dimmed
	RowTag       lipgloss.Style
	RowTokens    lipgloss.Style
	RowAge       lipgloss.Style
	RowSelected  lipgloss.Style
	RowMarked    lipgloss.Style
	RowChanged   lipgloss.Style
	MarkGlyph    lipgloss.Style
	Match        lipgloss.Style
	MatchCurrent lipgloss.Style // the match a search is on (the detail view's n/N)
	ColumnHeader lipgloss.Style

	Pane       lipgloss.Style
	PaneBorder lipgloss.Style // the pane's border drawn by hand, for speed
	PaneTitle  lipgloss.Style
	Label      lipgloss.Style
	Value      lipgloss.Style
	Muted      lipgloss.Style

	StatusLine lipgloss.Style
	Toast      lipgloss.Style
	Error      lipgloss.Style
	Warning    lipgloss.Style
	Spinner    lipgloss.Style

	FormTitle    lipgloss.Style
	FormLabel    lipgloss.Style
	FormFocused  lipgloss.Style
	FormBlurred  lipgloss.Style
	FormError    lipgloss.Style
	FormHint     lipgloss.Style
	CheckOn      lipgloss.Style
	CheckOff     lipgloss.Style
	PickerCursor lipgloss.Style
	Refused      lipgloss.Style
	Dialog       lipgloss.Style

	BarInput         lipgloss.Style
	BarOutput        lipgloss.Style
	BarCacheRead     lipgloss.Style
	BarCacheCreation lipgloss.Style
	BarEmpty         lipgloss.Style

	RoleUser   lipgloss.Style
	RoleAgent  lipgloss.Style
	RoleTool   lipgloss.Style
	RoleSystem lipgloss.Style

	Help help.Styles

	Usage UsageStyles // the usage view (theme/usage.go)
	Live  LiveStyles  // the live transcript of the detail view (tui/live)
}

// NoColorFromEnv reports whether NO_COLOR is set (https://no-color.org).
func NoColorFromEnv() bool {
	v, ok := os.LookupEnv("NO_COLOR")
	return ok && v != ""
}

// New builds the theme. With noColor every style keeps its weight and
// layout but loses its colours.
func New(mode Mode, noColor bool) *Theme {
	p := pick(mode)
	fg := func(c lipgloss.TerminalColor) lipgloss.Style {
		if noColor {
			return lipgloss.NewStyle()
		}
		return lipgloss.NewStyle().Foreground(c)
	}
	bg := func(s lipgloss.Style, c lipgloss.TerminalColor) lipgloss.Style {
		if noColor {
			return s
		}
		return s.Background(c)
	}
	border := func(s lipgloss.Style) lipgloss.Style {
		if noColor {
			return s
		}
		return s.BorderForeground(p.Border)
	}
	t := &Theme{NoColor: noColor}
	t.App = lipgloss.NewStyle()
	t.HeaderTitle = fg(p.Accent).Bold(true)
	t.HeaderInfo = fg(p.Muted)
	t.HeaderCount = fg(p.Fg).Bold(true)

	t.StatusStarted = fg(p.Started)
	t.StatusActive = fg(p.Active).Bold(true)
	t.StatusIdle = fg(p.Idle)
	t.StatusOther = fg(p.Other).Italic(true)
	t.StatusFailed = fg(p.Error).Bold(true)
	t.StatusCompleted = fg(p.Success)
	t.StatusPaused = fg(p.Warning)
	t.Pinned = fg(p.Warning).Bold(true)

	t.RowTitle = fg(p.Fg)
	t.RowUntitled = fg(p.Muted).Italic(true)
	t.RowTag = fg(p.Tag)
	t.RowTokens = fg(p.Fg)
	t.RowAge = fg(p.Muted)
	t.RowSelected = bg(lipgloss.NewStyle().Bold(true), p.SelectedBg)
	if noColor {
		t.RowSelected = lipgloss.NewStyle().Reverse(true)
	}
	t.RowMarked = bg(lipgloss.NewStyle(), p.MarkedBg)
	t.RowChanged = bg(lipgloss.NewStyle(), p.ChangedBg)
	t.MarkGlyph = fg(p.Highlight).Bold(true)
	t.Match = fg(p.Highlight).Bold(true).Underline(true)
	t.MatchCurrent = t.Match.Reverse(true)
	t.ColumnHeader = fg(p.Muted).Bold(true)

	t.Pane = border(lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1))
	t.PaneBorder = fg(p.Border)
	t.PaneTitle = fg(p.Accent).Bold(true)
	t.Label = fg(p.Muted)
	t.Value = fg(p.Fg)
	t.Muted = fg(p.Muted)

	t.StatusLine = fg(p.Muted)
	t.Toast = fg(p.Success).Bold(true)
	t.Error = fg(p.Error).Bold(true)
	t.Warning = fg(p.Warning)
	t.Spinner = fg(p.Accent)

	t.FormTitle = fg(p.Accent).Bold(true)
	t.FormLabel = fg(p.Muted)
	t.FormFocused = border(lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, false, true).PaddingLeft(1))
	if !noColor {
		t.FormFocused = t.FormFocused.BorderForeground(p.Accent)
	}
	t.FormBlurred = lipgloss.NewStyle().Border(lipgloss.HiddenBorder(), false, false, false, true).PaddingLeft(1)
	t.FormError = fg(p.Error)
	t.FormHint = fg(p.Subtle)
	t.CheckOn = fg(p.Success).Bold(true)
	t.CheckOff = fg(p.Muted)
	t.PickerCursor = fg(p.Accent).Bold(true)
	t.Refused = fg(p.Error).Strikethrough(true)
	t.Dialog = border(lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(1, 2))

	t.BarInput = fg(p.Idle)
	t.BarOutput = fg(p.Active)
	t.BarCacheRead = fg(p.Started)
	t.BarCacheCreation = fg(p.Tag)
	t.BarEmpty = fg(p.Border)

	t.RoleUser = fg(p.Accent).Bold(true)
	t.RoleAgent = fg(p.Active).Bold(true)
	t.RoleTool = fg(p.Tag).Bold(true)
	t.RoleSystem = fg(p.Muted).Bold(true)

	t.Usage = usageStyles(p, noColor)
	t.Live = newLiveStyles(p, fg)

	t.Help = help.Styles{
		Ellipsis:       fg(p.Subtle),
		ShortKey:       fg(p.Muted).Bold(true),
		ShortDesc:      fg(p.Subtle),
		ShortSeparator: fg(p.Border),
		FullKey:        fg(p.Muted).Bold(true),
		FullDesc:       fg(p.Subtle),
		FullSeparator:  fg(p.Border),
	}
	return t
}

// Status returns the style for a status word; unknown statuses are neutral.
func (t *Theme) Status(status string) lipgloss.Style {
	switch status {
	case "started":
		return t.StatusStarted
	case "active", "running":
		return t.StatusActive
	case "idle":
		return t.StatusIdle
	case "failed":
		return t.StatusFailed
	case "completed":
		return t.StatusCompleted
	case "paused":
		return t.StatusPaused
	}
	return t.StatusOther
}

// ---- Live transcript (tui/live) ----------------------------------------

// LiveStyles are the styles of the live transcript: the connection label,
// the message being streamed and the state of tool calls. Each state also
// has a glyph (in tui/live), so it reads without colour.
type LiveStyles struct {
	Connecting   lipgloss.Style // "○ connecting"
	Live         lipgloss.Style // "● live"
	Reconnecting lipgloss.Style // "↻ reconnecting in 2s (…)"
	Stopped      lipgloss.Style // "■ stopped: …"
	Streaming    lipgloss.Style // the marker after text still being generated
	ToolRunning  lipgloss.Style
	ToolDone     lipgloss.Style
	ToolFailed   lipgloss.Style
	TurnFailed   lipgloss.Style // a turn.failed line
	Note         lipgloss.Style // cancelled turns, hidden earlier items
}

func newLiveStyles(p Palette, fg func(lipgloss.TerminalColor) lipgloss.Style) LiveStyles {
	return LiveStyles{
		Connecting:   fg(p.Muted),
		Live:         fg(p.Success).Bold(true),
		Reconnecting: fg(p.Warning).Bold(true),
		Stopped:      fg(p.Error).Bold(true),
		Streaming:    fg(p.Accent),
		ToolRunning:  fg(p.Warning),
		ToolDone:     fg(p.Success),
		ToolFailed:   fg(p.Error).Bold(true),
		TurnFailed:   fg(p.Error).Bold(true),
		Note:         fg(p.Muted).Italic(true),
	}
}
