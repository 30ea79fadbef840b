package hec

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
)

// readBody reads the request body, gunzipping it when Content-Encoding says
// gzip. MaxBodyBytes bounds both the bytes on the wire and the decompressed
// bytes (a gzip bomb stops at the limit). ok is false when the reply is an
// error to send.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (body []byte, rep reply, ok bool) {
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, tooLarge(), false
	}
	wire := http.MaxBytesReader(w, r.Body, limit)
	defer wire.Close()
	var src io.Reader = wire
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(wire)
		if err != nil {
			return nil, s.bodyError(err, "gzip"), false
		}
		defer zr.Close()
		src = zr
	default:
		return nil, reply{code: codeInvalidDataFormat, status: http.StatusUnsupportedMediaType,
			text: "Unsupported content encoding", event: -1}, false
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 && src == io.Reader(wire) {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(src, limit+1))
	if err != nil {
		return nil, s.bodyError(err, "read"), false
	}
	if n > limit {
		return nil, tooLarge(), false
	}
	return buf.Bytes(), reply{}, true
}

// bodyError is the reply for a body that could not be read.
func (s *Server) bodyError(err error, stage string) reply {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooLarge()
	}
	s.log.Debug("cannot read request body", "stage", stage, "error", err)
	return replyCode(codeInvalidDataFormat)
}

// tooLarge is the 413 reply for a body above MaxBodyBytes.
func tooLarge() reply {
	return reply{code: codeInvalidDataFormat, status: http.StatusRequestEntityTooLarge,
		text: "Request entity too large", event: -1}
}

// tooMany is the 413 reply for a request above MaxEvents events.
func tooMany() reply {
	return reply{code: codeInvalidDataFormat, status: http.StatusRequestEntityTooLarge,
		text: "Too many events in one request", event: -1}
}

// frames splits body into records for kind.
func (s *Server) frames(kind endpoint, body []byte) []frame {
	switch kind {
	case kindEvent:
		return decodeHEC(body, s.cfg.MaxEvents)
	case kindRaw:
		return decodeLines(body, s.cfg.MaxEvents)
	}
	return decodeRecords(body, s.cfg.MaxEvents)
}
