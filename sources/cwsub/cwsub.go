package cwsub

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Message types of a subscription payload.
const (
	DataMessage    = "DATA_MESSAGE"
	ControlMessage = "CONTROL_MESSAGE"
)

// ErrTooLarge is returned when a gzip-compressed payload expands beyond the
// limit given to Decode.
var ErrTooLarge = errors.New("cwsub: decompressed payload above the size limit")

// Message is one subscription payload.
type Message struct {
	MessageType         string     `json:"messageType"`
	Owner               string     `json:"owner"`
	LogGroup            string     `json:"logGroup"`
	LogStream           string     `json:"logStream"`
	SubscriptionFilters []string   `json:"subscriptionFilters"`
	LogEvents           []LogEvent `json:"logEvents"`
}

// LogEvent is one log event of a DATA_MESSAGE. Timestamp is in milliseconds
// since the Unix epoch.
type LogEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// Records returns the messages of a DATA_MESSAGE, none for a
// CONTROL_MESSAGE.
func (m *Message) Records() [][]byte {
	if m.MessageType != DataMessage {
		return nil
	}
	out := make([][]byte, 0, len(m.LogEvents))
	for _, e := range m.LogEvents {
		out = append(out, []byte(e.Message))
	}
	return out
}

// IsGzip reports whether b starts with the gzip magic bytes.
func IsGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// Gunzip decompresses b (one or more concatenated gzip members), reading at
// most limit bytes of output; more is ErrTooLarge.
func Gunzip(b []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("cwsub: gzip: %w", err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cwsub: gzip: %w", err)
	}
	if n > limit {
		return nil, ErrTooLarge
	}
	return buf.Bytes(), nil
}

// Looks reports, cheaply, whether b (plain JSON) may be a subscription
// payload: an object mentioning both "messageType" and "logEvents".
func Looks(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{' &&
		bytes.Contains(b, []byte(`"messageType"`)) && bytes.Contains(b, []byte(`"logEvents"`))
}

// Decode reads one subscription payload from b, gzip-compressed (at most
// limit bytes once decompressed) or plain. ok is false when b is not a
// subscription payload (then err is nil and the caller treats b as an
// ordinary record); err is set when b is one but cannot be read.
func Decode(b []byte, limit int64) (msg *Message, ok bool, err error) {
	if IsGzip(b) {
		if b, err = Gunzip(b, limit); err != nil {
			return nil, true, err
		}
	}
	if !Looks(b) {
		return nil, false, nil
	}
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, false, nil // some other JSON that mentions these names
	}
	switch m.MessageType {
	case DataMessage, ControlMessage:
		return &m, true, nil
	}
	return nil, false, nil
}

// DecodeAll reads a body holding one or more subscription payloads, plain
// or gzip-compressed (concatenated gzip members decompress to concatenated
// objects), written one after the other with or without whitespace between
// them. ok is false when the body is not made of subscription payloads.
func DecodeAll(b []byte, limit int64) (msgs []*Message, ok bool, err error) {
	if IsGzip(b) {
		if b, err = Gunzip(b, limit); err != nil {
			return nil, true, err
		}
	}
	if !Looks(b) {
		return nil, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var m Message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if len(msgs) == 0 {
				return nil, false, nil
			}
			return msgs, true, fmt.Errorf("cwsub: payload %d: %w", len(msgs), err)
		}
		if m.MessageType != DataMessage && m.MessageType != ControlMessage {
			return nil, false, nil
		}
		msgs = append(msgs, &m)
	}
	return msgs, len(msgs) > 0, nil
}
