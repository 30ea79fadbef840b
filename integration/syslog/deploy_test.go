package syslog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// The demo stack's syslog-ng runs deploy/syslog-ng.conf and the bridge's
// syslog sink sends with the settings docker-compose.yml gives it. This test
// runs that very config (only its port and output path moved to this
// machine) with the local syslog-ng, sends events with the compose file's
// AUDITBRIDGE_SYSLOG_* settings, and checks every event arrives as its own
// intact record: a framing mismatch (network() reading octet-counted frames
// as newline-delimited) turns several events into one garbled record.
func TestDeployConfigReadsComposeFraming(t *testing.T) {
	if _, err := exec.LookPath("syslog-ng"); err != nil {
		t.Skip("syslog-ng not installed (.ci/run installs syslog-ng-core)")
	}
	project := loadCompose(t)
	conf := deployConf(t, project)
	dir := t.TempDir()
	port := testutil.FreePort(t)
	out := filepath.Join(dir, "audit.json")
	conf = mustReplace(t, conf, "port(601)", fmt.Sprintf(`ip("127.0.0.1") port(%d)`, port))
	conf = mustReplace(t, conf, "/var/log/auditbridge/audit.json", out)
	stop := runSyslogNG(t, dir, conf, fmt.Sprintf("127.0.0.1:%d", port))

	env := map[string]string{}
	for k, v := range composeEnv(t, project, "auditbridge") {
		if name, ok := strings.CutPrefix(k, "AUDITBRIDGE_"); ok && strings.HasPrefix(name, "SYSLOG_") {
			env[name] = v
		}
	}
	if env["SYSLOG_ADDRESS"] == "" {
		t.Fatal("docker-compose.yml gives the bridge no AUDITBRIDGE_SYSLOG_ADDRESS")
	}
	env["SYSLOG_ADDRESS"] = fmt.Sprintf("127.0.0.1:%d", port)
	events := testEvents("deploy", 4)
	s := startSender(t, env, events, "-batch", "4")
	if delivered, dead := s.wait(t); len(delivered) != 4 || len(dead) != 0 {
		t.Fatalf("sink delivered %d, dead-lettered %d; want 4 and 0", len(delivered), len(dead))
	}
	stop() // syslog-ng flushes its file on SIGTERM
	recs := readJSONLines(t, out)
	if len(recs) != len(events) {
		t.Fatalf("syslog-ng wrote %d records for %d events (framing mismatch?):\n%s", len(recs), len(events), dump(recs))
	}
	for i, r := range recs {
		msg, _ := r["MESSAGE"].(string)
		var ev map[string]any
		if err := json.Unmarshal([]byte(msg), &ev); err != nil {
			t.Errorf("record %d: MESSAGE is not the event's JSON (%v): %.300q", i, err, msg)
			continue
		}
		sentActor := events[i]["actor"].(map[string]any)["name"]
		actor, _ := ev["actor"].(map[string]any)
		if ev["id"] != events[i]["id"] || actor == nil || actor["name"] != sentActor {
			t.Errorf("record %d: event %v (actor %v), sent %v (actor name %q)", i, ev["id"], ev["actor"], events[i]["id"], sentActor)
		}
		if r["PROGRAM"] != "auditbridge" {
			t.Errorf("record %d: PROGRAM %v, want auditbridge (RFC 5424 header not parsed)", i, r["PROGRAM"])
		}
	}
}

func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	root := testutil.RepoRoot()
	details := types.ConfigDetails{WorkingDir: root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.yml")}}}
	p, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("auditbridge-demo", true)
		o.SkipConsistencyCheck = true
	})
	if err != nil {
		t.Fatalf("load docker-compose.yml: %v", err)
	}
	return p
}

func composeEnv(t *testing.T, p *types.Project, name string) map[string]string {
	t.Helper()
	s, err := p.GetService(name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// deployConf returns the syslog-ng config the compose file mounts into its
// syslog-ng service, read from deploy/.
func deployConf(t *testing.T, p *types.Project) string {
	t.Helper()
	s, err := p.GetService("syslog-ng")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range s.Volumes {
		if v.Target == "/etc/syslog-ng/syslog-ng.conf" {
			if want := filepath.Join(testutil.RepoRoot(), "deploy", "syslog-ng.conf"); v.Source != want {
				t.Fatalf("syslog-ng mounts %s, want %s", v.Source, want)
			}
			b, err := os.ReadFile(v.Source)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatal("the syslog-ng service mounts no /etc/syslog-ng/syslog-ng.conf")
	return ""
}

func mustReplace(t *testing.T, s, old, repl string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("deploy/syslog-ng.conf: want %q exactly once (update this test with the config)", old)
	}
	return strings.Replace(s, old, repl, 1)
}

// runSyslogNG starts syslog-ng on conf in dir, waits for addr, and returns
// a function that stops it (SIGTERM, then wait); cleanup also stops it.
func runSyslogNG(t *testing.T, dir, conf, addr string) func() {
	t.Helper()
	path := filepath.Join(dir, "syslog-ng.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr testutil.SyncBuffer
	cmd := exec.Command("syslog-ng", "-F", "-e", "--no-caps", "-f", path,
		"-p", filepath.Join(dir, "pid"), "-R", filepath.Join(dir, "persist"), "-c", filepath.Join(dir, "ctl"))
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	if err := waitListening(addr, done, 15*time.Second); err != nil {
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("syslog-ng: %v\n%s", err, stderr.String())
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Error("syslog-ng did not stop on SIGTERM within 20s")
		}
	}
	t.Cleanup(stop)
	return stop
}

func readJSONLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s line %d: %v: %.300s", path, len(out)+1, err, sc.Bytes())
		}
		out = append(out, r)
	}
	return out
}

func dump(recs []map[string]any) string {
	b, _ := json.MarshalIndent(recs, "", "  ")
	return string(b[:min(len(b), 3000)])
}
