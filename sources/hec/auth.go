package hec

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// authenticator checks the token of a request against the configured ones.
// It keeps only SHA-256 digests, and compares the digest of the presented
// token with every configured digest in constant time, without an early
// exit, so neither timing nor length tells which token (if any) came close.
type authenticator struct {
	digests [][sha256.Size]byte
}

func newAuthenticator(tokens []string) authenticator {
	a := authenticator{digests: make([][sha256.Size]byte, 0, len(tokens))}
	for _, t := range tokens {
		a.digests = append(a.digests, sha256.Sum256([]byte(t)))
	}
	return a
}

// check answers codeSuccess when r carries an accepted token, else the HEC
// code to reply with. Accepted forms, as Splunk's HEC:
//
//	Authorization: Splunk <token>
//	Authorization: Basic base64(<any user>:<token>)
//
// and, for generic HTTP clients, Authorization: Bearer <token>. A token in
// the query string (?token=) is refused with code 16, which is what Splunk
// answers when query-string authentication is not enabled for a token.
func (a authenticator) check(r *http.Request) code {
	c, _ := a.identify(r)
	return c
}

// identify is check that also returns which configured token (its index)
// the request carries, or -1.
func (a authenticator) identify(r *http.Request) (code, int) {
	header := r.Header.Get("Authorization")
	if header == "" {
		if r.URL.Query().Has("token") {
			return codeQueryAuthDisabled, -1
		}
		return codeTokenRequired, -1
	}
	token, ok := tokenFromHeader(header)
	if !ok {
		return codeInvalidAuth, -1
	}
	i := a.index(token)
	if i < 0 {
		return codeInvalidToken, -1
	}
	return codeSuccess, i
}

// accepts reports whether token is one of the configured tokens.
func (a authenticator) accepts(token string) bool { return a.index(token) >= 0 }

// index is the position of token among the configured tokens, or -1. Every
// digest is compared, in constant time, whatever matches.
func (a authenticator) index(token string) int {
	d := sha256.Sum256([]byte(token))
	found := -1
	for i := range a.digests {
		eq := subtle.ConstantTimeCompare(d[:], a.digests[i][:])
		found = subtle.ConstantTimeSelect(eq, i, found)
	}
	if token == "" {
		return -1
	}
	return found
}

// tokenFromHeader extracts the token of an Authorization header value.
func tokenFromHeader(h string) (string, bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "splunk", "bearer":
		return rest, rest != ""
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return "", false
		}
		_, pass, ok := strings.Cut(string(raw), ":")
		return pass, ok && pass != ""
	}
	return "", false
}
