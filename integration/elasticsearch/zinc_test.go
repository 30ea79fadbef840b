package elasticsearch_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

const (
	zincUser     = "admin"
	zincPassword = "zinc-test-Password1"
)

// zincBinary builds the ZincSearch fixture (its own module) once and
// caches it between runs (testutil.FixtureBinary).
func zincBinary(t *testing.T) string {
	t.Helper()
	bin, err := testutil.FixtureBinary("zinc")
	if err != nil {
		t.Fatalf("build zinc fixture: %v", err)
	}
	return bin
}

// zinc is a running ZincSearch fixture; base is its Elasticsearch API URL.
type zinc struct {
	base string
	logs *bytes.Buffer
}

// startZinc runs a fresh ZincSearch on a free 127.0.0.1 port.
func startZinc(t *testing.T) *zinc {
	t.Helper()
	bin := zincBinary(t)
	addr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	data := t.TempDir()
	cmd := exec.Command(bin, "-addr", addr)
	cmd.Dir = data
	cmd.Env = []string{
		"ZINC_DATA_PATH=" + data,
		"ZINC_FIRST_ADMIN_USER=" + zincUser,
		"ZINC_FIRST_ADMIN_PASSWORD=" + zincPassword,
		"ZINC_TELEMETRY=false",
		"ZINC_SENTRY=false",
		"ZINC_PROFILER=false",
		"GIN_MODE=release",
	}
	z := &zinc{base: "http://" + addr + "/es", logs: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = z.logs, z.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("zinc output:\n%s", z.logs)
		}
	})
	if err := testutil.WaitTCP(addr, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return z
}

// search posts an Elasticsearch query DSL body to index/_search.
func (z *zinc) search(t *testing.T, index string, query any) searchResult {
	t.Helper()
	r, status := z.trySearch(t, index, query)
	if status != http.StatusOK {
		t.Fatalf("search status %d", status)
	}
	return r
}

// trySearch is search that returns the status instead of failing on it
// (the index does not exist before the first document).
func (z *zinc) trySearch(t *testing.T, index string, query any) (searchResult, int) {
	t.Helper()
	body, _ := json.Marshal(query)
	req, _ := http.NewRequest(http.MethodPost, z.base+"/"+index+"/_search", bytes.NewReader(body))
	req.SetBasicAuth(zincUser, zincPassword)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r searchResult
	if res.StatusCode != http.StatusOK {
		return r, res.StatusCode
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Fatalf("search answer: %v", err)
	}
	return r, res.StatusCode
}

type searchResult struct {
	Hits struct {
		Total struct {
			Value int `json:"value"`
		} `json:"total"`
		Hits []struct {
			ID     string         `json:"_id"`
			Source map[string]any `json:"_source"`
		} `json:"hits"`
	} `json:"hits"`
}

// waitHits polls a query until it has want hits (ZincSearch makes documents
// searchable about a second after they are indexed).
func (z *zinc) waitHits(t *testing.T, index string, query any, want int) searchResult {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, status := z.trySearch(t, index, query)
		if status == http.StatusOK && (r.Hits.Total.Value >= want || time.Now().After(deadline)) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("search status %d after %s", status, 30*time.Second)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// field reads a dotted path from a nested _source.
func field(src map[string]any, path string) any {
	var cur any = src
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}
