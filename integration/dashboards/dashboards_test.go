// Package dashboards checks the Kibana and Splunk dashboards against what
// auditbridge really emits: both files parse, and every field (and every
// value compared) in their queries appears in the ECS or CIM renderings of
// the normalize fixtures.
package dashboards

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/integration/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

// emitted maps each dotted field path to the string values seen for it.
type emitted map[string]map[string]bool

func (e emitted) add(prefix string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			e.add(p, c)
		}
	case []any:
		for _, c := range x {
			e.add(prefix, c)
		}
	default:
		if e[prefix] == nil {
			e[prefix] = map[string]bool{}
		}
		b, _ := json.Marshal(x)
		e[prefix][strings.Trim(string(b), `"`)] = true
	}
}

// render normalizes every fixture input and collects the fields of format f.
func render(t *testing.T, f normalize.Format) emitted {
	t.Helper()
	out := emitted{}
	files, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(), "normalize", "testdata", "*", "*"))
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, ".golden.json") || strings.Contains(path, "/invalid/") || strings.HasSuffix(path, ".md") {
			continue
		}
		fh, err := os.Open(path)
		if err != nil {
			continue // a directory
		}
		_ = normalize.ReadRecords(bufio.NewReader(fh), func(r normalize.Record) error {
			evs, _ := normalize.Parse(r.Data)
			for i := range evs {
				var doc map[string]any
				if err := json.Unmarshal(normalize.AppendJSON(nil, &evs[i], f), &doc); err != nil {
					t.Fatalf("%s: rendering is not JSON: %v", path, err)
				}
				out.add("", doc)
				n++
			}
			return nil
		})
		fh.Close()
	}
	// Published records with named fields changed, as the normalize tests
	// derive them (normalize/testdata/SOURCES.md, "Variations derived in
	// test code"): outcomes and actors no published example shows.
	for _, d := range derivedRecords {
		b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "normalize", "testdata", d.file))
		if err != nil {
			t.Fatal(err)
		}
		rec := string(b)
		for i := 0; i < len(d.changes); i += 2 {
			if strings.Count(rec, d.changes[i]) != 1 {
				t.Fatalf("%s: %q does not occur once", d.file, d.changes[i])
			}
			rec = strings.Replace(rec, d.changes[i], d.changes[i+1], 1)
		}
		evs, err := normalize.Parse([]byte(rec))
		if err != nil || len(evs) == 0 {
			t.Fatalf("%s changed: %d events, %v", d.file, len(evs), err)
		}
		for i := range evs {
			var doc map[string]any
			if err := json.Unmarshal(normalize.AppendJSON(nil, &evs[i], f), &doc); err != nil {
				t.Fatalf("%s changed: rendering is not JSON: %v", d.file, err)
			}
			out.add("", doc)
		}
	}
	if n < 20 {
		t.Fatalf("only %d events rendered from the fixtures", n)
	}
	return out
}

// derivedRecords are published fixtures with the changes (old, new pairs)
// normalize's derived_test.go makes: a failed HCP sign-in and an
// impersonated HCP Terraform audit-trail event.
var derivedRecords = []struct {
	file    string
	changes []string
}{
	{"hcp_platform/auth_success.json", []string{
		`"event_type": "hcp_id_auth_success"`, `"event_type": "hcp_id_auth_failure"`,
		`"status_code": "OK"`, `"status_code": "UNAUTHENTICATED"`}},
	{"tfc/page.json", []string{
		`"type": "Client"`, `"type": "Impersonated"`,
		`"impersonator_id": null`, `"impersonator_id": "user-V3R563qtJNcExAkN"`}},
}

func readFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// splunkBuiltins are fields Splunk itself provides or SPL creates.
var splunkBuiltins = map[string]bool{"_time": true, "sourcetype": true, "index": true, "host": true, "source": true, "count": true, "last_seen": true}

var (
	splCompare = regexp.MustCompile(`\b([a-z_]+)(!?=)"?([^"\s|]+)"?`)
	splFields  = regexp.MustCompile(`\|\s*(?:table|fields)\s+([^|]+)`)
	splBy      = regexp.MustCompile(`\bby\s+([^|]+)`)
	splFunc    = regexp.MustCompile(`\b(?:latest|earliest|values|dc|count)\(([a-z_]+)\)`)
	splSort    = regexp.MustCompile(`\|\s*sort\s+-?\s*([a-z_]+)`)
)

func TestSplunkDashboard(t *testing.T) {
	type viz struct {
		Query string `xml:"search>query"`
	}
	var doc struct {
		Rows []struct {
			Panels []struct {
				Title  string `xml:"title"`
				Tables []viz  `xml:"table"`
				Charts []viz  `xml:"chart"`
			} `xml:"panel"`
		} `xml:"row"`
	}
	b := readFile(t, "dashboards/splunk/hashicorp_audit.xml")
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not valid XML: %v", err)
	}
	cim := render(t, normalize.FormatCIM)
	queries := 0
	for _, row := range doc.Rows {
		for _, p := range row.Panels {
			for _, v := range append(p.Tables, p.Charts...) {
				queries++
				checkSPL(t, p.Title, v.Query, cim)
			}
		}
	}
	if queries != 4 {
		t.Fatalf("found %d queries, want the 4 panels", queries)
	}
}

func checkSPL(t *testing.T, panel, q string, cim emitted) {
	t.Helper()
	field := func(name string) {
		if !splunkBuiltins[name] && cim[name] == nil {
			t.Errorf("%s: field %q is not emitted in the CIM rendering", panel, name)
		}
	}
	for _, m := range splCompare.FindAllStringSubmatch(q, -1) {
		name, value := m[1], m[3]
		field(name)
		if strings.Contains(value, "*") || splunkBuiltins[name] {
			continue
		}
		if !cim[name][value] {
			t.Errorf("%s: %s%s%s never occurs (values: %v)", panel, name, m[2], value, keys(cim[name]))
		}
	}
	for _, re := range []*regexp.Regexp{splFields, splBy} {
		for _, m := range re.FindAllStringSubmatch(q, -1) {
			for _, name := range strings.Fields(m[1]) {
				field(name)
			}
		}
	}
	for _, re := range []*regexp.Regexp{splFunc, splSort} {
		for _, m := range re.FindAllStringSubmatch(q, -1) {
			field(m[1])
		}
	}
}

var kqlTerm = regexp.MustCompile(`([a-z_@.]+)\s*:\s*(\("[^)]*"\)|"[^"]*")`)
var quoted = regexp.MustCompile(`"([^"]*)"`)

func TestKibanaSavedObjects(t *testing.T) {
	ecs := render(t, normalize.FormatECS)
	ids := map[string]string{}
	var objs []map[string]any
	for i, line := range bytes.Split(bytes.TrimSpace(readFile(t, "dashboards/kibana/hashicorp_audit.ndjson")), []byte("\n")) {
		var o map[string]any
		if err := json.Unmarshal(line, &o); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		ids[o["id"].(string)] = o["type"].(string)
		objs = append(objs, o)
	}
	field := func(obj, name string) {
		if ecs[name] == nil {
			t.Errorf("%s: field %q is not emitted in the ECS rendering", obj, name)
		}
	}
	for _, o := range objs {
		attrs := o["attributes"].(map[string]any)
		title, _ := attrs["title"].(string)
		for _, ref := range o["references"].([]any) {
			r := ref.(map[string]any)
			if ids[r["id"].(string)] != r["type"] {
				t.Errorf("%s: reference to missing %s %s", title, r["type"], r["id"])
			}
		}
		switch o["type"] {
		case "index-pattern":
			if title != "logs-hashicorp.audit-*" || attrs["timeFieldName"] != "@timestamp" {
				t.Errorf("data view %q / %v does not match the sink's data stream and @timestamp", title, attrs["timeFieldName"])
			}
		case "search":
			for _, c := range attrs["columns"].([]any) {
				field(title, c.(string))
			}
			var src struct {
				Query struct{ Query string } `json:"query"`
			}
			meta := attrs["kibanaSavedObjectMeta"].(map[string]any)
			if err := json.Unmarshal([]byte(meta["searchSourceJSON"].(string)), &src); err != nil {
				t.Fatalf("%s: searchSourceJSON: %v", title, err)
			}
			terms := kqlTerm.FindAllStringSubmatch(src.Query.Query, -1)
			if len(terms) == 0 {
				t.Errorf("%s: no field terms in query %q", title, src.Query.Query)
			}
			for _, m := range terms {
				field(title, m[1])
				for _, v := range quoted.FindAllStringSubmatch(m[2], -1) {
					if !ecs[m[1]][v[1]] {
						t.Errorf("%s: %s : %q never occurs (values: %v)", title, m[1], v[1], keys(ecs[m[1]]))
					}
				}
			}
		case "visualization":
			var vis struct {
				Aggs []struct {
					Params struct{ Field string } `json:"params"`
				} `json:"aggs"`
			}
			if err := json.Unmarshal([]byte(attrs["visState"].(string)), &vis); err != nil {
				t.Fatalf("%s: visState: %v", title, err)
			}
			for _, a := range vis.Aggs {
				if a.Params.Field != "" {
					field(title, a.Params.Field)
				}
			}
		case "dashboard":
			var panels []any
			if err := json.Unmarshal([]byte(attrs["panelsJSON"].(string)), &panels); err != nil || len(panels) != 4 {
				t.Errorf("%s: panelsJSON has %d panels (%v), want 4", title, len(panels), err)
			}
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
