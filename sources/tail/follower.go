package tail

import (
	"bufio"
	"errors"
	"io"
	"os"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sources/internal/lines"
	"github.com/hashicorp/go-hclog"
)

// follower is one open file.
type follower struct {
	id     string
	path   string // last path it was seen at
	f      *os.File
	offset int64 // committed: lines before it are in the spool
	next   int64 // read: lines before it are in the batch being built
	fpLen  int
	fp     string
	gone   bool // no watched path leads to it any more
	still  int  // polls in a row without growth while gone
	lineNo int  // lines read from this file by this process (for logs)
}

// state is the follower's checkpoint entry at its committed offset.
func (fl *follower) state() fileState {
	return fileState{Path: fl.path, Offset: fl.offset, FPLen: fl.fpLen, FP: fl.fp}
}

// commit makes the read position the committed one and extends the
// fingerprint over the consumed bytes.
func (fl *follower) commit() {
	fl.offset = fl.next
	if want := int(min(fl.offset, fpMax)); want > fl.fpLen {
		if fp, ok := fingerprint(fl.f, want); ok {
			fl.fp, fl.fpLen = fp, want
		}
	}
}

// rewound reports whether the file was truncated or rewritten under us
// (copytruncate): smaller than the committed offset, or different first
// bytes.
func (fl *follower) rewound(size int64) bool {
	if size < fl.offset {
		return true
	}
	if fl.fpLen > 0 {
		fp, ok := fingerprint(fl.f, fl.fpLen)
		return !ok || fp != fl.fp
	}
	return false
}

// readLines adds complete lines from next up to size to b, stopping after
// max events; it returns whether it stopped early (more to read). A last
// line without its newline is left unread.
func (fl *follower) readLines(b *lines.Batch, size int64, maxLine, maxEvents int, log hclog.Logger) (more bool) {
	if size <= fl.next {
		return false
	}
	r := bufio.NewReaderSize(io.NewSectionReader(fl.f, fl.next, size-fl.next), min(maxLine, int(min(size-fl.next, int64(maxLine)))+16))
	where := fl.path + " line "
	intake := normalize.IntakeValue("tail:" + fl.path) // provenance: the path it was read at
	for {
		line, dropped, err := lines.ReadLine(r)
		switch {
		case err == nil:
			fl.lineNo++
			fl.next += int64(len(line)) + 1
			b.AddFrom(line, where+itoa(fl.lineNo), int64(maxLine), intake)
		case errors.Is(err, lines.ErrTooLong):
			fl.lineNo++
			fl.next += int64(dropped)
			log.Warn("line longer than the limit, skipped", "path", fl.path, "line", fl.lineNo, "bytes", dropped, "max_line_bytes", maxLine)
		default: // EOF: what is left has no newline yet
			return false
		}
		if b.Events() >= maxEvents {
			return fl.next < size
		}
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
