package main

import (
	"bytes"
	"io"
	"regexp"
)

// userinfoRE matches the user info of a URL in text: scheme://user[:pass]@
// (also inside quotes, JSON strings and url.Error texts, where Go prints
// the URL as given).
var userinfoRE = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@\r\n"'\\]+@`)

// redactUserinfo replaces the user info of every URL in s with
// [REDACTED], so credentials written into a URL (ES_ADDRESSES,
// SPLUNK_URL, NATS_URL, …) never reach logs or error output.
func redactUserinfo(s string) string {
	if !containsUserinfo([]byte(s)) {
		return s
	}
	return userinfoRE.ReplaceAllString(s, "${1}[REDACTED]@")
}

func containsUserinfo(p []byte) bool {
	return bytes.Contains(p, []byte("://")) && bytes.IndexByte(p, '@') >= 0 && userinfoRE.Match(p)
}

// redactingWriter is the log output: each write (one log line with
// hclog) has URL user info replaced.
type redactingWriter struct{ w io.Writer }

func (r redactingWriter) Write(p []byte) (int, error) {
	if !containsUserinfo(p) {
		return r.w.Write(p)
	}
	if _, err := r.w.Write(userinfoRE.ReplaceAll(p, []byte("${1}[REDACTED]@"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
