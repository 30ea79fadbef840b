// Package hecmem measures the real auditbridge binary's peak memory (VmHWM
// from /proc/PID/status) while many large HEC requests arrive at once, at
// default settings: the bound the HEC receiver documents
// (HEC_MAX_INFLIGHT_BYTES) must hold on the whole process.
//
//	go test -count=1 -v ./hecmem
package hecmem
