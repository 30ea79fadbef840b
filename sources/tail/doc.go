// Package tail follows audit files: Vault's file audit device, TFE log
// files and any NDJSON audit file (AUDITBRIDGE_TAIL_PATHS, comma-separated
// globs). It is a bridge.Source.
//
// Files are polled (TAIL_POLL_INTERVAL). Each file is known by its
// identity (device and inode, plus a fingerprint of its first bytes against
// inode reuse), not by its name, so:
//
//   - rotation by rename + create: the renamed file is read to its end
//     through the descriptor already open (also when its new name no longer
//     matches a glob), the new file at the path is read from its start;
//   - copytruncate: a file whose size falls below the position read, or
//     whose first bytes changed, is read again from its start;
//   - deletion: an open deleted file is read to its end, then closed; a
//     file created again at a matching path is picked up on the next poll;
//   - a half-written last line (no newline yet) is never read as a record:
//     only complete lines are consumed; a file abandoned (rotated away or
//     deleted, no growth) with an unterminated last line logs the bytes
//     dropped;
//   - a gzip file a glob matches (a compressed rotation) is skipped.
//
// Checkpoints: every file's identity, path and offset live in one value of
// the spool's JetStream KV bucket (key "tail.<TAIL_CHECKPOINT_NAME>"),
// written with compare-and-set only after Publish returned, i.e. after the
// spool stored the lines before that offset. After a restart or kill -9 the
// source resumes at the checkpoint: lines after it are read again
// (at-least-once; duplicates carry the same deterministic event ids). A
// file rotated while the bridge was down is found again by its identity in
// the directory of its last path and read to its end first.
//
// Replicas sharing one spool must use distinct TAIL_CHECKPOINT_NAMEs (each
// tails its own local files).
//
// Library: none. A tailing library (github.com/nxadm/tail) follows one
// name and reports positions only approximately (Tell), so it cannot give
// the identity+offset checkpoint taken after the spool ack, nor finish a
// file that was renamed while the bridge was down; this follower is a
// small poll loop over os.File with exactly those semantics.
package tail
