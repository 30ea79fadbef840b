package hec

import (
	"bytes"
	"encoding/json"

	"github.com/auditbridge/auditbridge/sources/cwsub"
)

// subscriptionFrames recognises CloudWatch Logs subscription payloads
// (what a CloudWatch subscription, or Firehose fed by one, delivers):
//
//   - a body that is one or more payloads, gzip-compressed (also without
//     Content-Encoding, as CloudWatch writes them; concatenated gzip members
//     as Firehose concatenates records) or plain: one frame per
//     logEvents[].message, on every endpoint;
//   - on the event endpoint, an HEC event whose "event" is a payload (an
//     object, or a JSON string holding one): that event becomes one frame
//     per message.
//
// A CONTROL_MESSAGE yields no frame (it is acknowledged and dropped). ok is
// false when the body holds no payload; then the endpoint's own framing
// applies. Decompression is bounded by HEC_MAX_BODY_BYTES.
func (s *Server) subscriptionFrames(kind endpoint, body []byte) (frames []frame, ok bool) {
	gz := cwsub.IsGzip(body)
	if !gz && !bytes.Contains(body, []byte(`messageType`)) { // unquoted: also inside a JSON string
		return nil, false // the common case: one scan of the body
	}
	if gz || cwsub.Looks(body) {
		msgs, isSub, err := cwsub.DecodeAll(body, s.cfg.MaxBodyBytes)
		if isSub {
			for _, m := range msgs {
				frames = appendRecords(frames, m, len(frames))
			}
			if err != nil {
				frames = append(frames, frame{num: len(frames), bad: codeInvalidDataFormat})
			}
			if len(frames) == 0 {
				frames = []frame{} // control messages only: acknowledged, nothing published
			}
			return frames, true
		}
	}
	if kind != kindEvent || gz {
		return nil, false
	}
	expanded := false
	for _, f := range decodeHEC(body, s.cfg.MaxEvents) {
		if m := s.eventPayload(f); m != nil {
			frames = appendRecords(frames, m, f.num)
			expanded = true
			continue
		}
		frames = append(frames, f)
	}
	return frames, expanded
}

// eventPayload returns the subscription payload an HEC event carries as
// its "event", or nil.
func (s *Server) eventPayload(f frame) *cwsub.Message {
	if f.bad != codeSuccess || !json.Valid(f.data) { // rare: the body mentions messageType
		return nil
	}
	v := eventValue(f.data)
	if len(v) > 0 && v[0] == '"' {
		var str string
		if json.Unmarshal(v, &str) != nil {
			return nil
		}
		v = []byte(str)
	}
	m, ok, err := cwsub.Decode(v, s.cfg.MaxBodyBytes)
	if !ok || err != nil {
		return nil
	}
	return m
}

// appendRecords adds one frame per message of m, numbered num (the
// request record they came from).
func appendRecords(frames []frame, m *cwsub.Message, num int) []frame {
	for _, rec := range m.Records() {
		frames = append(frames, frame{data: rec, num: num})
	}
	return frames
}

// controlOnly reports whether frames come from subscription payloads that
// were all CONTROL_MESSAGEs: the request is answered with success, not
// "No data" (the endpoint's own decoders return nil for an empty body).
func controlOnly(frames []frame) bool { return frames != nil && len(frames) == 0 }
