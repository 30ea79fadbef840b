package main

import "runtime/debug"

// defaultGCPercent is the Go GC target auditbridge runs with when GOGC is
// not set: the heap may grow to 4x the live data between collections
// instead of Go's 2x. It is a trade of memory for CPU, measured with
// auditbridge replay as bench/compare runs it (300k audit-trail records
// through the embedded spool to Splunk HEC, 5 runs each): about 20 % less
// CPU per event (median 4.28 instead of 5.46 CPU seconds), peak RSS 75-81 MB
// instead of 55-57 MB. GOGC=100 restores Go's default; GOMEMLIMIT caps the
// heap whatever GOGC says.
const defaultGCPercent = 300

// tuneGC applies defaultGCPercent unless GOGC is set. It reports whether it
// changed the setting.
func tuneGC(getenv func(string) string) bool {
	if getenv("GOGC") != "" {
		return false
	}
	debug.SetGCPercent(defaultGCPercent)
	return true
}
