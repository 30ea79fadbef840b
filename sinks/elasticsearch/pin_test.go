package elasticsearch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
)

// pinServer is the fake Elasticsearch behind a real crypto/tls server on
// 127.0.0.1 that presents cert (with its chain); hellos counts the
// handshakes it started, so a refusal is known to come from the TLS check.
type pinServer struct {
	f      *fakeES
	url    string
	hellos atomic.Int32
}

func newPinServer(t *testing.T, cert tls.Certificate, maxVersion uint16) *pinServer {
	t.Helper()
	ps := &pinServer{f: newFakeES(t)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tlsLn := tls.NewListener(ln, &tls.Config{
		MaxVersion: maxVersion,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			ps.hellos.Add(1)
			return &cert, nil
		},
	})
	srv := &http.Server{Handler: ps.f.srv.Config.Handler, ErrorLog: log.New(io.Discard, "", 0), ReadHeaderTimeout: time.Minute}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(tlsLn) }()
	t.Cleanup(func() { srv.Close(); <-done })
	ps.url = "https://" + ln.Addr().String()
	return ps
}

// colons writes a fingerprint the way openssl prints it: AB:CD:…
func colons(fp string) string {
	fp = strings.ToUpper(fp)
	var b strings.Builder
	for i := 0; i < len(fp); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(fp[i : i+2])
	}
	return b.String()
}

func TestFingerprintPinning(t *testing.T) {
	ca := testutil.NewCA(t, "Elasticsearch security auto-configuration HTTP CA")
	inter := ca.IssueCA(t, "intermediate")
	leaf := ca.Issue(t, "es01", []string{"localhost", "127.0.0.1"})
	interLeaf := inter.Issue(t, "es02", []string{"127.0.0.1"})
	stranger := testutil.SelfSigned(t, "es01", []string{"127.0.0.1"})
	otherHost := ca.Issue(t, "es03", []string{"es03.example"})
	expired := ca.Issue(t, "es04", []string{"127.0.0.1"}, func(c *x509.Certificate) { c.NotAfter = time.Now().Add(-time.Minute) })
	clientOnly := ca.Issue(t, "es05", []string{"127.0.0.1"}, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	})

	tests := []struct {
		name    string
		served  tls.Certificate
		fp      string
		maxVer  uint16
		wantErr string // empty: delivered
	}{
		{name: "a leaf signed by the pinned CA", served: leaf.TLS(ca), fp: ca.Fingerprint()},
		{name: "a leaf signed by the pinned CA, colons and upper case", served: leaf.TLS(ca), fp: colons(ca.Fingerprint())},
		{name: "a leaf under an intermediate of the pinned CA", served: interLeaf.TLS(inter, ca), fp: ca.Fingerprint()},
		{name: "a pinned intermediate", served: interLeaf.TLS(inter, ca), fp: inter.Fingerprint()},
		{name: "b stranger's self-signed leaf followed by the pinned CA", served: stranger.TLS(ca), fp: ca.Fingerprint(),
			wantErr: `is not signed by the pinned CA "CN=Elasticsearch security auto-configuration HTTP CA"`},
		{name: "c pinned leaf", served: leaf.TLS(ca), fp: leaf.Fingerprint()},
		{name: "c pinned self-signed leaf", served: stranger.TLS(), fp: colons(stranger.Fingerprint())},
		{name: "d wrong host name under the pinned CA", served: otherHost.TLS(ca), fp: ca.Fingerprint(),
			wantErr: `signed by the pinned CA but is not valid for host "127.0.0.1"`},
		{name: "CA not sent by the server", served: leaf.TLS(), fp: ca.Fingerprint(), wantErr: "fingerprint mismatch: none of the 1 certificates"},
		{name: "wrong fingerprint", served: leaf.TLS(ca), fp: strings.Repeat("0", 64), wantErr: "fingerprint mismatch"},
		{name: "pinned certificate is not a CA", served: stranger.TLS(leaf), fp: leaf.Fingerprint(),
			wantErr: "neither the server's own certificate nor a CA certificate"},
		{name: "expired leaf under the pinned CA", served: expired.TLS(ca), fp: ca.Fingerprint(),
			wantErr: "does not verify against the pinned CA (x509: certificate has expired"},
		{name: "leaf not for server authentication", served: clientOnly.TLS(ca), fp: ca.Fingerprint(),
			wantErr: "does not verify against the pinned CA"},
		{name: "TLS 1.1 server", served: leaf.TLS(ca), fp: ca.Fingerprint(), maxVer: tls.VersionTLS11, wantErr: "protocol version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := newPinServer(t, tt.served, tt.maxVer)
			s := newTestSink(t, ps.url, func(c *Config) {
				c.TLSFingerprint = tt.fp
				c.Username, c.Password = "elastic", "s3cret"
			})
			sendErr := s.Send(context.Background(), testEvents(1))
			_, probeErr := s.Probe(context.Background())
			if ps.hellos.Load() == 0 && tt.maxVer == 0 { // a version mismatch ends before the certificate
				t.Fatal("the server saw no TLS handshake")
			}
			if tt.wantErr == "" {
				if sendErr != nil || probeErr != nil {
					t.Fatalf("Send = %v, Probe = %v; want both to work", sendErr, probeErr)
				}
				if len(ps.f.auth) == 0 || ps.f.auth[0] == "" {
					t.Fatalf("no request with credentials reached the server: %q", ps.f.auth)
				}
				return
			}
			for _, err := range []error{sendErr, probeErr} {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want one with %q", err, tt.wantErr)
				}
			}
			if len(ps.f.auth) != 0 {
				t.Errorf("the server got %d requests (Authorization %q); want none", len(ps.f.auth), ps.f.auth)
			}
			var pe *PinError
			if errors.As(sendErr, &pe) {
				var ce *bridge.ConfigError
				if !errors.As(sendErr, &ce) {
					t.Errorf("Send error %v is not a configuration error", sendErr)
				}
			}
		})
	}
}

// TestPinnedDialKeepsContext: the pinned path dials with the request's
// context (a cancelled one dials nothing) and keeps MinVersion.
func TestPinnedDialKeepsContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	cfg := DefaultConfig()
	cfg.TLSFingerprint = strings.Repeat("ab", 32)
	tr, err := newTransport(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tr.DialTLSContext == nil || tr.TLSClientConfig.VerifyConnection == nil {
		t.Fatal("the fingerprint is not checked by our own dialer and VerifyConnection")
	}
	if tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Fatalf("MinVersion %x, want TLS 1.2", tr.TLSClientConfig.MinVersion)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tr.DialTLSContext(ctx, "tcp", ln.Addr().String()); !errors.Is(err, context.Canceled) {
		t.Fatalf("dial with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestVerifyPinnedWithoutHost: a connection with no name to check (an IP
// address reached through a proxy, where the transport's own TLS applies)
// is refused rather than accepted unchecked.
func TestVerifyPinnedWithoutHost(t *testing.T) {
	ca := testutil.NewCA(t, "ca")
	leaf := ca.Issue(t, "es", []string{"127.0.0.1"})
	fp := pinBytes(t, ca.Fingerprint())
	cs := tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf.Cert, ca.Cert}}
	if err := verifyPinned(cs, "127.0.0.1", fp); err != nil {
		t.Fatalf("with the host: %v", err)
	}
	if err := verifyPinned(cs, "", fp); err == nil || !strings.Contains(err.Error(), "no host name") {
		t.Fatalf("without a host = %v, want a refusal", err)
	}
	if err := verifyPinned(tls.ConnectionState{}, "127.0.0.1", fp); err == nil || !strings.Contains(err.Error(), "no certificate") {
		t.Fatalf("no certificates = %v, want a refusal", err)
	}
}

func pinBytes(t *testing.T, fp string) []byte {
	t.Helper()
	b, err := hex.DecodeString(fp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
