package normalize

// checkJSON reports whether b is exactly one valid JSON value, by the
// rules of tree.parse (encoding/json's, nesting at most maxNesting), and
// whether it holds a line break outside strings (so it needs compacting
// to stay on one line). It is the validation half of tree.parse: no copy,
// no index, no allocation; renderers call it on every Raw and meta value.
func checkJSON(b []byte) (ok, breaks bool) {
	var stack [(maxNesting + 63) / 64]uint64 // bit set: the open container is an object
	depth := 0
	state := wantValue
	i := 0
	for {
		for i < len(b) && b[i] <= ' ' {
			switch b[i] {
			case '\n', '\r':
				breaks = true
			case ' ', '\t':
			default:
				return false, breaks
			}
			i++
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		inObject := depth > 0 && stack[(depth-1)/64]&(1<<((depth-1)%64)) != 0
		switch state {
		case wantComma:
			switch {
			case depth == 0:
				return false, breaks
			case c == ',' && inObject:
				state = wantKey
			case c == ',':
				state = wantValue
			case c == '}' && inObject, c == ']' && !inObject:
				depth--
			default:
				return false, breaks
			}
			i++
			continue
		case wantColon:
			if c != ':' {
				return false, breaks
			}
			i++
			state = wantValue
			continue
		case wantKey, wantKeyOrEnd:
			if c == '}' && state == wantKeyOrEnd {
				depth--
				i++
				state = wantComma
				continue
			}
			if c != '"' {
				return false, breaks
			}
			n, _ := scanString(b[i+1:])
			if n < 0 {
				return false, breaks
			}
			i += n + 2
			state = wantColon
			continue
		case wantValueOrEnd:
			if c == ']' {
				depth--
				i++
				state = wantComma
				continue
			}
		}
		switch c {
		case '{', '[':
			if depth >= maxNesting {
				return false, breaks
			}
			word, bit := depth/64, uint64(1)<<(depth%64)
			if c == '{' {
				stack[word] |= bit
				state = wantKeyOrEnd
			} else {
				stack[word] &^= bit
				state = wantValueOrEnd
			}
			depth++
			i++
			continue
		case '"':
			n, _ := scanString(b[i+1:])
			if n < 0 {
				return false, breaks
			}
			i += n + 2
		case 't', 'f', 'n':
			n := literalLen(b[i:])
			if n == 0 {
				return false, breaks
			}
			i += n
		default:
			n := numberLen(b[i:])
			if n == 0 {
				return false, breaks
			}
			i += n
		}
		state = wantComma
	}
	return depth == 0 && state == wantComma, breaks
}
