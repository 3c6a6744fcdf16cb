// Package sessionlist is the session list: the rows (a session sanitised
// and measured once, NewRow), the filter they match (Query, compiled by
// querylang), the columns, and the window over the rows with its rendering
// (Model: cursor, scroll, SetSize, View, its own KeyMap).
//
// The rows and their order are the root's (package tui derives them from
// its store, refresh holds and the server's search); the list is handed
// them on each call and never imports the root.
package sessionlist
