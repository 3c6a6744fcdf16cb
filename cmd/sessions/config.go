package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/everruns/sessions/tui"
	"github.com/everruns/sessions/tui/safetext"
)

// fileConfig is config.toml. Every field is optional; pointers tell "absent"
// from a zero value.
type fileConfig struct {
	APIURL   *string             `toml:"api_url"`
	OrgID    *string             `toml:"org_id"` // a name or an id (orgs.go)
	APIKey   *string             `toml:"api_key"`
	Agent    *string             `toml:"agent"`
	Refresh  *time.Duration      `toml:"refresh"` // "10s", "1m"; 0 turns it off
	PageSize *int                `toml:"page_size"`
	MaxRows  *int                `toml:"max_rows"` // sessions the TUI keeps
	Theme    *string             `toml:"theme"`
	Mouse    *bool               `toml:"mouse"`
	Keys     map[string][]string `toml:"keys"`
	Columns  []string            `toml:"columns"` // the list's columns, in order (tui.ColumnNames)
	Views    map[string]string   `toml:"views"`   // saved views: name → query (tui.MergeViews)

	viewOrder []string // the [views] names in file order (a map has none)
}

// views are [views] in the order of the file, nil when there is none. A
// view named like a top-level setting is an error: in TOML a line after
// [views] belongs to it, and a misplaced api_key would become a view that
// shows the key on screen. The value is never quoted.
func (c *fileConfig) views() ([]tui.View, error) {
	if c.Views == nil {
		return nil, nil
	}
	settings := map[string]bool{}
	t := reflect.TypeOf(*c)
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); name != "" {
			settings[name] = true
		}
	}
	out := make([]tui.View, 0, len(c.Views))
	for _, n := range c.viewOrder {
		if settings[strings.ToLower(strings.TrimSpace(n))] {
			return nil, fmt.Errorf("views: %q is a setting, not a view: move that line above [views] (a line after a [table] header belongs to the table)", safetext.Line(n, 40))
		}
		if q, ok := c.Views[n]; ok {
			out = append(out, tui.View{Name: n, Query: q})
		}
	}
	return out, nil
}

// defaultConfigPath is $XDG_CONFIG_HOME/sessions/config.toml, else
// $HOME/.config/sessions/config.toml; "" when neither is set.
func defaultConfigPath(env func(string) string) string {
	if x := env("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "sessions", "config.toml")
	}
	if h := env("HOME"); h != "" {
		return filepath.Join(h, ".config", "sessions", "config.toml")
	}
	return ""
}

// maxConfigBytes bounds the config file; a real one is a few hundred bytes.
const maxConfigBytes = 1 << 20

// loadConfig reads path. A missing file is an error only when explicit (the
// user named it with --config). Warnings (unknown keys, a key readable by
// others) go to warn. Errors never quote values from the file: a mistyped
// line may be the API key.
func loadConfig(path string, explicit bool, warn io.Writer) (*fileConfig, error) {
	cfg := &fileConfig{}
	if path == "" {
		return cfg, nil
	}
	shown := safetext.Line(path, 300)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return cfg, nil
		}
		return nil, fmt.Errorf("config file %s: %s", shown, describeFSError(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("config file %s: %s", shown, describeFSError(err))
	}
	if st.IsDir() {
		return nil, fmt.Errorf("config file %s: is a directory", shown)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("config file %s: %s", shown, describeFSError(err))
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("config file %s: larger than %d bytes", shown, maxConfigBytes)
	}
	md, err := toml.Decode(string(data), cfg)
	if err != nil {
		return nil, fmt.Errorf("config file %s: %s", shown, describeTOMLError(err))
	}
	for _, k := range md.Keys() {
		if len(k) == 2 && k[0] == "views" {
			cfg.viewOrder = append(cfg.viewOrder, k[1])
		}
	}
	if und := md.Undecoded(); len(und) > 0 {
		names := make([]string, len(und))
		for i, k := range und {
			names[i] = safetext.Line(k.String(), 80)
		}
		sort.Strings(names)
		fmt.Fprintf(warn, "sessions: warning: config file %s: unknown keys ignored: %s\n", shown, strings.Join(names, ", "))
	}
	if cfg.APIKey != nil && *cfg.APIKey != "" && st.Mode().Perm()&0o044 != 0 {
		fmt.Fprintf(warn, "sessions: warning: config file %s holds api_key and is readable by group or others (mode %04o); run: chmod 600 %s\n",
			shown, st.Mode().Perm(), shown)
	}
	return cfg, nil
}

func describeFSError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// quoted matches quoted values inside TOML error messages, which we elide.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'[^']*'`)

// describeTOMLError reports where the file is wrong without repeating what
// is there: values are elided, since the broken line may hold the key.
func describeTOMLError(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := safetext.Line(quoted.ReplaceAllString(pe.Message, `"…"`), 200)
		where := fmt.Sprintf("line %d", pe.Position.Line)
		if pe.Position.Col > 0 {
			where += fmt.Sprintf(", column %d", pe.Position.Col)
		}
		if pe.LastKey != "" && !strings.Contains(pe.LastKey, "\"") {
			where += " (key " + safetext.Line(pe.LastKey, 80) + ")"
		}
		return "invalid TOML at " + where + ": " + msg
	}
	return "invalid TOML: " + safetext.Line(quoted.ReplaceAllString(err.Error(), `"…"`), 200)
}
