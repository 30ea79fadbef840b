package syslog

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// TestRoutingPerProductToSyslogNG runs the bridge with a config file of two
// syslog sinks into two syslog-ng listeners: Vault events to one with the
// APP-NAME and facility from templates, every other product to the other.
// The records are published fixtures of normalize/testdata.
func TestRoutingPerProductToSyslogNG(t *testing.T) {
	ng := newSyslogNG(t, writePKI(t), false)
	dir := t.TempDir()
	hecAddr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	const token = "syslog-routing-token-0123456789"
	cfg := filepath.Join(dir, "routing.hcl")
	text := fmt.Sprintf(`
data_dir   = %q
admin_addr = "127.0.0.1:%d"

source "hec" {
  addr   = %q
  tokens = [env("IT_HEC_TOKEN")]
}

sink "syslog" "vault" {
  address    = %q
  network    = "tcp"
  hostname   = %q
  app_name   = "hc-${product}"
  facility   = "$${meta.facility:-local5}"
  batch_wait = "100ms"
  filter     = "product == \"vault\""
}

sink "syslog" "others" {
  address    = %q
  network    = "tcp"
  framing    = "newline"
  hostname   = %q
  batch_wait = "100ms"
  filter     = "product != \"vault\""
}
`, filepath.Join(dir, "data"), testutil.FreePort(t), hecAddr, ng.addr("tcp"), testHost, ng.addr("newline"), testHost)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testutil.BridgeBinary(t), "run", "--config", cfg)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "IT_HEC_TOKEN=" + token}
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("auditbridge output:\n%s", logs.String())
		}
	})
	if err := testutil.WaitTCP(hecAddr, 60*time.Second); err != nil {
		t.Fatalf("bridge did not start: %v\n%s", err, logs.String())
	}
	for _, f := range []string{"vault/docs_schema_lookup_self_request.json", "boundary/sessions.json",
		"consul/docs_catalog_service.json", "tfc/page.json"} {
		body, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "normalize", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+hecAddr+"/v1/events", bytes.NewReader(body))
		req.Header.Set("Authorization", "Splunk "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d", f, res.StatusCode)
		}
	}
	want := map[string][]string{
		"tcp": {"6e2c7b92e3df78df6cb4629e551f3879"},
		"newline": {"7YdpvNxqFn", "e4a20aec-d250-72c4-2aea-454fe8ae8051:OperationStart",
			"1f85053f-badb-4567-d239-abc0ecee1570:OperationComplete", "ae66e491-db59-457c-8445-9c908ee726ae"},
	}
	for listener, ids := range want {
		var recs []record
		testutil.WaitFor(t, 60*time.Second, listener+" records", func() bool {
			recs = ng.records(t, listener)
			return len(recs) >= len(ids)
		})
		got := map[string]int{}
		for _, r := range recs {
			got[sdIDOf(r)]++
			if listener == "tcp" && (r.Program != "hc-vault" || r.Facility != "21") {
				t.Errorf("vault record: program %q facility %q, want hc-vault and 21 (local5)", r.Program, r.Facility)
			}
			if listener == "newline" && r.Program != "auditbridge" {
				t.Errorf("record %s: program %q", sdIDOf(r), r.Program)
			}
		}
		if len(recs) != len(ids) {
			t.Errorf("%s: %d records %v, want %v", listener, len(recs), got, ids)
		}
		for _, id := range ids {
			if got[id] != 1 {
				t.Errorf("%s: event %s received %d times, want once", listener, id, got[id])
			}
		}
	}
}
