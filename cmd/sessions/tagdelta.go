package main

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/tui/safetext"
)

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
		return fmt.Errorf("tag names cannot hold spaces, control or invisible characters%s", firstRefused(name))
	case apiclient.TagRefusal(name) != "":
		return fmt.Errorf("tag %q is reserved by the platform", name)
	}
	return nil
}

// firstRefused names the first character checkTagName refuses as a code
// point: the quoted tag it is shown in leaves an invisible one out, so
// "res\u200bolved" would read as "resolved".
func firstRefused(name string) string {
	for _, r := range name {
		if r == ' ' || r == '\u00a0' || unicode.IsControl(r) || safetext.IsInvisible(r) {
			return fmt.Sprintf(": %U", r)
		}
	}
	return ""
}
