package elasticsearch

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/valyala/fastjson"
)

func TestAppendItem(t *testing.T) {
	tests := []struct {
		name    string
		id      string
		wantErr string
	}{
		{name: "plain", id: "ae66e491-db59-457c-8445-9c908ee726ae"},
		{name: "quotes and control", id: "a\"b\\c\n\x01"},
		{name: "unicode", id: "événement-☃"},
		{name: "empty", id: "", wantErr: "no id"},
		{name: "too long", id: strings.Repeat("x", 513), wantErr: "513 bytes"},
		{name: "max length", id: strings.Repeat("x", 512)},
		{name: "invalid utf8", id: "a\xffb", wantErr: "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := testEvents(1)[0]
			ev.ID = tt.id
			out, err := appendItem([]byte("prefix"), &ev, renderECS)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || string(out) != "prefix" {
					t.Fatalf("err %v out %q, want error with %q and nothing appended", err, out, tt.wantErr)
				}
				return
			}
			lines := strings.Split(strings.TrimPrefix(string(out), "prefix"), "\n")
			if len(lines) != 3 || lines[2] != "" {
				t.Fatalf("want two newline-terminated lines, got %q", lines)
			}
			var action struct {
				Create struct {
					ID string `json:"_id"`
				} `json:"create"`
			}
			if err := json.Unmarshal([]byte(lines[0]), &action); err != nil || action.Create.ID != tt.id {
				t.Errorf("action %q decodes to id %q (%v), want %q", lines[0], action.Create.ID, err, tt.id)
			}
			if !json.Valid([]byte(lines[1])) {
				t.Errorf("document is not JSON: %q", lines[1])
			}
		})
	}
}

func TestGroup(t *testing.T) {
	evs := testEvents(10)
	buf, items, _ := encodeBatch(nil, evs, 1<<20, renderECS)
	one := items[0].end - items[0].start
	tests := []struct {
		name      string
		maxBytes  int
		maxEvents int
		want      []int // items per request
	}{
		{name: "all in one", maxBytes: 1 << 20, maxEvents: 100, want: []int{10}},
		{name: "by events", maxBytes: 1 << 20, maxEvents: 4, want: []int{4, 4, 2}},
		{name: "by bytes", maxBytes: 3*one + 1, maxEvents: 100, want: []int{3, 3, 3, 1}},
		{name: "one each", maxBytes: one, maxEvents: 100, want: []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs := group(buf, items, tt.maxBytes, tt.maxEvents)
			var got []int
			next := 0
			for _, r := range reqs {
				got = append(got, len(r.items))
				if len(r.body()) > tt.maxBytes {
					t.Errorf("request body %d > %d", len(r.body()), tt.maxBytes)
				}
				for _, it := range r.items {
					if it.index != next {
						t.Fatalf("items out of order: %d, want %d", it.index, next)
					}
					next++
				}
			}
			if !equalInts(got, tt.want) {
				t.Errorf("groups %v, want %v", got, tt.want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEncodeBatchRejectsOversizeEvent(t *testing.T) {
	evs := testEvents(3)
	evs[1].Message = strings.Repeat("m", 5000)
	_, items, rejected := encodeBatch(nil, evs, 2000, renderECS)
	if len(items) != 2 || items[0].index != 0 || items[1].index != 2 {
		t.Fatalf("items %+v, want events 0 and 2", items)
	}
	if len(rejected) != 1 || rejected[0].Index != 1 || !bridge.IsPermanent(rejected[0].Err) ||
		!strings.Contains(rejected[0].Err.Error(), "AUDITBRIDGE_ES_MAX_BATCH_BYTES") || !strings.Contains(rejected[0].Err.Error(), "ev-001") {
		t.Fatalf("rejected %+v, want event 1 permanent naming the limit and the event", rejected)
	}
}

func TestParseBulkResponse(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []itemResult
		wantErr string
	}{
		{name: "all created", body: `{"took":1,"errors":false,"items":[{"create":{"_id":"a","status":201}},{"create":{"_id":"b","status":201}}]}`,
			want: []itemResult{{Status: 201}, {Status: 201}}},
		{name: "index key (ZincSearch)", body: `{"errors":false,"items":[{"index":{"_id":"a","status":200}},{"index":{"_id":"b","status":200}}]}`,
			want: []itemResult{{Status: 200}, {Status: 200}}},
		{name: "mixed", body: `{"errors":true,"items":[{"create":{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"exists"}}},{"create":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"bad ip","caused_by":{"type":"illegal_argument_exception","reason":"not an IP"}}}}]}`,
			want: []itemResult{{Status: 409, Type: "version_conflict_engine_exception", Reason: "exists"},
				{Status: 400, Type: "mapper_parsing_exception", Reason: "bad ip (caused by illegal_argument_exception: not an IP)"}}},
		{name: "string error", body: `{"errors":true,"items":[{"create":{"status":500,"error":"boom"}},{"create":{"status":201}}]}`,
			want: []itemResult{{Status: 500, Type: "error", Reason: "boom"}, {Status: 201}}},
		{name: "errors true, all fine", body: `{"errors":true,"items":[{"create":{"status":201}},{"create":{"status":201}}]}`, wantErr: `"errors": true`},
		{name: "too few items", body: `{"errors":false,"items":[{"create":{"status":201}}]}`, wantErr: "1 items for 2"},
		{name: "no items", body: `{"acknowledged":true}`, wantErr: "0 items for 2"},
		{name: "not json", body: `<html>`, wantErr: "not JSON"},
		{name: "item not object", body: `{"errors":false,"items":[1,{"create":{"status":201}}]}`,
			want: []itemResult{{Type: "malformed_item", Reason: "bulk item is not an object"}, {Status: 201}}},
	}
	var p fastjson.Parser
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseBulkResponse(&p, []byte(tt.body), 2)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("item %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func FuzzParseBulkResponse(f *testing.F) {
	f.Add([]byte(`{"errors":true,"items":[{"create":{"status":409,"error":{"type":"x","reason":"y"}}}]}`), 1)
	f.Add([]byte(`{"items":[{"index":{"status":"201"}}]}`), 1)
	f.Add([]byte(`{"items":[[],null,{"create":7}]}`), 3)
	var p fastjson.Parser
	f.Fuzz(func(t *testing.T, body []byte, want int) {
		if want < 0 || want > 1000 {
			return
		}
		got, err := parseBulkResponse(&p, body, want)
		if err != nil {
			return
		}
		if len(got) != want {
			t.Fatalf("%d results for %d actions", len(got), want)
		}
		for _, it := range got {
			// An item counts as delivered only with a 2xx/409 status.
			if classifyItem(it) == nil && !(it.Status == 409 || (it.Status >= 200 && it.Status < 300)) {
				t.Fatalf("item %+v delivered", it)
			}
		}
	})
}

func FuzzAppendItem(f *testing.F) {
	f.Add("ae66e491", "message")
	f.Add("a\"\\\n\x00", "\u2028")
	f.Fuzz(func(t *testing.T, id, msg string) {
		ev := normalize.Event{ID: id, Message: msg}
		out, err := appendItem(nil, &ev, renderECS)
		if err != nil {
			return
		}
		lines := strings.SplitN(string(out), "\n", 3)
		if len(lines) != 3 || lines[2] != "" || !json.Valid([]byte(lines[0])) || !json.Valid([]byte(lines[1])) {
			t.Fatalf("bad bulk lines %q", out)
		}
		var a struct {
			Create struct {
				ID string `json:"_id"`
			} `json:"create"`
		}
		if json.Unmarshal([]byte(lines[0]), &a) != nil || a.Create.ID != id {
			t.Fatalf("id %q round-trips to %q", id, a.Create.ID)
		}
	})
}
