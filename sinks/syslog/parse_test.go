package syslog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// This file is a small, strict RFC 5424 parser and an octet-counting frame
// reader, used only by tests to read our messages back.

type sdParam struct{ name, value string }

type message5424 struct {
	pri                                 int
	timestamp, host, app, procID, msgID string
	sdID                                string // "" when STRUCTURED-DATA is "-"
	params                              []sdParam
	msg                                 []byte
}

// parse5424 parses one RFC 5424 message with at most one SD-ELEMENT.
func parse5424(b []byte) (message5424, error) {
	var m message5424
	if len(b) == 0 || b[0] != '<' {
		return m, errors.New("no '<'")
	}
	end := bytes.IndexByte(b, '>')
	if end < 2 || end > 4 {
		return m, errors.New("bad PRI")
	}
	pri, err := strconv.Atoi(string(b[1:end]))
	if err != nil || pri > 191 {
		return m, fmt.Errorf("bad PRI %q", b[1:end])
	}
	m.pri = pri
	rest, ok := bytes.CutPrefix(b[end+1:], []byte("1 "))
	if !ok {
		return m, errors.New("no VERSION 1")
	}
	fields := make([]string, 5)
	limits := []int{32, maxHostname, maxAppName, maxProcID, maxMsgID}
	for i := range fields {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 1 {
			return m, fmt.Errorf("header field %d missing", i)
		}
		f := rest[:sp]
		if len(f) > limits[i] {
			return m, fmt.Errorf("header field %d longer than %d", i, limits[i])
		}
		for _, c := range f {
			if c < 33 || c > 126 {
				return m, fmt.Errorf("header field %d has byte %#x", i, c)
			}
		}
		fields[i], rest = string(f), rest[sp+1:]
	}
	m.timestamp, m.host, m.app, m.procID, m.msgID = fields[0], fields[1], fields[2], fields[3], fields[4]
	rest, err = m.parseSD(rest)
	if err != nil {
		return m, err
	}
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return m, errors.New("no SP before MSG")
		}
		m.msg = rest[1:]
	}
	return m, nil
}

// parseSD reads "-" or one "[SD-ID PARAM="VALUE"...]".
func (m *message5424) parseSD(b []byte) ([]byte, error) {
	if len(b) > 0 && b[0] == '-' {
		return b[1:], nil
	}
	if len(b) == 0 || b[0] != '[' {
		return nil, errors.New("no SD")
	}
	b = b[1:]
	i := bytes.IndexAny(b, " ]")
	if i < 1 {
		return nil, errors.New("bad SD-ID")
	}
	m.sdID, b = string(b[:i]), b[i:]
	for len(b) > 0 && b[0] == ' ' {
		eq := bytes.IndexByte(b, '=')
		if eq < 2 || eq > 33 || len(b) < eq+2 || b[eq+1] != '"' {
			return nil, errors.New("bad SD-PARAM")
		}
		name := string(b[1:eq])
		val, n, err := unescapeSD(b[eq+2:])
		if err != nil {
			return nil, fmt.Errorf("param %s: %w", name, err)
		}
		m.params = append(m.params, sdParam{name, val})
		b = b[eq+2+n:]
	}
	if len(b) == 0 || b[0] != ']' {
		return nil, errors.New("SD-ELEMENT not closed")
	}
	return b[1:], nil
}

// unescapeSD reads a PARAM-VALUE up to its closing quote and returns it and
// the bytes consumed (quote included). A backslash escapes '"', '\' and ']';
// before any other byte it is kept (RFC 5424 6.3.3). \u00XX is a control
// byte (our own escape for C0 controls).
func unescapeSD(b []byte) (string, int, error) {
	var out []byte
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\\' && i+1 < len(b) && (b[i+1] == '"' || b[i+1] == '\\' || b[i+1] == ']'):
			out = append(out, b[i+1])
			i++
		case c == '\\' && i+5 < len(b) && b[i+1] == 'u':
			if ctl, ok := controlEscape(string(b[i : i+6])); ok {
				out = append(out, ctl)
				i += 5
				continue
			}
			out = append(out, c)
		case c == '"':
			return string(out), i + 1, nil
		case c == ']':
			return "", 0, errors.New("unescaped ]")
		default:
			out = append(out, c)
		}
	}
	return "", 0, errors.New("unterminated value")
}

// readOctetFrame reads one "LEN SP MSG" frame.
func readOctetFrame(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(' ')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(head[:len(head)-1])
	if err != nil || n < 1 || head[0] == '0' {
		return nil, fmt.Errorf("bad MSG-LEN %q", head)
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, fmt.Errorf("short frame: %w", err)
	}
	return msg, nil
}
