package hec

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/internal/testutil"
)

// serve starts s.Serve on a loopback listener and returns its base URL and
// a function that stops it and returns Serve's error. The socket listens
// before Serve runs, so clients may connect at once.
func serve(t *testing.T, s *Server, pub *blocker, scheme string) (string, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, pub) }()
	stop := func() error { cancel(); return <-done }
	t.Cleanup(func() { cancel() })
	return scheme + "://" + ln.Addr().String(), stop
}

func TestServeTLS(t *testing.T) {
	cert, key := writeSelfSigned(t, t.TempDir())
	cfg := DefaultConfig("127.0.0.1:0", testToken)
	cfg.TLSCert, cfg.TLSKey = cert, key
	s, err := New(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub := newBlocker()
	close(pub.release)
	url, stop := serve(t, s, pub, "https")

	pem, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := func(max uint16) *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: max}}}
	}
	r := <-postAsync(client(0), url+"/services/collector/event", `{"event":{"a":1}}`)
	if r.err != nil || r.status != 200 || r.body != `{"text":"Success","code":0}` {
		t.Fatalf("TLS post: %+v", r)
	}
	h2 := &http.Client{Transport: &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := h2.Get(url + "/services/collector/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Errorf("HTTP/2 health: %d over %s", resp.StatusCode, resp.Proto)
	}
	if s.Addr() == nil || s.Addr().String() != strings.TrimPrefix(url, "https://") {
		t.Errorf("Addr() = %v, want %s", s.Addr(), url)
	}
	if r := <-postAsync(client(tls.VersionTLS11), url+"/services/collector/event", `{"event":{"a":1}}`); r.err == nil {
		t.Errorf("TLS 1.1 client accepted: %+v", r)
	}
	if r := <-postAsync(http.DefaultClient, strings.Replace(url, "https", "http", 1)+"/services/collector/event", `{"event":{"a":1}}`); r.err == nil && r.status == 200 {
		t.Errorf("plain HTTP accepted on the TLS port")
	}
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if pub.stored != 1 {
		t.Errorf("stored %d events, want 1", pub.stored)
	}
}

// TestGracefulShutdown: on ctx done the server stops accepting and lets an
// in-flight request finish; its events are acknowledged.
func TestGracefulShutdown(t *testing.T) {
	s, err := New(DefaultConfig("127.0.0.1:0", testToken), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub := newBlocker()
	url, stop := serve(t, s, pub, "http")
	inflight := postAsync(http.DefaultClient, url+"/services/collector/event", `{"event":"a"}`)
	<-pub.entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	for !s.closing.Load() {
		runtimeGosched()
	}
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	close(pub.release)
	if r := <-inflight; r.err != nil || r.status != 200 {
		t.Fatalf("in-flight request: %+v", r)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if pub.stored != 1 {
		t.Errorf("stored %d, want 1", pub.stored)
	}
	if _, err := http.Get(url + "/services/collector/health"); err == nil {
		t.Error("still accepting after shutdown")
	}
}

// TestForcedShutdown: a request still waiting for the spool when the
// shutdown timeout ends is cancelled and not acknowledged.
func TestForcedShutdown(t *testing.T) {
	cfg := DefaultConfig("127.0.0.1:0", testToken)
	cfg.ShutdownTimeout = 50 * time.Millisecond
	s, err := New(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub := newBlocker()
	url, stop := serve(t, s, pub, "http")
	inflight := postAsync(http.DefaultClient, url+"/services/collector/event", `{"event":"a"}`)
	<-pub.entered
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if r := <-inflight; r.err == nil && r.status == 200 {
		t.Fatalf("cancelled request acknowledged: %+v", r)
	}
	pub.mu.Lock()
	defer pub.mu.Unlock()
	if pub.ctxErr == nil || pub.stored != 0 {
		t.Errorf("Publish ctx error %v, stored %d", pub.ctxErr, pub.stored)
	}
}

func TestHealthWhileShuttingDown(t *testing.T) {
	s, err := New(DefaultConfig("127.0.0.1:0", testToken), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.closing.Store(true)
	w := httptest.NewRecorder()
	s.Handler(&testutil.Publisher{}).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/services/collector/health", nil))
	body, _ := io.ReadAll(w.Body)
	if w.Code != 503 || string(body) != `{"text":"Server is shutting down","code":23}` {
		t.Errorf("got %d %s", w.Code, body)
	}
}

func TestRunListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s, err := New(DefaultConfig(ln.Addr().String(), testToken), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Run(context.Background(), &testutil.Publisher{})
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("Run on a used port: %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{Addr: ":8088"}, nil, nil); err == nil || !strings.Contains(err.Error(), "AUDITBRIDGE_HEC_TOKENS") {
		t.Fatalf("New without tokens: %v", err)
	}
}

func runtimeGosched() { runtime.Gosched() }
