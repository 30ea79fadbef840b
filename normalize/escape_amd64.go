//go:build amd64 && !purego

package normalize

import (
	"math/bits"

	"golang.org/x/sys/cpu"
)

// quoteKernel tells appendEscapedFrom to hand long runs to
// escapeQuotesSSSE3, which needs SSSE3 (PSHUFB).
var quoteKernel = cpu.X86.HasSSSE3

// escapeQuotesSSSE3 escapes src[:n] into dst sixteen bytes at a time, for
// as long as a block holds no byte needing an escape other than '"' and at
// least eight bytes follow it, and returns the bytes written and read.
// Each half block is spread by PSHUFB with quoteShuf[m] for its quote
// mask m and gets its backslashes from quoteSlash[m]; its output is
// quoteLen[m] long. A half block's store is sixteen bytes, at most eight
// past its output, which the eight bytes left to come cover: nothing past
// the final length of the string is written. dst must have room for
// 2*n bytes.
//
//go:noescape
func escapeQuotesSSSE3(dst, src *byte, n int) (written, read int)

// The tables of escapeQuotesSSSE3, indexed by the quote mask of eight
// bytes (bit i: byte i is '"'): the PSHUFB indexes that spread the bytes
// apart (0x80, a zero byte, where a backslash goes), the backslashes, and
// the output length, eight plus the number of quotes.
var (
	quoteShuf  [256][16]byte
	quoteSlash [256][16]byte
	quoteLen   [256]byte
	// quoteConst holds '"', '\\', '<', '>', '&' and 0x1f in all sixteen
	// bytes each.
	quoteConst [6][16]byte
)

func init() {
	for m := range 256 {
		p := 0
		for i := range 8 {
			if m&(1<<i) != 0 {
				quoteShuf[m][p], quoteSlash[m][p] = 0x80, '\\'
				p++
			}
			quoteShuf[m][p] = byte(i)
			p++
		}
		for ; p < 16; p++ {
			quoteShuf[m][p] = 0x80
		}
		quoteLen[m] = byte(8 + bits.OnesCount8(uint8(m)))
	}
	for i, c := range []byte{'"', '\\', '<', '>', '&', 0x1f} {
		for j := range 16 {
			quoteConst[i][j] = c
		}
	}
}

// specialBits sets bit i%64 of dst[i/64] for each quote, backslash or
// byte below 0x20 at src[i], for blocks blocks of 64 bytes: sixteen bytes
// per compare (SSE2, which every amd64 has). specialBitsGo is the same in
// Go.
//
//go:noescape
func specialBits(dst *uint64, src *byte, blocks int)
