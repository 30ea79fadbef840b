package main

import (
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// defaultGCPercent is the Go GC target auditbridge runs with when GOGC is
// not set: the heap may grow to 4x the live data between collections
// instead of Go's 2x. It is a trade of memory for CPU, measured with
// auditbridge replay as bench/compare runs it (300k audit-trail records
// through the embedded spool to Splunk HEC, 5 runs each): about 20 % less
// CPU per event (median 4.28 instead of 5.46 CPU seconds), peak RSS 75-81 MB
// instead of 55-57 MB. GOGC=100 restores Go's default; GOMEMLIMIT caps the
// heap whatever GOGC says.
const defaultGCPercent = 300

// tuneGC applies defaultGCPercent unless GOGC is set, and a memory limit
// from the cgroup unless GOMEMLIMIT is set (tuneMemLimit). It reports
// whether it changed the GC percent.
func tuneGC(getenv func(string) string) bool {
	tuneMemLimit(getenv, os.ReadFile)
	if getenv("GOGC") != "" {
		return false
	}
	debug.SetGCPercent(defaultGCPercent)
	return true
}

// memLimitShare is the part of the cgroup memory limit given to the Go
// heap as its soft limit (GOMEMLIMIT); the rest is for what the runtime
// does not count (stacks, the embedded server's mmaps, fragmentation).
const memLimitShare = 0.9

// cgroupLimitFiles are where the memory limit of the process's cgroup is
// read: cgroup v2, then v1 (as mounted in containers).
var cgroupLimitFiles = [...]string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// fallbackMemLimit is the Go memory limit when neither GOMEMLIMIT nor a
// cgroup limit is set: GOGC=300's extra heap (4x the live data) is used up
// to here, beyond it the GC runs as often as the live data needs (a soft
// limit: nothing fails). bench/compare's replay keeps about 20 MiB live
// and let GOGC=300 take its heap to 85 MiB and its peak RSS to 120-190
// MiB; with 96 MiB its peak RSS stays at 113-117 MiB at the same CPU per
// event (issue 16). With 384 MiB, integration/hecmem (16 concurrent 15 MB
// HEC requests) peaked at 407 MiB instead of 773 MiB without a limit.
const fallbackMemLimit = 96 << 20

// tuneMemLimit sets the Go memory limit when GOMEMLIMIT is not set:
// memLimitShare of the cgroup memory limit when there is one, so the GC
// works harder as the container's limit nears instead of the process being
// killed with a heap at GOGC's 4x; else fallbackMemLimit. It returns the
// limit set, or 0.
func tuneMemLimit(getenv func(string) string, readFile func(string) ([]byte, error)) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return 0
	}
	set := int64(fallbackMemLimit)
	if limit := cgroupMemLimit(readFile); limit > 0 {
		set = int64(float64(limit) * memLimitShare)
	}
	debug.SetMemoryLimit(set)
	return set
}

// cgroupMemLimit returns the cgroup memory limit in bytes, or 0 when none
// is set ("max", v1's near-MaxInt64 "unlimited") or none can be read.
func cgroupMemLimit(readFile func(string) ([]byte, error)) int64 {
	for _, f := range cgroupLimitFiles {
		b, err := readFile(f)
		if err != nil {
			continue
		}
		v := strings.TrimSpace(string(b))
		if v == "max" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 || n >= math.MaxInt64/2 {
			return 0
		}
		return n
	}
	return 0
}
