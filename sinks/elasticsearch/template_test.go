package elasticsearch

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestIndexTemplate(t *testing.T) {
	tests := []struct {
		compat      string
		metaType    string
		wantVersion int
		wantILM     string
	}{
		{compat: CompatElasticsearch, metaType: "flattened", wantVersion: templateVersion, wantILM: "logs"},
		{compat: CompatOpenSearch, metaType: "flat_object", wantVersion: templateVersion},
		{compat: CompatZincSearch, metaType: "flattened", wantVersion: 0},
	}
	for _, tt := range tests {
		t.Run(tt.compat, func(t *testing.T) {
			c := DefaultConfig()
			c.Compat = tt.compat
			b, err := indexTemplate(c)
			if err != nil {
				t.Fatal(err)
			}
			var tpl struct {
				IndexPatterns []string         `json:"index_patterns"`
				DataStream    *json.RawMessage `json:"data_stream"`
				Priority      int              `json:"priority"`
				Version       int              `json:"version"`
				Meta          *json.RawMessage `json:"_meta"`
				Template      struct {
					Settings map[string]any `json:"settings"`
					Mappings struct {
						Properties map[string]json.RawMessage `json:"properties"`
					} `json:"mappings"`
				} `json:"template"`
			}
			if err := json.Unmarshal(b, &tpl); err != nil {
				t.Fatal(err)
			}
			if len(tpl.IndexPatterns) != 1 || tpl.IndexPatterns[0] != "logs-hashicorp.audit-*" || tpl.DataStream == nil || tpl.Priority <= 100 || tpl.Version != tt.wantVersion {
				t.Errorf("template head = %+v", tpl)
			}
			if (tpl.Meta != nil) != (tt.wantVersion != 0) {
				t.Errorf("_meta present = %v, want %v", tpl.Meta != nil, tt.wantVersion != 0)
			}
			if got, _ := tpl.Template.Settings["index.lifecycle.name"].(string); got != tt.wantILM {
				t.Errorf("index.lifecycle.name = %q, want %q", got, tt.wantILM)
			}
			props := tpl.Template.Mappings.Properties
			for path, want := range map[string]string{
				"@timestamp":                "date",
				"source.ip":                 "ip",
				"event.id":                  "keyword",
				"event.action":              "keyword",
				"event.category":            "keyword",
				"event.original":            "keyword",
				"user.id":                   "keyword",
				"user.effective.id":         "keyword",
				"http.response.status_code": "long",
				"organization.id":           "keyword",
				"cloud.project.id":          "keyword",
				"hashicorp.meta":            tt.metaType,
				// Vault entries: Elastic's hashicorp_vault integration types
				"hashicorp_vault.audit.auth.metadata":                    tt.metaType,
				"hashicorp_vault.audit.request.remote_address":           "ip",
				"hashicorp_vault.audit.request.remote_port":              "long",
				"hashicorp_vault.audit.response.wrap_info.creation_time": "date",
			} {
				if got := fieldType(t, props, path); got != want {
					t.Errorf("%s mapped as %q, want %q", path, got, want)
				}
			}
			if !strings.Contains(string(props["event"]), `"original":{"type":"keyword","index":false,"doc_values":false}`) {
				t.Errorf("event.original must be stored but not indexed: %s", props["event"])
			}
		})
	}
}

// fieldType walks properties along a dotted path.
func fieldType(t *testing.T, props map[string]json.RawMessage, path string) string {
	t.Helper()
	parts := strings.Split(path, ".")
	for i, p := range parts {
		var f struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
		}
		raw, ok := props[p]
		if !ok {
			return ""
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		if i == len(parts)-1 {
			return f.Type
		}
		props = f.Properties
	}
	return ""
}

func TestEnsureTemplate(t *testing.T) {
	tests := []struct {
		name      string
		install   bool
		compat    string
		existing  string // template already in the cluster
		putStatus int
		wantPuts  int
		wantSent  bool
		wantErr   func(error) bool
	}{
		{name: "missing is installed once", install: true, wantPuts: 1, wantSent: true},
		{name: "current is kept", install: true, existing: fmt.Sprintf(`{"version":%d,"index_patterns":["x"]}`, templateVersion), wantPuts: 0, wantSent: true},
		{name: "older is replaced", install: true, existing: `{"index_patterns":["x"]}`, wantPuts: 1, wantSent: true},
		{name: "version 1 is replaced", install: true, existing: `{"version":1,"index_patterns":["x"]}`, wantPuts: 1, wantSent: true},
		{name: "zincsearch keeps any", install: true, compat: CompatZincSearch, existing: `{"index_patterns":["x"]}`, wantPuts: 0, wantSent: true},
		{name: "zincsearch installs missing", install: true, compat: CompatZincSearch, wantPuts: 1, wantSent: true},
		{name: "install disabled", install: false, wantPuts: 0, wantSent: true},
		{name: "forbidden put", install: true, putStatus: 403, wantPuts: 0, wantSent: false, wantErr: isConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeES(t)
			f.set(func(f *fakeES) {
				if tt.existing != "" {
					f.template = []byte(tt.existing)
				}
				f.putStatus = tt.putStatus
			})
			s := newTestSink(t, f.URL(), func(c *Config) {
				c.InstallTemplate = tt.install
				if tt.compat != "" {
					c.Compat = tt.compat
				}
			})
			for range 2 {
				err := s.Send(context.Background(), testEvents(2))
				if tt.wantErr == nil && err != nil {
					t.Fatalf("Send: %v", err)
				}
				if tt.wantErr != nil && !tt.wantErr(err) {
					t.Fatalf("Send = %v", err)
				}
			}
			if f.puts != tt.wantPuts {
				t.Errorf("%d PUT _index_template, want %d", f.puts, tt.wantPuts)
			}
			if sent := len(f.bulks) > 0; sent != tt.wantSent {
				t.Errorf("bulk sent = %v, want %v", sent, tt.wantSent)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		install  bool
		template bool
		stream   bool
		down     bool
		wantErr  string
		wantText []string
	}{
		{name: "all present", install: true, template: true, stream: true,
			wantText: []string{"cluster 8.15.0 reachable", fmt.Sprintf("index template auditbridge-hashicorp-audit present (version %d)", templateVersion), "data stream logs-hashicorp.audit-default present"}},
		{name: "fresh cluster", install: true,
			wantText: []string{"index template auditbridge-hashicorp-audit missing (installed before the first delivery)", "not created yet"}},
		{name: "missing and not allowed", install: false, wantErr: "missing and AUDITBRIDGE_ES_INSTALL_TEMPLATE is false"},
		{name: "unreachable", install: true, down: true, wantErr: "elasticsearch: cluster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeES(t)
			f.set(func(f *fakeES) {
				if tt.template {
					f.template = []byte(fmt.Sprintf(`{"version":%d}`, templateVersion))
				}
				f.streams["logs-hashicorp.audit-default"] = tt.stream
				f.down = tt.down
			})
			s := newTestSink(t, f.URL(), func(c *Config) { c.InstallTemplate = tt.install })
			err := s.Check(context.Background())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Check = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			st, err := s.Probe(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(st.String(), w) {
					t.Errorf("status %q lacks %q", st, w)
				}
			}
			if f.puts != 0 || len(f.bulks) != 0 {
				t.Errorf("Check changed the cluster")
			}
		})
	}
}
