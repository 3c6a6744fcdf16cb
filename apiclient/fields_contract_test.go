package apiclient_test

// Every member of the contract's Session (WithUrls_Session)
// is mapped, either typed or deliberately kept as raw JSON, and the
// members of its nested objects are all mapped too. When the document
// gains a member, this fails and names it.

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/everruns/sessions/apiclient"
)

// rawSessionMembers are the Session members kept as the server sent them,
// on purpose: runtime configuration nobody displays, and allowed_actions
// (decoded on demand by Actions and Can: it is the largest part of a
// listed session).
var rawSessionMembers = []string{"allowed_actions", "blueprint_config", "hints", "initial_files", "mcpServers", "network_access", "tools"}

// schemaMembers returns the property names of a schema, through allOf.
func schemaMembers(s *openapi3.Schema) []string {
	var out []string
	for _, sub := range s.AllOf {
		out = append(out, schemaMembers(sub.Value)...)
	}
	for k := range s.Properties {
		out = append(out, k)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// jsonMembers returns the JSON names of a struct type's fields (one level).
func jsonMembers(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = f.Type
		}
	}
	return out
}

func TestEverySessionMemberMapped(t *testing.T) {
	doc := loadSpec(t)
	spec := schemaMembers(doc.Components.Schemas["WithUrls_Session"].Value)
	if len(spec) < 45 {
		t.Fatalf("the document's Session has %d members: %v", len(spec), spec)
	}
	keys := apiclient.SessionKeys()
	for _, k := range spec {
		if !slices.Contains(keys, k) {
			t.Errorf("Session member %q of the document is not mapped", k)
		}
	}
	for _, k := range keys {
		if !slices.Contains(spec, k) {
			t.Errorf("Session maps %q, which the document does not have", k)
		}
	}

	// Typed vs raw: the raw members are exactly those listed above.
	types := jsonMembers(reflect.TypeFor[apiclient.Session]())
	for k, v := range jsonMembers(reflect.TypeFor[apiclient.SessionDetails]()) {
		types[k] = v
	}
	rawTypes := []reflect.Type{reflect.TypeFor[apiclient.RawJSON](), reflect.TypeFor[json.RawMessage](), reflect.TypeFor[apiclient.ActionList]()}
	for _, k := range spec {
		typ, ok := types[k]
		if !ok {
			t.Errorf("%s: no field of Session or SessionDetails has this JSON name", k)
			continue
		}
		if raw := slices.Contains(rawTypes, typ); raw != slices.Contains(rawSessionMembers, k) {
			t.Errorf("%s is a %v: raw JSON %v, listed as raw %v", k, typ, raw, !raw)
		}
	}

	// The nested objects are mapped member for member.
	for schema, typ := range map[string]reflect.Type{
		"TokenUsage":            reflect.TypeFor[apiclient.TokenUsage](),
		"PrincipalSummary":      reflect.TypeFor[apiclient.PrincipalSummary](),
		"AllowedAction":         reflect.TypeFor[apiclient.AllowedAction](),
		"AgentCapabilityConfig": reflect.TypeFor[apiclient.CapabilityConfig](),
	} {
		sch := doc.Components.Schemas[schema]
		if sch == nil {
			t.Errorf("the document has no %s", schema)
			continue
		}
		got := jsonMembers(typ)
		for _, k := range schemaMembers(sch.Value) {
			if _, ok := got[k]; !ok {
				t.Errorf("%s.%s is not mapped by %v", schema, k, typ)
			}
		}
	}

	// The enums are the known values of the open types.
	enum := func(name string) []string {
		var out []string
		for _, v := range doc.Components.Schemas[name].Value.Enum {
			out = append(out, v.(string))
		}
		return out
	}
	strs := func(vs any) []string {
		var out []string
		rv := reflect.ValueOf(vs)
		for i := 0; i < rv.Len(); i++ {
			out = append(out, rv.Index(i).String())
		}
		return out
	}
	if got, want := strs(apiclient.Activities), enum("SessionActivity"); !slices.Equal(got, want) {
		t.Errorf("Activities %v, document %v", got, want)
	}
	if got, want := strs(apiclient.Sources), enum("SessionSource"); !slices.Equal(got, want) {
		t.Errorf("Sources %v, document %v", got, want)
	}
	statusEnum := func() []string {
		var out []string
		for _, v := range doc.Components.Schemas["WithUrls_Session"].Value.AllOf[0].Value.Properties["status"].Value.Enum {
			out = append(out, v.(string))
		}
		return out
	}()
	if got := strs(apiclient.Statuses); !slices.Equal(got, statusEnum) {
		t.Errorf("Statuses %v, document %v", got, statusEnum)
	}
}
