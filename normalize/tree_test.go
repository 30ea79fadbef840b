package normalize

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func mustTree(t *testing.T, s string) (*tree, *value) {
	t.Helper()
	tr := &tree{}
	if _, ok := tr.parse(nil, []byte(s)); !ok {
		t.Fatalf("parse(%q) failed", s)
	}
	return tr, tr.root()
}

func TestTreeCompacts(t *testing.T) {
	tr, v := mustTree(t, " {\n \"a\" : [ 1 , true,null ,\"x y\" ] ,\"b\":{ } }\r\n")
	if got, want := string(tr.raw), `{"a":[1,true,null,"x y"],"b":{}}`; got != want {
		t.Fatalf("raw = %s, want %s", got, want)
	}
	if got := string(v.Get("a").rawBytes()); got != `[1,true,null,"x y"]` {
		t.Errorf("a = %s", got)
	}
	if got := string(v.Get("a", "3").rawBytes()); got != `"x y"` {
		t.Errorf("a.3 = %s", got)
	}
	if v.Get("b").Len() != 0 || v.Len() != 2 || v.Get("a").Len() != 4 {
		t.Errorf("Len: b %d, root %d, a %d", v.Get("b").Len(), v.Len(), v.Get("a").Len())
	}
}

func TestTreeLookups(t *testing.T) {
	_, v := mustTree(t, `{"id":"x","id":"second","n":-1.5e3,"i":42,"big":12345678901234567890,`+
		`"esc\u0061ped":"k\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800z","arr":[{"k":1},{"k":2}],"t":true,"f":false,"z":null}`)
	tests := []struct {
		keys []string
		typ  jtype
		str  string // GetStringBytes
		raw  string // rawBytes
	}{
		{[]string{"id"}, typeString, "x", `"x"`}, // the first of duplicate keys
		{[]string{"n"}, typeNumber, "", "-1.5e3"},
		{[]string{"escaped"}, typeString, "k\"\\/\b\f\n\r\té\U0001F600\uFFFDz",
			`"k\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800z"`},
		{[]string{"arr", "1", "k"}, typeNumber, "", "2"},
		{[]string{"arr", "-1"}, typeNull, "", ""},
		{[]string{"arr", "2"}, typeNull, "", ""},
		{[]string{"arr", "x"}, typeNull, "", ""},
		{[]string{"id", "deeper"}, typeNull, "", ""},
		{[]string{"t"}, typeTrue, "", "true"},
		{[]string{"f"}, typeFalse, "", "false"},
		{[]string{"z"}, typeNull, "", "null"},
		{[]string{"missing"}, typeNull, "", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, "."), func(t *testing.T) {
			x := v.Get(tt.keys...)
			if got := x.Type(); got != tt.typ {
				t.Errorf("Type = %d, want %d", got, tt.typ)
			}
			if got := string(v.GetStringBytes(tt.keys...)); got != tt.str {
				t.Errorf("GetStringBytes = %q, want %q", got, tt.str)
			}
			if got := string(x.rawBytes()); got != tt.raw {
				t.Errorf("rawBytes = %s, want %s", got, tt.raw)
			}
		})
	}
	if got := v.GetInt("i"); got != 42 {
		t.Errorf("GetInt(i) = %d", got)
	}
	for _, k := range []string{"n", "big", "id", "missing"} {
		if got := v.GetInt(k); got != 0 {
			t.Errorf("GetInt(%s) = %d, want 0", k, got)
		}
	}
	var keys []string
	v.Visit(func(k []byte, _ *value) { keys = append(keys, string(k)) })
	want := []string{"id", "id", "n", "i", "big", "escaped", "arr", "t", "f", "z"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("Visit keys = %q, want %q", keys, want)
	}
	if n := len(v.GetArray("arr")); n != 2 {
		t.Errorf("GetArray(arr) has %d elements", n)
	}
	if v.GetArray("id") != nil || v.GetObject("arr") != nil || v.GetObject("arr", "0") == nil {
		t.Error("GetArray/GetObject type checks")
	}
}

// TestTreeNilValue: an absent value answers like a missing field.
func TestTreeNilValue(t *testing.T) {
	var v *value
	if v.Type() != typeNull || v.Get("a") != nil || v.GetStringBytes("a") != nil || v.GetInt() != 0 ||
		v.GetArray() != nil || v.GetObject() != nil || v.Exists() || v.Len() != 0 || v.rawBytes() != nil {
		t.Fatal("nil value answered as if present")
	}
	if _, err := v.StringBytes(); err == nil {
		t.Fatal("StringBytes of nil: no error")
	}
	v.Visit(func([]byte, *value) { t.Fatal("Visit of nil called f") })
}

func TestTreeRejects(t *testing.T) {
	for _, s := range []string{``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{1:2}`, `[1 2]`, `"a" "b"`,
		`01`, `1.`, `-`, `tru`, `nul`, `truex`, `[1]]`, `{"a":1}}`, `{]`, `[}`, "\"\x01\"", `"\x"`, `"\u12"`,
		strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1)} {
		var tr tree
		if _, ok := tr.parse(nil, []byte(s)); ok {
			t.Errorf("parse(%q) accepted", s)
		}
		if out, ok := appendValidJSON([]byte("x"), []byte(s)); ok || string(out) != "x" {
			t.Errorf("appendValidJSON(%q) accepted (%q)", s, out)
		}
		if validJSON([]byte(s)) {
			t.Errorf("validJSON(%q) accepted", s)
		}
	}
	deep := strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting)
	if _, ok := appendValidJSON(nil, []byte(deep)); !ok || !validJSON([]byte(deep)) {
		t.Error("nesting at the limit refused")
	}
}

// TestTreeReuse: a reused tree indexes the new document, not the old one,
// also after growing its node slice.
func TestTreeReuse(t *testing.T) {
	big := `{"list":[` + strings.TrimSuffix(strings.Repeat(`{"a":[1,2,3],"b":"x"},`, 40), ",") + `],"b":"first"}`
	var tr tree
	for _, tt := range []struct {
		doc, b string
		n      int
	}{{big, "first", 40}, {`{"list":[{"b":"y"}],"b":"second"}`, "second", 1}, {big, "first", 40}} {
		if _, ok := tr.parse(nil, []byte(tt.doc)); !ok {
			t.Fatalf("parse(%q) failed", tt.doc)
		}
		v := tr.root()
		if got := string(v.GetStringBytes("b")); got != tt.b {
			t.Errorf("b = %q, want %q", got, tt.b)
		}
		if got := v.Get("list").Len(); got != tt.n {
			t.Errorf("list has %d elements, want %d", got, tt.n)
		}
		for i := range tr.vals[:cap(tr.vals)] {
			if tr.vals[:cap(tr.vals)][i].t != &tr {
				t.Fatalf("slot %d does not point at its tree", i)
			}
		}
	}
}

// FuzzTree holds the tree to encoding/json: it accepts exactly what
// json.Valid accepts (but nesting past maxNesting), its bytes are the
// input compacted, and every string it reads unescapes as encoding/json
// decodes it.
func FuzzTree(f *testing.F) {
	seedRecords(f)
	for _, s := range []string{`{"a\u0062":"\ud83d\ude00","c":[1,{"d":"\ud800"}]}`, `[1,]`, `"\u00e9"`, " [ 1 ,\n2 ] "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var tr tree
		_, ok := tr.parse(nil, b)
		std := json.Valid(b)
		if ok != std && !(std && bytes.Count(b, []byte("["))+bytes.Count(b, []byte("{")) > maxNesting) {
			t.Fatalf("tree says %v, encoding/json says %v for %q", ok, std, b)
		}
		if !ok {
			return
		}
		var want bytes.Buffer
		if err := json.Compact(&want, b); err != nil || !bytes.Equal(tr.raw, want.Bytes()) {
			t.Fatalf("raw %q, json.Compact %q (%v)", tr.raw, want.Bytes(), err)
		}
		for i := range tr.vals {
			x := &tr.vals[i]
			if x.typ != typeString {
				continue
			}
			var s string
			if err := json.Unmarshal(x.rawBytes(), &s); err != nil || s != string(x.str()) && !strings.ContainsRune(s, '\uFFFD') {
				t.Fatalf("string %s reads %q, encoding/json %q (%v)", x.rawBytes(), x.str(), s, err)
			}
		}
	})
}

// FuzzAppendValidJSON: appendValidJSON and validJSON give encoding/json's
// verdict (within the nesting bound), and a valid value is appended as
// json.Compact makes it, after what dst held.
func FuzzAppendValidJSON(f *testing.F) {
	seedRecords(f)
	for _, s := range []string{"{\n\"a\":1}", `[1,]`, "\"a\rb\"", " 1 ", "[\r]", "[ 1 , {\"a\" : \"b c\" } ]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, ok := appendValidJSON([]byte("x"), b)
		var want bytes.Buffer
		wantOK := json.Compact(&want, b) == nil && !tooDeep(b)
		if ok != wantOK || validJSON(b) != wantOK {
			t.Fatalf("appendValidJSON says %v, validJSON %v, encoding/json %v for %q", ok, validJSON(b), wantOK, b)
		}
		if !ok && string(out) != "x" || ok && string(out) != "x"+want.String() {
			t.Fatalf("appendValidJSON(%q) = %q, want x%q", b, out, want.Bytes())
		}
	})
}

// tooDeep reports whether valid JSON b nests deeper than maxNesting.
func tooDeep(b []byte) bool {
	d := json.NewDecoder(bytes.NewReader(b))
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if depth++; depth > maxNesting {
				return true
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// TestTreeMemberMatchesVisit: in every object of every testdata record,
// member(k) is the first member Visit yields for k.
func TestTreeMemberMatchesVisit(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*.json")
	tr := &tree{}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tr.parse(nil, data); !ok {
			continue
		}
		eachObject(tr.root(), func(v *value) {
			first := map[string]*value{}
			v.Visit(func(k []byte, x *value) {
				if _, ok := first[string(k)]; !ok {
					first[string(k)] = x
				}
			})
			for k, x := range first {
				n++
				if got := v.member(k); got != x {
					t.Errorf("%s: member(%q) is not its first member", f, k)
				}
			}
		})
	}
	if n < 500 {
		t.Fatalf("only %d lookups checked", n)
	}
}

// eachObject calls f with every object in v, outer ones first.
func eachObject(v *value, f func(*value)) {
	switch v.Type() {
	case typeObject:
		f(v)
		v.Visit(func(_ []byte, x *value) { eachObject(x, f) })
	case typeArray:
		for _, x := range v.GetArray() {
			eachObject(x, f)
		}
	}
}

// TestSpecialBits compares the map of quotes, backslashes and control
// bytes made by specialBits with a byte at a time, on random bytes of
// every kind.
func TestSpecialBits(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 2000 {
		blocks := 1 + n%5
		src := make([]byte, 64*blocks)
		for i := range src {
			switch r.IntN(4) {
			case 0:
				src[i] = byte(r.IntN(256))
			case 1:
				src[i] = []byte{'"', '\\', 0, 0x1f, 0x20, 0x7f, 0x80, 0xa2, 0xdc, 0x9f}[r.IntN(10)]
			default:
				src[i] = 'a' + byte(r.IntN(26))
			}
		}
		want := make([]uint64, blocks)
		for i, c := range src {
			if c == '"' || c == '\\' || c < 0x20 {
				want[i/64] |= 1 << (i % 64)
			}
		}
		got := make([]uint64, blocks)
		specialBits(got, src)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nspecialBits %x\nwant        %x", src, got, want)
		}
	}
}

// TestTreeStringsAcrossWords puts the end of a string, an escape (split
// over two words of the map or not), a raw control byte and the end of
// the input at every offset around the map's 64-byte words, and holds
// the tree to encoding/json's verdict and content.
func TestTreeStringsAcrossWords(t *testing.T) {
	for _, tail := range []string{`"`, `\""`, `\\"`, `\u00e9"`, `\u00e"`, "\x00\"", "\x1f\"", `\`, ``, `\"`, `\x"`} {
		for pad := 50; pad < 140; pad++ {
			doc := `["` + strings.Repeat("a", pad) + tail + `]`
			for _, d := range []string{doc, doc[:len(doc)-1], `{"k":` + doc[1:len(doc)-1] + `}`} {
				var tr tree
				_, ok := tr.parse(nil, []byte(d))
				if ok != json.Valid([]byte(d)) {
					t.Fatalf("parse(%q) = %v, json.Valid says %v", d, ok, !ok)
				}
				if !ok {
					continue
				}
				var want any
				if err := json.Unmarshal([]byte(d), &want); err != nil {
					t.Fatal(err)
				}
				var got any
				if err := json.Unmarshal(tr.raw, &got); err != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("parse(%q) kept %s", d, tr.raw)
				}
				s, wantS := tr.root().Get("0"), ""
				if arr, isArr := want.([]any); isArr {
					wantS = arr[0].(string)
				} else {
					s, wantS = tr.root().Get("k"), want.(map[string]any)["k"].(string)
				}
				if got := string(s.GetStringBytes()); got != wantS {
					t.Fatalf("parse(%q): string %q, want %q", d, got, wantS)
				}
			}
		}
	}
}
