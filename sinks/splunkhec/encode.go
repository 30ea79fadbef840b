package splunkhec

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// encoder renders events as HEC event objects. It holds only values fixed
// at construction, so it is safe for concurrent use.
type encoder struct {
	format     normalize.Format
	sourcetype []byte // pre-encoded `"sourcetype":"…",` override; nil: per product
	// fixed is the pre-encoded `"host":…,"source":…,"index":…,` members
	// (each omitted when empty).
	fixed []byte
	// index and stype are per-event templates (SPLUNK_INDEX or
	// SPLUNK_SOURCETYPE with ${field}); nil: fixed. HEC takes an index and a
	// sourcetype per event, so one request carries every destination.
	index, stype *bridge.Template
}

func newEncoder(cfg Config) encoder {
	var fixed []byte
	e := encoder{format: cfg.Format}
	index := cfg.Index
	if t, err := bridge.ParseTemplate(index); err == nil && bridge.HasTemplate(index) {
		e.index, index = t, ""
	}
	for _, m := range []struct{ k, v string }{{"host", cfg.Host}, {"source", cfg.Source}, {"index", index}} {
		if m.v != "" {
			fixed = appendMember(fixed, m.k, m.v)
		}
	}
	e.fixed = fixed
	if e.format == "" {
		e.format = normalize.FormatCIM
	}
	if t, err := bridge.ParseTemplate(cfg.Sourcetype); err == nil && bridge.HasTemplate(cfg.Sourcetype) {
		e.stype = t
	} else if cfg.Sourcetype != "" {
		e.sourcetype = appendMember(nil, "sourcetype", cfg.Sourcetype)
	}
	return e
}

// appendMember appends `"k":"v",` with v escaped by normalize.AppendString
// (as json.Marshal escapes it).
func appendMember(dst []byte, k, v string) []byte {
	dst = append(dst, '"')
	dst = append(dst, k...)
	dst = append(dst, '"', ':')
	dst = normalize.AppendString(dst, v)
	return append(dst, ',')
}

// appendEvent appends ev as one HEC event object followed by a newline
// (HEC accepts concatenated objects; the newline helps humans and proxies).
func (e encoder) appendEvent(dst []byte, ev *normalize.Event) []byte {
	dst = append(dst, '{')
	t := ev.Time
	if t.IsZero() { // the spool stamps every event; one without: now, never absent
		t = time.Now()
	}
	dst = append(dst, `"time":`...)
	dst = appendEpoch(dst, t)
	dst = append(dst, ',')
	dst = append(dst, e.fixed...)
	if e.index != nil {
		dst = appendMember(dst, "index", indexName(e.index.Render(ev)))
	}
	if e.stype != nil {
		dst = appendMember(dst, "sourcetype", e.stype.Render(ev))
	} else if e.sourcetype != nil {
		dst = append(dst, e.sourcetype...)
	} else {
		dst = appendMember(dst, "sourcetype", normalize.Sourcetype(ev.Product))
	}
	dst = append(dst, `"event":`...)
	dst = normalize.AppendJSON(dst, ev, e.format)
	return append(dst, '}', '\n')
}

// appendEpoch appends t as epoch seconds with exactly three decimals
// (milliseconds, as time.UnixMilli gives them), the form HEC's "time" takes.
func appendEpoch(dst []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	if ms < 0 {
		dst = append(dst, '-')
		ms = -ms
	}
	dst = strconv.AppendInt(dst, ms/1000, 10)
	return append(append(dst, '.'), pad3(ms%1000)...)
}

func pad3(n int64) []byte {
	return []byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)}
}

// encoded is a batch rendered once: event i is buf[off[i]:off[i+1]].
type encoded struct {
	buf []byte
	off []int
}

// encode renders batch into buf (appending from its start; nil is fine).
func (e encoder) encode(batch []normalize.Event, buf []byte) encoded {
	if buf == nil {
		buf = make([]byte, 0, 1024*len(batch))
	}
	enc := encoded{buf: buf[:0], off: make([]int, 1, len(batch)+1)}
	for i := range batch {
		enc.buf = e.appendEvent(enc.buf, &batch[i])
		enc.off = append(enc.off, len(enc.buf))
	}
	return enc
}

func (enc encoded) size(i int) int { return enc.off[i+1] - enc.off[i] }

// body returns the request body for the events idx (ascending). A run of
// consecutive events is a sub-slice of buf; otherwise the parts are copied.
func (enc encoded) body(idx []int) []byte {
	first, last := idx[0], idx[len(idx)-1]
	if last-first == len(idx)-1 {
		return enc.buf[enc.off[first]:enc.off[last+1]]
	}
	n := 0
	for _, i := range idx {
		n += enc.size(i)
	}
	out := make([]byte, 0, n)
	for _, i := range idx {
		out = append(out, enc.buf[enc.off[i]:enc.off[i+1]]...)
	}
	return out
}

// chunks splits idx into runs whose bodies fit in limit bytes. Events that
// do not fit alone are returned in tooBig.
func (enc encoded) chunks(n, limit int) (chunks [][]int, tooBig []int) {
	var cur []int
	size := 0
	for i := range n {
		s := enc.size(i)
		if s > limit {
			tooBig = append(tooBig, i)
			continue
		}
		if size+s > limit && len(cur) > 0 {
			chunks, cur, size = append(chunks, cur), nil, 0
		}
		cur, size = append(cur, i), size+s
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks, tooBig
}

// gzipBody compresses body with w (reset onto a fresh buffer).
func gzipBody(w *gzip.Writer, body []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(body)/4 + 64)
	w.Reset(&buf)
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// indexName makes a rendered index a valid Splunk index name: lower case,
// letters, digits, '_' and '-' (others become '_'), not starting with '_'
// or '-'.
func indexName(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	out := strings.TrimLeft(string(b), "_-")
	if out == "" {
		return "unknown"
	}
	return out
}

// Destination describes where ev goes with cfg, for `auditbridge route`:
// its index (when set) and sourcetype, as the encoder writes them.
func Destination(cfg Config, ev *normalize.Event) string {
	e := newEncoder(cfg)
	index := cfg.Index
	if e.index != nil {
		index = indexName(e.index.Render(ev))
	}
	st := cfg.Sourcetype
	switch {
	case e.stype != nil:
		st = e.stype.Render(ev)
	case st == "":
		st = normalize.Sourcetype(ev.Product)
	}
	if index == "" {
		return "sourcetype=" + st
	}
	return "index=" + index + " sourcetype=" + st
}
