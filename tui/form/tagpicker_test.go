package form

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

func tagTestPicker(own, known []string, bulk bool, rows int) tagPicker {
	keys := DefaultKeyMap()
	p := newTagPicker(testTheme, &keys, own, known, bulk).Focus()
	return p.SetSize(40, rows)
}

func tagPress(p tagPicker, keys ...string) tagPicker {
	for _, k := range keys {
		p, _ = p.Update(editKey(k))
	}
	return p
}

// tagShown is the display names of the filtered entries, "+name" for the
// add offer.
func tagShown(p tagPicker) []string {
	var out []string
	for _, e := range p.entries() {
		if e.item < 0 {
			out = append(out, "+"+e.add)
		} else {
			out = append(out, p.items[e.item].display)
		}
	}
	return out
}

func TestTagPickerOrderAndDedupe(t *testing.T) {
	p := tagTestPicker([]string{"b", "a", "b"}, []string{"a", "b", "c", "", "\x1b[0m", "c"}, false, 10)
	if got := strings.Join(tagShown(p), ","); got != "b,a,c" {
		t.Fatalf("entries %q: own tags first (checked), then suggestions, deduped, blanks dropped", got)
	}
	v := ansi.Strip(p.View())
	for _, want := range []string{"[x] b", "[x] a", "[ ] c"} {
		if !strings.Contains(v, want) {
			t.Fatalf("view lacks %q:\n%s", want, v)
		}
	}
	if p.Summary() != "2 checked" {
		t.Fatalf("summary %q", p.Summary())
	}
}

func TestTagPickerFilterNarrows(t *testing.T) {
	p := tagTestPicker([]string{"BUG"}, []string{"debug", "feature", "bugfix", "docs"}, false, 10)
	p = tagPress(p, "b", "u", "g")
	if got := strings.Join(tagShown(p), ","); got != "BUG,bugfix,debug,+bug" {
		t.Fatalf("filter bug: %q", got)
	}
	p = tagPress(p, "f")
	if got := strings.Join(tagShown(p), ","); got != "bugfix,+bugf" {
		t.Fatalf("filter bugf: %q", got)
	}
	p = tagPress(p, "i", "x")
	if got := strings.Join(tagShown(p), ","); got != "bugfix" {
		t.Fatalf("exact match should not offer add: %q", got)
	}
	p = tagPress(p, "space")
	if got := p.Added(); len(got) != 1 || got[0] != "bugfix" {
		t.Fatalf("toggle filtered entry: %v", got)
	}
	p = p.ClearFilter()
	if len(tagShown(p)) != 5 {
		t.Fatalf("cleared filter shows %v", tagShown(p))
	}
}

func TestTagPickerScrollAndTruncate(t *testing.T) {
	var known []string
	for i := 0; i < 40; i++ {
		known = append(known, fmt.Sprintf("tag-%02d-%s", i, strings.Repeat("z", 60)))
	}
	p := tagTestPicker(nil, known, false, 5)
	for i := 0; i < 20; i++ {
		p = tagPress(p, "down")
	}
	if p.cursor != 20 || p.offset != 16 {
		t.Fatalf("cursor %d offset %d", p.cursor, p.offset)
	}
	lines := strings.Split(p.View(), "\n")
	if len(lines) != 5+2 {
		t.Fatalf("view has %d lines, want filter + 5 rows + hint", len(lines))
	}
	if !strings.Contains(ansi.Strip(lines[5]), "tag-20-") || !strings.Contains(lines[5], "…") {
		t.Fatalf("highlighted row not visible or not truncated: %q", lines[5])
	}
	for _, l := range lines {
		if lipgloss.Width(l) > 40 {
			t.Fatalf("line wider than 40: %q", l)
		}
	}
	p = tagPress(p, "up", "up", "up", "up", "up", "ctrl+p")
	if p.cursor != 14 || p.offset != 14 {
		t.Fatalf("scrolling back: cursor %d offset %d", p.cursor, p.offset)
	}
}

func TestTagPickerBulkCycle(t *testing.T) {
	p := tagTestPicker(nil, []string{"x", "endpoint:e"}, true, 5)
	for i, want := range []bulkMark{bulkAdd, bulkRemove, bulkKeep} {
		p = tagPress(p, "space")
		if got := p.items[0].mark; got != want {
			t.Fatalf("press %d: mark %d, want %d", i+1, got, want)
		}
	}
	p = tagPress(p, "down", "space")
	if p.items[1].mark != bulkRemove || p.notice == "" {
		t.Fatalf("reserved tag in bulk should skip add with a reason: mark %d notice %q", p.items[1].mark, p.notice)
	}
	if p.Summary() != "+0 −1" {
		t.Fatalf("summary %q", p.Summary())
	}
}

// Typing moves the cursor to the best existing tag (exact, prefix,
// containing, letters in order); the add offer is last, chosen only when
// nothing matches or the user moves onto it.
func TestTagPickerPrefersExistingTag(t *testing.T) {
	p := tagTestPicker(nil, []string{"unresolved", "resolved", "needs-review"}, false, 10)
	p = tagPress(p, "r", "e", "s", "o")
	if got := strings.Join(tagShown(p), ","); got != "resolved,unresolved,+reso" {
		t.Fatalf("reso: %q", got)
	}
	if p = tagPress(p, "enter"); !slicesEqual(p.Added(), []string{"resolved"}) {
		t.Fatalf("enter on reso added %v, want the existing resolved", p.Added())
	}
	p = p.ClearFilter()
	p = tagPress(p, "n", "r", "v", "w")
	if got := strings.Join(tagShown(p), ","); got != "needs-review,+nrvw" {
		t.Fatalf("fuzzy nrvw: %q", got)
	}
	p = p.ClearFilter()
	p = tagPress(p, "z", "z")
	if got := strings.Join(tagShown(p), ","); got != "+zz" {
		t.Fatalf("no match: %q", got)
	}
	if p = tagPress(p, "enter"); !slicesEqual(p.Added(), []string{"resolved", "zz"}) {
		t.Fatalf("enter with nothing matching added %v", p.Added())
	}
	// Moving onto the offer chooses it even when a tag matches.
	p = tagPress(p, "r", "e", "s", "down", "down", "enter")
	if !slicesEqual(p.Added(), []string{"resolved", "res", "zz"}) {
		t.Fatalf("moving onto + add res: %v", p.Added())
	}
}

// A reserved or invisible-character tag is refused right under the input,
// with the reason; enter adds nothing.
func TestTagPickerRefusesUnderInput(t *testing.T) {
	p := tagTestPicker(nil, []string{"billing"}, false, 6)
	p = tagPress(p, "a", "p", "p", ":", "f", "o", "o")
	lines := strings.Split(ansi.Strip(p.View()), "\n")
	if len(lines) != 6+2 {
		t.Fatalf("view has %d lines, want 8", len(lines))
	}
	if !strings.Contains(lines[1], `✗ "app:" tags are reserved`) {
		t.Fatalf("line under the input: %q\n%s", lines[1], strings.Join(lines, "\n"))
	}
	if p = tagPress(p, "enter"); len(p.Added()) != 0 {
		t.Fatalf("reserved tag added: %v", p.Added())
	}
	if !strings.Contains(strings.Split(ansi.Strip(p.View()), "\n")[1], "reserved") {
		t.Fatal("the refusal left the line under the input after enter")
	}
	p = p.ClearFilter()
	p = tagPress(p, "x", "\u200b", "y") // the input drops invisible characters itself
	if strings.Contains(p.FilterText(), "\u200b") {
		t.Fatalf("invisible character kept: %q", p.FilterText())
	}
}

// slicesEqual compares as sets of tags: the order of Added is the form's.
func slicesEqual(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// A tag typed with an invisible character is refused, with the reason
// under the input; a suggestion holding one cannot be checked.
func TestTagPickerRefusesInvisible(t *testing.T) {
	keys := DefaultKeyMap()
	p := newTagPicker(testTheme, &keys, nil, []string{"res\u200bolved"}, false).Focus().SetSize(60, 5)
	p, _ = p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("res\u200bolved")})
	if p.FilterText() != "resolved" {
		t.Fatalf("filter %q: the invisible character was kept", p.FilterText())
	}
	want := "tags can't contain invisible characters: U+200B left out"
	if !strings.Contains(p.View(), want) {
		t.Fatalf("no reason under the input:\n%s", p.View())
	}
	// The lookalike suggestion shows its mark and refuses a check.
	p = p.ClearFilter()
	if !strings.Contains(p.View(), "res\uFFFDolved") {
		t.Fatalf("suggestion not shown with its mark:\n%s", p.View())
	}
	p = p.toggle()
	if len(p.Added()) != 0 || p.notice != "tags can't contain invisible characters (U+200B)" {
		t.Fatalf("added %q, notice %q", p.Added(), p.notice)
	}
}
