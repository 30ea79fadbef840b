package normalize

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// str returns the string at keys; "" when absent or not a string. A
// string without escapes is a view of the record's compact bytes (which
// become the event's Raw and are never written again); an escaped one is
// unescaped into the arena.
func (p *Parser) str(v *value, keys ...string) string {
	return p.view(v.Get(keys...))
}

// view is the string x as str returns it.
func (p *Parser) view(x *value) string {
	if x == nil || x.typ != typeString {
		return ""
	}
	if x.esc {
		return p.keep(x.str())
	}
	if x.start == x.end {
		return ""
	}
	return unsafe.String(&x.t.raw[x.start], int(x.end-x.start))
}

// scalar returns the string or number at keys as text; "" otherwise.
func (p *Parser) scalar(v *value, keys ...string) string {
	x := v.Get(keys...)
	if x == nil {
		return ""
	}
	switch x.Type() {
	case typeString:
		return p.view(x)
	case typeNumber: // a view, like an unescaped string
		return unsafe.String(&x.t.raw[x.start], int(x.end-x.start))
	}
	return ""
}

// parseTime parses the time formats the sources use and returns it in
// UTC: RFC 3339 ("2020-06-30T17:52:46.000Z"), the HCP platform's
// "2024-01-18 19:50:55 +0000 UTC", "… +0000", and a time without a zone
// (taken as UTC), with "T" or " " between date and time. The layout is
// chosen from the string's shape rather than by trial, so a miss costs no
// failed parses.
func parseTime(s string) (time.Time, error) {
	if t, ok := parseRFC3339(s); ok {
		return t, nil
	}
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' {
		return time.Time{}, errNotTime
	}
	zone := s[19:]
	if len(zone) > 0 && zone[0] == '.' {
		i := 1
		for i < len(zone) && '0' <= zone[i] && zone[i] <= '9' {
			i++
		}
		zone = zone[i:]
	}
	var layout string
	switch {
	case s[10] == 'T' && zone == "":
		layout = "2006-01-02T15:04:05.999999999"
	case s[10] == 'T':
		layout = time.RFC3339Nano
	case s[10] != ' ':
		return time.Time{}, errNotTime
	case zone == "":
		layout = "2006-01-02 15:04:05.999999999"
	case len(zone) == 6:
		layout = "2006-01-02 15:04:05.999999999 -0700"
	default:
		layout = "2006-01-02 15:04:05.999999999 -0700 MST"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, errNotTime
	}
	return t.UTC(), nil
}

// setTime sets ev.Time from the string at keys. An absent, null or empty
// field leaves the time zero (finish decides); anything else that does not
// parse is an error naming the field.
func setTime(ev *Event, v *value, field string, keys ...string) error {
	x := v.Get(keys...)
	if x == nil || x.Type() == typeNull {
		return nil
	}
	b, err := x.StringBytes()
	if err != nil {
		return invalidField(ev.Kind, field, "not a string")
	}
	if len(b) == 0 {
		return nil
	}
	t, err := parseTime(string(b))
	if err != nil {
		return invalidField(ev.Kind, field, "not a time: "+strconv.Quote(truncate(string(b), 40)))
	}
	ev.Time = t
	return nil
}

// maxUnixSeconds is 9999-12-31T23:59:59Z, the last time RFC 3339 (and so
// ECS @timestamp) can write.
const maxUnixSeconds = 253402300799

// unixTime parses Unix seconds with an optional fraction ("1700000000.123").
func unixTime(s string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || len(frac) > 9 || n < 0 || n > maxUnixSeconds {
		return time.Time{}, false
	}
	var ns int64
	if frac != "" {
		f, err := strconv.ParseInt(frac, 10, 64)
		if err != nil || f < 0 {
			return time.Time{}, false
		}
		for i := len(frac); i < 9; i++ {
			f *= 10
		}
		ns = f
	}
	return time.Unix(n, ns).UTC(), true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// metaStr sets m[k] to the JSON string s unless s is empty.
func (p *Parser) metaStr(m *Meta, k, s string) {
	if s != "" {
		m.Set(k, p.metaString(s))
	}
}

// metaString is s as a JSON string in p's storage.
func (p *Parser) metaString(s string) json.RawMessage {
	p.scratch = appendString(p.scratch[:0], s)
	return p.keepRaw(p.scratch)
}

// metaRawStr sets m[k] to the string x as the record writes it (compact
// JSON) unless x is absent, not a string, or empty: metaStr without
// unescaping and escaping again.
func (p *Parser) metaRawStr(m *Meta, k string, x *value) {
	if x != nil && x.typ == typeString && x.end > x.start {
		m.Set(k, x.rawBytes())
	}
}

// metaVal sets m[k] to the value at keys unless it is absent, null, or an
// empty object or array.
func (p *Parser) metaVal(m *Meta, k string, v *value, keys ...string) {
	if x := metaValue(v.Get(keys...)); x != nil {
		m.Set(k, x)
	}
}

// metaValue is x's compact JSON for meta, nil when x is absent, null, or
// an empty object or array. It views the tree's bytes: parseJSON's block
// is never reused.
func metaValue(x *value) json.RawMessage {
	switch typ(x) {
	case typeNull:
		return nil
	case typeObject, typeArray:
		if x.next == x.idx()+1 { // no member or element
			return nil
		}
	}
	return x.rawBytes()
}

// verbOf maps an action word to a verb: create; show/index/download/read/
// get → read; list → list; destroy/delete/remove → delete; login/logout;
// an empty action → other; anything else → dflt.
func verbOf(action, dflt string) string {
	var buf [16]byte
	b := appendLower(buf[:0], action)
	switch string(b) { // no allocation: the compiler compares in place
	case "create", "created", "post":
		return VerbCreate
	case "show", "index", "download", "read", "get":
		return VerbRead
	case "list":
		return VerbList
	case "update", "updated", "patch", "put":
		return VerbUpdate
	case "destroy", "delete", "deleted", "remove", "removed":
		return VerbDelete
	case "login", "authenticate", "sign_in", "signin":
		return VerbLogin
	case "logout", "sign_out", "signout":
		return VerbLogout
	case "":
		return VerbOther
	}
	return dflt
}

// appendLower appends s lowercased (ASCII) to buf.
func appendLower(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// firstOf returns the first non-empty string.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// who names the actor for a message: name, else email, else id.
func who(a *Actor) string {
	if a.Type == ActorSystem && a.Name == "" {
		return firstOf(a.ID, "system")
	}
	return firstOf(a.Name, a.Email, a.ID, "unknown actor")
}

// sentence joins the non-empty words with single spaces, in the arena.
func (p *Parser) sentence(words ...string) string {
	p.scratch = p.scratch[:0]
	for _, w := range words {
		if w == "" {
			continue
		}
		if len(p.scratch) > 0 {
			p.scratch = append(p.scratch, ' ')
		}
		p.scratch = append(p.scratch, w...)
	}
	return p.keep(p.scratch)
}

// dotted joins a and b with a dot, or returns the non-empty one.
func (p *Parser) dotted(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	p.scratch = append(append(append(p.scratch[:0], a...), '.'), b...)
	return p.keep(p.scratch)
}

// pathResource applies the resource rule to a request path: the resource
// is the object the path names, its last collection segment made singular
// and snake_case ("custom-regexes" → "custom_regex"), with the id segment
// that follows it if any. A collection word (see isCollection) is never
// an id. The scope segments "projects/<id>" and "organizations/<id>",
// when more follows them, give projectID/orgID instead of the resource.
// API version segments ("v1", "2023-05-01") and a query are skipped.
func (p *Parser) pathResource(path string) (rtype, id, projectID, orgID string) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	var segs [24]string
	n := 0
	for s := range strings.SplitSeq(path, "/") {
		if s == "" || isVersionSegment(s) || n == len(segs) {
			continue
		}
		segs[n] = s
		n++
	}
	coll := ""
	for i := 0; i < n; i++ {
		s := segs[i]
		if !isCollection(s) {
			continue
		}
		cid := ""
		if i+1 < n && !isCollection(segs[i+1]) {
			cid = segs[i+1]
			i++
		}
		if cid != "" && i+1 < n { // a scope with more after it
			switch s {
			case "projects":
				projectID = cid
				continue
			case "organizations", "orgs":
				orgID = cid
				continue
			}
		}
		coll, id = s, cid
	}
	if coll == "" {
		return "", "", projectID, orgID
	}
	return p.singularSnake(coll), id, projectID, orgID
}

// isVersionSegment reports an API version segment: "v1", "v2beta1" or a
// date "2023-05-01".
func isVersionSegment(s string) bool {
	if len(s) >= 2 && s[0] == 'v' && '0' <= s[1] && s[1] <= '9' {
		return true
	}
	return len(s) == 10 && s[4] == '-' && s[7] == '-' && strings.Trim(s, "0123456789-") == ""
}

// isCollection reports whether a path segment is a collection word: a
// lower-case plural noun of letters, '-' and '_' ("projects",
// "custom-regexes", "data-source-registrations"). Ids carry digits or
// upper case, and words like "status" or "access" are not plurals.
func isCollection(s string) bool {
	if len(s) < 3 || s[len(s)-1] != 's' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && c != '-' && c != '_' {
			return false
		}
	}
	switch {
	case strings.HasSuffix(s, "ss"), strings.HasSuffix(s, "us"), strings.HasSuffix(s, "is"):
		return false
	}
	return true
}

// singularSnake is a plural collection word made singular, with '-' as
// '_' ("policies" → "policy", "custom-regexes" → "custom_regex",
// "sessions" → "session", "aliases" → "alias").
func (p *Parser) singularSnake(s string) string {
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 4:
		s = s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"), strings.HasSuffix(s, "ches"),
		strings.HasSuffix(s, "shes"), strings.HasSuffix(s, "zes"), strings.HasSuffix(s, "aliases"):
		s = s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss"):
		s = s[:len(s)-1]
	}
	if strings.IndexByte(s, '-') < 0 {
		return s
	}
	p.scratch = append(p.scratch[:0], s...)
	for i, c := range p.scratch {
		if c == '-' {
			p.scratch[i] = '_'
		}
	}
	return p.keep(p.scratch)
}

// singularType makes a resource type singular for products whose types
// are plural collection names (Boundary "sessions", HCP "projects"); a
// singular or dotted type is kept as sent.
func (p *Parser) singularType(t string) string {
	if isCollection(t) {
		return p.singularSnake(t)
	}
	return t
}
