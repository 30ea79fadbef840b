package normalize

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{"tfc record", `{"id":"1","timestamp":"2020-06-30T17:52:46.000Z","auth":{},"resource":{}}`, KindTFCAuditTrail, nil},
		{"tfc record without timestamp is still tfc", `{"id":"1","auth":{},"resource":{}}`, KindTFCAuditTrail, nil},
		{"tfc page", `{"data":[{"auth":{},"resource":{}}],"pagination":{}}`, KindTFCAuditTrail, nil},
		{"tfe line", `2018-03-27 21:55:29 [INFO] [Audit Log] {"resource":"x"}`, KindTFEAuditLog, nil},
		{"tfe key=value line", `t audit event: event_type=logout`, KindTFEAuditLog, nil},
		{"tfe atlas container", `{"component":"atlas","log":"x [Audit Log] {}"}`, KindTFEAuditLog, nil},
		{"tfe bare payload", `{"resource":"workspace","action":"create","actor":"a","timestamp":"x"}`, KindTFEAuditLog, nil},
		{"tfe line as a JSON string", `"x [Audit Log] {}"`, KindTFEAuditLog, nil},
		{"envelope", `{"id":"1","control_plane_event":{}}`, KindHCPControl, nil},
		{"stream test", `{"id":"1","stream":{"topic":"hashicorp.log.streaming.DestinationTest"}}`, KindStreamTest, nil},
		{"stream test with control_plane_event", `{"stream":{"topic":"hashicorp.log.streaming.DestinationTest"},"control_plane_event":{}}`, KindStreamTest, nil},
		{"platform", `{"request_info":{},"authentication_info":{},"action":"READ"}`, KindHCPPlatform, nil},
		{"boundary", `{"specversion":"1.0","data":{"request_info":{}}}`, KindBoundary, nil},
		{"packer", `{"actor":{"type":"TYPE_USER"}}`, KindPacker, nil},
		{"packer metadata form", `{"description":"x","metadata":{"actor":{"type":"TYPE_SERVICE"}}}`, KindPacker, nil},
		{"hec object", `{"event":{"specversion":"1.0","data":{"request_info":{}}},"time":1}`, KindBoundary, nil},
		{"hec json string", `{"event":"{\"actor\":{\"type\":\"TYPE_USER\"}}"}`, KindPacker, nil},
		{"hec tfe line", `{"event":"x [Audit Log] {}","sourcetype":"tfe"}`, KindTFEAuditLog, nil},
		{"event with other keys is not hec", `{"event":"x [Audit Log] {}","other":1}`, KindUnknown, nil},
		{"array named by first item", `[{"actor":{"type":"TYPE_USER"}},{}]`, KindPacker, nil},
		{"empty array", `[]`, KindUnknown, nil},
		{"unknown object", `{"hello":"world"}`, KindUnknown, nil},
		{"auth as a string is not tfc", `{"auth":"x","resource":"y"}`, KindUnknown, nil},
		{"scalar", `42`, KindUnknown, nil},
		{"empty", "  \n", "", ErrEmpty},
		{"plain text", `hello world`, "", ErrNotRecord},
		{"invalid json", `{"a":}`, "", ErrInvalidJSON},
		{"raw control byte in a string", "{\"a\":\"\x01\"}", "", ErrInvalidJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect([]byte(tt.in))
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("Detect = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTopMembersMatchesGet: for every object of every testdata record,
// and for made-up objects with repeated and escaped keys, topMembers
// finds what Get finds for each name, and onlyHEC holds exactly when
// every key is one of HEC's own.
func TestTopMembersMatchesGet(t *testing.T) {
	docs := []string{
		`{"event":{"a":1},"time":1,"host":"h","source":"s","sourcetype":"t","index":"i","fields":{}}`,
		`{"event":1,"extra":2}`,
		`{"data":[1],"data":{"x":1},"pagination":null}`,
		`{"\u0065vent":"escaped key","log":"[Audit Log] x","action":"a","resource":"r","actor":"u"}`,
		`{"stream":{"topic":"t"},"control_plane_event":{},"specversion":"1.0","auth":{},"request_info":{},"authentication_info":{},"metadata":{"actor":{"type":"TYPE_X"}}}`,
		`{}`,
	}
	files, _ := filepath.Glob("testdata/*/*.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(data))
	}
	names := []string{"event", "data", "pagination", "stream", "control_plane_event", "specversion",
		"auth", "resource", "request_info", "authentication_info", "actor", "metadata", "log", "action"}
	hecKeys := map[string]bool{"event": true, "time": true, "host": true, "source": true, "sourcetype": true, "index": true, "fields": true}
	tr := &tree{}
	n := 0
	for i, doc := range docs {
		if _, ok := tr.parse(nil, []byte(doc)); !ok {
			continue
		}
		eachObject(tr.root(), func(v *value) {
			n++
			top := topMembers(v)
			got := []*value{top.event, top.data, top.pagination, top.stream, top.controlPlane, top.specversion,
				top.auth, top.resource, top.requestInfo, top.authnInfo, top.actor, top.metadata, top.log, top.action}
			for j, k := range names {
				if got[j] != v.Get(k) {
					t.Errorf("doc %d: topMembers' %s is not Get(%q)", i, k, k)
				}
			}
			only := true
			v.Visit(func(k []byte, _ *value) { only = only && hecKeys[string(k)] })
			if top.onlyHEC != only {
				t.Errorf("doc %d: onlyHEC = %v, want %v", i, top.onlyHEC, only)
			}
		})
	}
	if n < 200 {
		t.Fatalf("only %d objects checked", n)
	}
}
