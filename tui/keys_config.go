package tui

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
)

// keyNames maps the names used in the config file's [keys] table to the
// bindings of a KeyMap: each field's name in snake_case (CopyID is copy_id),
// an array's bindings numbered from 1 (status_1 … status_6). A new binding
// is named by adding its field. ApplyKeyOverrides also accepts kebab-case
// and any letter case.
func keyNames(km *KeyMap) map[string]*key.Binding {
	v := reflect.ValueOf(km).Elem()
	t := v.Type()
	out := make(map[string]*key.Binding, t.NumField()+8)
	for i := range t.NumField() {
		name, f := snakeCase(t.Field(i).Name), v.Field(i)
		switch b := f.Addr().Interface().(type) {
		case *key.Binding:
			out[name] = b
		default:
			for j := range f.Len() {
				out[name+"_"+strconv.Itoa(j+1)] = f.Index(j).Addr().Interface().(*key.Binding)
			}
		}
	}
	return out
}

// snakeCase turns a Go field name into a config name: PageUp → page_up,
// CopyID → copy_id.
func snakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// keyModes names the bindings live at the same time, mode by mode: two of
// them on one key would make one unreachable. The session actions of the
// table are added to the list and detail modes from their own entries.
var keyModes = []struct {
	mode  string
	names []string
}{
	{"list", []string{"up", "down", "page_up", "page_down", "top", "bottom", "open", "back", "edit", "undo",
		"reload", "help", "quit", "force_quit", "filter", "status_next", "status_prev", "status_1", "status_2",
		"status_3", "status_4", "status_5", "status_6", "sort", "sort_reverse", "mark", "mark_all", "bulk_tags", "agent",
		"usage", "pause", "views", "hide_resolved", "view_1", "view_2", "view_3", "view_4", "view_5", "view_6",
		"view_7", "view_8", "view_9"}},
	{"detail", []string{"up", "down", "page_up", "page_down", "top", "bottom", "back", "edit", "undo",
		"reload", "help", "quit", "force_quit"}},
	{"filter", []string{"filter_keep", "filter_clear", "filter_up", "filter_down", "force_quit"}},
	{"edit form title", []string{"save", "next_field", "prev_field", "back", "force_quit", "title_done"}},
	{"edit form tags", []string{"save", "next_field", "prev_field", "back", "force_quit", "toggle",
		"picker_up", "picker_down", "picker_page_up", "picker_page_down"}},
	{"confirmation", []string{"confirm", "deny", "force_quit"}},
	{"typed confirmation", []string{"typed_confirm", "typed_cancel", "force_quit"}},
	{"quit prompt", []string{"quit", "force_quit", "confirm", "deny", "quit_wait"}},
	{"help", []string{"back", "help", "quit", "force_quit"}},
	{"picker", []string{"up", "down", "open", "back", "force_quit"}},
	{"agent picker", []string{"up", "down", "page_up", "page_down", "top", "bottom", "open", "back", "agent",
		"filter", "help", "org", "jump_to", "force_quit"}},
	{"agent picker filter", []string{"picker_up", "picker_down", "picker_page_up", "picker_page_down", "open",
		"filter_clear", "force_quit"}},
	{"views picker", []string{"picker_up", "picker_down", "picker_page_up", "picker_page_down", "top", "bottom",
		"open", "back", "force_quit"}},
}

// checkKeyConflicts fails when two bindings live in one mode share a key,
// naming both.
func checkKeyConflicts(km *KeyMap) error {
	names := keyNames(km)
	byPtr := make(map[*key.Binding]string, len(names))
	for n, b := range names {
		byPtr[b] = n
	}
	for _, g := range keyModes {
		group := g.names
		for _, a := range defaultActions() {
			n := byPtr[a.Key(km)]
			if n == "" {
				continue
			}
			if (g.mode == "list" && a.Modes&(inList|inMarked) != 0) || (g.mode == "detail" && a.Modes&inDetail != 0) {
				group = append(group[:len(group):len(group)], n)
			}
		}
		seen := map[string]string{}
		for _, n := range group {
			for _, k := range names[n].Keys() {
				if other, ok := seen[k]; ok && other != n {
					return fmt.Errorf("keys: %s and %s both use %q in %s mode", other, n, shownKey(k), g.mode)
				}
				seen[k] = n
			}
		}
	}
	return nil
}

func shownKey(k string) string {
	if k == " " {
		return "space"
	}
	return k
}

// KeyBindingNames lists the names ApplyKeyOverrides accepts, sorted.
func KeyBindingNames() []string {
	m := keyNames(&KeyMap{})
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ApplyKeyOverrides replaces the keys of the named bindings of km, keeping
// each binding's help description; the help key text becomes the new keys
// joined by "/" (a space shown as "space"). Unknown names, empty key lists
// and empty or control-character keys are errors, and km is left unchanged
// when any override is invalid.
func ApplyKeyOverrides(km *KeyMap, overrides map[string][]string) error {
	if km == nil {
		return fmt.Errorf("keys: nil key map")
	}
	names := keyNames(km)
	type change struct {
		name string
		keys []string
	}
	var changes []change
	// Deterministic error order for several bad names.
	given := make([]string, 0, len(overrides))
	for n := range overrides {
		given = append(given, n)
	}
	sort.Strings(given)
	for _, raw := range given {
		keys := overrides[raw]
		name := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(raw), "-", "_"))
		_, ok := names[name]
		if !ok {
			return fmt.Errorf("keys: unknown binding %q (known: %s)", raw, strings.Join(KeyBindingNames(), ", "))
		}
		if len(keys) == 0 {
			return fmt.Errorf("keys: %s: at least one key is required", name)
		}
		for _, k := range keys {
			if k == "" {
				return fmt.Errorf("keys: %s: empty key", name)
			}
			for _, r := range k {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
					return fmt.Errorf("keys: %s: key %q holds a control character", name, k)
				}
			}
		}
		changes = append(changes, change{name, append([]string(nil), keys...)})
	}
	// Applied to a copy first: a conflict leaves km as it was.
	next := *km
	nextNames := keyNames(&next)
	for _, c := range changes {
		shown := make([]string, len(c.keys))
		for i, k := range c.keys {
			shown[i] = shownKey(k)
		}
		b := nextNames[c.name]
		desc := b.Help().Desc
		enabled := b.Enabled()
		*b = key.NewBinding(key.WithKeys(c.keys...), key.WithHelp(strings.Join(shown, "/"), desc))
		b.SetEnabled(enabled)
	}
	if err := checkKeyConflicts(&next); err != nil {
		return err
	}
	*km = next
	return nil
}
