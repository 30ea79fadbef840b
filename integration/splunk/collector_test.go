package splunk

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// The collector fixture (integration/fixtures/otelcol, its own module) is
// built once and cached between runs (testutil.FixtureBinary).
func collectorBinary(t *testing.T) string {
	t.Helper()
	bin, err := testutil.FixtureBinary("otelcol")
	if err != nil {
		t.Fatalf("build the otelcol fixture: %v", err)
	}
	return bin
}

// collector is a running splunkhecreceiver → file exporter.
type collector struct {
	URL  string // http://127.0.0.1:<port>
	Out  string // the file exporter's JSON lines
	Port int
}

// startCollector runs the collector with a HEC receiver that accepts only
// token, the ack extension when ack is true, and a file exporter.
func startCollector(t *testing.T, token string, ack bool) collector {
	t.Helper()
	bin := collectorBinary(t)
	dir := t.TempDir()
	c := collector{Port: testutil.FreePort(t), Out: filepath.Join(dir, "out.json")}
	c.URL = fmt.Sprintf("http://127.0.0.1:%d", c.Port)
	cfg := collectorConfig(token, ack, c.Port, c.Out)
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
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
			t.Logf("collector log:\n%s", tail(b, 4000))
		}
	})
	if err := testutil.WaitTCP(fmt.Sprintf("127.0.0.1:%d", c.Port), 30*time.Second); err != nil {
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

// exported is one log record the collector wrote.
type exported struct {
	Attrs        map[string]string // resource attributes (host.name, com.splunk.*)
	TimeUnixNano int64
	Body         any // the event body, as plain JSON values
}

// read parses the file exporter's output so far.
func (c collector) read(t *testing.T) []exported {
	t.Helper()
	f, err := os.Open(c.Out)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []exported
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
					out = append(out, exported{Attrs: attrs, TimeUnixNano: ns, Body: lr.Body.plain()})
				}
			}
		}
	}
	return out
}

// waitFor polls the exported file until it holds n records.
func (c collector) waitFor(t *testing.T, n int, timeout time.Duration) []exported {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := c.read(t)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("collector exported %d records, want %d after %s", len(got), n, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
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

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
