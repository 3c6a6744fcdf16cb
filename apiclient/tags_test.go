package apiclient

import (
	"reflect"
	"testing"
)

func TestApplyTagDelta(t *testing.T) {
	cases := []struct {
		cur, add, rm         []string
		want, added, removed []string
	}{
		{[]string{"a", "b"}, []string{"c"}, nil, []string{"a", "b", "c"}, []string{"c"}, nil},
		{[]string{"a", "b"}, nil, []string{"a"}, []string{"b"}, nil, []string{"a"}},
		{[]string{"a"}, []string{"a"}, []string{"x"}, []string{"a"}, nil, nil},
		{nil, []string{"resolved"}, nil, []string{"resolved"}, []string{"resolved"}, nil},
		{[]string{"other-operator", "b"}, []string{"c"}, []string{"b"}, []string{"other-operator", "c"}, []string{"c"}, []string{"b"}},
		{[]string{"a", "a", "b", "b"}, []string{"c", "c"}, []string{"b"}, []string{"a", "c"}, []string{"c"}, []string{"b"}},
		{[]string{"a"}, []string{"x"}, []string{"x"}, []string{"a"}, nil, nil},
	}
	for _, c := range cases {
		cur := append([]string(nil), c.cur...)
		got, added, removed := ApplyTagDelta(cur, c.add, c.rm)
		if !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(added, c.added) || !reflect.DeepEqual(removed, c.removed) {
			t.Errorf("ApplyTagDelta(%v,+%v,-%v) = %v +%v -%v", c.cur, c.add, c.rm, got, added, removed)
		}
		if !reflect.DeepEqual(cur, c.cur) {
			t.Errorf("current modified: %v", cur)
		}
	}
}

func TestTagRefusal(t *testing.T) {
	for _, tag := range []string{"platform-chat-starter", "__internal:x", "app:x", "app_channel:c", "slack:app:1",
		"slack:endpoint:e", "fcp:endpoint:f", "ag_ui:app:a", "agent:x", "endpoint:y"} {
		if TagRefusal(tag) == "" {
			t.Errorf("%q should be refused", tag)
		}
	}
	for _, tag := range []string{"resolved", "slack:channel", "application", "agents", "my-endpoint:x", "platform-chat-starter2"} {
		if r := TagRefusal(tag); r != "" {
			t.Errorf("%q refused: %s", tag, r)
		}
	}
	// Case is ignored, as the server compares (issue 8): APP:x is refused.
	for _, tag := range []string{"APP:x", "Agent:y", "SLACK:App:1", "__INTERNAL:z", "Platform-Chat-Starter", "ENDPOINT:e"} {
		if TagRefusal(tag) == "" {
			t.Errorf("%q should be refused whatever its case", tag)
		}
	}
	if got := TagRefusal("app:x"); got != `"app:" tags are reserved by the platform` {
		t.Errorf("reason %q", got)
	}
}

func TestApplyTagDeltaOrder(t *testing.T) {
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
			got, _, _ := ApplyTagDelta(cur, tc.add, tc.remove)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if !reflect.DeepEqual(cur, append([]string(nil), tc.cur...)) {
				t.Fatal("current was modified")
			}
		})
	}
}
