// Package faults is the fault suite: the real auditbridge binary, HEC intake,
// the JetStream spool and every sink, driven through crashes, outages, a full
// spool, a slow sink and hostile input. It prints one table row per case with
// the events sent, acknowledged (HEC 200), delivered, duplicated and lost;
// lost must be 0 for every acknowledged event.
//
// Run it alone with: bash integration/faults/run.sh
package faults
