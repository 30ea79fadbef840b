package hec

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAuthenticatorCheck(t *testing.T) {
	a := newAuthenticator([]string{"tok-one", "tok-two-longer"})
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	tests := []struct {
		name   string
		header string
		query  string
		want   code
	}{
		{"splunk scheme", "Splunk tok-one", "", codeSuccess},
		{"second token", "Splunk tok-two-longer", "", codeSuccess},
		{"scheme is case-insensitive", "splunk tok-one", "", codeSuccess},
		{"bearer", "Bearer tok-two-longer", "", codeSuccess},
		{"basic with token as password", basic("x", "tok-one"), "", codeSuccess},
		{"basic with empty user", basic("", "tok-one"), "", codeSuccess},
		{"missing", "", "", codeTokenRequired},
		{"query token not enabled", "", "token=tok-one", codeQueryAuthDisabled},
		{"wrong token", "Splunk tok-three", "", codeInvalidToken},
		{"prefix of a token", "Splunk tok-on", "", codeInvalidToken},
		{"token with suffix", "Splunk tok-one1", "", codeInvalidToken},
		{"wrong basic password", basic("tok-one", "nope"), "", codeInvalidToken},
		{"scheme only", "Splunk", "", codeInvalidAuth},
		{"scheme with blank token", "Splunk   ", "", codeInvalidAuth},
		{"unknown scheme", "Token tok-one", "", codeInvalidAuth},
		{"bare token", "tok-one", "", codeInvalidAuth},
		{"basic not base64", "Basic !!!", "", codeInvalidAuth},
		{"basic without colon", "Basic " + base64.StdEncoding.EncodeToString([]byte("tok-one")), "", codeInvalidAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/services/collector/event?"+tt.query, nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			if got := a.check(r); got != tt.want {
				t.Errorf("check(%q) = %d, want %d", tt.header, got, tt.want)
			}
		})
	}
}

func TestAuthenticatorNoTokensAcceptsNothing(t *testing.T) {
	a := newAuthenticator(nil)
	for _, tok := range []string{"", "x"} {
		if a.accepts(tok) {
			t.Errorf("accepts(%q) with no tokens configured", tok)
		}
	}
	if newAuthenticator([]string{""}).accepts("") {
		t.Error("an empty token is accepted")
	}
}
