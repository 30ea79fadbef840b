package testutil

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The real receivers the integration tests deliver to: ZincSearch (an
// Elasticsearch _bulk server), the OpenTelemetry Collector's Splunk HEC
// receiver and syslog-ng. Each is started on free 127.0.0.1 ports and
// stopped at cleanup; its log is shown when the test fails.

// Zinc user and password of the fixture's first admin.
const (
	ZincUser     = "admin"
	ZincPassword = "zinc-test-Password1"
)

// Zinc is a running ZincSearch fixture; Base is its Elasticsearch API URL.
type Zinc struct {
	Base string
	Logs *SyncBuffer
}

// StartZinc runs a fresh ZincSearch (integration/fixtures/zinc).
func StartZinc(t testing.TB) *Zinc {
	t.Helper()
	bin, err := FixtureBinary("zinc")
	if err != nil {
		t.Fatalf("build zinc fixture: %v", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	data := t.TempDir()
	cmd := exec.Command(bin, "-addr", addr)
	cmd.Dir = data
	cmd.Env = []string{
		"ZINC_DATA_PATH=" + data,
		"ZINC_FIRST_ADMIN_USER=" + ZincUser,
		"ZINC_FIRST_ADMIN_PASSWORD=" + ZincPassword,
		"ZINC_TELEMETRY=false",
		"ZINC_SENTRY=false",
		"ZINC_PROFILER=false",
		"GIN_MODE=release",
	}
	z := &Zinc{Base: "http://" + addr + "/es", Logs: &SyncBuffer{}}
	cmd.Stdout, cmd.Stderr = z.Logs, z.Logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("zinc output:\n%s", z.Logs.String())
		}
	})
	if err := WaitTCP(addr, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return z
}

// IDs returns how often each document _id occurs in index (an index that
// does not exist yet is empty). ZincSearch makes documents searchable
// about a second after they are indexed.
func (z *Zinc) IDs(t testing.TB, index string) map[string]int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": map[string]any{"match_all": map[string]any{}}, "size": 10000})
	req, _ := http.NewRequest(http.MethodPost, z.Base+"/"+index+"/_search", bytes.NewReader(body))
	req.SetBasicAuth(ZincUser, ZincPassword)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	ids := map[string]int{}
	if res.StatusCode != http.StatusOK {
		return ids
	}
	var r struct {
		Hits struct {
			Hits []struct {
				ID string `json:"_id"`
			} `json:"hits"`
		} `json:"hits"`
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Fatalf("zinc search %s: %v", index, err)
	}
	for _, h := range r.Hits.Hits {
		ids[h.ID]++
	}
	return ids
}

// Collector is a running OpenTelemetry Collector (integration/fixtures/otelcol):
// its splunk_hec receiver feeding a file exporter.
type Collector struct {
	URL  string // http://127.0.0.1:<port>
	Out  string // the file exporter's OTLP JSON lines
	Port int
}

// StartCollector runs the collector with a HEC receiver that accepts only
// token, the ack extension when ack is true, and a file exporter.
func StartCollector(t testing.TB, token string, ack bool) *Collector {
	t.Helper()
	bin, err := FixtureBinary("otelcol")
	if err != nil {
		t.Fatalf("build the otelcol fixture: %v", err)
	}
	dir := t.TempDir()
	c := &Collector{Port: FreePort(t), Out: filepath.Join(dir, "out.json")}
	c.URL = fmt.Sprintf("http://127.0.0.1:%d", c.Port)
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(collectorConfig(token, ack, c.Port, c.Out)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--config", cfgPath)
	logf, err := os.Create(filepath.Join(dir, "collector.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("collector log:\n%s", b[max(0, len(b)-4000):])
		}
	})
	if err := WaitTCP(fmt.Sprintf("127.0.0.1:%d", c.Port), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return c
}

// collectorConfig is the collector's YAML: the HEC receiver on 127.0.0.1
// behind bearertokenauth (scheme "Splunk", one token), the ack extension
// when ack is set, and a file exporter writing OTLP JSON lines to out.
func collectorConfig(token string, ack bool, port int, out string) string {
	ackExt, ackRecv := "", ""
	exts := "[bearertokenauth]"
	if ack {
		ackExt, ackRecv, exts = "  ack:\n", "    ack:\n      extension: ack\n", "[bearertokenauth, ack]"
	}
	return fmt.Sprintf(`extensions:
  bearertokenauth:
    scheme: Splunk
    tokens: [%q]
%sreceivers:
  splunk_hec:
    endpoint: 127.0.0.1:%d
    auth:
      authenticator: bearertokenauth
%sexporters:
  file:
    path: %s
    format: json
    flush_interval: 50ms
service:
  extensions: %s
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [splunk_hec]
      exporters: [file]
`, token, ackExt, port, ackRecv, out, exts)
}

// Exported is one log record the collector wrote.
type Exported struct {
	Attrs        map[string]string // resource attributes (host.name, com.splunk.*)
	TimeUnixNano int64
	Body         any // the event body, as plain JSON values
}

// Read parses the file exporter's output so far.
func (c *Collector) Read(t testing.TB) []Exported {
	t.Helper()
	f, err := os.Open(c.Out)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Exported
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var doc otlpLogs
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			continue // a line being written
		}
		for _, rl := range doc.ResourceLogs {
			attrs := map[string]string{}
			for _, kv := range rl.Resource.Attributes {
				attrs[kv.Key], _ = kv.Value.plain().(string)
			}
			for _, sl := range rl.ScopeLogs {
				for _, lr := range sl.LogRecords {
					ns, _ := strconv.ParseInt(lr.TimeUnixNano, 10, 64)
					out = append(out, Exported{Attrs: attrs, TimeUnixNano: ns, Body: lr.Body.plain()})
				}
			}
		}
	}
	return out
}

// OTLP JSON, as much as the tests read.
type otlpLogs struct {
	ResourceLogs []struct {
		Resource struct {
			Attributes []otlpKV `json:"attributes"`
		} `json:"resource"`
		ScopeLogs []struct {
			LogRecords []struct {
				TimeUnixNano string    `json:"timeUnixNano"`
				Body         otlpValue `json:"body"`
			} `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
}

type otlpKV struct {
	Key   string    `json:"key"`
	Value otlpValue `json:"value"`
}

type otlpValue struct {
	String *string                       `json:"stringValue"`
	Bool   *bool                         `json:"boolValue"`
	Int    *string                       `json:"intValue"`
	Double *float64                      `json:"doubleValue"`
	Array  *struct{ Values []otlpValue } `json:"arrayValue"`
	KV     *struct{ Values []otlpKV }    `json:"kvlistValue"`
}

// plain converts an OTLP AnyValue to what encoding/json would decode the
// same JSON into (numbers as float64, objects as maps).
func (v otlpValue) plain() any {
	switch {
	case v.String != nil:
		return *v.String
	case v.Bool != nil:
		return *v.Bool
	case v.Int != nil:
		f, _ := strconv.ParseFloat(*v.Int, 64)
		return f
	case v.Double != nil:
		return *v.Double
	case v.Array != nil:
		out := make([]any, len(v.Array.Values))
		for i, e := range v.Array.Values {
			out[i] = e.plain()
		}
		return out
	case v.KV != nil:
		out := make(map[string]any, len(v.KV.Values))
		for _, kv := range v.KV.Values {
			out[kv.Key] = kv.Value.plain()
		}
		return out
	}
	return nil
}

// SyslogNG is a real syslog-ng receiving RFC 5424 over TCP (octet
// counting) on Addr and writing each message body (the native JSON event)
// as one line to Out, so ReadIDs counts what it received.
type SyslogNG struct {
	Addr string
	Out  string
}

// StartSyslogNG runs syslog-ng in the foreground; the test is skipped when
// it is not installed.
func StartSyslogNG(t testing.TB) *SyslogNG {
	t.Helper()
	if _, err := exec.LookPath("syslog-ng"); err != nil {
		t.Skip("syslog-ng not installed (.ci/run installs syslog-ng-core)")
	}
	dir := t.TempDir()
	port := FreePort(t)
	s := &SyslogNG{Addr: fmt.Sprintf("127.0.0.1:%d", port), Out: filepath.Join(dir, "out.ndjson")}
	conf := fmt.Sprintf(`@version: 3.38
options { keep-hostname(yes); stats-freq(0); };
source s { syslog(ip("127.0.0.1") port(%d) transport("tcp") log-msg-size(1048576)); };
destination d { file("%s" template("$MSG\n")); };
log { source(s); destination(d); flags(flow-control); };
`, port, s.Out)
	if err := os.WriteFile(filepath.Join(dir, "sng.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &SyncBuffer{}
	cmd := exec.Command("syslog-ng", "-F", "-e", "--no-caps", "-f", filepath.Join(dir, "sng.conf"),
		"-p", filepath.Join(dir, "pid"), "-R", filepath.Join(dir, "persist"), "-c", filepath.Join(dir, "ctl"))
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start syslog-ng: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // flushes its destination
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("syslog-ng output:\n%s", logs.String())
		}
	})
	if err := WaitTCP(s.Addr, 20*time.Second); err != nil {
		t.Fatalf("syslog-ng: %v\n%s", err, logs.String())
	}
	return s
}
