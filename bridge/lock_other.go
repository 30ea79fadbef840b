//go:build !unix

package bridge

import "os"

// lockDataDir is a no-op where flock is not available.
func lockDataDir(string) (*os.File, error) { return nil, nil }
