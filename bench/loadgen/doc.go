// Package loadgen generates a realistic mix of HashiCorp audit records with
// known, numbered ids (HCP Terraform audit-trail records, HCP audit-log
// streaming envelopes, Boundary CloudEvents, HCP Vault Secrets envelopes) and
// posts them to a Splunk-HEC-compatible receiver. The bench script and the
// end-to-end tests use it; it depends on the standard library only.
package loadgen
