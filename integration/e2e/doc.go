// Package e2e drives the real auditbridge binary end to end: HEC posts over
// real HTTP into the embedded JetStream spool and out through the file sink,
// with SIGKILL crashes and sink outages in between.
package e2e
