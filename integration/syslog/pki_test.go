package syslog

import (
	"testing"

	"github.com/auditbridge/auditbridge/internal/testutil"
)

// writePKI writes ca.pem, server.pem/server-key.pem (for syslog.test and
// 127.0.0.1) and client.pem/client-key.pem, all signed by a throwaway CA,
// into a temp dir.
func writePKI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ca := testutil.NewCA(t, "auditbridge test ca")
	ca.WritePEM(t, dir, "ca")
	ca.Issue(t, "syslog.test", []string{"syslog.test", "127.0.0.1"}).WritePEM(t, dir, "server")
	ca.Issue(t, "bridge.test", []string{"bridge.test", "127.0.0.1"}, testutil.ClientAuth).WritePEM(t, dir, "client")
	return dir
}
