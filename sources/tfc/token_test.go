package tfc

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

// writeToken writes a token file and moves its modification time forward,
// as a secret rotation (a new file mounted or written) does.
func writeToken(t *testing.T, path, content string, at time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

func TestRotatedTokenFileIsReadAgain(t *testing.T) {
	for _, pairs := range []bool{false, true} {
		t.Run(map[bool]string{false: "TFC_TOKEN_FILE", true: "TFC_TOKENS_FILE"}[pairs], func(t *testing.T) {
			f := newFixture(t)
			f.sim = tfcsim.New(testToken, "tok-rotated")
			f.srv.Config.Handler = f.sim
			g := tfcsim.NewGenerator("org-test", 21)
			want := f.addRange(g, 5, f.now.Add(-time.Minute), time.Second)
			path := filepath.Join(t.TempDir(), "token")
			content := func(tok string) string {
				if pairs {
					return "default:" + tok + ",other:tok-x"
				}
				return tok
			}
			writeToken(t, path, content(testToken), time.Now().Add(-time.Hour))
			f.cfg.Token, f.cfg.TokenFile = testToken, path
			if pairs {
				f.cfg.Token, f.cfg.TokenFile = "", ""
				f.cfg.Tokens, f.cfg.TokensFile = bridge.Secret(content(testToken)), path
			}
			p := f.poller(t, f.kv)
			mustCycle(t, p)
			// The organization's policy cuts the old token; the operator
			// writes a new one into the file. No restart.
			f.sim.SetTokenStatus(testToken, http.StatusUnauthorized)
			writeToken(t, path, content("tok-rotated"), time.Now())
			want = append(want, f.addRange(g, 3, f.now, time.Second)...)
			mustCycle(t, p)
			assertExactlyOnce(t, f.pub.IDs(), want)
			reqs := f.sim.Requests()
			if last := reqs[len(reqs)-1]; last.Token != "tok-rotated" || last.Status != http.StatusOK {
				t.Errorf("last request with token %q answered %d, want the rotated token and 200", last.Token, last.Status)
			}
		})
	}
}

// A file that is being rewritten (empty for a moment) keeps the last good
// token.
func TestEmptyTokenFileKeepsLastToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	writeToken(t, path, "tok-a", time.Now().Add(-time.Hour))
	ts := newTokenSource(Org{Label: "default", Token: "tok-a", file: path})
	writeToken(t, path, "", time.Now())
	if got := ts.get(); got != "tok-a" {
		t.Errorf("token = %q after the file emptied, want the last good one", got.Reveal())
	}
}

func TestAuthErrorsSayWhy(t *testing.T) {
	f := newFixture(t)
	g := tfcsim.NewGenerator("org-test", 22)
	f.addRange(g, 2, f.now.Add(-time.Minute), time.Second)
	p := f.poller(t, f.kv)
	f.sim.SetTokenStatus(testToken, http.StatusUnauthorized)
	_, err := p.cycle(context.Background())
	if err == nil || strings.Contains(err.Error(), "worked before") {
		t.Fatalf("first 401: %v; want a 401 without 'worked before'", err)
	}
	f.sim.SetTokenStatus(testToken, http.StatusOK)
	mustCycle(t, p)
	f.sim.SetTokenStatus(testToken, http.StatusUnauthorized)
	_, err = p.cycle(context.Background())
	var ce *bridge.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "worked before") || !strings.Contains(err.Error(), "expiration (TTL) policy") {
		t.Errorf("401 after the token worked: %v; want it to say the token may have expired or been cut by the TTL policy", err)
	}
	f.sim.SetTokenStatus(testToken, http.StatusNotFound)
	_, err = p.cycle(context.Background())
	if err == nil || !strings.Contains(err.Error(), "audit trails may be disabled for the organization") {
		t.Errorf("404: %v; want it to say audit trails may be disabled", err)
	}
}
