package syslog

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// truncMarker ends a free-text field cut to fit the size limit.
const truncMarker = "...[truncated]"

// minKeep is the shortest a free-text field is cut to.
const minKeep = 64

// shrink renders ev within limit bytes, in this order:
//
//  1. without the raw record (native raw, ECS event.original, OCSF raw_data,
//     CIM _raw);
//  2. cutting the longest free-text field (message, resource name, request
//     path, user agent, actor name or e-mail, a meta value) to what makes the
//     message fit, or to minKeep bytes, ending it with truncMarker, then the
//     next longest, and so on.
//
// RFC 5424 messages name what was cut in the SD-PARAM truncated (e.g.
// truncated="raw,message"). It reports false when the message still does
// not fit: only then is the event dead-lettered.
func (e *encoder) shrink(dst []byte, orig *normalize.Event, limit int) ([]byte, bool) {
	ev := *orig
	ev.Raw = nil
	if y := ev.Time.Year(); ev.Time.IsZero() || y < 1 || y > 9999 {
		// Rendered as the time of rendering: fix it once, or each try below
		// could render a time of another length and miss the computed cut.
		ev.Time = time.Now().UTC()
	}
	cut := []string{"raw"}
	if orig.Raw == nil {
		cut = nil
	}
	metaCloned := false
	for {
		dst = e.appendMessageCut(dst[:0], &ev, strings.Join(cut, ","))
		if len(dst) <= limit {
			return dst, true
		}
		name, val, set := longestText(&ev)
		if set == nil {
			return dst, false
		}
		if strings.HasPrefix(name, "meta.") && !metaCloned {
			ev.Meta, metaCloned = slices.Clone(ev.Meta), true
			_, val, set = longestText(&ev)
		}
		grow := len(truncMarker)
		if !slices.Contains(cut, name) {
			cut = append(cut, name)
			grow += len(name) + 1 // its name in truncated="…"
		}
		keep := max(len(val)-(len(dst)-limit)-grow, minKeep)
		set(truncateUTF8(val, keep) + truncMarker)
	}
}

// longestText finds the longest free-text field that can still be cut and
// returns its name, value and setter (nil when none is longer than minKeep
// plus the marker).
func longestText(ev *normalize.Event) (string, string, func(string)) {
	best, bestVal := "", ""
	var bestSet func(string)
	consider := func(name, v string, set func(string)) {
		if len(v) > minKeep+len(truncMarker) && len(v) > len(bestVal) {
			best, bestVal, bestSet = name, v, set
		}
	}
	consider("message", ev.Message, func(s string) { ev.Message = s })
	consider("resource_name", ev.Resource.Name, func(s string) { ev.Resource.Name = s })
	consider("request_path", ev.Request.Path, func(s string) { ev.Request.Path = s })
	consider("user_agent", ev.Request.UserAgent, func(s string) { ev.Request.UserAgent = s })
	consider("actor_name", ev.Actor.Name, func(s string) { ev.Actor.Name = s })
	consider("actor_email", ev.Actor.Email, func(s string) { ev.Actor.Email = s })
	for i := range ev.Meta { // in key order
		consider("meta."+ev.Meta[i].Key, metaText(ev.Meta[i].Value), func(s string) {
			ev.Meta[i].Value = normalize.AppendString(nil, s)
		})
	}
	return best, bestVal, bestSet
}

// metaText is a meta value as text: a JSON string's content, else its JSON.
func metaText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
