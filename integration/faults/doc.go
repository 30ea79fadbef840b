// Package faults is the fault suite: the real auditbridge binary, HEC intake,
// the JetStream spool and every sink, driven through crashes, outages, a full
// spool, a slow sink and hostile input. It prints one table row per case with
// the events sent, acknowledged (HEC 200), delivered, duplicated and lost;
// lost must be 0 for every acknowledged event.
//
// Two intake cases have no HEC client: kill -9 during file tail intake
// (acknowledged = appended to the file; 0 lost required) and kill -9
// during Vault socket intake (acknowledged = the write returned, all Vault
// knows; lines the kernel took just before a kill are lost, since a socket
// has no acknowledgement, and the row shows how many).
//
// Run it alone with: bash integration/faults/run.sh
package faults
