package tui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

func TestApplyKeyOverrides(t *testing.T) {
	km := DefaultKeyMap()
	err := ApplyKeyOverrides(km, map[string][]string{
		"resolve":   {"R", "x"},
		"copy-id":   {"c"},
		"Page_Down": {" "},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := km.Resolve.Keys(); strings.Join(got, ",") != "R,x" {
		t.Fatalf("resolve keys = %v", got)
	}
	if km.Resolve.Help().Key != "R/x" || km.Resolve.Help().Desc != "resolve" {
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
