package tfc

import (
	"os"
	"strings"
	"sync"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// tokenSource is one organization's token. A token read from
// AUDITBRIDGE_TFC_TOKEN_FILE or AUDITBRIDGE_TFC_TOKENS_FILE is read again
// whenever the file's size or modification time changes, so a rotated token
// is used from the next request on, without a restart. A file that is gone
// or holds no usable token keeps the last good one.
type tokenSource struct {
	mu    sync.Mutex
	label string
	file  string // "" for a token from the environment
	pairs bool   // the file holds label:token pairs
	token bridge.Secret
	size  int64
	mod   time.Time
}

func newTokenSource(org Org) *tokenSource {
	ts := &tokenSource{label: org.Label, file: org.file, pairs: org.pairs, token: org.Token}
	if ts.file != "" {
		if st, err := os.Stat(ts.file); err == nil {
			ts.size, ts.mod = st.Size(), st.ModTime()
		}
	}
	return ts
}

// get returns the current token.
func (ts *tokenSource) get() bridge.Secret {
	if ts.file == "" {
		return ts.token
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	st, err := os.Stat(ts.file)
	if err != nil || (st.Size() == ts.size && st.ModTime().Equal(ts.mod)) {
		return ts.token
	}
	b, err := os.ReadFile(ts.file)
	if err != nil {
		return ts.token
	}
	text := strings.TrimSpace(string(b))
	next := bridge.Secret(text)
	if ts.pairs {
		orgs, err := Config{Tokens: bridge.Secret(text)}.Orgs()
		next = ""
		if err == nil {
			for _, o := range orgs {
				if o.Label == ts.label {
					next = o.Token
				}
			}
		}
	}
	if next == "" {
		return ts.token // a half-written or broken file: keep the last good token
	}
	ts.token, ts.size, ts.mod = next, st.Size(), st.ModTime()
	return ts.token
}
