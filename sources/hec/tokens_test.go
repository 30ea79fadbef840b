package hec

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

func TestTokenSpecs(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []TokenSpec
		wantErr string
	}{
		{"t-one, t-two", []TokenSpec{{Label: "token1", Token: "t-one"}, {Label: "token2", Token: "t-two"}}, ""},
		{"hcp:t-one,ci:t-two:tfc.audit_trail+hcp.stream_test", []TokenSpec{{Label: "hcp", Token: "t-one"},
			{Label: "ci", Token: "t-two", Kinds: []string{"tfc.audit_trail", "hcp.stream_test"}}}, ""},
		{"a:x,a:y", nil, `label "a" used twice`},
		{"bad label!:x", nil, `label "bad label!"`},
		{"a:", nil, "empty token"},
		{"a:SECRET-1:", nil, "empty kind list"},
		{"a:SECRET-1:k:more", nil, "more than label:token:kinds"},
		{"a:SECRET-1:bad kind", nil, `kind "bad kind"`},
	} {
		got, err := Config{Tokens: bridge.Secret(tc.in)}.TokenSpecs()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("%q: the error shows the token: %v", tc.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	cfg := DefaultConfig("127.0.0.1:0", "a:x,a:y")
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "HEC_TOKENS") {
		t.Errorf("Validate with a duplicate label: %v", err)
	}
}

// TestProvenanceAndKinds: events record the label of the token that sent
// them (meta.intake "hec:<label>"); a token limited to some kinds gets the
// records of other kinds refused (code 6 naming the first) while the
// allowed neighbours are taken.
func TestProvenanceAndKinds(t *testing.T) {
	rec := &testutil.Publisher{}
	cfg := DefaultConfig("127.0.0.1:0", "stream:tok-stream", "ci:tok-ci:packer.audit", "tok-plain")
	_, ts := newTestServer(t, cfg, rec, nil)
	url := ts.URL + "/services/collector/event"
	hcp := wrap(sample(t, "hcp-platform-auth-success.json"))
	packer := wrap(sample(t, "packer-build-create.json"))

	if status, body, _ := post(t, url, "Splunk tok-stream", "", hcp); status != 200 {
		t.Fatalf("labelled token: %d %s", status, body)
	}
	if status, body, _ := post(t, url, "Splunk tok-plain", "", hcp); status != 200 {
		t.Fatalf("plain token: %d %s", status, body)
	}
	status, body, _ := post(t, url, "Splunk tok-ci", "", hcp+packer+hcp)
	if status != 400 || body != `{"text":"Invalid data format","code":6,"invalid-event-number":0}` {
		t.Fatalf("kind-limited token sending a disallowed kind: %d %s", status, body)
	}
	status, body, _ = post(t, ts.URL+"/v1/events", "Splunk tok-ci", "", sample(t, "hcp-platform-auth-success.json")+"\n")
	var gr genericReply
	_ = json.Unmarshal([]byte(body), &gr)
	if status != 400 || len(gr.Errors) != 1 || !strings.Contains(gr.Errors[0].Error, `kind "hcp.platform" are not allowed for token "ci"`) {
		t.Fatalf("/v1/events with a disallowed kind: %d %s", status, body)
	}
	var got []string
	for _, ev := range rec.Events() {
		got = append(got, ev.Kind+" "+string(ev.Meta.Value(normalize.MetaIntake)))
	}
	want := []string{
		`hcp.platform "hec:stream"`,
		`hcp.platform "hec:token3"`,
		`packer.audit "hec:ci"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("published %q, want %q", got, want)
	}
}
