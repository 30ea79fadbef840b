package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/internal/testutil"
)

// TestCheckElasticsearchFingerprint: `auditbridge check` against real
// crypto/tls servers on 127.0.0.1 with AUDITBRIDGE_ES_TLS_FINGERPRINT set
// to the CA's fingerprint. A stranger's certificate presented with the
// genuine CA certificate, and a certificate of the right CA for another
// host, fail the check in plain words with exit code 1, and the server
// never gets the password.
func TestCheckElasticsearchFingerprint(t *testing.T) {
	ca := testutil.NewCA(t, "Elasticsearch security auto-configuration HTTP CA")
	tests := []struct {
		name     string
		served   tls.Certificate
		wantCode int
		wantOut  string
	}{
		{"leaf signed by the pinned CA", ca.Issue(t, "es01", []string{"127.0.0.1"}).TLS(ca), 0,
			"sink elasticsearch: ok"},
		{"stranger's leaf followed by the pinned CA", testutil.SelfSigned(t, "es01", []string{"127.0.0.1"}).TLS(ca), 1,
			`sink elasticsearch: FAILED: elasticsearch: cluster: configuration: ` +
				`TLS certificate check with AUDITBRIDGE_ES_TLS_FINGERPRINT failed: the server's certificate (subject "CN=es01") ` +
				`is not signed by the pinned CA "CN=Elasticsearch security auto-configuration HTTP CA", which the server sent along`},
		{"wrong host name under the pinned CA", ca.Issue(t, "es01", []string{"es01.example"}).TLS(ca), 1,
			`TLS certificate check with AUDITBRIDGE_ES_TLS_FINGERPRINT failed: the server's certificate is signed by the pinned CA but is not valid for host "127.0.0.1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url, auth := esTLSServer(t, tc.served)
			dir := t.TempDir()
			env := map[string]string{
				"AUDITBRIDGE_DATA_DIR": filepath.Join(dir, "data"), "AUDITBRIDGE_LOG_LEVEL": "error",
				"AUDITBRIDGE_SINKS": "elasticsearch", "AUDITBRIDGE_ES_ADDRESSES": url,
				"AUDITBRIDGE_ES_USERNAME": "elastic", "AUDITBRIDGE_ES_PASSWORD": "s3cret",
				"AUDITBRIDGE_ES_TLS_FINGERPRINT": strings.ToUpper(ca.Fingerprint()),
			}
			var out bytes.Buffer
			code := run(context.Background(), []string{"check"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &out)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tc.wantCode, out.String())
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output lacks %q:\n%s", tc.wantOut, out.String())
			}
			if strings.Contains(out.String(), "s3cret") {
				t.Errorf("output shows the password:\n%s", out.String())
			}
			got := auth()
			if tc.wantCode == 0 && len(got) == 0 {
				t.Error("no request reached the server")
			}
			if tc.wantCode != 0 && len(got) != 0 {
				t.Errorf("the server got %d requests (Authorization %q); want none", len(got), got)
			}
		})
	}
}

// esTLSServer serves GET / as Elasticsearch 8 does (404 elsewhere) on a
// crypto/tls listener presenting cert, and returns its URL and a function
// listing the Authorization header of every request it got.
func esTLSServer(t *testing.T, cert tls.Certificate) (string, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var auth []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/" {
			_, _ = io.WriteString(w, `{"name":"es01","version":{"number":"8.15.0"},"tagline":"You Know, for Search"}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"type":"resource_not_found_exception","reason":"not found"},"status":404}`)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0), ReadHeaderTimeout: time.Minute}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}}))
	}()
	t.Cleanup(func() { srv.Close(); <-done })
	return "https://" + ln.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), auth...)
	}
}
