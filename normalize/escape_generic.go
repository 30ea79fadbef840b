//go:build !amd64 || purego

package normalize

// quoteKernel is false where there is no vector kernel for escaping.
var quoteKernel = false

// escapeQuotesSSSE3 is never called here (quoteKernel is false); it does
// nothing and reads nothing.
func escapeQuotesSSSE3(dst, src *byte, n int) (written, read int) { return 0, 0 }
