package hec

import (
	"net/http"
	"strconv"
)

// code is an HEC status code as documented by Splunk ("Troubleshoot HTTP
// Event Collector", status codes table). Each code has a fixed text and HTTP
// status; replies carry {"text":…,"code":…}.
type code int

// The HEC codes this receiver answers with (a subset of Splunk's table).
const (
	codeSuccess            code = 0
	codeTokenRequired      code = 2
	codeInvalidAuth        code = 3
	codeInvalidToken       code = 4
	codeNoData             code = 5
	codeInvalidDataFormat  code = 6
	codeInternalError      code = 8
	codeServerBusy         code = 9
	codeChannelMissing     code = 10
	codeChannelInvalid     code = 11
	codeEventRequired      code = 12
	codeEventBlank         code = 13
	codeAckDisabled        code = 14
	codeQueryAuthDisabled  code = 16
	codeHealthy            code = 17
	codeUnhealthyQueueFull code = 18
	codeShuttingDown       code = 23
)

// text is Splunk's message for c.
func (c code) text() string {
	switch c {
	case codeSuccess:
		return "Success"
	case codeTokenRequired:
		return "Token is required"
	case codeInvalidAuth:
		return "Invalid authorization"
	case codeInvalidToken:
		return "Invalid token"
	case codeNoData:
		return "No data"
	case codeInvalidDataFormat:
		return "Invalid data format"
	case codeInternalError:
		return "Internal server error"
	case codeServerBusy:
		return "Server is busy"
	case codeEventRequired:
		return "Event field is required"
	case codeEventBlank:
		return "Event field cannot be blank"
	case codeQueryAuthDisabled:
		return "Query string authorization is not enabled"
	case codeHealthy:
		return "HEC is healthy"
	case codeUnhealthyQueueFull:
		return "HEC is unhealthy, queues are full"
	case codeShuttingDown:
		return "Server is shutting down"
	case codeChannelMissing:
		return "Data channel is missing"
	case codeChannelInvalid:
		return "Invalid data channel"
	case codeAckDisabled:
		return "ACK is disabled"
	}
	return "Unknown error"
}

// status is the HTTP status Splunk answers c with.
func (c code) status() int {
	switch c {
	case codeSuccess, codeHealthy:
		return http.StatusOK
	case codeTokenRequired, codeInvalidAuth:
		return http.StatusUnauthorized
	case codeInvalidToken:
		return http.StatusForbidden
	case codeInternalError:
		return http.StatusInternalServerError
	case codeServerBusy, codeUnhealthyQueueFull, codeShuttingDown:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// reply is one HEC answer. Status overrides code's HTTP status when set (413
// for a body over the limit, 405, 415). Event is the 0-based number of the
// first invalid event, or -1 when the reply names none.
type reply struct {
	code   code
	status int
	text   string // overrides code.text() when set
	event  int
	ackID  *int64 // indexer acknowledgement id of an accepted request on a channel
}

// replyCode is the plain reply for c.
func replyCode(c code) reply { return reply{code: c, event: -1} }

// replyEvent is the reply for c naming the invalid event n.
func replyEvent(c code, n int) reply { return reply{code: c, event: n} }

func (r reply) httpStatus() int {
	if r.status != 0 {
		return r.status
	}
	return r.code.status()
}

// appendJSON renders r the way Splunk does:
// {"text":"Invalid data format","code":6,"invalid-event-number":3}.
func (r reply) appendJSON(dst []byte) []byte {
	text := r.text
	if text == "" {
		text = r.code.text()
	}
	dst = append(dst, `{"text":`...)
	dst = strconv.AppendQuote(dst, text)
	dst = append(dst, `,"code":`...)
	dst = strconv.AppendInt(dst, int64(r.code), 10)
	if r.event >= 0 {
		dst = append(dst, `,"invalid-event-number":`...)
		dst = strconv.AppendInt(dst, int64(r.event), 10)
	}
	if r.ackID != nil {
		dst = append(dst, `,"ackId":`...)
		dst = strconv.AppendInt(dst, *r.ackID, 10)
	}
	return append(dst, '}')
}

// write sends r. A busy reply asks the client to retry after a second.
func (r reply) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.httpStatus() == http.StatusServiceUnavailable {
		h.Set("Retry-After", "1")
	}
	if aw, ok := w.(*ackWriter); ok && r.code == codeSuccess && r.event < 0 && r.ackID == nil {
		id := aw.ackID() // every event of the request is in the spool
		r.ackID = &id
	}
	w.WriteHeader(r.httpStatus())
	_, _ = w.Write(r.appendJSON(make([]byte, 0, 96)))
}
