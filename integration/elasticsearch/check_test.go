package elasticsearch_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// TestCheckCommandOnZinc runs `auditbridge check` against ZincSearch: with
// the right password the sink line is ok and the probe's plain-words status
// is logged; with a wrong one the line says FAILED and the exit code is 1.
func TestCheckCommandOnZinc(t *testing.T) {
	z := startZinc(t)
	tests := []struct {
		name     string
		password string
		install  string
		wantCode int
		wantOut  string
		wantLog  string
	}{
		{name: "ok", password: zincPassword, install: "true", wantCode: 0, wantOut: "sink elasticsearch: ok",
			wantLog: "index template auditbridge-hashicorp-audit missing (installed before the first delivery)"},
		{name: "template missing, install off", password: zincPassword, install: "false", wantCode: 1,
			wantOut: "sink elasticsearch: FAILED: configuration: elasticsearch: index template auditbridge-hashicorp-audit missing"},
		{name: "wrong password", password: "nope", install: "true", wantCode: 1, wantOut: "sink elasticsearch: FAILED: elasticsearch: cluster: configuration: status 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(testutil.BridgeBinary(t), "check")
			cmd.Env = []string{
				"PATH=" + os.Getenv("PATH"),
				"AUDITBRIDGE_DATA_DIR=" + t.TempDir(),
				"AUDITBRIDGE_ADMIN_ADDR=" + fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)),
				"AUDITBRIDGE_SINKS=elasticsearch",
				"AUDITBRIDGE_ES_ADDRESSES=" + z.base,
				"AUDITBRIDGE_ES_USERNAME=" + zincUser,
				"AUDITBRIDGE_ES_PASSWORD=" + tt.password,
				"AUDITBRIDGE_ES_COMPAT=zincsearch",
				"AUDITBRIDGE_ES_INSTALL_TEMPLATE=" + tt.install,
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode || !strings.Contains(stdout.String(), tt.wantOut) || !strings.Contains(stderr.String(), tt.wantLog) {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nwant %q in it\nstderr:\n%s\nwant %q in it",
					code, tt.wantCode, stdout.String(), tt.wantOut, stderr.String(), tt.wantLog)
			}
			if strings.Contains(stdout.String()+stderr.String(), tt.password) {
				t.Errorf("the password was printed")
			}
		})
	}
}
