package hec

import (
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
)

func secret(s string) bridge.Secret { return bridge.Secret(s) }

// writeSelfSigned writes a self-signed certificate for 127.0.0.1 and its key
// to dir and returns their paths.
func writeSelfSigned(t *testing.T, dir string) (certPath, keyPath string) {
	t.Helper()
	return testutil.SelfSigned(t, "auditbridge-test", []string{"127.0.0.1"}).WritePEM(t, dir, "cert")
}
