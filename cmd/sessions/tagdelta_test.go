package main

import (
	"reflect"
	"testing"
)

func TestApplyTagDelta(t *testing.T) {
	for _, tc := range []struct {
		name             string
		cur, add, remove []string
		want             []string
	}{
		{"add to empty", nil, []string{"a"}, nil, []string{"a"}},
		{"keeps order, appends", []string{"x", "y"}, []string{"a", "b"}, nil, []string{"x", "y", "a", "b"}},
		{"no duplicate", []string{"x", "a"}, []string{"a"}, nil, []string{"x", "a"}},
		{"remove keeps order", []string{"x", "y", "z"}, nil, []string{"y"}, []string{"x", "z"}},
		{"remove absent", []string{"x"}, nil, []string{"q"}, []string{"x"}},
		{"add and remove", []string{"urgent", "billing"}, []string{"resolved"}, []string{"urgent"}, []string{"billing", "resolved"}},
		{"dup adds", nil, []string{"a", "a"}, nil, []string{"a"}},
		{"remove everything", []string{"a"}, nil, []string{"a"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur := append([]string(nil), tc.cur...)
			got := applyTagDelta(cur, tc.add, tc.remove)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if !reflect.DeepEqual(cur, append([]string(nil), tc.cur...)) {
				t.Fatal("current was modified")
			}
		})
	}
}

func TestParseTagArgs(t *testing.T) {
	add, rm, err := parseTagArgs([]string{"+resolved", "-urgent", "billing"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(add, []string{"resolved", "billing"}) || !reflect.DeepEqual(rm, []string{"urgent"}) {
		t.Fatalf("add %q remove %q", add, rm)
	}
	for _, bad := range [][]string{
		{"+"}, {"-"}, {""}, {"+a", "-a"}, {"+a b"}, {"+\x1b[31mred"}, {"--help"},
		{"+platform-chat-starter"}, {"+agent:x"}, {"-slack:app:1"}, {"+__internal:y"}, {"+endpoint:z"},
	} {
		if _, _, err := parseTagArgs(bad); err == nil {
			t.Errorf("parseTagArgs(%q): want error", bad)
		}
	}
}

func TestIsReservedTag(t *testing.T) {
	for _, tag := range []string{"platform-chat-starter", "__internal:a", "app:x", "app_channel:c", "slack:app:1",
		"slack:endpoint:2", "fcp:endpoint:3", "ag_ui:app:4", "agent:5", "endpoint:6"} {
		if !isReservedTag(tag) {
			t.Errorf("%q should be reserved", tag)
		}
	}
	for _, tag := range []string{"resolved", "slack", "apple", "agents", "my-app:x", "platform-chat-starter2"} {
		if isReservedTag(tag) {
			t.Errorf("%q should not be reserved", tag)
		}
	}
}
