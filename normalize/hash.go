package normalize

import (
	"crypto/sha256"
	"encoding/hex"
)

// hashIDLen is the length of a content-hash id: 128 bits of sha256, hex.
const hashIDLen = 32

// appendContentID appends the deterministic id of a record that has none
// of its own: the first 32 hex digits of the sha256 of its compact JSON
// (or, for a TFE audit entry, of its audit payload). The same bytes always
// give the same id.
func appendContentID(dst, b []byte) []byte {
	sum := sha256.Sum256(b)
	return hex.AppendEncode(dst, sum[:hashIDLen/2])
}
