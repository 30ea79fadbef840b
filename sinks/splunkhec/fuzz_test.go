package splunkhec

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
)

// Whatever the strings, an encoded event is one line of valid JSON whose
// metadata and body read back as given.
func FuzzAppendEvent(f *testing.F) {
	f.Add("host", "src", "idx", "msg", "terraform", int64(1718000000123))
	f.Add("h\"\n", "\xff", "", "}\n{", "boundary", int64(-1))
	f.Add("", "", "", "\u2028<&>", "", int64(0))
	f.Fuzz(func(t *testing.T, host, source, index, msg, product string, ms int64) {
		e := newEncoder(Config{Host: host, Source: source, Index: index, Format: normalize.FormatNative})
		ev := sinktest.Event(1, msg)
		ev.Product, ev.Time = product, time.UnixMilli(ms).UTC()
		b := e.appendEvent(nil, &ev)
		if bytes.Count(b, []byte("\n")) != 1 || b[len(b)-1] != '\n' {
			t.Fatalf("not exactly one line: %q", b)
		}
		var got struct {
			Time                            json.Number
			Host, Source, Index, Sourcetype string
			Event                           json.RawMessage
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("invalid JSON: %v\n%q", err, b)
		}
		if got.Host != sinktest.ValidUTF8(host) || got.Source != sinktest.ValidUTF8(source) || got.Index != sinktest.ValidUTF8(index) {
			t.Fatalf("metadata %+v from host %q source %q index %q", got, host, source, index)
		}
		if got.Sourcetype != normalize.Sourcetype(product) {
			t.Fatalf("sourcetype %q for product %q", got.Sourcetype, product)
		}
		if string(got.Event) != string(normalize.AppendJSON(nil, &ev, normalize.FormatNative)) {
			t.Fatalf("event body changed")
		}
		if string(got.Time) != string(appendEpoch(nil, ev.Time)) {
			t.Fatalf("time %s, want %s", got.Time, appendEpoch(nil, ev.Time))
		}
	})
}

// classify never panics and never calls a 2xx an error or anything else a
// success, whatever the body.
func FuzzClassify(f *testing.F) {
	f.Add(400, []byte(`{"text":"Invalid data format","code":6,"invalid-event-number":3}`))
	f.Add(200, []byte(`{"text":"Success","code":0,"ackId":1}`))
	f.Add(503, []byte(`{"code":"nine"}`))
	f.Add(400, []byte(`{"invalid-event-number":-5}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		err := classify(&http.Response{StatusCode: status, Header: http.Header{}}, body)
		if ok := status >= 200 && status < 300; ok != (err == nil) {
			t.Fatalf("classify(%d, %q) = %v", status, body, err)
		}
		var bad *badDataError
		if errors.As(err, &bad) && bad.Index < -1 {
			t.Fatalf("negative event index %d", bad.Index)
		}
	})
}

// appendMember writes exactly what json.Marshal writes for the value,
// escaped by normalize.AppendString.
func FuzzAppendMember(f *testing.F) {
	for _, s := range []string{"", "hashicorp:terraform:audit", `a"b`, `a\b`, "<&>", "\x00\x1f\x7f", "ü\u2028", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want, _ := json.Marshal(v)
		want = append(append([]byte(`"k":`), want...), ',')
		if got := appendMember(nil, "k", v); !bytes.Equal(got, want) {
			t.Fatalf("appendMember(%q) = %s, want %s", v, got, want)
		}
	})
}
