package apiclient

import "strings"

// reservedTagPrefixes are refused by the server in a PATCH (HTTP 400), as is
// the single tag reservedTagName. The platform sets such tags itself.
var reservedTagPrefixes = [...]string{
	"__internal:", "app:", "app_channel:", "slack:app:", "slack:endpoint:",
	"fcp:endpoint:", "ag_ui:app:", "agent:", "endpoint:",
}

const reservedTagName = "platform-chat-starter"

// TagRefusal says why the server would refuse tag in a PATCH, or "" when it
// accepts it, so callers can refuse before sending anything.
func TagRefusal(tag string) string {
	if tag == reservedTagName {
		return `"` + reservedTagName + `" is reserved by the platform`
	}
	for _, p := range reservedTagPrefixes {
		if strings.HasPrefix(tag, p) {
			return `"` + p + `" tags are reserved by the platform`
		}
	}
	return ""
}

// ApplyTagDelta takes remove out of current and appends add, keeping the
// order of current and adding nothing twice; a tag in both add and remove
// is removed. It reports which tags really changed, and never modifies
// current. Every tag edit goes through it as a delta on the server's
// current tags, so a tag someone else added meanwhile is kept.
func ApplyTagDelta(current, add, remove []string) (out, added, removed []string) {
	drop := make(map[string]bool, len(remove))
	for _, t := range remove {
		drop[t] = true
	}
	have := make(map[string]bool, len(current)+len(add))
	out = make([]string, 0, len(current)+len(add))
	for _, t := range current {
		switch {
		case drop[t]:
			if !have[t] {
				removed = append(removed, t)
				have[t] = true // report each removal once
			}
		case !have[t]:
			out = append(out, t)
			have[t] = true
		}
	}
	for _, t := range add {
		if !drop[t] && !have[t] {
			out = append(out, t)
			added = append(added, t)
			have[t] = true
		}
	}
	return out, added, removed
}
