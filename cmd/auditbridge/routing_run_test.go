package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReplayRoutesToNamedSinks: two file sinks of one kind in one process,
// each with its filter, each get exactly their events; renaming one in the
// file warns about the old name's backlog, and drop-sink --config releases
// it.
func TestReplayRoutesToNamedSinks(t *testing.T) {
	dir := t.TempDir()
	config := func(second string) string {
		return writeConfig(t, dir, `
data_dir   = "`+filepath.Join(dir, "data")+`"
admin_addr = "off"
log_level  = "warn"

sink "file" "even" {
  path       = "`+filepath.Join(dir, "even.ndjson")+`"
  batch_wait = "50ms"
  filter     = "id matches \"[02468]$\""
}

sink "file" "`+second+`" {
  path       = "`+filepath.Join(dir, second+".ndjson")+`"
  batch_wait = "50ms"
  filter     = "id matches \"[13579]$\""
}
`)
	}
	replay := func(cfg, input string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		env := envMap(map[string]string{"AUDITBRIDGE_CONFIG": cfg})
		if code := run(context.Background(), []string{"replay"}, env, strings.NewReader(input), &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr.String())
		}
		return stderr.String()
	}
	var in strings.Builder
	for _, id := range []string{"r-0", "r-1", "r-2", "r-3", "r-4"} {
		in.WriteString(tfcLine(id))
	}
	cfg := config("odd")
	if got := replay(cfg, in.String()); strings.Contains(got, "not configured") {
		t.Fatalf("stale warning with every sink configured:\n%s", got)
	}
	for file, want := range map[string]string{"even": "r-0 r-2 r-4", "odd": "r-1 r-3"} {
		b, err := os.ReadFile(filepath.Join(dir, file+".ndjson"))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var ev struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			got = append(got, ev.ID)
		}
		slices.Sort(got)
		if strings.Join(got, " ") != want {
			t.Errorf("%s: events %v, want %s", file, got, want)
		}
	}
	cfg = config("renamed")
	got := replay(cfg, tfcLine("r-5"))
	if !strings.Contains(got, "spool keeps a backlog for a sink that is not configured") || !strings.Contains(got, "sink=odd") {
		t.Fatalf("no warning about the renamed sink's old consumer:\n%s", got)
	}
	var stdout, stderr bytes.Buffer
	env := envMap(nil)
	if code := run(context.Background(), []string{"drop-sink", "--config", cfg, "renamed"}, env, nil, &stdout, &stderr); code != 2 {
		t.Errorf("drop-sink of a configured sink: exit %d, want 2\n%s", code, stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"drop-sink", "--config", cfg, "odd"}, env, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("drop-sink odd: exit %d\n%s", code, stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	// replay and dlq take --config too.
	if code := run(context.Background(), []string{"replay", "--config", cfg}, env, strings.NewReader(tfcLine("r-6")), &stdout, &stderr); code != 0 ||
		strings.Contains(stderr.String(), "sink=odd") {
		t.Errorf("replay --config: exit %d, stderr:\n%s", code, stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"dlq", "list", "--config", cfg, "-sink", "even"}, env, nil, &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "0 dead letters listed") {
		t.Errorf("dlq list --config: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
