//go:build !amd64 || purego

package normalize

import "unsafe"

// quoteKernel is false where there is no vector kernel for escaping.
var quoteKernel = false

// escapeQuotesSSSE3 is never called here (quoteKernel is false); it does
// nothing and reads nothing.
func escapeQuotesSSSE3(dst, src *byte, n int) (written, read int) { return 0, 0 }

// specialBits is specialBitsGo here.
func specialBits(dst *uint64, src *byte, blocks int) {
	specialBitsGo(unsafe.Slice(dst, blocks), unsafe.Slice(src, 64*blocks))
}
