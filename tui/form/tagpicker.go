package form

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/theme"
	"github.com/everruns/sessions/tui/picker"
	"github.com/everruns/sessions/tui/safetext"
)

// bulkMark is what the bulk tag form does with one tag on every session.
type bulkMark int

const (
	bulkKeep   bulkMark = iota // [ ] leave as it is
	bulkAdd                    // [+] add to every session
	bulkRemove                 // [-] remove from every session
)

// tagItem is one tag of the picker.
type tagItem struct {
	raw     string // exactly as the server has it; what the delta carries
	display string // sanitised, for the screen
	lower   string // lower-cased display, for the filter
	refusal string // why it may not be added, "" when it may
	initial bool   // the session carried it when the form opened
	checked bool   // single mode: the session will carry it
	mark    bulkMark
}

// addRefused is the reason checking it would be refused, or "". A tag the
// session already had is never refused: the platform put it there.
func (it tagItem) addRefused() string {
	if it.initial {
		return ""
	}
	return it.refusal
}

// tagEntry is one row of the filtered list: an item, or the offer to add
// the typed name as a new tag (item < 0).
type tagEntry struct {
	item int
	add  string
}

// tagPicker is a filter input over a scrollable, checkable list of tags.
// In bulk mode every tag cycles keep → add → remove instead of on/off.
type tagPicker struct {
	theme *theme.Theme
	keys  *KeyMap
	bulk  bool

	filter textinput.Model
	items  []tagItem // session tags, then tags added here, then suggestions
	nOwn   int       // items[:nOwn] are the session's tags and the added ones

	cursor, offset int // in the filtered entries
	width, height  int // width of the block, rows of the list
	focused        bool
	notice         string // a refusal to show on the hint line
}

func newTagPicker(t *theme.Theme, keys *KeyMap, own, known []string, bulk bool) tagPicker {
	p := tagPicker{
		theme: t,
		keys:  keys,
		bulk:  bulk,
	}
	seen := make(map[string]bool, len(own)+len(known))
	for _, raw := range own {
		if seen[raw] {
			continue
		}
		seen[raw] = true
		p.items = append(p.items, newTagItem(raw, true, !bulk))
	}
	p.nOwn = len(p.items)
	for _, raw := range known {
		if seen[raw] {
			continue
		}
		seen[raw] = true
		it := newTagItem(raw, false, false)
		if it.display == "" {
			continue // nothing to show: useless as a suggestion
		}
		p.items = append(p.items, it)
	}

	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "type to filter or add a tag"
	ti.CharLimit = maxTagBytes
	ti.KeyMap.AcceptSuggestion.SetEnabled(false)
	ti.KeyMap.NextSuggestion.SetEnabled(false)
	ti.KeyMap.PrevSuggestion.SetEnabled(false)
	ti.Cursor.SetMode(cursor.CursorStatic)
	p.filter = ti
	p = p.restyle()
	return p
}

func newTagItem(raw string, initial, checked bool) tagItem {
	d := safetext.Tag(raw, maxTagBytes)
	return tagItem{
		raw:     raw,
		display: d,
		lower:   strings.ToLower(d),
		refusal: tagRefusal(raw),
		initial: initial,
		checked: checked,
	}
}

// restyle applies the theme to the filter input.
func (p tagPicker) restyle() tagPicker {
	t := p.theme
	styleInput(&p.filter, t, t.PickerCursor)
	return p
}

// SetSize sets the width of the block and the number of list rows.
func (p tagPicker) SetSize(width, rows int) tagPicker {
	p.width = max(width, 1)
	p.height = max(rows, 1)
	p.filter.Width = max(p.width-safetext.Width(p.filter.Prompt)-1, 1)
	p.filter.SetCursor(p.filter.Position()) // re-window the input
	return p.scroll()
}

// NaturalRows is how many list rows the picker would like: every tag plus
// the "add" offer, so the list does not jump while typing.
func (p tagPicker) NaturalRows() int { return len(p.items) + 1 }

// Focus gives the picker the keyboard.
func (p tagPicker) Focus() tagPicker {
	p.focused = true
	p.filter.Focus()
	return p
}

// Blur takes the keyboard away.
func (p tagPicker) Blur() tagPicker {
	p.focused = false
	p.filter.Blur()
	return p
}

// FilterText is what is typed in the filter.
func (p tagPicker) FilterText() string { return p.filter.Value() }

// ClearFilter empties the filter.
func (p tagPicker) ClearFilter() tagPicker {
	p.filter.SetValue("")
	p.cursor, p.offset, p.notice = 0, 0, ""
	return p
}

// Added is the raw tags to add: new checks (single) or [+] marks (bulk).
func (p tagPicker) Added() []string {
	var out []string
	for _, it := range p.items {
		if (p.bulk && it.mark == bulkAdd) || (!p.bulk && it.checked && !it.initial) {
			out = append(out, it.raw)
		}
	}
	return out
}

// Removed is the raw tags to remove: unchecked own tags (single) or [-]
// marks (bulk).
func (p tagPicker) Removed() []string {
	var out []string
	for _, it := range p.items {
		if (p.bulk && it.mark == bulkRemove) || (!p.bulk && it.initial && !it.checked) {
			out = append(out, it.raw)
		}
	}
	return out
}

// Dirty reports whether any tag would change.
func (p tagPicker) Dirty() bool { return len(p.Added())+len(p.Removed()) > 0 }

// entries is the filtered list: the tags matching the typed text, best
// first (exact, then prefix, then containing it, then its letters in
// order), and last the offer to add the typed name when no tag is exactly
// that name. The cursor starts on the first entry, so enter picks the best
// existing tag, and the offer only when nothing matches.
func (p tagPicker) entries() []tagEntry {
	q := p.filter.Value()
	if q == "" {
		out := make([]tagEntry, len(p.items))
		for i := range p.items {
			out[i] = tagEntry{item: i}
		}
		return out
	}
	var tiers [4][]tagEntry
	exact := false
	lq := strings.ToLower(q)
	for i, it := range p.items {
		if it.raw == q {
			exact = true
		}
		switch {
		case it.lower == lq:
			tiers[0] = append(tiers[0], tagEntry{item: i})
		case strings.HasPrefix(it.lower, lq):
			tiers[1] = append(tiers[1], tagEntry{item: i})
		case strings.Contains(it.lower, lq):
			tiers[2] = append(tiers[2], tagEntry{item: i})
		case subsequence(it.lower, lq):
			tiers[3] = append(tiers[3], tagEntry{item: i})
		}
	}
	out := slices.Concat(tiers[:]...)
	if !exact {
		out = append(out, tagEntry{item: -1, add: q})
	}
	return out
}

// subsequence reports whether pat's bytes occur in s in order.
func subsequence(s, pat string) bool {
	for i := 0; i < len(pat); i++ {
		k := strings.IndexByte(s, pat[i])
		if k < 0 {
			return false
		}
		s = s[k+1:]
	}
	return true
}

// Update handles keys while the picker has focus.
func (p tagPicker) Update(msg tea.Msg) (tagPicker, tea.Cmd) {
	if !p.focused {
		return p, nil
	}
	if k, ok := msg.(tea.KeyMsg); ok {
		keys := p.keys
		switch {
		case key.Matches(k, keys.PickerUp):
			return p.move(-1), nil
		case key.Matches(k, keys.PickerDown):
			return p.move(1), nil
		case key.Matches(k, keys.PickerPageUp):
			return p.move(-p.height), nil
		case key.Matches(k, keys.PickerPageDown):
			return p.move(p.height), nil
		case key.Matches(k, keys.Toggle):
			return p.toggle(), nil
		}
	}
	before := p.filter.Value()
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	dropped := cleanInput(&p.filter, false)
	if p.filter.Value() != before {
		p.cursor, p.offset, p.notice = 0, 0, ""
	}
	switch {
	case dropped.invisible != 0:
		p.notice = fmt.Sprintf("tags can't contain invisible characters: %U left out", dropped.invisible)
	case dropped.space:
		p.notice = "tags can't contain spaces"
	}
	return p, cmd
}

func (p tagPicker) move(d int) tagPicker {
	p.notice = ""
	p.cursor += d
	return p.scroll()
}

// scroll keeps the cursor inside the visible rows.
func (p tagPicker) scroll() tagPicker {
	w := picker.Window{Cursor: p.cursor, Offset: p.offset, Height: p.listRows()}.Clamp(len(p.entries()))
	p.cursor, p.offset = w.Cursor, w.Offset
	return p
}

// toggle acts on the highlighted entry.
func (p tagPicker) toggle() tagPicker {
	es := p.entries()
	if len(es) == 0 || p.cursor >= len(es) {
		return p
	}
	e := es[p.cursor]
	p.notice = ""
	p.items = slices.Clone(p.items) // copy on write: models are values
	if e.item < 0 {
		if r := tagRefusal(e.add); r != "" {
			p.notice = r
			return p
		}
		it := newTagItem(e.add, false, !p.bulk)
		if p.bulk {
			it.mark = bulkAdd
		}
		p.items = slices.Insert(p.items, p.nOwn, it)
		p.filter.SetValue("")
		p.cursor = p.nOwn
		p.nOwn++
		return p.scroll()
	}
	it := &p.items[e.item]
	if p.bulk {
		next := (it.mark + 1) % 3
		if next == bulkAdd && it.refusal != "" {
			next = bulkRemove
			p.notice = it.refusal
		}
		it.mark = next
		return p
	}
	if !it.checked {
		if r := it.addRefused(); r != "" {
			p.notice = r
			return p
		}
	}
	it.checked = !it.checked
	return p
}

// Summary is the count for the label line: checked tags, or the bulk delta.
func (p tagPicker) Summary() string {
	if p.bulk {
		a, r := len(p.Added()), len(p.Removed())
		if a+r == 0 {
			return "no changes"
		}
		return fmt.Sprintf("+%d −%d", a, r)
	}
	n := 0
	for _, it := range p.items {
		if it.checked {
			n++
		}
	}
	return fmt.Sprintf("%d checked", n)
}

// refusalLine is why the highlighted entry (or the last toggle) cannot be
// added, shown right under the input, or "".
func (p tagPicker) refusalLine() string {
	if !p.focused {
		return ""
	}
	if p.notice != "" {
		return p.notice
	}
	es := p.entries()
	cur, _ := p.window(len(es))
	if cur < len(es) {
		if e := es[cur]; e.item < 0 {
			if r := tagRefusal(e.add); r != "" {
				return r // the tag is right above, in the input
			}
		} else if it := p.items[e.item]; it.refusal != "" && (p.bulk || !it.initial) {
			return it.refusal
		}
	}
	return ""
}

// listRows is how many list rows show: one less while a refusal takes the
// line under the input.
func (p tagPicker) listRows() int {
	h := max(p.height, 1)
	if h > 1 && p.refusalLine() != "" {
		h--
	}
	return h
}

// View is the filter line, the list rows and a hint line: height+2 lines,
// none wider than the width.
func (p tagPicker) View() string {
	t := p.theme
	w := max(p.width, 1)
	es := p.entries()
	cur, off := p.window(len(es))
	h := p.listRows()
	if cur >= off+h {
		off = cur - h + 1
	}

	lines := make([]string, 0, p.height+2)
	lines = append(lines, p.filter.View())
	if h < max(p.height, 1) {
		lines = append(lines, t.FormError.Render(safetext.Truncate("✗ "+p.refusalLine(), w)))
	}
	for i := off; i < off+h; i++ {
		if i >= len(es) {
			if i == 0 {
				lines = append(lines, t.FormHint.Render(safetext.Truncate("  no tags yet: type a name to add one", w)))
			} else {
				lines = append(lines, "")
			}
			continue
		}
		lines = append(lines, p.rowView(es[i], i == cur && p.focused, w))
	}
	lines = append(lines, p.hintView(es, cur, w))
	return strings.Join(lines, "\n")
}

// window is the cursor and the first visible row for n entries, kept
// consistent even if the size changed since the last Update.
func (p tagPicker) window(n int) (cur, off int) {
	h := max(p.height, 1) // not listRows: that depends on the cursor
	cur = min(max(p.cursor, 0), max(n-1, 0))
	off = min(max(p.offset, 0), max(n-h, 0))
	if cur < off {
		off = cur
	}
	if cur >= off+h {
		off = cur - h + 1
	}
	return cur, off
}

// ScrollInfo is "first–last/total" of the visible rows when the list
// scrolls, or "".
func (p tagPicker) ScrollInfo() string {
	n := len(p.entries())
	h := max(p.height, 1)
	if n <= h {
		return ""
	}
	_, off := p.window(n)
	return fmt.Sprintf("%d–%d/%d", off+1, min(off+h, n), n)
}

func (p tagPicker) rowView(e tagEntry, hi bool, w int) string {
	t := p.theme
	marker := "  "
	if hi {
		marker = t.PickerCursor.Render("›") + " "
	}
	if e.item < 0 {
		label := fmt.Sprintf("+ add %q", e.add)
		style := t.CheckOn
		if tagRefusal(e.add) != "" {
			style = t.Refused
		}
		return marker + style.Render(safetext.Truncate(label, w-2))
	}
	it := p.items[e.item]
	var glyph string
	switch {
	case p.bulk && it.mark == bulkAdd:
		glyph = t.CheckOn.Render("[+]")
	case p.bulk && it.mark == bulkRemove:
		glyph = t.Warning.Render("[-]")
	case !p.bulk && it.checked:
		glyph = t.CheckOn.Render("[x]")
	default:
		glyph = t.CheckOff.Render("[ ]")
	}
	name := it.display
	style := t.Value
	if name == "" {
		name, style = "(unprintable tag)", t.Muted
	}
	name = safetext.Truncate(name, w-6)
	switch {
	case it.refusal != "" && (p.bulk || !it.initial) && !it.checked && it.mark != bulkRemove:
		style = t.Refused
	case hi:
		style = t.PickerCursor
	}
	return marker + glyph + " " + style.Render(name)
}

func (p tagPicker) hintView(es []tagEntry, cur int, w int) string {
	t := p.theme
	if !p.focused {
		return ""
	}
	// Refusals show under the input (refusalLine); here only the hint.
	if cur < len(es) && es[cur].item >= 0 {
		if it := p.items[es[cur].item]; it.refusal != "" && it.initial && !p.bulk {
			return t.FormHint.Render(safetext.Truncate("set by the platform; you may remove it", w))
		}
	}
	hint := "space toggle · ↑/↓ move · type to filter or add"
	if p.bulk {
		hint = "space: [ ] keep → [+] add → [-] remove"
	}
	return t.FormHint.Render(safetext.Truncate(hint, w))
}

// tagRefusal says why tag may not be added from the form, or "": reserved
// by the platform, or holding a character that does not show (it would
// look like another tag).
func tagRefusal(tag string) string {
	if r := apiclient.TagRefusal(tag); r != "" {
		return r
	}
	for _, r := range tag {
		if safetext.IsInvisible(r) {
			return fmt.Sprintf("tags can't contain invisible characters (%U)", r)
		}
	}
	return ""
}
