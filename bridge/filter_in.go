package bridge

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// listMatch finds "<selector> in [<values>]" and "<selector> not in
// [<values>]": the set form HashiCorp's docs use for Boundary filters
// (`actor.type in ["user","service"]`), which go-bexpr itself spells as
// several == joined by or.
var listMatch = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.\-]*)\s+(not\s+in|in)\s+\[((?:\s*(?:"(?:[^"\\]|\\.)*"|[^\s,\]"]+)\s*,?)*)\]`)

var listItem = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|[^\s,\]"]+`)

// expandLists rewrites every set form outside a quoted string into
// go-bexpr: `a in ["x","y"]` → `(a == "x" or a == "y")`, `a not in [...]`
// → `(a != "x" and a != "y")`.
func expandLists(expr string) (string, error) {
	quoted := stringSpans(expr)
	var b strings.Builder
	last := 0
	for _, m := range listMatch.FindAllStringSubmatchIndex(expr, -1) {
		if inSpan(quoted, m[0]) {
			continue
		}
		sel, op, list := expr[m[2]:m[3]], expr[m[4]:m[5]], expr[m[6]:m[7]]
		items := listItem.FindAllString(list, -1)
		if len(items) == 0 {
			return "", errors.New(sel + " " + op + " []: the list is empty")
		}
		eq, join := " == ", " or "
		if strings.HasPrefix(op, "not") {
			eq, join = " != ", " and "
		}
		parts := make([]string, len(items))
		for i, it := range items {
			if !strings.HasPrefix(it, `"`) {
				it = strconv.Quote(it)
			}
			parts[i] = sel + eq + it
		}
		b.WriteString(expr[last:m[0]])
		b.WriteString("(" + strings.Join(parts, join) + ")")
		last = m[1]
	}
	b.WriteString(expr[last:])
	return b.String(), nil
}

// stringSpans returns the [start, end) of each "…" or `…` string of expr.
func stringSpans(expr string) [][2]int {
	var out [][2]int
	for i := 0; i < len(expr); i++ {
		q := expr[i]
		if q != '"' && q != '`' {
			continue
		}
		start := i
		for i++; i < len(expr) && expr[i] != q; i++ {
			if q == '"' && expr[i] == '\\' {
				i++
			}
		}
		out = append(out, [2]int{start, i + 1})
	}
	return out
}

func inSpan(spans [][2]int, at int) bool {
	for _, s := range spans {
		if at >= s[0] && at < s[1] {
			return true
		}
	}
	return false
}

// rawSlashStrings rewrites each "…" string whose text starts with '/' as a
// `…` string: go-bexpr's grammar reads "/a/b" in a value position as a
// JSON-pointer selector and compares against "a/b" (so
// `request.path == "/v1/targets"` never matched). JSON-pointer selectors
// are therefore not available in filters; dotted selectors are.
func rawSlashStrings(expr string) string {
	var b strings.Builder
	last := 0
	for _, sp := range stringSpans(expr) {
		lit := expr[sp[0]:min(sp[1], len(expr))]
		s, err := strconv.Unquote(lit)
		if lit[0] != '"' || err != nil || !strings.HasPrefix(s, "/") || strings.Contains(s, "`") {
			continue
		}
		b.WriteString(expr[last:sp[0]])
		b.WriteString("`" + s + "`")
		last = sp[1]
	}
	b.WriteString(expr[last:])
	return b.String()
}
