package bridge

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (certPEM, keyPEM []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalECPrivateKey(key)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
	sc, sk := leaf("nats", 2, x509.ExtKeyUsageServerAuth)
	cc, ck := leaf("bridge", 3, x509.ExtKeyUsageClientAuth)
	write("client.pem", cc)
	write("client.key", ck)
	pair, err := tls.X509KeyPair(sc, sk)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return dir, &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: pool,
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
		TLSCert: filepath.Join(pki, "client.pem"), TLSKey: filepath.Join(pki, "client.key")}
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
