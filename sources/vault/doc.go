// Package vault receives the entries of a Vault (or OpenBao) socket audit
// device: Vault connects to AUDITBRIDGE_VAULT_SOCKET_ADDR (TCP host:port or
// a unix socket path) and writes one JSON audit entry per line.
//
// Back-pressure: a connection is read only while its previous batch is in
// the spool. When the spool is full (or failing) the receiver stops
// reading; Vault's socket device then blocks on its write, and Vault
// blocks requests when it has no other audit device that succeeds. Run a
// second audit device (a file device) next to the socket device.
//
// What a socket cannot give: Vault counts an entry written once the kernel
// took it. Entries in the socket buffers when the bridge dies (kill -9) are
// gone; the receiver keeps that window small (it reads only what it can
// publish next) but cannot close it. The file device with the tail source
// (sources/tail) is the lossless path.
//
// Limits: VAULT_SOCKET_MAX_LINE_BYTES per entry (a longer line is skipped
// and logged), VAULT_SOCKET_MAX_CONNS connections at once (more are closed
// at once and logged). A connection that ends in the middle of a line (a
// torn line) is logged with the bytes dropped; Vault writes the whole entry
// again on its next connection. A whole line that does not parse (not
// JSON, or JSON no parser takes) is kept as an event of kind unknown with
// meta.parse_error (normalize.Unparsed), as the tail and CloudWatch sources
// and the audit-trail poller do: there is nobody to refuse it to.
package vault
