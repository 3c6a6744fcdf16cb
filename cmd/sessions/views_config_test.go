package main

import (
	"io"
	"strings"
	"testing"

	"github.com/everruns/sessions/apiclient"
	"github.com/everruns/sessions/apiclient/apitest"
	"github.com/everruns/sessions/tui"
)

// [views] keeps the order of the file (a TOML table decodes to a map).
func TestConfigViewsKeepFileOrder(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir, `theme = "dark"
[views]
"Zeta" = "#zeta"
"Needs attention" = "status:failed"
Alpha = "agent:ops tokens:>100k"
"Mine" = ""
"Big spenders" = "cost:>1"
`, 0o600)
	fc, err := loadConfig(path, true, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	user, err := fc.views()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range user {
		names = append(names, v.Name)
	}
	if got := strings.Join(names, ","); got != "Zeta,Needs attention,Alpha,Mine,Big spenders" {
		t.Fatalf("views in order %s", got)
	}
	all, err := tui.MergeViews(tui.DefaultViews(), user)
	if err != nil {
		t.Fatal(err)
	}
	var merged []string
	for _, v := range all {
		merged = append(merged, v.Name+"="+v.Query)
	}
	want := "Needs attention=status:failed,Untagged idle=status:idle tag:none updated:>1d,Zeta=#zeta,Alpha=agent:ops tokens:>100k,Big spenders=cost:>1"
	if got := strings.Join(merged, ","); got != want {
		t.Fatalf("merged\n got %s\nwant %s", got, want)
	}

	// No [views]: nil, the defaults apply.
	fc, err = loadConfig(writeConfig(t, t.TempDir(), "theme = \"dark\"\n", 0o600), true, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := fc.views(); v != nil || err != nil {
		t.Fatalf("no [views]: %v, %v", v, err)
	}
}

// An invalid view is a configuration error naming the view and the file,
// before the terminal is touched; the query is not echoed whole.
func TestConfigInvalidViewIsUsageError(t *testing.T) {
	srv := newServer(t, apitest.Options{Sessions: 1})
	xdg := t.TempDir()
	writeConfig(t, xdg, "[views]\n\"Broken\" = \"status:bogusvalue\"\n", 0o600)
	r := runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg, apiclient.EnvAPIKey: testKey}, "--api-url", srv.URL())
	wantCode(t, r, exitUsage)
	for _, want := range []string{"config file", `views: "Broken"`, "status:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %q", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "bogusvalue") || strings.Contains(r.stderr, "terminal") {
		t.Errorf("stderr %q", r.stderr)
	}
	// A valid one gets as far as the terminal check.
	writeConfig(t, xdg, "[views]\n\"Fine\" = \"status:failed\"\n", 0o600)
	r = runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg, apiclient.EnvAPIKey: testKey}, "--api-url", srv.URL())
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "terminal") {
		t.Errorf("valid views: stderr %q", r.stderr)
	}
}

// A setting written after [views] belongs to the table in TOML: refused by
// name, without showing its value (it may be the API key).
func TestConfigSettingUnderViewsRefused(t *testing.T) {
	xdg := t.TempDir()
	writeConfig(t, xdg, "[views]\n\"Mine\" = \"is:pinned\"\napi_key = \""+testKey+"\"\n", 0o600)
	r := runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg}, "list")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, `"api_key" is a setting, not a view`) {
		t.Errorf("stderr %q", r.stderr)
	}
	if strings.Contains(r.stderr, testKey) || strings.Contains(r.stdout, testKey) {
		t.Fatal("the key was printed")
	}
}
