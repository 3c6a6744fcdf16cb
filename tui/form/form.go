// Package form is the edit form: one session's title and tags, or the tags
// of many marked sessions at once (bulk). It knows nothing of the program
// around it: it draws inside the rectangle SetSize hands it and says what
// happened with messages (SubmittedMsg, CancelledMsg, QuitMsg).
package form

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/safetext"
)

// Messages the edit form emits.
type (
	// SubmittedMsg asks the root to save. ID is "" in bulk mode; Title is
	// nil when unchanged; Added and Removed are raw tags.
	SubmittedMsg struct {
		ID             string
		Title          *string
		Added, Removed []string
	}
	// CancelledMsg closes the form without saving.
	CancelledMsg struct{}
	// QuitMsg quits the program; the user agreed to lose the changes.
	QuitMsg struct{}
)

const (
	titleEmpty    = "A title can't be empty: the API has no way to clear one"
	titleMaxBytes = 4096 // a hostile title is cut here for the prefill
	idMaxBytes    = 512
	maxTagBytes   = 128
	maxPanelWidth = 72
	maxErrorLines = 3
)

type field int

const (
	fieldTitle field = iota
	fieldTags
)

// Question is the y/n question the form is asking, if any.
type Question int

const (
	NoQuestion      Question = iota
	DiscardQuestion          // esc with changes
	QuitQuestion             // ctrl+c with changes
)

// Model edits one session's title and tags, or (bulk) the tags of many
// marked sessions at once.
type Model struct {
	theme *theme.Theme
	keys  *KeyMap // shared with the tag list; never changed
	w, h  int     // the rectangle the root hands out (SetSize)
	id    string  // raw session id; "" in bulk
	bulk  bool
	n     int // sessions a bulk form applies to

	heading   string // sanitised id for the header
	title     textinput.Model
	origTitle string // the prefill
	tags      tagPicker
	focus     field

	confirm Question
	saving  bool
	spin    spinner.Model
	err     string // sanitised save error
}

// New is the form for one session, its title prefilled and its tags
// checked among knownTags. It is 80x24 until SetSize.
func New(t *theme.Theme, keys KeyMap, s *apiclient.Session, knownTags []string) Model {
	f := Model{theme: t, keys: &keys, w: 80, h: 24}
	var own []string
	if s != nil {
		f.id = s.ID
		f.heading = safetext.Tag(s.ID, idMaxBytes) // a lookalike id shows its invisible characters
		f.origTitle = safetext.Line(s.TitleOrEmpty(), titleMaxBytes)
		own = s.Tags
	}
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = "untitled"
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.SetValue(f.origTitle)
	ti.CursorEnd()
	ti.Focus()
	f.title = ti
	f.tags = newTagPicker(t, f.keys, own, knownTags, false)
	f.focus = fieldTitle
	return f.init()
}

// NewBulk is the form that tags n marked sessions at once.
func NewBulk(t *theme.Theme, keys KeyMap, n int, knownTags []string) Model {
	f := Model{theme: t, keys: &keys, w: 80, h: 24, bulk: true, n: n}
	f.title = textinput.New()
	f.tags = newTagPicker(t, f.keys, nil, knownTags, true).Focus()
	f.focus = fieldTags
	return f.init()
}

func (f Model) init() Model {
	f.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	return f.restyle().relayout()
}

// restyle applies the theme to the inputs and the spinner.
func (f Model) restyle() Model {
	t := f.theme
	styleInput(&f.title, t, t.FormLabel)
	f.spin.Style = t.Spinner
	return f
}

// styleInput applies the theme to a text input of a form, with its prompt
// in the given style.
func styleInput(ti *textinput.Model, t *theme.Theme, prompt lipgloss.Style) {
	ti.PromptStyle = prompt
	ti.TextStyle = t.Value
	ti.PlaceholderStyle = t.FormHint
	ti.CompletionStyle = t.FormHint
	ti.Cursor.Style = t.PickerCursor
	ti.Cursor.TextStyle = t.Value
}

// SetSize hands the form its rectangle; it draws its panel centred in it.
func (f Model) SetSize(w, h int) Model {
	f.w, f.h = max(w, 1), max(h, 1)
	return f.relayout()
}

// SessionID is the raw id of the edited session, "" in bulk mode.
func (f Model) SessionID() string { return f.id }

// Title is the title as typed.
func (f Model) Title() string { return f.title.Value() }

// Err is the save error shown (sanitised), "" when none.
func (f Model) Err() string { return f.err }

// Added and Removed are the raw tags a save would add and remove.
func (f Model) Added() []string   { return f.tags.Added() }
func (f Model) Removed() []string { return f.tags.Removed() }

// Question is the y/n question the form asks, NoQuestion when none.
func (f Model) Question() Question { return f.confirm }

// Saving reports whether a save is in flight.
func (f Model) Saving() bool { return f.saving }

// SetSaving shows or hides the spinner; while on, edits are ignored. A
// valid ctrl+s already turns it on; SetError or SetSaving(false) ends it.
func (f Model) SetSaving(on bool) Model {
	f.saving = on
	if on {
		f.err = ""
	}
	return f.relayout()
}

// SetError shows why the save failed. Everything typed stays; ctrl+s retries.
func (f Model) SetError(msg string) Model {
	f.saving = false
	f.err = safetext.Line(msg, 1024)
	return f.relayout()
}

// ConfirmQuit asks whether to drop the changes and quit.
func (f Model) ConfirmQuit() Model {
	f.confirm = QuitQuestion
	return f
}

// titleValue is the typed title, trimmed.
func (f Model) titleValue() string { return strings.TrimSpace(f.title.Value()) }

func (f Model) titleChanged() bool {
	return !f.bulk && f.titleValue() != strings.TrimSpace(f.origTitle)
}

// titleProblem is why the title can't be saved, or "".
func (f Model) titleProblem() string {
	if f.titleChanged() && f.titleValue() == "" {
		return titleEmpty
	}
	return ""
}

// Dirty reports whether anything changed since the form opened.
func (f Model) Dirty() bool { return f.titleChanged() || f.tags.Dirty() }

// delta is what a save would send.
func (f Model) delta() SubmittedMsg {
	m := SubmittedMsg{ID: f.id, Added: f.tags.Added(), Removed: f.tags.Removed()}
	if f.titleChanged() {
		v := f.titleValue()
		m.Title = &v
	}
	return m
}

func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Update handles keys, the spinner and clipboard pastes.
func (f Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !f.saving {
			return f, nil // let the tick chain die
		}
		var cmd tea.Cmd
		f.spin, cmd = f.spin.Update(msg)
		return f, cmd
	case tea.KeyMsg:
		f, cmd := f.key(msg)
		return f.relayout(), cmd
	}
	if f.saving || f.confirm != NoQuestion {
		return f, nil
	}
	// Anything else (a clipboard paste) belongs to the focused input.
	return f.toField(msg)
}

func (f Model) key(msg tea.KeyMsg) (Model, tea.Cmd) {
	keys := f.keys
	if f.confirm != NoQuestion {
		switch {
		case key.Matches(msg, keys.Confirm):
			c := f.confirm
			f.confirm = NoQuestion
			if c == QuitQuestion {
				return f, emit(QuitMsg{})
			}
			return f, emit(CancelledMsg{})
		case key.Matches(msg, keys.Deny):
			f.confirm = NoQuestion
		}
		return f, nil
	}
	if f.saving {
		if key.Matches(msg, keys.Back) {
			return f, emit(CancelledMsg{})
		}
		return f, nil
	}
	switch {
	case key.Matches(msg, keys.Save):
		return f.submit()
	case key.Matches(msg, keys.NextField), key.Matches(msg, keys.PrevField):
		return f.switchField(), nil
	case key.Matches(msg, keys.Back):
		if f.focus == fieldTags && f.tags.FilterText() != "" {
			f.tags = f.tags.ClearFilter()
			return f, nil
		}
		if f.Dirty() {
			f.confirm = DiscardQuestion
			return f, nil
		}
		return f, emit(CancelledMsg{})
	}
	if f.focus == fieldTitle && key.Matches(msg, keys.TitleDone) {
		return f.switchField(), nil
	}
	return f.toField(msg)
}

// toField hands msg to the focused input.
func (f Model) toField(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	if f.focus == fieldTitle {
		f.title, cmd = f.title.Update(msg)
		cleanInput(&f.title, true)
	} else {
		f.tags, cmd = f.tags.Update(msg)
	}
	return f, cmd
}

// switchField moves focus between the two fields (bulk has only one).
func (f Model) switchField() Model {
	if f.bulk {
		return f
	}
	if f.focus == fieldTitle {
		f.focus = fieldTags
		f.title.Blur()
		f.tags = f.tags.Focus()
	} else {
		f.focus = fieldTitle
		f.tags = f.tags.Blur()
		f.title.Focus()
	}
	return f
}

func (f Model) submit() (Model, tea.Cmd) {
	if f.titleProblem() != "" {
		if f.focus != fieldTitle {
			f = f.switchField()
		}
		return f, nil
	}
	if !f.Dirty() {
		return f, emit(CancelledMsg{})
	}
	// Saving starts now, not when the root calls SetSaving: the first
	// spinner tick may arrive before it does, and edits made after this
	// point would not be part of the delta sent.
	f.err = ""
	f.saving = true
	return f, tea.Batch(emit(f.delta()), f.spin.Tick)
}

// droppedChars is what cleanInput left out of the input.
type droppedChars struct {
	space     bool // whitespace (all of it when spaces were not allowed)
	invisible rune // the first invisible format character, 0 when none
}

// cleanInput drops from the input what must not be typed: anything
// safetext would strip (controls, escapes, bidi overrides, zero-width and
// other invisible characters) and whitespace other than plain spaces, or
// all whitespace when !spaces. It reports what it dropped, so that the tag
// picker can say why.
func cleanInput(ti *textinput.Model, spaces bool) (dropped droppedChars) {
	v := ti.Value()
	plain := true
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= 0x7f || (c == ' ' && !spaces) {
			plain = false
			break
		}
	}
	if plain {
		return dropped
	}
	out := make([]rune, 0, len(v))
	for _, r := range v {
		switch {
		case r == ' ' && spaces:
			out = append(out, r)
		case unicode.IsSpace(r):
			dropped.space = true
		case safetext.IsInvisible(r):
			if dropped.invisible == 0 {
				dropped.invisible = r
			}
		case safetext.Line(string(r), 0) == string(r):
			out = append(out, r)
		}
	}
	if s := string(out); s != v {
		pos := ti.Position()
		ti.SetValue(s)
		ti.SetCursor(min(pos, len(out)))
	}
	return dropped
}

// frame is the panel style: the theme's dialog, with less padding when the
// terminal is too small for it.
func (f Model) frame() lipgloss.Style {
	d := f.theme.Dialog
	need := d.GetVerticalFrameSize() + 6 + 1 + 3 // fixed lines, status, 3 rows
	if !f.bulk {
		need += 3
	}
	if f.h < need || f.w < 40 {
		d = d.Padding(0, 1)
	}
	return d
}

// innerSize is the content area of the panel.
func (f Model) innerSize() (w, h int) {
	d := f.frame()
	w = min(f.w, maxPanelWidth) - d.GetHorizontalFrameSize()
	h = f.h - d.GetVerticalFrameSize()
	return max(w, 1), max(h, 1)
}

// statusLines is the saving line or the wrapped error; at least one line so
// the layout does not jump.
func (f Model) statusLines(w int) []string {
	t := f.theme
	switch {
	case f.saving:
		return []string{safetext.Truncate(f.spin.View()+" Saving…", w)}
	case f.err != "":
		wrapped := strings.Split(ansi.Wrap(f.err, w, ""), "\n")
		if len(wrapped) > maxErrorLines {
			wrapped = wrapped[:maxErrorLines]
			last := wrapped[maxErrorLines-1]
			wrapped[maxErrorLines-1] = safetext.Truncate(last+safetext.Ellipsis, w)
		}
		for i, l := range wrapped {
			wrapped[i] = t.FormError.Render(safetext.Truncate(l, w))
		}
		return wrapped
	}
	return []string{""}
}

// relayout sizes the inputs and the tag list to the terminal.
func (f Model) relayout() Model {
	w, h := f.innerSize()
	fieldW := max(w-f.theme.FormFocused.GetHorizontalFrameSize(), 1)
	f.title.Width = max(fieldW-1, 1)
	f.title.SetCursor(f.title.Position()) // re-window the input
	// header, blank, tags label, filter, hint, footer
	fixed := 6
	if !f.bulk {
		fixed += 3 // title label, title input, title message
	}
	rows := h - fixed - len(f.statusLines(w))
	rows = min(max(rows, 1), f.tags.NaturalRows())
	f.tags = f.tags.SetSize(fieldW, rows)
	return f
}

// View draws the form as a centred panel.
func (f Model) View() string {
	t := f.theme
	keys := f.keys
	w, _ := f.innerSize()
	field := func(on bool, s string) string {
		if on {
			return t.FormFocused.Render(s)
		}
		return t.FormBlurred.Render(s)
	}

	var lines []string
	if f.bulk {
		noun := "sessions"
		if f.n == 1 {
			noun = "session"
		}
		lines = append(lines, t.FormTitle.Render(safetext.Truncate(fmt.Sprintf("Tag %d %s", f.n, noun), w)), "")
	} else {
		head := "Edit session"
		line := t.FormTitle.Render(head)
		if rest := w - safetext.Width(head) - 2; rest > 0 && f.heading != "" {
			line += "  " + t.Muted.Render(safetext.Truncate(f.heading, rest))
		}
		lines = append(lines, line, "")
		lines = append(lines, t.FormLabel.Render("Title"))
		lines = append(lines, field(!f.bulk && f.focus == fieldTitle, f.title.View()))
		if p := f.titleProblem(); p != "" {
			lines = append(lines, t.FormError.Render(safetext.Truncate(p, w)))
		} else {
			lines = append(lines, "")
		}
	}

	label := "Tags · " + f.tags.Summary()
	if si := f.tags.ScrollInfo(); si != "" {
		label += " · " + si
	}
	lines = append(lines, t.FormLabel.Render(safetext.Truncate(label, w)))
	lines = append(lines, field(f.focus == fieldTags, f.tags.View()))
	lines = append(lines, f.statusLines(w)...)

	var footer string
	switch {
	case f.confirm == DiscardQuestion:
		footer = t.Warning.Render(safetext.Truncate("Discard changes? y/n", w))
	case f.confirm == QuitQuestion:
		footer = t.Warning.Render(safetext.Truncate("Discard changes and quit? y/n", w))
	case f.saving:
		footer = t.FormHint.Render(safetext.Truncate(keys.Back.Help().Key+" cancel", w))
	default:
		parts := []string{keys.Save.Help().Key + " save"}
		if !f.bulk {
			parts = append(parts, keys.NextField.Help().Key+" next field")
		}
		parts = append(parts, keys.Back.Help().Key+" cancel")
		footer = t.FormHint.Render(safetext.Truncate(strings.Join(parts, " · "), w))
	}
	lines = append(lines, footer)

	body := strings.Join(lines, "\n")
	d := f.frame()
	panel := d.Width(w + d.GetHorizontalPadding()).Render(body)
	placed := lipgloss.Place(f.w, f.h, lipgloss.Center, lipgloss.Center, panel)
	return safetext.Fit(placed, f.w, f.h) // the w x h bound whatever the terminal size
}
