package normalize

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
)

// Record is one input record with where it came from.
type Record struct {
	Data []byte // the record's bytes: read-only, valid until fn returns
	Line int    // 1-based line where the record starts

	// indexed is Data already checked and indexed by the tree, when
	// ReadRecordsIndexed split it from a line that is one JSON object (the
	// common case: NDJSON): Parser.AppendParseRecord takes it instead of
	// scanning Data again. It is the reader's, valid until fn returns.
	indexed *tree
}

// ReadRecords splits a stream into records: NDJSON (one value per line), a
// JSON array (each element a record — but a whole audit-trail page object
// is ONE record), single pretty-printed objects (possibly several
// concatenated), or a TFE log file (lines; a line with "[Audit Log]" or the
// key=value audit prefix is a record). Other non-JSON lines, and atlas
// container lines {"component":…,"log":…} that carry no audit entry, are
// skipped, not errors.
//
// Invalid JSON is returned to fn as a Record whose Parse fails with a clear
// error; the stream goes on. A value cut short is recognised when a line
// ends inside a string, or when the next line starts a new object or array
// where the value could not continue. fn returning an error stops reading
// and ReadRecords returns that error; so does a read error.
//
// A Record's Data views the reader's buffers: fn must not change it and
// must copy what it keeps after it returns (Parser.Parse and AppendParse
// keep nothing of their input). This saves a copy of every record.
func ReadRecords(r io.Reader, fn func(Record) error) error {
	return newRecordReader(r, fn).run()
}

// ReadRecordsIndexed is ReadRecords for a caller that parses each record
// with Parser.AppendParseRecord. A line that is exactly one JSON object is
// split by parsing it with the tree, which checks and indexes it, and the
// record carries that index to AppendParseRecord: such a record is scanned
// once instead of twice (the reader's split, then the parse). Any other
// line is split as ReadRecords splits it; the records are the same either
// way.
func ReadRecordsIndexed(r io.Reader, fn func(Record) error) error {
	rr := newRecordReader(r, fn)
	rr.index = new(tree)
	return rr.run()
}

func newRecordReader(r io.Reader, fn func(Record) error) *recordReader {
	return &recordReader{br: bufio.NewReaderSize(r, 64<<10), fn: fn, replays: maxReplays, replayBytes: maxReplayBytes}
}

type recordReader struct {
	br          *bufio.Reader
	fn          func(Record) error
	line        int
	acc         []byte // a value spanning lines, so far
	accLine     int
	starts      []lineStart // lines of acc that start at column 0 with '{' or '['
	replays     int         // how many more cut values may be re-read (bounds the work)
	replayBytes int         // how many more bytes may be re-read (bounds it on huge values)
	fed         int         // bytes of lines fed so far, re-reads included (the work done)
	sc          valueScanner
	index       *tree  // ReadRecordsIndexed: one-line objects are split by parsing them
	indexBuf    []byte // the compact bytes of index's last parse
}

// maxReplays and maxReplayBytes bound how many cut-short values, and how
// many of their bytes, one stream may re-read, so a pathological input (a
// stream of lines that each open an array, say) cannot make reading
// quadratic: past either bound a cut value is emitted whole, as one bad
// record.
const (
	maxReplays     = 100
	maxReplayBytes = 16 << 20
)

// lineStart is where a line begins inside acc.
type lineStart struct{ off, line int }

func (rr *recordReader) run() error {
	var long []byte // a line longer than the reader's buffer, so far
	for {
		// b views the reader's buffer until the next read: feedLine copies
		// what it keeps (a record's Data, a value spanning lines).
		b, err := rr.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, b...)
			continue
		}
		if long != nil {
			long = append(long, b...)
			b, long = long, nil
		}
		if len(b) > 0 {
			rr.line++
			for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
				b = b[:len(b)-1]
			}
			if rr.line == 1 {
				b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
			}
			if ferr := rr.feedLine(b); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return rr.flushCut()
		}
		if err != nil {
			return err
		}
	}
}

// feedLine consumes one line (without its line break).
func (rr *recordReader) feedLine(b []byte) error {
	rr.fed += len(b)
	if rr.acc != nil {
		t := bytes.TrimLeft(b, " \t")
		if len(t) > 0 && (t[0] == '{' || t[0] == '[') && !canPrecedeValue(rr.acc) {
			if err := rr.flushCut(); err != nil { // the value was cut short
				return err
			}
			return rr.feedLine(b) // a replay may have left a value open
		}
		return rr.continueValue(b)
	}
	return rr.scanFresh(b)
}

// continueValue appends a line to the value being accumulated.
func (rr *recordReader) continueValue(b []byte) error {
	rr.acc = append(rr.acc, '\n')
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		rr.starts = append(rr.starts, lineStart{len(rr.acc), rr.line})
	}
	end, done := rr.sc.feed(b)
	if !done {
		rr.acc = append(rr.acc, b...)
		if rr.sc.inStr { // JSON strings cannot span lines: cut short
			return rr.flushCut()
		}
		return nil
	}
	rr.acc = append(rr.acc, b[:end]...)
	if err := rr.flush(); err != nil {
		return err
	}
	return rr.scanFresh(b[end:])
}

// scanFresh reads records from b, which starts outside any value.
func (rr *recordReader) scanFresh(b []byte) error {
	for {
		b = bytes.TrimLeft(b, " \t\r")
		if len(b) == 0 {
			return nil
		}
		if !startsJSON(b) {
			if isTFELine(b) || validJSON(b) || prefixedVault(b) > 0 {
				return rr.emit(b, rr.line)
			}
			return nil // a non-audit log line
		}
		if done, err := rr.emitIndexed(b); done || err != nil {
			return err
		}
		rr.sc = valueScanner{}
		end, done := rr.sc.feed(b)
		if !done {
			rr.acc = append(make([]byte, 0, 4096), b...)
			rr.accLine, rr.starts = rr.line, nil
			if rr.sc.inStr {
				return rr.flushCut()
			}
			return nil
		}
		if !isPlainLogLine(b[:end]) {
			if err := rr.emit(b[:end], rr.line); err != nil {
				return err
			}
		}
		b = b[end:]
	}
}

// emitIndexed emits b, the rest of a line, when it is exactly one JSON
// object (whitespace after it aside), with the tree's index of it; done is
// false, and nothing was emitted, when b is anything else (or indexing is
// off): the caller splits it with the scanner. The tree accepts just the
// objects the scanner would end at b's last bracket, so the records are
// the same either way.
func (rr *recordReader) emitIndexed(b []byte) (done bool, err error) {
	if rr.index == nil || b[0] != '{' {
		return false, nil
	}
	var ok bool
	if rr.indexBuf, ok = rr.index.parse(rr.indexBuf[:0], b); !ok {
		return false, nil
	}
	b = bytes.TrimRight(b, " \t\r\n")
	if isPlainLogLine(b) {
		return true, nil
	}
	return true, rr.fn(Record{Data: b, Line: rr.line, indexed: rr.index})
}

// flushCut emits a value that was cut short (or never ended). When one of
// its later lines starts at column 0 with '{' or '[', the value most likely
// ended before that line: the part before it is emitted as one (bad)
// record and the lines from it on are read again, so a truncated record
// does not swallow the good ones after it.
func (rr *recordReader) flushCut() error {
	if rr.acc == nil || len(rr.starts) == 0 || rr.replays <= 0 ||
		len(rr.acc)-rr.starts[0].off > rr.replayBytes {
		return rr.flush()
	}
	acc, first, cur := rr.acc, rr.starts[0], rr.line
	rest := acc[first.off:]
	rr.replays--
	rr.replayBytes -= len(rest)
	rr.acc = acc[:first.off-1] // without the line break
	if err := rr.flush(); err != nil {
		return err
	}
	lines := bytes.Count(rest, []byte("\n"))
	for i, tail := 0, rest; ; i++ { // line by line, as bytes.Split would cut rest
		ln, after, more := bytes.Cut(tail, []byte("\n"))
		rr.line = first.line + i
		if err := rr.feedLine(ln); err != nil {
			return err
		}
		if !more {
			break
		}
		tail = after
	}
	rr.line = cur
	if rr.line == first.line+lines { // at EOF: finish
		return rr.flushCut()
	}
	return nil
}

// flush emits the accumulated value, complete or not.
func (rr *recordReader) flush() error {
	if rr.acc == nil {
		return nil
	}
	acc, line := rr.acc, rr.accLine
	rr.acc = nil
	return rr.emit(acc, line)
}

// emit hands a value to fn; a complete top-level array is split into its
// elements.
func (rr *recordReader) emit(b []byte, line int) error {
	if len(b) > 0 && b[0] == '[' {
		if ok, err := splitArray(b, line, rr.fn); ok || err != nil {
			return err
		}
	}
	return rr.fn(Record{Data: b, Line: line})
}

// isPlainLogLine: a one-line atlas container object without an audit entry.
func isPlainLogLine(b []byte) bool {
	return b[0] == '{' && hasQuoted(b, "log") && hasQuoted(b, "component") && !isTFELine(b)
}

// hasQuoted reports whether b contains s in quotes. It looks for s and
// its closing quote, then for the opening quote before: searching from
// the quote itself, which starts every key and string of a record, cost
// about 3 % of the CPU of a replay.
func hasQuoted(b []byte, s string) bool {
	for i := 1; i < len(b); {
		j := bytes.Index(b[i:], []byte(s))
		if j < 0 {
			return false
		}
		i += j
		if b[i-1] == '"' && i+len(s) < len(b) && b[i+len(s)] == '"' {
			return true
		}
		i++
	}
	return false
}

// canPrecedeValue reports whether the last significant byte of b is one
// after which a JSON value may start ('[', ',' or ':').
func canPrecedeValue(b []byte) bool {
	b = bytes.TrimRight(b, " \t\r\n")
	if len(b) == 0 {
		return true
	}
	c := b[len(b)-1]
	return c == '[' || c == ',' || c == ':'
}

// valueScanner finds where a JSON value ends, across calls, without
// validating it: it tracks strings and bracket depth.
type valueScanner struct {
	depth      int
	inStr, esc bool
}

// feed scans b; done reports the value ended, at b[:end]. Inside a string
// it skips eight bytes at a time (nextSpecial). (bytes.IndexByte per string,
// tried instead, cost more end to end: its call overhead on short strings.)
func (s *valueScanner) feed(b []byte) (end int, done bool) {
	for i := 0; i < len(b); i++ {
		if s.inStr {
			if s.esc {
				s.esc = false
				continue
			}
			i = nextSpecial(b, i)
			if i == len(b) {
				break
			}
			if b[i] == '\\' {
				s.esc = true
				continue
			}
			if b[i] != '"' {
				continue // a control byte: Parse reports the record
			}
			s.inStr = false
			if s.depth == 0 {
				return i + 1, true
			}
			continue
		}
		switch b[i] {
		case '"':
			s.inStr = true
		case '{', '[':
			s.depth++
		case '}', ']':
			s.depth--
			if s.depth <= 0 {
				return i + 1, true
			}
		}
	}
	return len(b), false
}

// nextSpecial is the offset of the first quote, backslash or byte below
// 0x20 in b at or after i (len(b) when there is none), found eight bytes
// at a time (specialMask).
func nextSpecial(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := specialMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c == '"' || c == '\\' {
			return i
		}
	}
	return i
}

// splitArray calls fn with each element of the array b (bracket-balanced,
// starting with '['), each with the line it starts on. ok is false, and fn
// is not called, when b is not a well-formed list of elements; the caller
// then emits b whole so Parse reports it.
func splitArray(b []byte, line int, fn func(Record) error) (ok bool, err error) {
	spans, ok := arraySpans(b, line)
	if !ok {
		return false, nil
	}
	for _, s := range spans {
		data := bytes.TrimRight(b[s.from:s.to], " \t\r\n")
		if err := fn(Record{Data: data, Line: s.line}); err != nil {
			return true, err
		}
	}
	return true, nil
}

// span is one array element: b[from:to], starting on line.
type span struct{ from, to, line int }

// arraySpans finds the elements of the array b, whose '[' is on line.
func arraySpans(b []byte, line int) ([]span, bool) {
	if b[len(b)-1] != ']' {
		return nil, false
	}
	var spans []span
	depth, inStr, esc, start, startLine := 0, false, false, -1, 0
	for i := 1; i < len(b)-1; i++ {
		c := b[i]
		if c == '\n' {
			line++
		}
		if inStr {
			inStr, esc = stringState(c, esc)
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case ',':
			if depth == 0 {
				if start < 0 {
					return nil, false
				}
				spans = append(spans, span{start, i, startLine})
				start = -1
				continue
			}
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth < 0 {
				return nil, false
			}
		}
		if start < 0 {
			start, startLine = i, line
		}
	}
	if depth != 0 || inStr || (start < 0 && len(spans) > 0) {
		return nil, false
	}
	if start >= 0 {
		spans = append(spans, span{start, len(b) - 1, startLine})
	}
	return spans, true
}

// stringState advances the in-string state by byte c: it reports whether
// the string continues and whether the next byte is escaped.
func stringState(c byte, esc bool) (inStr, nextEsc bool) {
	switch {
	case esc:
		return true, false
	case c == '\\':
		return true, true
	case c == '"':
		return false, false
	}
	return true, false
}
