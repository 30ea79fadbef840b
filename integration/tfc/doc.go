// Package tfc tests the HCP Terraform audit-trail poller through the real
// auditbridge binary: an in-process simulated audit-trail API, the embedded
// (or a shared external) JetStream spool, and the file sink.
package tfc
