package apiclient

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// A page of two sessions whose allowed actions differ only by self_url.
const compactPage = `{"data":[
 {"id":"s1","organization_id":"org_1","status":"idle","model_id":"m1","owner":{"id":"p1","kind":"user","subject_id":"u1"},
  "allowed_actions":[{"rel":"self","method":"GET","href":"http://h/api/v1/sessions/s1"},{"rel":"cancel","method":"POST","href":"http://h/api/v1/sessions/s1/cancel","hint":"Cancel <it> & go"}],
  "self_url":"http://h/api/v1/sessions/s1","view_url":"https://c/orgs/org_1/sessions/s1","ui_link":"https://c/orgs/org_1/sessions/s1"},
 {"id":"s2","organization_id":"org_1","status":"idle","model_id":"m1","owner":{"id":"p1","kind":"user","subject_id":"u1"},
  "allowed_actions":[{"rel":"self","method":"GET","href":"http://h/api/v1/sessions/s2"},{"rel":"cancel","method":"POST","href":"http://h/api/v1/sessions/s2/cancel","hint":"Cancel <it> & go"}],
  "self_url":"http://h/api/v1/sessions/s2","view_url":"https://c/orgs/org_1/sessions/s2","ui_link":"https://c/orgs/org_1/sessions/s2","x_new":{"a":1}}
],"total":2,"offset":0,"limit":100}`

func TestPageSharesRepeatedParts(t *testing.T) {
	p, err := DecodeSessionPage([]byte(compactPage))
	if err != nil || len(p.Data) != 2 {
		t.Fatalf("decode: %v, %d sessions", err, len(p.Data))
	}
	a, b := &p.Data[0], &p.Data[1]
	if unsafe.StringData(a.AllowedActions.text) != unsafe.StringData(b.AllowedActions.text) {
		t.Error("the two action lists are not one shared template")
	}
	if a.ModelID != b.ModelID || a.Owner != b.Owner {
		t.Error("model id pointer or owner not shared")
	}
	if unsafe.StringData(b.ID) != unsafe.StringData(b.SelfURL[len(b.SelfURL)-2:]) {
		t.Error("the id does not share self_url's bytes")
	}
	if a.Extra != nil || b.Extra["x_new"] == nil {
		t.Errorf("Extra: %v / %v", a.Extra, b.Extra)
	}
	acts := b.Actions()
	if len(acts) != 2 || acts[1].Href != "http://h/api/v1/sessions/s2/cancel" || acts[1].Hint != "Cancel <it> & go" {
		t.Errorf("Actions() = %+v", acts)
	}
	if !b.Can("cancel") || b.Can("pin") {
		t.Error("Can")
	}
	// The round trip writes allowed_actions back as sent.
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var got, want struct {
		AllowedActions json.RawMessage `json:"allowed_actions"`
		XNew           json.RawMessage `json:"x_new"`
	}
	_ = json.Unmarshal(out, &got)
	items := strings.SplitN(compactPage, `"id":"s2"`, 2)[1]
	_ = json.Unmarshal([]byte(`{"id":"s2"`+strings.SplitN(items, "\n],", 2)[0]), &want)
	var ga, wa []AllowedAction // encoding/json escapes < and & on the way out: compare values
	_ = json.Unmarshal(got.AllowedActions, &ga)
	_ = json.Unmarshal(want.AllowedActions, &wa)
	if len(wa) != 2 || !slices.Equal(ga, wa) || string(got.XNew) != `{"a":1}` {
		t.Errorf("round trip:\n got %s\nwant %s", got.AllowedActions, want.AllowedActions)
	}
}

// A page the whole-page pass refuses (an item that is not a session) is
// decoded item by item, and the good sessions are shared all the same.
func TestPageFallbackItemByItem(t *testing.T) {
	body := strings.Replace(compactPage, `"data":[`, `"data":[{"id":5},`, 1)
	p, err := DecodeSessionPage([]byte(body))
	if err != nil || len(p.Data) != 2 || len(p.Problems) != 1 || p.Problems[0].Index != 0 {
		t.Fatalf("decode: %v, %d sessions, problems %v", err, len(p.Data), p.Problems)
	}
	if unsafe.StringData(p.Data[0].AllowedActions.text) != unsafe.StringData(p.Data[1].AllowedActions.text) {
		t.Error("not shared on the item-by-item path")
	}
	if p.Data[1].Actions()[0].Href != "http://h/api/v1/sessions/s2" {
		t.Error("href")
	}
}

// "Data" is a member encoding/json matches to data: the fast pass must not
// read another member than the one the decode used.
func TestPageDataSpelling(t *testing.T) {
	p, err := DecodeSessionPage([]byte(`{"data":[{"id":"a","status":"idle"}],"Data":[{"id":"b","status":"idle"}]}`))
	if err != nil || len(p.Data) != 1 || p.Data[0].ID != "b" {
		t.Fatalf("got %v %+v", err, p)
	}
}
