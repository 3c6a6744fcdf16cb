package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// keyNames maps the names used in the config file's [keys] table to the
// bindings of a KeyMap. Names are snake_case; ApplyKeyOverrides also accepts
// kebab-case and any letter case.
func keyNames(km *KeyMap) map[string]*key.Binding {
	return map[string]*key.Binding{
		"up":               &km.Up,
		"down":             &km.Down,
		"page_up":          &km.PageUp,
		"page_down":        &km.PageDown,
		"top":              &km.Top,
		"bottom":           &km.Bottom,
		"open":             &km.Open,
		"back":             &km.Back,
		"edit":             &km.Edit,
		"resolve":          &km.Resolve,
		"undo":             &km.Undo,
		"reload":           &km.Reload,
		"help":             &km.Help,
		"quit":             &km.Quit,
		"force_quit":       &km.ForceQuit,
		"filter":           &km.Filter,
		"status_next":      &km.StatusNext,
		"status_prev":      &km.StatusPrev,
		"sort":             &km.Sort,
		"sort_reverse":     &km.SortReverse,
		"mark":             &km.Mark,
		"mark_all":         &km.MarkAll,
		"bulk_tags":        &km.BulkTags,
		"agent":            &km.Agent,
		"usage":            &km.Usage,
		"pause":            &km.Pause,
		"copy_id":          &km.CopyID,
		"save":             &km.Save,
		"next_field":       &km.NextField,
		"prev_field":       &km.PrevField,
		"toggle":           &km.Toggle,
		"confirm":          &km.Confirm,
		"deny":             &km.Deny,
		"status_1":         &km.StatusTab[0],
		"status_2":         &km.StatusTab[1],
		"status_3":         &km.StatusTab[2],
		"status_4":         &km.StatusTab[3],
		"status_5":         &km.StatusTab[4],
		"filter_keep":      &km.FilterKeep,
		"filter_clear":     &km.FilterClear,
		"filter_up":        &km.FilterUp,
		"filter_down":      &km.FilterDown,
		"title_done":       &km.TitleDone,
		"picker_up":        &km.PickerUp,
		"picker_down":      &km.PickerDown,
		"picker_page_up":   &km.PickerPageUp,
		"picker_page_down": &km.PickerPageDown,
		"quit_wait":        &km.QuitWait,
	}
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
		"status_3", "status_4", "status_5", "sort", "sort_reverse", "mark", "mark_all", "bulk_tags", "agent",
		"usage", "pause", "copy_id"}},
	{"detail", []string{"up", "down", "page_up", "page_down", "top", "bottom", "back", "edit", "undo",
		"reload", "help", "quit", "force_quit"}},
	{"filter", []string{"filter_keep", "filter_clear", "filter_up", "filter_down", "force_quit"}},
	{"edit form title", []string{"save", "next_field", "prev_field", "back", "force_quit", "title_done"}},
	{"edit form tags", []string{"save", "next_field", "prev_field", "back", "force_quit", "toggle",
		"picker_up", "picker_down", "picker_page_up", "picker_page_down"}},
	{"confirmation", []string{"confirm", "deny", "force_quit"}},
	{"quit prompt", []string{"quit", "force_quit", "confirm", "deny", "quit_wait"}},
	{"help", []string{"back", "help", "quit", "force_quit"}},
	{"picker", []string{"up", "down", "open", "back", "force_quit"}},
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
