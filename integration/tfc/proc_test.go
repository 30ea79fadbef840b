package tfc

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// proc is one `auditbridge run` with the TFC poller and the file sink.
type proc struct {
	*testutil.Bridge
	admin string
	out   string
}

func newProc(t *testing.T, dir string, env ...string) *proc {
	t.Helper()
	p := &proc{admin: fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), out: filepath.Join(dir, "events.ndjson")}
	p.Bridge = testutil.NewBridge(t, p.admin, append([]string{
		"AUDITBRIDGE_DATA_DIR=" + filepath.Join(dir, "data"),
		"AUDITBRIDGE_SINKS=file",
		"AUDITBRIDGE_FILE_PATH=" + p.out,
		"AUDITBRIDGE_FILE_BATCH_WAIT=100ms",
		"AUDITBRIDGE_ADMIN_ADDR=" + p.admin,
		"AUDITBRIDGE_TFC_INTERVAL=1s",
		"AUDITBRIDGE_LOG_LEVEL=debug",
	}, env...)...)
	return p
}

func (p *proc) start() { p.Start() }
func (p *proc) kill()  { p.Kill() }

func (p *proc) stop() {
	p.T.Helper()
	if err := p.Stop(); err != nil {
		p.T.Errorf("bridge exit after SIGTERM: %v", err)
	}
}

func (p *proc) readyz() (int, string) {
	resp, err := http.Get("http://" + p.admin + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func readIDs(t *testing.T, path string) map[string]int { return testutil.ReadIDs(t, path) }

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, d, what, cond)
}
