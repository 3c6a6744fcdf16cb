package main

import (
	"reflect"
	"testing"
)

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
