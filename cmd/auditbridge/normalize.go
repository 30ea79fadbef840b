package main

import (
	"context"
	"io"
)

// cmdNormalize: placeholder owned by the normalize work.
func cmdNormalize(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return notYet(stderr, "normalize")
}
