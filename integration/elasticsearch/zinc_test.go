package elasticsearch_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

const (
	zincUser     = testutil.ZincUser
	zincPassword = testutil.ZincPassword
)

// zinc is a running ZincSearch fixture; base is its Elasticsearch API URL.
type zinc struct {
	base string
}

// startZinc runs a fresh ZincSearch on a free 127.0.0.1 port
// (testutil.StartZinc).
func startZinc(t *testing.T) *zinc {
	t.Helper()
	return &zinc{base: testutil.StartZinc(t).Base}
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
