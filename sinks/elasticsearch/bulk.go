package elasticsearch

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/valyala/fastjson"
)

// maxIDBytes is Elasticsearch's limit on a document _id.
const maxIDBytes = 512

// bulkItem is one encoded event: the create action line and the document.
type bulkItem struct {
	index      int    // index into the batch given to Send
	start, end int    // byte range in the encoded buffer
	dest       string // its data stream when ES_DATA_STREAM is a template, else ""
}

// request is a run of consecutive items sent as one _bulk body.
type request struct {
	buf   []byte
	items []bulkItem
}

// body is the request's _bulk body: its items' bytes, in item order (items
// ordered by destination are not contiguous in buf).
func (r request) body() []byte {
	first, last := r.items[0], r.items[len(r.items)-1]
	contiguous := true
	for i := 1; i < len(r.items) && contiguous; i++ {
		contiguous = r.items[i].start == r.items[i-1].end
	}
	if contiguous {
		return r.buf[first.start:last.end]
	}
	var out []byte
	for _, it := range r.items {
		out = append(out, r.buf[it.start:it.end]...)
	}
	return out
}

// halves splits r in two non-empty requests; r has at least two items.
func (r request) halves() (request, request) {
	m := len(r.items) / 2
	return request{buf: r.buf, items: r.items[:m]}, request{buf: r.buf, items: r.items[m:]}
}

// encodeBatch appends the _bulk lines of every event to buf. An event that
// cannot be sent (no id, id too long, larger than maxBytes) gets a Permanent
// error in rejected instead.
func encodeBatch(buf []byte, batch []normalize.Event, maxBytes int, render renderFunc) ([]byte, []bulkItem, []bridge.EventError) {
	items := make([]bulkItem, 0, len(batch))
	var rejected []bridge.EventError
	for i := range batch {
		start := len(buf)
		var err error
		buf, err = appendItem(buf, &batch[i], render)
		if err == nil && len(buf)-start > maxBytes {
			err = fmt.Errorf("encoded event is %d bytes, over AUDITBRIDGE_ES_MAX_BATCH_BYTES (%d)", len(buf)-start, maxBytes)
		}
		if err != nil {
			buf = buf[:start]
			rejected = append(rejected, bridge.EventError{Index: i, Err: bridge.Permanent(fmt.Errorf("event %q: %w", batch[i].ID, err))})
			continue
		}
		items = append(items, bulkItem{index: i, start: start, end: len(buf)})
	}
	return buf, items, rejected
}

// appendItem appends `{"create":{"_id":…}}\n<ECS document>\n`.
func appendItem(buf []byte, ev *normalize.Event, render renderFunc) ([]byte, error) {
	switch {
	case ev.ID == "":
		return buf, errors.New("event has no id (the document _id)")
	case len(ev.ID) > maxIDBytes:
		return buf, fmt.Errorf("event id is %d bytes, over the %d-byte _id limit", len(ev.ID), maxIDBytes)
	case !utf8.ValidString(ev.ID):
		return buf, errors.New("event id is not valid UTF-8")
	}
	buf = append(buf, `{"create":{"_id":`...)
	buf = normalize.AppendString(buf, ev.ID)
	buf = append(buf, "}}\n"...)
	buf = render(buf, ev)
	return append(buf, '\n'), nil
}

// group cuts items into requests of at most maxBytes body bytes and
// maxEvents items each; every item fits alone (encodeBatch checked).
func group(buf []byte, items []bulkItem, maxBytes, maxEvents int) []request {
	var out []request
	for first := 0; first < len(items); {
		last := first + 1
		for last < len(items) && last-first < maxEvents && items[last].dest == items[first].dest &&
			items[last].end-items[first].start <= maxBytes {
			last++
		}
		out = append(out, request{buf: buf, items: items[first:last]})
		first = last
	}
	return out
}

// parseBulkResponse reads a _bulk response body into one result per action.
// It fails when the body is not a bulk response, when the number of items
// differs from want, or when "errors" is true while no item reports a
// failure: the sink then retries the whole request (a resent create of a
// delivered event answers 409, which counts as delivered).
func parseBulkResponse(p *fastjson.Parser, body []byte, want int) ([]itemResult, error) {
	v, err := p.ParseBytes(body)
	if err != nil {
		return nil, fmt.Errorf("bulk response is not JSON: %w", err)
	}
	arr := v.GetArray("items")
	if len(arr) != want {
		return nil, fmt.Errorf("bulk response has %d items for %d actions", len(arr), want)
	}
	out := make([]itemResult, len(arr))
	failed := false
	for i, it := range arr {
		out[i] = parseItem(it)
		if out[i].Status < 200 || out[i].Status >= 300 || out[i].Type != "" {
			failed = true
		}
	}
	if v.GetBool("errors") && !failed {
		return nil, errors.New(`bulk response says "errors": true but no item failed`)
	}
	return out, nil
}

// parseItem reads {"create":{"status":…,"error":{"type":…,"reason":…}}}
// (whatever the operation key: servers answer "index" for some creates).
func parseItem(it *fastjson.Value) itemResult {
	obj, err := it.Object()
	if err != nil {
		return itemResult{Type: "malformed_item", Reason: "bulk item is not an object"}
	}
	var res itemResult
	obj.Visit(func(_ []byte, op *fastjson.Value) {
		if res.Status != 0 || op.Type() != fastjson.TypeObject {
			return
		}
		res.Status = op.GetInt("status")
		e := op.Get("error")
		switch {
		case e == nil:
		case e.Type() == fastjson.TypeString:
			res.Type, res.Reason = "error", string(e.GetStringBytes())
		default:
			res.Type = string(e.GetStringBytes("type"))
			res.Reason = string(e.GetStringBytes("reason"))
			if c := e.Get("caused_by"); c != nil {
				res.Reason += " (caused by " + string(c.GetStringBytes("type")) + ": " + string(c.GetStringBytes("reason")) + ")"
			}
			if res.Type == "" {
				res.Type = "error"
			}
		}
	})
	return res
}
