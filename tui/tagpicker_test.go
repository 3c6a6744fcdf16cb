package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

func tagTestPicker(own, known []string, bulk bool, rows int) tagPicker {
	p := newTagPicker(editTestCtx(80, 24), own, known, bulk).Focus()
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
	if got := strings.Join(tagShown(p), ","); got != "+bug,BUG,debug,bugfix" {
		t.Fatalf("filter bug: %q", got)
	}
	p = tagPress(p, "f")
	if got := strings.Join(tagShown(p), ","); got != "+bugf,bugfix" {
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
