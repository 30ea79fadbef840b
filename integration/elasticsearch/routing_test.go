package elasticsearch_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// TestRoutingPerProductToZinc runs the bridge with a config file of two
// elasticsearch sinks into ZincSearch: Boundary events to their own data
// stream, every other product to logs-hashicorp.<product>-default through
// a data stream template. Each index holds exactly its events, once.
func TestRoutingPerProductToZinc(t *testing.T) {
	z := startZinc(t)
	hec := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	cfg := filepath.Join(t.TempDir(), "routing.hcl")
	text := fmt.Sprintf(`
data_dir   = %q
admin_addr = "127.0.0.1:%d"

source "hec" {
  addr   = %q
  tokens = [env("IT_HEC_TOKEN")]
}

sink "elasticsearch" "boundary" {
  addresses   = [%q]
  username    = %q
  password    = env("IT_ZINC_PASSWORD")
  compat      = "zincsearch"
  data_stream = "logs-hashicorp.boundary-sessions"
  batch_wait  = "100ms"
  filter      = "product == \"boundary\""
}

sink "elasticsearch" "products" {
  addresses   = [%q]
  username    = %q
  password    = env("IT_ZINC_PASSWORD")
  compat      = "zincsearch"
  data_stream = "logs-hashicorp.${product}-default"
  batch_wait  = "100ms"
  filter      = "product != \"boundary\""
}
`, t.TempDir(), testutil.FreePort(t), hec, z.base, zincUser, z.base, zincUser)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testutil.BridgeBinary(t), "run", "--config", cfg)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "IT_HEC_TOKEN=" + hecToken, "IT_ZINC_PASSWORD=" + zincPassword}
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("auditbridge output:\n%s", logs)
		}
	})
	if err := testutil.WaitTCP(hec, 60*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	postSamples(t, hec)

	all := map[string]any{"query": map[string]any{"match_all": map[string]any{}}, "size": 100}
	for _, c := range []struct {
		index string
		ids   []string
	}{
		{"logs-hashicorp.boundary-sessions", []string{"7YdpvNxqFn"}},
		{"logs-hashicorp.hcp-default", []string{"6ba2dad6fd886be790832d6979a58257", "44355a1ca6985c4bebc9b12d75e7b3a9"}},
		{"logs-hashicorp.terraform-default", []string{"ae66e491-db59-457c-8445-9c908ee726ae"}},
	} {
		r := z.waitHits(t, c.index, all, len(c.ids))
		if r.Hits.Total.Value != len(c.ids) {
			t.Errorf("%s: %d documents, want %d", c.index, r.Hits.Total.Value, len(c.ids))
			continue
		}
		got := map[string]bool{}
		for _, h := range r.Hits.Hits {
			got[h.ID] = true
		}
		for _, id := range c.ids {
			if !got[id] {
				t.Errorf("%s: event %s missing (has %v)", c.index, id, got)
			}
		}
	}
	if _, status := z.trySearch(t, "logs-hashicorp.boundary-default", all); status == 200 {
		t.Error("a boundary event reached the per-product stream (filter not applied)")
	}
}
