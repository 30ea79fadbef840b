package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/sinks/file"
	"github.com/auditbridge/auditbridge/sinks/splunkhec"
)

// writeConfig writes text as dir/auditbridge.hcl and returns its path.
func writeConfig(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "auditbridge.hcl")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const twoSplunks = `
data_dir = "DIR/data"

sink "splunk" "soc" {
  url          = "https://soc.example.com:8088"
  token        = file("soc.token")
  index        = "soc"
  filter       = "product == \"boundary\" and outcome == \"failure\""
  batch_events = 50
}

sink "splunk" "archive" {
  url    = "https://archive.example.com:8088"
  token  = env("ARCHIVE_TOKEN")
  filter = "kind != \"hcp.stream_test\""
}

sink "file" "local" {
  path   = "DIR/out.ndjson"
  format = "ecs"
}
`

func loadTwoSplunks(t *testing.T, env map[string]string) (*settings, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "soc.token"), []byte("soc-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := writeConfig(t, dir, strings.ReplaceAll(twoSplunks, "DIR", dir))
	all := map[string]string{"AUDITBRIDGE_CONFIG": p, "ARCHIVE_TOKEN": "archive-secret"}
	for k, v := range env {
		all[k] = v
	}
	return loadSettings(envMap(all))
}

func TestConfigFileSinks(t *testing.T) {
	st, err := loadTwoSplunks(t, nil)
	if err != nil {
		t.Fatalf("loadSettings: %v", err)
	}
	if len(st.sinks) != 3 {
		t.Fatalf("%d sinks, want 3", len(st.sinks))
	}
	names := []string{st.sinks[0].sinkName(), st.sinks[1].sinkName(), st.sinks[2].sinkName()}
	if strings.Join(names, ",") != "soc,archive,local" {
		t.Errorf("sink names %v", names)
	}
	soc, archive := st.sinks[0].cfg.(*splunkhec.Config), st.sinks[1].cfg.(*splunkhec.Config)
	if soc.URL != "https://soc.example.com:8088" || soc.Token.Reveal() != "soc-secret" || soc.Index != "soc" {
		t.Errorf("soc: url %q token %q index %q", soc.URL, soc.Token.Reveal(), soc.Index)
	}
	if archive.URL != "https://archive.example.com:8088" || archive.Token.Reveal() != "archive-secret" || archive.Index != "" {
		t.Errorf("archive: url %q token %q index %q", archive.URL, archive.Token.Reveal(), archive.Index)
	}
	if st.sinks[0].batch.Events != 50 || st.sinks[1].batch.Events != 500 {
		t.Errorf("batch events %d %d, want 50 500", st.sinks[0].batch.Events, st.sinks[1].batch.Events)
	}
	if st.sinks[0].filter == nil || st.sinks[1].filter == nil || st.sinks[2].filter != nil {
		t.Errorf("filters %v %v %v", st.sinks[0].filter, st.sinks[1].filter, st.sinks[2].filter)
	}
	if f := st.sinks[2].cfg.(*file.Config); f.Format != "ecs" || !strings.HasSuffix(f.Path, "out.ndjson") {
		t.Errorf("file sink %+v", f)
	}
	if !strings.HasSuffix(st.spool.DataDir, "/data") {
		t.Errorf("data_dir %q", st.spool.DataDir)
	}
}

// TestConfigFileEnvOverrides: a set environment variable wins over the
// file for the setting it names, in every block of that kind.
func TestConfigFileEnvOverrides(t *testing.T) {
	st, err := loadTwoSplunks(t, map[string]string{
		"AUDITBRIDGE_SPLUNK_INDEX":        "from_env",
		"AUDITBRIDGE_SPLUNK_TOKEN":        "env-token",
		"AUDITBRIDGE_SPLUNK_BATCH_EVENTS": "7",
		"AUDITBRIDGE_DATA_DIR":            "/env/data",
	})
	if err != nil {
		t.Fatalf("loadSettings: %v", err)
	}
	for _, ss := range st.sinks[:2] {
		c := ss.cfg.(*splunkhec.Config)
		if c.Index != "from_env" || c.Token.Reveal() != "env-token" || ss.batch.Events != 7 {
			t.Errorf("%s: index %q token %q batch %d", ss.sinkName(), c.Index, c.Token.Reveal(), ss.batch.Events)
		}
	}
	if !strings.HasSuffix(st.sinks[0].cfg.(*splunkhec.Config).URL, "soc.example.com:8088") {
		t.Error("a setting the environment leaves unset lost its file value")
	}
	if st.spool.DataDir != "/env/data" {
		t.Errorf("data dir %q", st.spool.DataDir)
	}
	// A secret given as <NAME>_FILE in the environment also wins over file().
	dir := t.TempDir()
	tok := filepath.Join(dir, "t")
	if err := os.WriteFile(tok, []byte("file-env-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err = loadTwoSplunks(t, map[string]string{"AUDITBRIDGE_SPLUNK_TOKEN_FILE": tok})
	if err != nil {
		t.Fatalf("loadSettings: %v", err)
	}
	if got := st.sinks[0].cfg.(*splunkhec.Config).Token.Reveal(); got != "file-env-token" {
		t.Errorf("token %q", got)
	}
}

// TestConfigFileErrors: every problem names file:line:column and, for a
// block, the block and the attribute.
func TestConfigFileErrors(t *testing.T) {
	tests := []struct {
		name, text string
		env        map[string]string
		want       []string
	}{
		{"syntax", "sink \"file\" \"a\" {\n  path = \n}\n", nil, []string{"auditbridge.hcl:2:"}},
		{"unknown attribute", "sink \"file\" \"a\" {\n  path = \"/x\"\n  formta = \"ecs\"\n}\n", nil,
			[]string{`auditbridge.hcl:3:3: sink "file" "a": unknown setting "formta"; did you mean "format"?`}},
		{"bad value", "sink \"file\" \"a\" {\n  path = \"/x\"\n  batch_events = \"many\"\n}\n", nil,
			[]string{`auditbridge.hcl:3:3: sink "file" "a": batch_events: invalid value "many"`}},
		{"validation of a file value", "sink \"file\" \"a\" {\n  path = \"/x\"\n  format = \"xml\"\n}\n", nil,
			[]string{`auditbridge.hcl:3:3: sink "file" "a": format:`}},
		{"required and missing", "sink \"splunk\" \"a\" {\n  token = \"t\"\n}\n", nil,
			[]string{`auditbridge.hcl:1:1: sink "splunk" "a": url (AUDITBRIDGE_SPLUNK_URL):`}},
		{"bad filter", "sink \"stdout\" \"a\" {\n  filter = \"prodcut == \\\"x\\\"\"\n}\n", nil,
			[]string{`auditbridge.hcl:2:3: sink "stdout" "a": filter`, `unknown field "prodcut"`}},
		{"unknown kind", "sink \"kafka\" \"a\" {\n}\n", nil, []string{`auditbridge.hcl:1:6: unknown sink kind "kafka"`}},
		{"duplicate name", "sink \"stdout\" \"a\" {}\nsink \"file\" \"a\" {\n  path = \"/x\"\n}\n", nil,
			[]string{`auditbridge.hcl:2:13: sink "a" is defined twice (first at`}},
		{"bad name", "sink \"stdout\" \"A.b\" {}\n", nil, []string{`auditbridge.hcl:1:15: sink "A.b": a sink name is`}},
		{"top-level typo", "log_levle = \"debug\"\nsink \"stdout\" \"a\" {}\n", nil,
			[]string{`auditbridge.hcl:1:1: unknown setting "log_levle"; did you mean "log_level"?`}},
		{"env() unset", "sink \"splunk\" \"a\" {\n  url = \"https://x:8088\"\n  token = env(\"NOT_SET_T\")\n}\n", nil,
			[]string{`auditbridge.hcl:3:`, "NOT_SET_T is not set"}},
		{"no sink", "log_level = \"debug\"\n", nil, []string{"no sink block"}},
		{"SINKS with a file", "sink \"stdout\" \"a\" {}\n", map[string]string{"AUDITBRIDGE_SINKS": "stdout"},
			[]string{"AUDITBRIDGE_SINKS: not used with AUDITBRIDGE_CONFIG"}},
		{"source filter", "source \"hec\" {\n  addr = \"127.0.0.1:0\"\n  filter = \"kind == \\\"x\\\"\"\n}\nsink \"stdout\" \"a\" {}\n", nil,
			[]string{`auditbridge.hcl:3:3: source "hec": filter is a sink setting`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"AUDITBRIDGE_CONFIG": writeConfig(t, t.TempDir(), tc.text)}
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := loadSettings(envMap(env))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestConfigFileSource(t *testing.T) {
	dir := t.TempDir()
	p := writeConfig(t, dir, "source \"hec\" {\n  addr = \"127.0.0.1:0\"\n  tokens = [\"t1\"]\n  max_events = 10\n}\nsink \"stdout\" \"out\" {}\n")
	st, err := loadSettings(envMap(map[string]string{"AUDITBRIDGE_CONFIG": p}))
	if err != nil {
		t.Fatalf("loadSettings: %v", err)
	}
	if len(st.sources) != 1 || st.sources[0].spec.name != "hec" || st.sources[0].cfg.(*hecSettings).MaxEvents != 10 {
		t.Fatalf("sources %+v", st.sources)
	}
}

func TestConfigFlag(t *testing.T) {
	rest, getenv, err := configFlag([]string{"a", "--config", "x.hcl", "b"}, envMap(nil))
	if err != nil || strings.Join(rest, " ") != "a b" || getenv("AUDITBRIDGE_CONFIG") != "x.hcl" {
		t.Fatalf("rest %q config %q err %v", rest, getenv("AUDITBRIDGE_CONFIG"), err)
	}
	if _, _, err := configFlag([]string{"--config"}, envMap(nil)); err == nil {
		t.Error("--config without a file: no error")
	}
}

// TestConfigFileTemplates: destination templates written as HCL
// interpolation reach the sink as ${field} text; a default uses $${…}.
func TestConfigFileTemplates(t *testing.T) {
	dir := t.TempDir()
	p := writeConfig(t, dir, `
sink "splunk" "soc" {
  url        = "https://soc.example.com:8088"
  token      = "t"
  index      = "hashicorp_${product}"
  sourcetype = "hashicorp:${actor.type}:$${kind:-none}"
}
`)
	st, err := loadSettings(envMap(map[string]string{"AUDITBRIDGE_CONFIG": p}))
	if err != nil {
		t.Fatalf("loadSettings: %v", err)
	}
	c := st.sinks[0].cfg.(*splunkhec.Config)
	if c.Index != "hashicorp_${product}" || c.Sourcetype != "hashicorp:${actor.type}:${kind:-none}" {
		t.Errorf("index %q sourcetype %q", c.Index, c.Sourcetype)
	}
	p = writeConfig(t, dir, "sink \"splunk\" \"soc\" {\n  url = \"https://x:8088\"\n  token = \"t\"\n  index = \"x_${prodcut}\"\n}\n")
	if _, err := loadSettings(envMap(map[string]string{"AUDITBRIDGE_CONFIG": p})); err == nil ||
		!strings.Contains(err.Error(), "auditbridge.hcl:4:") {
		t.Errorf("unknown field in a template: %v", err)
	}
}

// TestConfigFileDocumentsEveryVariable: every variable `auditbridge env`
// lists (but SINKS and CONFIG) is an attribute of exactly one place in the
// file, and no two variables of one block share an attribute name.
func TestConfigFileDocumentsEveryVariable(t *testing.T) {
	places := map[string][]string{} // variable → where
	add := func(where string, attrs map[string]attrDef) {
		seen := map[string]string{}
		for v, a := range attrs {
			if prev, dup := seen[a.attr]; dup {
				t.Errorf("%s: %s and %s are both attribute %q", where, prev, v, a.attr)
			}
			seen[a.attr] = v
			places[v] = append(places[v], where)
		}
	}
	add("top level", componentAttrs("", coreSpecs()...))
	for _, s := range sourceSpecs() {
		add("source "+s.name, componentAttrs(sourcePrefix(s.name), s.config()))
	}
	for _, s := range sinkSpecs() {
		add("sink "+s.name, sinkAttrs(s))
	}
	for _, g := range envGroups() {
		vars, err := envVars(g.prefix, g.spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vars {
			if v.Name == envPrefix+"SINKS" || v.Name == configFileVar {
				continue
			}
			if len(places[v.Name]) == 0 {
				t.Errorf("%s has no attribute in the config file", v.Name)
			}
		}
	}
	if a := sinkAttrs(mustSinkSpec(t, "splunk")); a["AUDITBRIDGE_SPLUNK_URL"].attr != "url" || a["AUDITBRIDGE_SPLUNK_BATCH_EVENTS"].attr != "batch_events" {
		t.Errorf("splunk attributes: %+v", a)
	}
	if a := sinkAttrs(mustSinkSpec(t, "file")); a["AUDITBRIDGE_FILE_PATH"].attr != "path" || a["AUDITBRIDGE_FILE_FORMAT"].attr != "format" {
		t.Errorf("file attributes: %+v", a)
	}
}

func mustSinkSpec(t *testing.T, kind string) sinkSpec {
	t.Helper()
	s, ok := findSinkSpec(kind)
	if !ok {
		t.Fatalf("no sink %s", kind)
	}
	return s
}
