package elasticsearch

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// placeholder matches one ${…} of a data stream template.
var placeholder = regexp.MustCompile(`\$\{[^}]*\}`)

// streamTemplate is the per-event data stream of cfg (ES_DATA_STREAM with
// ${field}, e.g. logs-hashicorp.${product}-default), nil when it is fixed.
func streamTemplate(cfg Config) (*bridge.Template, error) {
	if !bridge.HasTemplate(cfg.DataStream) {
		return nil, nil
	}
	t, err := bridge.ParseTemplate(cfg.DataStream)
	if err != nil {
		return nil, err
	}
	if err := checkDataStreamName(placeholder.ReplaceAllString(cfg.DataStream, "x")); err != nil {
		return nil, err
	}
	return t, nil
}

// streamPattern is the data stream name with each ${…} as * (for the index
// template's pattern and the check's lookup).
func streamPattern(dataStream string) string {
	return placeholder.ReplaceAllString(dataStream, "*")
}

// streamName makes a rendered data stream name valid: lower case, the
// characters Elasticsearch refuses in an index name replaced by '_'.
func streamName(s string) string {
	s = strings.ToLower(s)
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("\\/*?\"<>| ,#:", r) {
			return '_'
		}
		return r
	}, s)
}

// routeItems gives each item its data stream from t and orders the items
// by it (stable), so that group makes one _bulk request per destination.
func routeItems(t *bridge.Template, batch []normalize.Event, items []bulkItem) {
	if t == nil {
		return
	}
	for i := range items {
		items[i].dest = streamName(t.Render(&batch[items[i].index]))
	}
	slices.SortStableFunc(items, func(a, b bulkItem) int { return cmp.Compare(a.dest, b.dest) })
}

// requestIndex is the data stream in a request's URL.
func (s *Sink) requestIndex(r request) string {
	if d := r.items[0].dest; d != "" {
		return d
	}
	return s.cfg.DataStream
}

// Destination is ev's data stream with cfg, for `auditbridge route`.
func Destination(cfg Config, ev *normalize.Event) string {
	t, err := streamTemplate(cfg)
	if err != nil || t == nil {
		return "data_stream=" + cfg.DataStream
	}
	return "data_stream=" + streamName(t.Render(ev))
}
