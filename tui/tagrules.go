package tui

import "strings"

// tagRefusal says why tag may not be added to a session, or "" when it may.
// The server rejects tags with the platform's reserved prefixes (and one
// reserved name). Only adding is refused here: a session that already
// carries a platform tag keeps it, and the user may still drop it.
func tagRefusal(tag string) string {
	if tag == "platform-chat-starter" {
		return `"platform-chat-starter" is reserved by the platform`
	}
	for _, p := range [...]string{
		"__internal:",
		"app:",
		"app_channel:",
		"slack:app:",
		"slack:endpoint:",
		"fcp:endpoint:",
		"ag_ui:app:",
		"agent:",
		"endpoint:",
	} {
		if strings.HasPrefix(tag, p) {
			return `"` + p + `" tags are reserved by the platform`
		}
	}
	return ""
}
