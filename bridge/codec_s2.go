package bridge

import (
	"fmt"

	"github.com/klauspost/compress/s2"
)

// codecS2 is the version byte of a compressed batch: what follows is one S2
// block (github.com/klauspost/compress/s2) holding everything a
// codecVersion batch has after its version byte (codecRefS2: a codecRef
// batch). Encoded events repeat much
// of their Raw JSON, so a batch shrinks about six-fold, and with it every
// copy, write and read the spool makes of it.
const codecS2 = 2

// maxPlainBatch bounds the decompressed size of a codecS2 batch. The spool
// writes at most SPOOL_MSG_BYTES (8 MiB or less) plus a small header, so
// anything larger is corrupt (or hostile) and is refused before allocating.
const maxPlainBatch = 16 << 20

// compressedVersion is the compressed form of a plain format's version.
func compressedVersion(plain byte) (byte, bool) {
	switch plain {
	case codecVersion:
		return codecS2, true
	case codecRef:
		return codecRefS2, true
	}
	return 0, false
}

// compressBatch returns plain (a codecVersion or codecRef batch) as a newly
// allocated codecS2 or codecRefS2 batch, or a copy of plain when
// compressing does not make it smaller. scratch is a reusable work buffer;
// the grown one is returned.
func compressBatch(plain, scratch []byte) (out, scratchOut []byte) {
	version, ok := byte(0), len(plain) > 0
	if ok {
		version, ok = compressedVersion(plain[0])
	}
	if !ok {
		panic("bridge: compressBatch needs a plain batch")
	}
	if need := 1 + s2.MaxEncodedLen(len(plain)-1); cap(scratch) < need {
		scratch = make([]byte, need)
	}
	scratch = scratch[:cap(scratch)]
	scratch[0] = version
	block := s2.Encode(scratch[1:], plain[1:])
	if 1+len(block) >= len(plain) {
		return append([]byte(nil), plain...), scratch
	}
	return append([]byte(nil), scratch[:1+len(block)]...), scratch
}

// decompressBatch returns the plain form (codecVersion, codecRef) of a
// codecS2 or codecRefS2 batch in a new buffer.
func decompressBatch(b []byte) ([]byte, error) {
	n, err := s2.DecodedLen(b[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: compressed block: %v", errCodec, err)
	}
	if n > maxPlainBatch {
		return nil, fmt.Errorf("%w: compressed block claims %d bytes, more than %d", errCodec, n, maxPlainBatch)
	}
	plain := make([]byte, 1+n)
	plain[0] = codecVersion
	if b[0] == codecRefS2 {
		plain[0] = codecRef
	}
	if _, err := s2.Decode(plain[1:], b[1:]); err != nil {
		return nil, fmt.Errorf("%w: compressed block: %v", errCodec, err)
	}
	return plain, nil
}
