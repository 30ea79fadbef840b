package tfc

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"net/http/httptest"

	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
	"github.com/hashicorp/go-hclog"
)

// A private TFE host with its own CA: refused without TFC_TLS_CA (TLS
// verification is always on), accepted with it.
func TestCustomCA(t *testing.T) {
	sim := tfcsim.New(testToken)
	sim.Add(tfcsim.NewGenerator("org-tls", 9).Next(time.Now()))
	srv := httptest.NewTLSServer(sim)
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	check := func(ca string) []OrgStatus {
		cfg := testConfig(srv.URL)
		cfg.TLSCA = ca
		src, err := New(cfg, State{KV: newMemKV()}, nil, hclog.NewNullLogger())
		if err != nil {
			t.Fatal(err)
		}
		return src.CheckOrgs(context.Background())
	}
	if st := check(""); st[0].Err == nil || !strings.Contains(st[0].Err.Error(), "certificate") {
		t.Fatalf("without the CA: %v, want a certificate error", st[0])
	}
	st := check(caFile)
	if st[0].Err != nil || st[0].Organization != "org-tls" {
		t.Fatalf("with the CA: %+v", st[0])
	}
	if got := st[0].String(); !strings.Contains(got, "organization org-tls") {
		t.Errorf("check line = %q", got)
	}
}

func TestCheckExplainsAuthProblems(t *testing.T) {
	for _, tc := range []struct {
		status int
		says   string
	}{{401, "invalid, expired or revoked"}, {404, "audit-logging entitlement"}} {
		sim := tfcsim.New()
		sim.SetTokenStatus(testToken, tc.status)
		srv := httptest.NewServer(sim)
		src, err := New(testConfig(srv.URL), State{KV: newMemKV()}, nil, hclog.NewNullLogger())
		if err != nil {
			t.Fatal(err)
		}
		line := src.CheckOrgs(context.Background())[0].String()
		srv.Close()
		if !strings.Contains(line, "FAIL") || !strings.Contains(line, tc.says) {
			t.Errorf("%d: check line = %q, want it to say %q", tc.status, line, tc.says)
		}
		if strings.Contains(line, testToken) {
			t.Errorf("check line leaks the token: %q", line)
		}
	}
}
