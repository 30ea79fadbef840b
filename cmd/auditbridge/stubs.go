package main

// Placeholders owned by the pipeline-core work; each moves to its own file.

import (
	"context"
	"fmt"
	"io"
)

func notYet(w io.Writer, what string) int {
	fmt.Fprintf(w, "auditbridge: %s is not implemented yet\n", what)
	return 2
}

func cmdCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return notYet(stderr, "check")
}
func cmdDLQ(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return notYet(stderr, "dlq")
}
