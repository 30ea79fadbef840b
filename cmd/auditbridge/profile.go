package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
)

// cpuProfileFlag is replay's hidden flag for a pprof CPU profile, used by
// bench/compare to see where a replay spends its CPU.
const cpuProfileFlag = "--cpuprofile"

// cutProfileFlag removes a leading `--cpuprofile FILE` or
// `--cpuprofile=FILE` from args and returns the file ("" when absent).
func cutProfileFlag(args []string) (path string, rest []string, err error) {
	if len(args) == 0 {
		return "", args, nil
	}
	if v, ok := strings.CutPrefix(args[0], cpuProfileFlag+"="); ok {
		if v == "" {
			return "", nil, fmt.Errorf("%s needs a file name", cpuProfileFlag)
		}
		return v, args[1:], nil
	}
	if args[0] != cpuProfileFlag {
		return "", args, nil
	}
	if len(args) < 2 || args[1] == "" {
		return "", nil, fmt.Errorf("%s needs a file name", cpuProfileFlag)
	}
	return args[1], args[2:], nil
}

// startCPUProfile starts profiling into path; the returned stop writes the
// profile out, and the allocation profile of the whole run (pprof "allocs":
// every allocation since start, sampled) to path + ".allocs". An empty path
// profiles nothing.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		a, err := os.Create(path + ".allocs")
		if err != nil {
			return fmt.Errorf("allocation profile: %w", err)
		}
		if err := pprof.Lookup("allocs").WriteTo(a, 0); err != nil {
			a.Close()
			return fmt.Errorf("allocation profile: %w", err)
		}
		return a.Close()
	}, nil
}
