package normalize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestMetaKeepsKeysInOrder: Set inserts in key order and replaces a key
// it already holds, Delete removes one, Get/Value/Has find what is set;
// against a map doing the same operations.
func TestMetaKeepsKeysInOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var m Meta
	ref := map[string]json.RawMessage{}
	for i := range 2000 {
		k := fmt.Sprintf("k%d", r.IntN(40))
		switch r.IntN(3) {
		case 0:
			m.Delete(k)
			delete(ref, k)
		default:
			v := json.RawMessage(fmt.Sprint(i))
			m.Set(k, v)
			ref[k] = v
		}
		if !slices.IsSortedFunc(m, func(a, b MetaPair) int { return strings.Compare(a.Key, b.Key) }) {
			t.Fatalf("step %d: keys out of order: %v", i, m)
		}
		if !reflect.DeepEqual(m.Map(), ref) && !(len(m) == 0 && len(ref) == 0) {
			t.Fatalf("step %d: meta %v, map %v", i, m.Map(), ref)
		}
		for _, probe := range []string{k, "k0", "zz", ""} {
			v, ok := m.Get(probe)
			rv, rok := ref[probe]
			if ok != rok || !bytes.Equal(v, rv) || m.Has(probe) != rok || !bytes.Equal(m.Value(probe), rv) {
				t.Fatalf("step %d: Get(%q) = %s, %v; map has %s, %v", i, probe, v, ok, rv, rok)
			}
		}
	}
}

// TestMetaJSON: a Meta is written as encoding/json writes the same map
// (keys sorted, null for nil) and read back from it.
func TestMetaJSON(t *testing.T) {
	in := map[string]json.RawMessage{"b": json.RawMessage(`{"x":[1,2]}`), "a": json.RawMessage(`"s"`), "é<>": json.RawMessage(`3`)}
	for _, m := range []Meta{nil, {}, MetaOf(in)} {
		got, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(m.Map())
		if !bytes.Equal(got, want) {
			t.Errorf("Marshal(%v) = %s, encoding/json writes the map as %s", m, got, want)
		}
		var back Meta
		if err := json.Unmarshal(got, &back); err != nil || !reflect.DeepEqual(back.Map(), m.Map()) || (back == nil) != (m == nil) {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", got, back, err, m)
		}
	}
	if err := json.Unmarshal([]byte(`[1]`), new(Meta)); err == nil {
		t.Error("Unmarshal of an array: no error")
	}
}

// TestMetaClone: a clone shares no memory with the original.
func TestMetaClone(t *testing.T) {
	m := MetaOf(map[string]json.RawMessage{"a": json.RawMessage(`"v"`), "b": json.RawMessage(`1`)})
	c := m.Clone()
	c[0].Value[1] = 'X'
	c.Set("c", json.RawMessage(`2`))
	c.Set("a", json.RawMessage(`3`))
	if string(m.Value("a")) != `"v"` || m.Has("c") || len(m) != 2 {
		t.Errorf("changing the clone changed the original: %v", m.Map())
	}
	if Meta(nil).Clone() != nil {
		t.Error("Clone of nil is not nil")
	}
}

// TestParserMetaRoom: the Metas of AppendParse's events are carved from
// shared blocks; setting a key on one (the bridge adds intake and
// time_source) never changes another's, even past the room it was given.
func TestParserMetaRoom(t *testing.T) {
	p := NewParser()
	var evs []Event
	for i := range 300 {
		var err error
		evs, err = p.AppendParse(evs, []byte(tfcRecord("create", fmt.Sprintf("user-%d", i), "Client")))
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range evs {
		for k := range 12 { // far past the room of each
			evs[i].Meta.Set(fmt.Sprintf("extra%02d", k), json.RawMessage(fmt.Sprint(i)))
		}
	}
	for i := range evs {
		if len(evs[i].Meta) != 13 || string(evs[i].Meta.Value("extra00")) != fmt.Sprint(i) ||
			string(evs[i].Meta.Value("extra11")) != fmt.Sprint(i) || string(evs[i].Meta.Value("auth_type")) != `"Client"` {
			t.Fatalf("event %d meta %v", i, evs[i].Meta.Map())
		}
	}
}

// TestMetaOutOfOrder: a Meta built out of order (a literal) is put in
// order, each key once with its last value, wherever it is checked:
// CheckJSON refuses it, RepairJSON and every rendering of the unchecked
// event order it, without writing the caller's slice.
func TestMetaOutOfOrder(t *testing.T) {
	lit := Meta{{"b", json.RawMessage(`1`)}, {"a", json.RawMessage(`2`)}, {"b", json.RawMessage(`3`)}}
	want := Meta{{"a", json.RawMessage(`2`)}, {"b", json.RawMessage(`3`)}}
	ev := Event{ID: "x", Meta: lit}
	if err := ev.CheckJSON(); err == nil {
		t.Error("CheckJSON accepted keys out of order")
	}
	for _, f := range Formats() {
		ordered := Event{ID: "x", Meta: want}
		if a, b := AppendJSON(nil, &ev, f), AppendJSON(nil, &ordered, f); !bytes.Equal(a, b) {
			t.Errorf("%s: out of order renders\n%s\nin order\n%s", f, a, b)
		}
	}
	ev.RepairJSON()
	if !reflect.DeepEqual(ev.Meta, want) || lit[0].Key != "b" || len(lit) != 3 {
		t.Errorf("RepairJSON: meta %v (caller's %v), want %v", ev.Meta, lit, want)
	}
}

// TestSortMeta: pairs appended in any order, keys repeated, come out in
// key order, each key once with its last value, as a map assigned in the
// same order holds them.
func TestSortMeta(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 200 {
		var m Meta
		ref := map[string]json.RawMessage{}
		for i := range n {
			k := fmt.Sprintf("k%d", r.IntN(n/2+1))
			v := json.RawMessage(fmt.Sprint(i))
			m = append(m, MetaPair{k, v})
			ref[k] = v
		}
		m = sortMeta(m)
		if !m.ordered() || len(m) != len(ref) || !reflect.DeepEqual(m.Map(), ref) && len(ref) > 0 {
			t.Fatalf("%d pairs: sortMeta gave %v, a map holds %v", n, m, ref)
		}
	}
}

// TestTFEObjectMetaLastWins: a TFE audit object's other keys go to meta
// in key order, and a key given twice keeps its last value, as with a
// map. Derived from tfe/bare_payload.json with members added out of order
// and "zone" twice.
func TestTFEObjectMetaLastWins(t *testing.T) {
	rec := strings.TrimSuffix(strings.TrimSpace(readFixture(t, "tfe/bare_payload.json")), "}") +
		`,"zone":"a","organization":"banana","meta":{"k":1},"zone":"b"}`
	evs, err := Parse([]byte(rec))
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse: %d events, %v", len(evs), err)
	}
	m := evs[0].Meta
	if !m.ordered() || string(m.Value("zone")) != `"b"` || string(m.Value("organization")) != `"banana"` ||
		string(m.Value("meta")) != `{"k":1}` || m.Has("resource") || m.Has("actor") {
		t.Errorf("meta %v", m)
	}
}
