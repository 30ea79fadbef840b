// Package routing runs the bridge with one config file that routes each
// product to its own real receiver at once: syslog-ng, the OpenTelemetry
// Collector's Splunk HEC receiver and ZincSearch.
package routing

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

const (
	hecToken    = "routing-e2e-hec-token-0123456789"
	splunkToken = "routing-e2e-splunk-token-0123456"
)

// records are published fixtures (normalize/testdata/SOURCES.md names
// each one's source) with the native events each normalizes to: product,
// kind and id.
var records = []struct {
	file   string
	events []event
}{
	{"boundary/sessions.json", []event{{"boundary", "boundary.cloudevent", "7YdpvNxqFn"}}},
	{"tfc/page.json", []event{{"terraform", "tfc.audit_trail", "ae66e491-db59-457c-8445-9c908ee726ae"}}},
	{"hcp_stream_test/docs_destination_test.json", []event{{"hcp", "hcp.stream_test", "67b21bf4-4621-4d20-94d8-b1a57ffe7a41"}}},
	{"vault/docs_schema_lookup_self_request.json", []event{{"vault", "vault.audit", "6e2c7b92e3df78df6cb4629e551f3879"}}},
	{"consul/docs_catalog_service.json", []event{
		{"consul", "consul.audit", "e4a20aec-d250-72c4-2aea-454fe8ae8051:OperationStart"},
		{"consul", "consul.audit", "1f85053f-badb-4567-d239-abc0ecee1570:OperationComplete"}}},
	{"hcp_platform/auth_success.json", []event{{"hcp", "hcp.platform", "6ba2dad6fd886be790832d6979a58257"}}},
}

type event struct{ product, kind, id string }

// TestRoutingPerProductAcrossFixtures starts the real binary with one HCL
// file of three sinks, each to a different real receiver with its own
// filter: Boundary events to syslog-ng, Terraform events to the Collector's
// HEC receiver with the index from a template, and every event except the
// streaming test event to ZincSearch with a per-product data stream. It
// posts published fixture records to the bridge's HEC intake and checks
// each receiver got exactly its share, each event once: none missing, no
// strays, and the streaming test event nowhere.
func TestRoutingPerProductAcrossFixtures(t *testing.T) {
	start := time.Now()
	ng := testutil.StartSyslogNG(t)
	col := testutil.StartCollector(t, splunkToken, false)
	z := testutil.StartZinc(t)

	dir := t.TempDir()
	hecAddr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	cfg := filepath.Join(dir, "routing.hcl")
	text := fmt.Sprintf(`
data_dir   = %q
admin_addr = "127.0.0.1:%d"

source "hec" {
  addr   = %q
  tokens = [env("IT_HEC_TOKEN")]
}

sink "syslog" "boundary" {
  address    = %q
  network    = "tcp"
  app_name   = "hc-${product}"
  batch_wait = "100ms"
  filter     = "product == \"boundary\""
}

sink "splunk" "terraform" {
  url    = %q
  token  = env("IT_SPLUNK_TOKEN")
  index  = "hashicorp_${product}"
  filter = "product == \"terraform\""
}

sink "elasticsearch" "archive" {
  addresses   = [%q]
  username    = %q
  password    = env("IT_ZINC_PASSWORD")
  compat      = "zincsearch"
  data_stream = "logs-hashicorp.${product}-default"
  batch_wait  = "100ms"
  filter      = "kind != \"hcp.stream_test\""
}
`, filepath.Join(dir, "data"), testutil.FreePort(t), hecAddr, ng.Addr, col.URL, z.Base, testutil.ZincUser)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	// The expected share of each sink, from the events' product and kind.
	wantSyslog, wantSplunk, wantZinc := map[string]int{}, map[string]int{}, map[string]map[string]int{}
	sent := map[string]bool{}
	for _, r := range records {
		for _, e := range r.events {
			sent[e.id] = true
			if e.product == "boundary" {
				wantSyslog[e.id]++
			}
			if e.product == "terraform" {
				wantSplunk[e.id]++
			}
			if e.kind != "hcp.stream_test" {
				ds := "logs-hashicorp." + e.product + "-default"
				if wantZinc[ds] == nil {
					wantZinc[ds] = map[string]int{}
				}
				wantZinc[ds][e.id]++
			}
		}
	}

	cmd := exec.Command(testutil.BridgeBinary(t), "run", "--config", cfg)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "IT_HEC_TOKEN=" + hecToken,
		"IT_SPLUNK_TOKEN=" + splunkToken, "IT_ZINC_PASSWORD=" + testutil.ZincPassword}
	logs := &testutil.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			s := logs.String()
			t.Logf("auditbridge output:\n%s", s[max(0, len(s)-6000):])
		}
	})
	if err := testutil.WaitTCP(hecAddr, 60*time.Second); err != nil {
		t.Fatalf("bridge did not start: %v\n%s", err, logs.String())
	}
	for _, r := range records {
		body, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "normalize", "testdata", r.file))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+hecAddr+"/v1/events", bytes.NewReader(body))
		req.Header.Set("Authorization", "Splunk "+hecToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d", r.file, res.StatusCode)
		}
	}

	// What each receiver holds, read until it has at least its share (a
	// stray makes it more, so waiting for "at least" hides none).
	gotSyslog, gotSplunk, gotZinc := map[string]int{}, map[string]int{}, map[string]map[string]int{}
	splunkIndex := map[string]string{}
	testutil.WaitFor(t, 90*time.Second, "every receiver's share", func() bool {
		gotSyslog = testutil.ReadIDs(t, ng.Out)
		gotSplunk, splunkIndex = map[string]int{}, map[string]string{}
		for _, r := range col.Read(t) {
			body, _ := r.Body.(map[string]any)
			id, _ := body["id"].(string)
			gotSplunk[id]++
			splunkIndex[id] = r.Attrs["com.splunk.index"]
		}
		done := total(gotSyslog) >= total(wantSyslog) && total(gotSplunk) >= total(wantSplunk)
		for ds, want := range wantZinc {
			gotZinc[ds] = z.IDs(t, ds)
			done = done && total(gotZinc[ds]) >= total(want)
		}
		return done
	})
	// Strays arriving after the shares were complete: give the sinks a
	// moment more (a filter that lets too much through sends it in the
	// same batches, so this only catches a straggler).
	time.Sleep(2 * time.Second)
	gotSyslog = testutil.ReadIDs(t, ng.Out)
	for ds := range wantZinc {
		gotZinc[ds] = z.IDs(t, ds)
	}
	// The streaming test event's and the other products' would-be streams.
	for _, p := range []string{"hcp", "boundary", "terraform", "vault", "consul"} {
		ds := "logs-hashicorp." + p + "-default"
		if _, ok := wantZinc[ds]; !ok {
			gotZinc[ds] = z.IDs(t, ds)
		}
	}

	var report strings.Builder
	fmt.Fprintf(&report, "sent %d events in %d records\n", len(sent), len(records))
	check := func(sink string, want, got map[string]int) {
		missing, strays, dup := 0, 0, 0
		for id, n := range want {
			if got[id] == 0 {
				missing++
				t.Errorf("%s: event %s missing", sink, id)
			} else if got[id] != n {
				dup++
				t.Errorf("%s: event %s received %d times, want %d", sink, id, got[id], n)
			}
		}
		for id, n := range got {
			if want[id] == 0 {
				strays += n
				t.Errorf("%s: stray event %s (%d times)", sink, id, n)
			}
		}
		fmt.Fprintf(&report, "%-48s expected %d received %d missing %d strays %d duplicated %d\n",
			sink, total(want), total(got), missing, strays, dup)
	}
	check("syslog boundary (syslog-ng)", wantSyslog, gotSyslog)
	check("splunk terraform (otelcol splunk_hec)", wantSplunk, gotSplunk)
	for id, idx := range splunkIndex {
		if idx != "hashicorp_terraform" {
			t.Errorf("splunk: event %s in index %q, want hashicorp_terraform", id, idx)
		}
	}
	streams := make([]string, 0, len(gotZinc))
	for ds := range gotZinc {
		streams = append(streams, ds)
	}
	sort.Strings(streams)
	for _, ds := range streams {
		check("elasticsearch archive (zinc) "+ds, wantZinc[ds], gotZinc[ds])
	}
	fmt.Fprintf(&report, "run time %s", time.Since(start).Round(100*time.Millisecond))
	t.Log("accounting:\n" + report.String())
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
