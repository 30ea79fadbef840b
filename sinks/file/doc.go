// Package file is the debugging sink: it appends every event as one JSON
// line (NDJSON) in any rendering (native, ecs, ocsf, cim) to a file, fsyncing
// before Send returns so that "delivered" means durable, or to a writer such
// as the process's stdout.
//
// The file is opened on the first Send, not in New. Before each batch the
// sink checks that its open file is still the one at Path, and reopens it
// when the file was moved or removed (log rotation). A failed write is cut
// back, so a retried batch never leaves half a line behind; a line torn by a
// crash (no trailing newline) is cut when the file is opened, since its batch
// was never acknowledged and will be delivered again.
package file
