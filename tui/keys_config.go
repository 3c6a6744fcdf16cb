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
		"up":           &km.Up,
		"down":         &km.Down,
		"page_up":      &km.PageUp,
		"page_down":    &km.PageDown,
		"top":          &km.Top,
		"bottom":       &km.Bottom,
		"open":         &km.Open,
		"back":         &km.Back,
		"edit":         &km.Edit,
		"resolve":      &km.Resolve,
		"undo":         &km.Undo,
		"reload":       &km.Reload,
		"help":         &km.Help,
		"quit":         &km.Quit,
		"force_quit":   &km.ForceQuit,
		"filter":       &km.Filter,
		"status_next":  &km.StatusNext,
		"status_prev":  &km.StatusPrev,
		"sort":         &km.Sort,
		"sort_reverse": &km.SortReverse,
		"mark":         &km.Mark,
		"mark_all":     &km.MarkAll,
		"bulk_tags":    &km.BulkTags,
		"agent":        &km.Agent,
		"usage":        &km.Usage,
		"pause":        &km.Pause,
		"copy_id":      &km.CopyID,
		"save":         &km.Save,
		"next_field":   &km.NextField,
		"prev_field":   &km.PrevField,
		"toggle":       &km.Toggle,
		"confirm":      &km.Confirm,
		"deny":         &km.Deny,
	}
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
		b    *key.Binding
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
		b, ok := names[name]
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
		changes = append(changes, change{b, append([]string(nil), keys...)})
	}
	for _, c := range changes {
		shown := make([]string, len(c.keys))
		for i, k := range c.keys {
			if k == " " {
				k = "space"
			}
			shown[i] = k
		}
		desc := c.b.Help().Desc
		enabled := c.b.Enabled()
		*c.b = key.NewBinding(key.WithKeys(c.keys...), key.WithHelp(strings.Join(shown, "/"), desc))
		c.b.SetEnabled(enabled)
	}
	return nil
}
