package normalize

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*/*.golden.json from the current output")

// golden is the expected output of one testdata case: every event in the
// four renderings (each parsed back into any, so the file is stable and
// readable), and every error as "line N: message".
type golden struct {
	Native []any    `json:"native"`
	ECS    []any    `json:"ecs"`
	OCSF   []any    `json:"ocsf"`
	CIM    []any    `json:"cim"`
	Errors []string `json:"errors"`
}

// caseFiles lists testdata/<kind>/<case>.json and .log inputs.
func caseFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"testdata/*/*.json", "testdata/*/*.log"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, ".golden.json") {
				files = append(files, f)
			}
		}
	}
	if len(files) == 0 {
		t.Fatal("no testdata cases")
	}
	return files
}

func TestGolden(t *testing.T) {
	for _, file := range caseFiles(t) {
		name := strings.TrimPrefix(file, "testdata/")
		t.Run(name, func(t *testing.T) {
			got := runCase(t, file)
			out, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, '\n')
			gf := strings.TrimSuffix(strings.TrimSuffix(file, ".json"), ".log") + ".golden.json"
			if *update {
				if err := os.WriteFile(gf, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gf)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(want, out) {
				t.Errorf("%s differs from the output; diff it with -update and git diff.\ngot:\n%s", gf, out)
			}
		})
	}
}

// runCase reads file with ReadRecords, parses each record twice (the
// outputs must agree) and renders every event in all four formats.
func runCase(t *testing.T, file string) golden {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := golden{Native: []any{}, ECS: []any{}, OCSF: []any{}, CIM: []any{}, Errors: []string{}}
	p := NewParser()
	err = ReadRecords(f, func(r Record) error {
		evs, perr := p.Parse(r.Data)
		again, perr2 := Parse(r.Data)
		if !reflect.DeepEqual(evs, again) || fmt.Sprint(perr) != fmt.Sprint(perr2) {
			t.Errorf("line %d: a reused Parser and a fresh one disagree", r.Line)
		}
		if perr != nil {
			for _, msg := range strings.Split(perr.Error(), "\n") {
				g.Errors = append(g.Errors, fmt.Sprintf("line %d: %s", r.Line, msg))
			}
		}
		for i := range evs {
			checkEvent(t, &evs[i])
			g.Native = append(g.Native, goldenRender(t, &evs[i], FormatNative))
			g.ECS = append(g.ECS, goldenRender(t, &evs[i], FormatECS))
			g.OCSF = append(g.OCSF, goldenRender(t, &evs[i], FormatOCSF))
			g.CIM = append(g.CIM, goldenRender(t, &evs[i], FormatCIM))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func goldenRender(t *testing.T, ev *Event, f Format) any {
	t.Helper()
	b := AppendJSON(nil, ev, f)
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s rendering of %s is not JSON: %v\n%s", f, ev.ID, err, b)
	}
	return v
}

// checkEvent asserts the invariants every event keeps.
func checkEvent(t testing.TB, ev *Event) {
	t.Helper()
	for name, v := range map[string]string{"id": ev.ID, "product": ev.Product, "kind": ev.Kind,
		"verb": ev.Verb, "outcome": ev.Outcome, "category": ev.Category, "severity": ev.Severity,
		"actor.type": ev.Actor.Type} {
		if v == "" {
			t.Errorf("event %q: empty %s", ev.ID, name)
		}
	}
	if ev.Time.IsZero() || ev.Time.Location().String() != "UTC" {
		t.Errorf("event %q: time %v is zero or not UTC", ev.ID, ev.Time)
	}
	if ev.Meta.Has("time_missing") {
		t.Errorf("event %q: time %v with meta.time_missing (a record without a time gets the received time)", ev.ID, ev.Time)
	}
	if string(ev.Meta.Value("time_source")) == `"received"` && !ev.Time.Equal(testReceived) {
		t.Errorf("event %q: meta.time_source received but time %v is not the received time", ev.ID, ev.Time)
	}
	if !json.Valid(ev.Raw) || bytes.ContainsAny(ev.Raw, "\n\r\t") {
		t.Errorf("event %q: raw is not compact valid JSON: %q", ev.ID, ev.Raw)
	}
	for _, m := range ev.Meta {
		if !json.Valid(m.Value) {
			t.Errorf("event %q: meta.%s is not valid JSON: %q", ev.ID, m.Key, m.Value)
		}
	}
	// the mark Parse sets (emit), which renderings trust, must be earned:
	// unmarked, the event passes CheckJSON (Parse's rules, compact)
	c := *ev
	c.jsonChecked = false
	if err := c.CheckJSON(); err != nil {
		t.Errorf("event %q: marked, but %v", ev.ID, err)
	}
}
