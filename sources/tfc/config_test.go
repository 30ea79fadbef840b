package tfc

import (
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := Config{
		Tokens: "a:1,b", Address: "ftp://x", Interval: 0, Backfill: -time.Hour, PageSize: 1001,
		Overlap: time.Second, RateLimit: 31, Timeout: 0, AuthRetry: 0, LeaseTTL: time.Second,
		TLSCA: "/does/not/exist.pem",
	}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate accepted a bad config")
	}
	for _, name := range []string{"TFC_TOKENS", "TFC_ADDRESS", "TFC_INTERVAL", "TFC_BACKFILL", "TFC_PAGE_SIZE",
		"TFC_OVERLAP", "TFC_RATE_LIMIT", "TFC_TIMEOUT", "TFC_AUTH_RETRY", "TFC_LEASE_TTL", "TFC_TLS_CA", "TFC_MAX_PAGES"} {
		if !strings.Contains(err.Error(), "AUDITBRIDGE_"+name+":") {
			t.Errorf("error does not name AUDITBRIDGE_%s:\n%v", name, err)
		}
	}
	if strings.Contains(err.Error(), ":1") {
		t.Errorf("error leaks a token: %v", err)
	}
}

func TestOrgs(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		labels  []string
		wantErr string
	}{
		{"single token", Config{Token: "t"}, []string{"default"}, ""},
		{"several", Config{Tokens: " prod:t1 , staging:t2,"}, []string{"prod", "staging"}, ""},
		{"both", Config{Token: "t", Tokens: "prod:t1"}, []string{"default", "prod"}, ""},
		{"duplicate label", Config{Tokens: "a:1,a:2"}, nil, "used twice"},
		{"missing token", Config{Tokens: "a:"}, nil, "not label:token"},
		{"bad label", Config{Tokens: "a b:1"}, nil, "may hold only"},
		{"none", Config{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orgs, err := tt.cfg.Orgs()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range orgs {
				got = append(got, o.Label)
				if o.Token.Reveal() == "" {
					t.Errorf("org %s has no token", o.Label)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.labels, ",") {
				t.Errorf("labels = %v, want %v", got, tt.labels)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	cfg := Config{Token: bridge.Secret("very-secret")}
	for _, s := range []string{cfg.Token.String(), cfg.Token.GoString()} {
		if strings.Contains(s, "very-secret") {
			t.Fatalf("secret printed: %s", s)
		}
	}
}
