package tui

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

func TestApplyKeyOverrides(t *testing.T) {
	km := DefaultKeyMap()
	err := ApplyKeyOverrides(km, map[string][]string{
		"resolve":   {"Z", "x"}, // R is hide_resolved's
		"copy-id":   {"c"},
		"Page_Down": {" "},
		"mark":      {"m"}, // space is page_down's now: mark must move
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := km.Resolve.Keys(); strings.Join(got, ",") != "Z,x" {
		t.Fatalf("resolve keys = %v", got)
	}
	if km.Resolve.Help().Key != "Z/x" || km.Resolve.Help().Desc != "resolve" {
		t.Fatalf("resolve help = %+v", km.Resolve.Help())
	}
	if !key.Matches(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")}, km.CopyID) {
		t.Fatal("copy_id override does not match c")
	}
	if km.PageDown.Help().Key != "space" {
		t.Fatalf("page_down help = %q", km.PageDown.Help().Key)
	}
	if got := km.Edit.Keys(); strings.Join(got, ",") != "e" {
		t.Fatalf("edit changed: %v", got)
	}
}

func TestApplyKeyOverridesErrors(t *testing.T) {
	for name, ov := range map[string]map[string][]string{
		"unknown":  {"resolv": {"r"}},
		"empty":    {"resolve": {}},
		"emptykey": {"resolve": {""}},
		"control":  {"resolve": {"\x1b[31m"}},
	} {
		t.Run(name, func(t *testing.T) {
			km := DefaultKeyMap()
			ov["edit"] = []string{"E"} // a valid one must not be applied either
			if err := ApplyKeyOverrides(km, ov); err == nil {
				t.Fatal("want error")
			}
			if strings.Join(km.Edit.Keys(), ",") != "e" {
				t.Fatal("key map changed despite error")
			}
		})
	}
}

func TestKeyBindingNamesCoverKeyMap(t *testing.T) {
	km := &KeyMap{}
	byPtr := map[*key.Binding]string{}
	for n, b := range keyNames(km) {
		byPtr[b] = n
	}
	v := reflect.ValueOf(km).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Type() != reflect.TypeOf(key.Binding{}) {
			continue
		}
		if _, ok := byPtr[f.Addr().Interface().(*key.Binding)]; !ok {
			t.Errorf("KeyMap.%s has no config name in keyNames", v.Type().Field(i).Name)
		}
	}
}

func TestDefaultKeyMapHasNoConflicts(t *testing.T) {
	if err := checkKeyConflicts(DefaultKeyMap()); err != nil {
		t.Fatal(err)
	}
}

// An override that takes a key another binding of the same mode has is an
// error naming both, and changes nothing.
func TestKeyOverrideConflictNamesBoth(t *testing.T) {
	km := DefaultKeyMap()
	err := ApplyKeyOverrides(km, map[string][]string{"resolve": {"e"}})
	if err == nil || !strings.Contains(err.Error(), "edit and resolve") || !strings.Contains(err.Error(), "list mode") {
		t.Fatalf("err = %v, want edit and resolve named in list mode", err)
	}
	if !slices.Equal(km.Resolve.Keys(), []string{"r"}) {
		t.Fatalf("key map changed by a refused override: %v", km.Resolve.Keys())
	}
	err = ApplyKeyOverrides(km, map[string][]string{"picker_down": {"space"}, "toggle": {" "}})
	if err != nil {
		t.Fatalf("space as a word is not the space key: %v", err)
	}
	if err := ApplyKeyOverrides(km, map[string][]string{"picker_up": {" "}}); err == nil || !strings.Contains(err.Error(), "edit form tags") {
		t.Fatalf("err = %v, want a conflict with toggle in the tag picker", err)
	}
	// Keys of different modes may be shared: y copies in the list and
	// answers yes in a prompt.
	if err := ApplyKeyOverrides(km, map[string][]string{"copy_id": {"n"}}); err != nil {
		t.Fatalf("copy_id on n: %v", err)
	}
}

// README documents every binding: each [keys] name, and the key of every
// session action of the table in the key tables.
func TestREADMEListsEveryBinding(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, n := range KeyBindingNames() {
		if !strings.Contains(readme, "`"+n+"`") {
			t.Errorf("README lacks the [keys] name %q", n)
		}
	}
	km := DefaultKeyMap()
	for _, a := range defaultActions() {
		b := a.Key(km)
		if !strings.Contains(readme, "| `"+b.Help().Key+"`") {
			t.Errorf("README's key table lacks %s (%q)", a.Name, b.Help().Key)
		}
	}
}

// The [keys] names come from the KeyMap's fields; these are the documented
// ones and must not change under users' config files.
func TestKeyNamesStable(t *testing.T) {
	names := KeyBindingNames()
	for _, n := range []string{"up", "page_down", "force_quit", "sort_reverse", "mark_all", "bulk_tags",
		"copy_id", "next_field", "status_1", "status_6", "picker_page_up", "quit_wait", "title_done"} {
		if !slices.Contains(names, n) {
			t.Errorf("no [keys] name %q in %v", n, names)
		}
	}
	if len(names) != 73 {
		t.Errorf("%d names, want 73 (every binding of KeyMap): %v", len(names), names)
	}
}
