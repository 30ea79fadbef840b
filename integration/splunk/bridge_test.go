package splunk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// bridgeProc is a running `auditbridge run` with the HEC receiver as its source
// and the splunk sink as its only sink.
type bridgeProc struct {
	hecURL   string // the bridge's own HEC receiver
	adminURL string
	log      *bytes.Buffer
}

const inToken = "intake-token"

func startBridge(t *testing.T, env map[string]string) bridgeProc {
	t.Helper()
	bin := testutil.BridgeBinary(t)
	hecPort, adminPort := testutil.FreePort(t), testutil.FreePort(t)
	b := bridgeProc{
		hecURL:   fmt.Sprintf("http://127.0.0.1:%d", hecPort),
		adminURL: fmt.Sprintf("http://127.0.0.1:%d", adminPort),
		log:      &bytes.Buffer{},
	}
	base := map[string]string{
		"AUDITBRIDGE_DATA_DIR":           t.TempDir(),
		"AUDITBRIDGE_SINKS":              "splunk",
		"AUDITBRIDGE_ADMIN_ADDR":         fmt.Sprintf("127.0.0.1:%d", adminPort),
		"AUDITBRIDGE_HEC_ADDR":           fmt.Sprintf("127.0.0.1:%d", hecPort),
		"AUDITBRIDGE_HEC_TOKENS":         inToken,
		"AUDITBRIDGE_SPLUNK_BATCH_WAIT":  "100ms",
		"AUDITBRIDGE_SPLUNK_SOURCE":      "auditbridge-it",
		"AUDITBRIDGE_SPLUNK_HOST":        "bridge-it-host",
		"AUDITBRIDGE_SPLUNK_INDEX":       "hashicorp_audit",
		"AUDITBRIDGE_LOG_LEVEL":          "debug",
		"AUDITBRIDGE_SPLUNK_ACK_TIMEOUT": "5s",
	}
	for k, v := range env {
		base[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "run")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range base {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = b.log, b.log
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("bridge log:\n%s", tail(b.log.Bytes(), 6000))
		}
	})
	if err := testutil.WaitTCP(fmt.Sprintf("127.0.0.1:%d", hecPort), 30*time.Second); err != nil {
		t.Fatalf("%v\nbridge log:\n%s", err, b.log)
	}
	return b
}

// post sends a records file to the bridge's generic endpoint and expects it
// accepted (the spool has it).
func (b bridgeProc) post(t *testing.T, file string) {
	t.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, b.hecURL+"/v1/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Splunk "+inToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("bridge refused %s: %d %s", file, resp.StatusCode, reply)
	}
}

// samples are the test records and what `auditbridge normalize` makes of
// them: the native events (time, product) and their CIM bodies.
type samples struct {
	files  []string
	native []nativeEvent
	cim    []any
}

type nativeEvent struct {
	ID      string    `json:"id"`
	Time    time.Time `json:"time"`
	Product string    `json:"product"`
	Meta    struct {
		TimeSource string `json:"time_source"`
	} `json:"meta"`
}

func loadSamples(t *testing.T) samples {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.json")
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	s := samples{files: files}
	for _, line := range runNormalize(t, "native", files) {
		var ev nativeEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		s.native = append(s.native, ev)
	}
	for _, line := range runNormalize(t, "cim", files) {
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatal(err)
		}
		s.cim = append(s.cim, v)
	}
	if len(s.native) != len(s.cim) || len(s.native) == 0 {
		t.Fatalf("normalize gave %d native and %d cim events", len(s.native), len(s.cim))
	}
	return s
}

func runNormalize(t *testing.T, format string, files []string) []string {
	t.Helper()
	args := append([]string{"normalize", "--format", format}, files...)
	out, err := exec.Command(testutil.BridgeBinary(t), args...).Output()
	if err != nil {
		t.Fatalf("auditbridge %s: %v", strings.Join(args, " "), err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}
