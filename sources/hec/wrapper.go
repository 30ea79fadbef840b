package hec

import (
	"bytes"
	"encoding/json"
)

// checkWrapper checks one HEC event object the way Splunk does: valid JSON
// (code 6), an "event" key that is present and not null (code 12), and not
// an empty (or all-whitespace) string or an empty object (code 13). Any
// other JSON value is accepted and left to the parser, which keeps
// unrecognised JSON as an event of kind unknown.
//
// encoding/json validates: it is strict where fastjson is lenient (raw
// control characters in strings, some numbers) and iterative, not
// recursive. The "event" value is then found by a scan of the top-level
// keys, without building a tree.
func checkWrapper(obj []byte) code {
	if !json.Valid(obj) {
		return codeInvalidDataFormat
	}
	v := eventValue(obj)
	switch {
	case v == nil || string(v) == "null":
		return codeEventRequired
	case v[0] == '"' && blankString(v):
		return codeEventBlank
	case v[0] == '{' && len(bytes.TrimSpace(v[1:len(v)-1])) == 0:
		return codeEventBlank
	}
	return codeSuccess
}

// eventValue returns the value of the first top-level "event" key of obj, a
// valid JSON object, or nil when it has none.
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

// blankString reports whether the JSON string literal s is empty or only
// whitespace once unescaped.
func blankString(s []byte) bool {
	inner := s[1 : len(s)-1]
	if i := skipSpace(inner, 0); i < len(inner) && inner[i] < 0x80 && inner[i] != '\\' {
		return false // a visible ASCII character: not blank, no unescaping needed
	}
	if bytes.IndexByte(inner, '\\') < 0 {
		return len(bytes.TrimSpace(inner)) == 0
	}
	var v string
	return json.Unmarshal(s, &v) == nil && len(bytes.TrimSpace([]byte(v))) == 0
}
