package hec

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/auditbridge/auditbridge/normalize"
)

// wrapperCode is the HEC code of an error of Parser.AppendParseHEC, the
// way Splunk refuses an event object: no "event" or a null one (code 12),
// a blank string or an empty object (code 13), anything else, the
// object's invalid JSON included, code 6.
func wrapperCode(err error) code {
	switch {
	case err == nil:
		return codeSuccess
	case errors.Is(err, normalize.ErrEventRequired):
		return codeEventRequired
	case errors.Is(err, normalize.ErrEventBlank):
		return codeEventBlank
	}
	return codeInvalidDataFormat
}

// eventValue returns the value of the first top-level "event" key of obj, a
// valid JSON object, or nil when it has none. Only CloudWatch subscription
// payloads carried as an HEC event need it (see eventPayload).
func eventValue(obj []byte) []byte {
	i := skipSpace(obj, 1)
	for i < len(obj) && obj[i] == '"' {
		end := stringEnd(obj, i+1)
		key := obj[i+1 : end]
		i = skipSpace(obj, skipSpace(obj, end+1)+1) // past the ':'
		vend := valueEnd(obj, i)
		if keyIs(key, "event") {
			return obj[i:vend]
		}
		if i = skipSpace(obj, vend); i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	return nil
}

// valueEnd returns the end of the value starting at b[i], in valid JSON.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i+1) + 1
	case '{', '[':
		n, _ := scanNested(b[i:])
		return i + n
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' &&
		b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}

// keyIs compares a raw (still escaped) JSON key with name.
func keyIs(raw []byte, name string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw) == name
	}
	var k string
	return json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &k) == nil && k == name
}
