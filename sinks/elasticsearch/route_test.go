package elasticsearch

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

// TestPerEventDataStream: ES_DATA_STREAM with ${product} sends each event
// to its product's data stream, one _bulk request per destination, and the
// index template covers every one of them.
func TestPerEventDataStream(t *testing.T) {
	f := newFakeES(t)
	s := newTestSink(t, f.URL(), func(c *Config) { c.DataStream = "logs-hashicorp.${product:-other}-default" })
	products := []string{"vault", "boundary", "vault", "", "Boundary", "vault"}
	evs := make([]normalize.Event, len(products))
	for i, p := range products {
		evs[i] = normalize.Event{ID: "e" + string(rune('0'+i)), Product: p, Kind: "k"}
	}
	if err := s.Send(context.Background(), evs); err != nil {
		t.Fatalf("Send: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	got := map[string][]string{}
	for i, p := range f.bulkPaths {
		got[p] = append(got[p], f.bulks[i]...)
	}
	want := map[string][]string{
		"/logs-hashicorp.boundary-default/_bulk": {"e1", "e4"},
		"/logs-hashicorp.other-default/_bulk":    {"e3"},
		"/logs-hashicorp.vault-default/_bulk":    {"e0", "e2", "e5"},
	}
	if len(got) != len(want) || len(f.bulkPaths) != len(want) {
		t.Fatalf("bulk requests %v, want one per destination %v", got, want)
	}
	for p, ids := range want {
		if !slices.Equal(got[p], ids) {
			t.Errorf("%s: ids %v, want %v", p, got[p], ids)
		}
	}
	var tpl struct {
		Patterns []string `json:"index_patterns"`
	}
	if err := json.Unmarshal(f.template, &tpl); err != nil || !slices.Equal(tpl.Patterns, []string{"logs-hashicorp.*-*"}) {
		t.Errorf("template patterns %v (%v), want [logs-hashicorp.*-*]", tpl.Patterns, err)
	}
}

func TestDataStreamTemplateValidation(t *testing.T) {
	for ds, want := range map[string]string{
		"logs-${prodcut}-default":   `unknown field "prodcut"`,
		"logs-${product}-Default":   "must be lowercase",
		"logs-${product}:x-default": "must not contain",
	} {
		c := DefaultConfig()
		c.Addresses = []string{"http://127.0.0.1:9200"}
		c.DataStream = ds
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", ds, err, want)
		}
	}
}
