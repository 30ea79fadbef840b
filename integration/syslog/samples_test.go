package syslog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/auditbridge/auditbridge/integration/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

// The four shared samples (/work/shared/samples, kept byte for byte in
// normalize/testdata) all reach a real syslog-ng over UDP at the default
// settings: none is dead-lettered for its size.
func TestSharedSamplesOverUDPDefaults(t *testing.T) {
	ng := newSyslogNG(t, writePKI(t), false)
	var events []map[string]any
	for _, name := range []string{"tfc/page.json", "hcp_platform/auth_success.json",
		"hcp_platform/project_delete.json", "boundary/sessions.json"} {
		b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "normalize", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		evs, err := normalize.NewParser().Parse(b)
		if err != nil || len(evs) == 0 {
			t.Fatalf("%s: %d events, %v", name, len(evs), err)
		}
		for i := range evs {
			var m map[string]any
			if err := json.Unmarshal(normalize.AppendJSON(nil, &evs[i], normalize.FormatNative), &m); err != nil {
				t.Fatal(err)
			}
			events = append(events, m)
		}
	}
	env := baseEnv(ng.addr("udp"))
	env["SYSLOG_NETWORK"] = "udp" // everything else at its default
	s := startSender(t, env, events)
	delivered, dead := s.wait(t)
	if len(dead) != 0 || len(delivered) != len(events) {
		t.Fatalf("of %d sample events: %d delivered, dead-lettered %q", len(events), len(delivered), dead)
	}
	got := byID(t, waitRecords(t, ng, "udp", len(events)), sdIDOf)
	for _, ev := range events {
		id := ev["id"].(string)
		r, ok := got[id]
		if !ok {
			t.Errorf("sample event %s never reached syslog-ng", id)
			continue
		}
		var body nativeBody
		if err := json.Unmarshal([]byte(r.Message), &body); err != nil || body.ID != id {
			t.Errorf("sample event %s: body %q is not its JSON event (%v)", id, r.Message, err)
		}
		t.Logf("%s: arrived, truncated=%q", id, r.SData["auditbridge@32473"]["truncated"])
	}
}
