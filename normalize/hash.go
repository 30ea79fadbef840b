package normalize

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/valyala/fastjson"
)

// hashIDLen is the length of a content-hash id: 128 bits of sha256, hex.
const hashIDLen = 32

// contentID is the deterministic id of a record that has none of its own:
// the first 32 hex digits of the sha256 of its compact JSON (or, for a TFE
// audit entry, of its audit payload). The same bytes always give the same id.
func contentID(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:hashIDLen]
}

// appendCompact appends src without the whitespace outside JSON strings.
// src must be valid JSON (it is validated before Raw is built), so the
// result is the same as json.Compact's, in one pass and without a bytes.Buffer.
func appendCompact(dst, src []byte) []byte {
	if !hasWhitespace(src) {
		return append(dst, src...)
	}
	inStr, esc := false, false
	for _, c := range src {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// hasWhitespace reports whether b holds any JSON whitespace byte at all (in
// or out of strings); when it does not, b is already compact.
func hasWhitespace(b []byte) bool {
	for _, c := range b {
		if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
			return true
		}
	}
	return false
}

// validJSON reports whether b is valid JSON: fastjson's validation plus the
// one rule it does not enforce, that strings hold no raw control bytes.
func validJSON(b []byte) bool {
	if fastjson.ValidateBytes(b) != nil {
		return false
	}
	ctl := false
	for _, c := range b {
		if c < 0x20 {
			ctl = true
			break
		}
	}
	if !ctl {
		return true
	}
	inStr, esc := false, false
	for _, c := range b {
		switch {
		case !inStr:
			inStr = c == '"'
		case c < 0x20:
			return false
		case esc:
			esc = false
		case c == '\\':
			esc = true
		case c == '"':
			inStr = false
		}
	}
	return true
}
