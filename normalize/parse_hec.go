package normalize

import (
	"bytes"
	"time"
)

// parseHEC unwraps a Splunk HEC wrapper {"event": X, "time", "host",
// "source", "sourcetype", "index", "fields"}. X may be an object, an array,
// a JSON-encoded string or a plain TFE log line; it is detected and parsed
// as if it had come alone, so its Raw and content-hash id are those of X.
// The wrapper's fields go to meta as hec_<name>; its time is used when X
// has none.
func (p *Parser) parseHEC(v *value, raw []byte, outer *wrapper, d int) error {
	in := v.Get("event")
	if in == nil {
		return missingField("hec", "event")
	}
	w := p.hecWrapper(v, outer, d)
	if s := bytes.TrimSpace(in.GetStringBytes()); len(s) > 0 {
		if startsJSON(s) && s[0] != '"' && d+1 < maxDepth {
			if iv, iraw, err := p.parseJSON(s, d+1); err == nil {
				return p.parseValue(iv, iraw, w, d+1)
			}
		}
		if isTFELine(s) {
			return p.emit(p.parseTFELine(s, in.rawBytes(), w, d+1))
		}
	}
	return p.parseValue(in, in.rawBytes(), w, d+1)
}

// hecWrapper collects the wrapper's fields; an outer wrapper's fields are
// kept where this one does not set them.
// The wrapper of depth d is the Parser's own, reused from call to call:
// finish copies what it holds into each event, so no event refers to it.
func (p *Parser) hecWrapper(v *value, outer *wrapper, d int) *wrapper {
	var w *wrapper
	if d < maxDepth {
		w = &p.wraps[d]
		*w = wrapper{meta: w.meta}
	} else {
		w = &wrapper{}
	}
	w.meta = w.meta[:0]
	if outer != nil {
		w.meta = append(w.meta, outer.meta...)
		w.time, w.hasTime = outer.time, outer.hasTime
	}
	for _, k := range [...][2]string{{"host", "hec_host"}, {"source", "hec_source"}, {"sourcetype", "hec_sourcetype"},
		{"index", "hec_index"}, {"fields", "hec_fields"}, {"time", "hec_time"}} {
		p.metaVal(&w.meta, k[1], v, k[0])
	}
	if t, ok := hecTime(v.Get("time")); ok {
		w.time, w.hasTime = t, true
	}
	return w
}

// hecTime reads HEC's time: Unix seconds, a number or a numeric string,
// with an optional fraction.
func hecTime(x *value) (t time.Time, ok bool) {
	switch typ(x) {
	case typeNumber:
		return unixTime(string(x.rawBytes()))
	case typeString:
		return unixTime(string(x.GetStringBytes()))
	}
	return t, false
}

// parseUnknown keeps valid JSON it does not recognise as an event of kind
// unknown: id is the content hash of Raw; time from a top-level "time",
// "timestamp" or "@timestamp" (RFC 3339, or Unix seconds), else the HEC
// wrapper's, else the received time with meta.time_source "received" (see Parse).
func (p *Parser) parseUnknown(v *value, raw []byte, w *wrapper) (Event, error) {
	ev := p.newEvent(KindUnknown, ProductUnknown, metaCap(4, w))
	for _, k := range [...]string{"time", "timestamp", "@timestamp"} {
		x := v.Get(k)
		if t, ok := hecTime(x); ok {
			ev.Time = t
			break
		}
		if t, err := parseTime(p.str(x)); err == nil {
			ev.Time = t
			break
		}
	}
	ev.Message = "unrecognised record"
	return ev, p.finish(&ev, raw, nil, w, "time", true)
}
