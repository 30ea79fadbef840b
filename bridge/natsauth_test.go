package bridge

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/hashicorp/go-hclog"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nats://127.0.0.1:4222", "nats://127.0.0.1:4222"},
		{"nats://bridge:s3cret@nats-1:4222", "nats://[REDACTED]@nats-1:4222"},
		{"nats://t0ken@nats-1:4222,tls://u:p@nats-2:4222", "nats://[REDACTED]@nats-1:4222,tls://[REDACTED]@nats-2:4222"},
		{"nats://a:b%zz@host:1", "nats://[REDACTED]@host:1"}, // unparsable escape
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// startSecureNATS runs a JetStream server that needs an NKey user and
// verifies client certificates (mutual TLS) or, with password set, a user
// and password instead.
func startSecureNATS(t *testing.T, opts *server.Options) *server.Server {
	t.Helper()
	opts.Host, opts.Port, opts.JetStream, opts.StoreDir, opts.NoLog, opts.NoSigs = "127.0.0.1", -1, true, t.TempDir(), true, true
	ns, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		t.Fatal("nats server did not start")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	return ns
}

// testPKI writes a CA, a server certificate for 127.0.0.1 and a client
// certificate, and returns their paths and the server's TLS config.
func testPKI(t *testing.T) (dir string, srv *tls.Config) {
	t.Helper()
	dir = t.TempDir()
	ca := testutil.NewCA(t, "test ca")
	ca.WritePEM(t, dir, "ca")
	ca.Issue(t, "bridge", []string{"127.0.0.1"}, testutil.ClientAuth).WritePEM(t, dir, "client")
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return dir, &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, "nats", []string{"127.0.0.1"}).TLS()}, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}
}

func TestExternalNATSWithNKeyAndMutualTLS(t *testing.T) {
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := user.PublicKey()
	seed, _ := user.Seed()
	pki, tlsCfg := testPKI(t)
	seedFile := filepath.Join(pki, "user.nk")
	if err := os.WriteFile(seedFile, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	ns := startSecureNATS(t, &server.Options{Nkeys: []*server.NkeyUser{{Nkey: pub}},
		TLS: true, TLSVerify: true, TLSConfig: tlsCfg})
	ctx := context.Background()
	good := DefaultSpoolConfig("")
	good.NATSURL = ns.ClientURL() // tls://127.0.0.1:port
	good.NATSAuth = NATSAuth{NKeyFile: seedFile, TLSCA: filepath.Join(pki, "ca.pem"),
		TLSCert: filepath.Join(pki, "client.pem"), TLSKey: filepath.Join(pki, "client-key.pem")}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSpool(ctx, good, hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatalf("open with nkey and mutual TLS: %v", err)
	}
	sink := newRecordSink("sec", nil)
	stop := startDispatcher(t, s, sink, fastBatch())
	if err := s.Publish(ctx, testEvents("sec", 3)); err != nil {
		t.Errorf("publish: %v", err)
	}
	waitFor(t, "delivery over nkey and mutual TLS", 20*time.Second, func() bool { return sink.count() == 3 })
	stop()
	_ = s.Close(ctx)

	for name, edit := range map[string]func(*SpoolConfig){
		"no client certificate": func(c *SpoolConfig) { c.TLSCert, c.TLSKey = "", "" },
		"no nkey":               func(c *SpoolConfig) { c.NKeyFile = "" },
		"untrusted server":      func(c *SpoolConfig) { c.TLSCA = "" },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := good
			edit(&cfg)
			cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			if s, err := OpenSpool(cctx, cfg, hclog.NewNullLogger(), nil); err == nil {
				_ = s.Close(ctx)
				t.Fatal("connected without it")
			}
		})
	}
}

// A password in NATS_URL never reaches an error or the log.
func TestNATSURLRedactedInErrorsAndLogs(t *testing.T) {
	ns := startSecureNATS(t, &server.Options{Username: "bridge", Password: "right-password"})
	cfg := DefaultSpoolConfig("")
	cfg.NATSURL = "nats://bridge:wrong-password-1234@" + strings.TrimPrefix(ns.ClientURL(), "nats://")
	var logs bytes.Buffer
	log := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Trace})
	cctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := OpenSpool(cctx, cfg, log, nil)
	if err == nil {
		t.Fatal("connected with a wrong password")
	}
	if strings.Contains(err.Error(), "wrong-password-1234") || strings.Contains(logs.String(), "wrong-password-1234") {
		t.Fatalf("the password leaked:\nerror: %v\nlog: %s", err, logs.String())
	}
	if !strings.Contains(err.Error(), "[REDACTED]@127.0.0.1") {
		t.Errorf("error %q does not name the (redacted) server", err)
	}
	cfg.NATSURL = "nats://bridge:right-password@" + strings.TrimPrefix(ns.ClientURL(), "nats://")
	s, err := OpenSpool(context.Background(), cfg, log, nil)
	if err != nil {
		t.Fatalf("user and password in the URL: %v", err)
	}
	_ = s.Close(context.Background())
}

func TestNATSAuthValidate(t *testing.T) {
	cfg := DefaultSpoolConfig(t.TempDir())
	cfg.NATSAuth = NATSAuth{CredsFile: "/nope.creds", NKeyFile: "/nope.nk", TLSCert: "/c.pem"}
	err := cfg.Validate()
	for _, want := range []string{"NATS_CREDS_FILE: is for an external NATS", "NATS_NKEY_FILE: set only one", "NATS_TLS_CERT: AUDITBRIDGE_NATS_TLS_CERT and AUDITBRIDGE_NATS_TLS_KEY"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to say %q", err, want)
		}
	}
	cfg.NATSURL = "nats://127.0.0.1:4222"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "NATS_CREDS_FILE: stat /nope.creds") {
		t.Errorf("Validate() = %v, want the missing creds file named", err)
	}
}
