package main

import (
	"fmt"
	"strings"

	"github.com/everruns/sessions/tui/safetext"
)

// resolvedTag is the tag `sessions resolve` adds.
const resolvedTag = "resolved"

// reservedPrefixes and reservedTags are refused by the server (400); we refuse
// them before sending anything.
var reservedPrefixes = []string{"__internal:", "app:", "app_channel:", "slack:app:",
	"slack:endpoint:", "fcp:endpoint:", "ag_ui:app:", "agent:", "endpoint:"}

const reservedTag = "platform-chat-starter"

// isReservedTag reports whether the server refuses tag in a PATCH.
func isReservedTag(tag string) bool {
	if tag == reservedTag {
		return true
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(tag, p) {
			return true
		}
	}
	return false
}

// applyTagDelta returns current with remove taken out and add appended. The
// order of the existing tags is kept; new tags come last in the order given;
// a tag already present is not added twice. current is not modified.
func applyTagDelta(current, add, remove []string) []string {
	drop := make(map[string]bool, len(remove))
	for _, t := range remove {
		drop[t] = true
	}
	out := make([]string, 0, len(current)+len(add))
	have := make(map[string]bool, len(current)+len(add))
	for _, t := range current {
		if drop[t] {
			continue
		}
		out = append(out, t)
		have[t] = true
	}
	for _, t := range add {
		if drop[t] || have[t] {
			continue
		}
		out = append(out, t)
		have[t] = true
	}
	return out
}

// sameTags reports whether a and b hold the same tags in the same order.
func sameTags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// parseTagArgs turns "+a -b c" into adds and removes (a bare name adds).
// It refuses empty names, names with control or invisible characters or
// spaces, reserved tags, and a tag both added and removed.
func parseTagArgs(args []string) (add, remove []string, err error) {
	seen := map[string]byte{}
	for _, a := range args {
		op := byte('+')
		name := a
		if a != "" && (a[0] == '+' || a[0] == '-') {
			op, name = a[0], a[1:]
		}
		if err := checkTagName(name); err != nil {
			return nil, nil, fmt.Errorf("%s (in %q)", err, safetext.Line(a, 80))
		}
		if prev, ok := seen[name]; ok && prev != op {
			return nil, nil, fmt.Errorf("tag %q is both added and removed", name)
		}
		seen[name] = op
		if op == '+' {
			add = append(add, name)
		} else {
			remove = append(remove, name)
		}
	}
	return add, remove, nil
}

func checkTagName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty tag name")
	case name[0] == '-' || name[0] == '+':
		return fmt.Errorf("tag names cannot start with + or -")
	case safetext.Line(name, 0) != name || strings.ContainsAny(name, " \u00a0"):
		return fmt.Errorf("tag names cannot hold spaces or control characters")
	case isReservedTag(name):
		return fmt.Errorf("tag %q is reserved by the platform", name)
	}
	return nil
}
