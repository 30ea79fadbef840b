package normalize

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"plain", "pveverka create authentication_token"},
		{"quote and backslash", `a"b\c`},
		{"short escapes", "\b\f\n\r\t"},
		{"other controls", "\x00\x01\x1f\x7f"},
		{"html", "<script>&amp;</script>"},
		{"invalid utf8", "a\xffb\xc3(c\xed\xa0\x80"},
		{"truncated rune at end", "abc\xe2\x82"},
		{"line separators", "x\u2028y\u2029z"},
		{"multibyte", "héllo 世界 🚀"},
		{"replacement char itself", "\ufffd"},
		{"long ascii", "abcdefghijklmnopqrstuvwxyz0123456789"},
		{"escape after 8-byte run", "abcdefgh\"ijklmnop<qrstuvwx&yz\\0123456>"},
		{"control in 8-byte run", "abcdefg\x01hijklmn\x7fopq"},
		{"multibyte in 8-byte run", "abcdefgé世界hijklmno\xffpq\u2028rstuvwxyz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := appendString([]byte("prefix"), tt.in)
			if string(got) != "prefix"+string(want) {
				t.Errorf("appendString(%q) = %s, want %s", tt.in, got[len("prefix"):], want)
			}
			if got := appendStringBytes(nil, []byte(tt.in)); string(got) != string(want) {
				t.Errorf("appendStringBytes(%q) = %s, want %s", tt.in, got, want)
			}
		})
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\xff", "<&>", "\u2028", "\x00\t",
		`{"id":"a","type":"b","data":{"x":"y","z":[1,"2"],"k":"<v>"}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
		if got := appendStringBytes(nil, []byte(s)); string(got) != string(want) {
			t.Fatalf("appendStringBytes(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestAppendRaw(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"nil is null", "", "null"},
		{"compact object kept", `{"a":1}`, `{"a":1}`},
		{"spaces compacted", `{"a": 1}`, `{"a":1}`},
		{"newlines compacted", "{\n  \"a\": [1,\r\n 2]\n}", `{"a":[1,2]}`},
		{"invalid kept as string", `{"a":`, `"{\"a\":"`},
		{"scalar", `"x"`, `"x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []byte
			if tt.in != "" {
				in = []byte(tt.in)
			}
			if got := string(appendRaw(nil, in, false)); got != tt.want {
				t.Errorf("appendRaw(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestAppendRawChecked: a value of a marked event (Event.CheckJSON) is
// copied as it is, not checked again; empty is null and invalid UTF-8 is
// still repaired, as for an unmarked one.
func TestAppendRawChecked(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "null"},
		{`{"a":[1,"b"]}`, `{"a":[1,"b"]}`},
		{"\"a\xffb\"", "\"a\uFFFDb\""},
		{`{"a": 1}`, `{"a": 1}`}, // trusted: the mark says it was checked
	} {
		if got := string(appendRaw(nil, []byte(tt.in), true)); got != tt.want {
			t.Errorf("appendRaw(%q, checked) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.in != `{"a": 1}` {
			if got := string(appendRaw(nil, []byte(tt.in), false)); got != tt.want {
				t.Errorf("appendRaw(%q, unchecked) = %q, want %q", tt.in, got, tt.want)
			}
		}
	}
}

func TestJSONWriterOmitsEmptyObjects(t *testing.T) {
	tests := []struct {
		name  string
		build func(w *jsonw)
		want  string
	}{
		{"empty nested removed", func(w *jsonw) {
			w.str("a", "1")
			m := w.open("user")
			w.strOmit("id", "")
			w.closeOmit(m)
			w.str("b", "2")
		}, `{"a":"1","b":"2"}`},
		{"first member removed", func(w *jsonw) {
			m := w.open("user")
			w.closeOmit(m)
			w.str("b", "2")
		}, `{"b":"2"}`},
		{"nested kept", func(w *jsonw) {
			m := w.open("user")
			w.strOmit("id", "u1")
			m2 := w.open("effective")
			w.strOmit("id", "")
			w.closeOmit(m2)
			w.closeOmit(m)
		}, `{"user":{"id":"u1"}}`},
		{"arrays and ints", func(w *jsonw) {
			w.strs("tag", "change", "audit")
			w.intOmit("zero", 0)
			w.int("n", -42)
		}, `{"tag":["change","audit"],"n":-42}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := jsonw{b: []byte{'{'}}
			tt.build(&w)
			w.b = append(w.b, '}')
			if string(w.b) != tt.want {
				t.Errorf("got %s, want %s", w.b, tt.want)
			}
		})
	}
}

// TestAppendStringWordPath puts every kind of byte the word-at-a-time path
// must stop at at every offset of strings longer than a word.
func TestAppendStringWordPath(t *testing.T) {
	for _, special := range []string{"\"", "\\", "<", ">", "&", "\x00", "\x1f", "\x7f", "é", "\xff", "\u2028"} {
		for off := 0; off < 20; off++ {
			s := strings.Repeat("a", off) + special + strings.Repeat("b", 20-off)
			want, _ := json.Marshal(s)
			if got := appendString(nil, s); string(got) != string(want) {
				t.Errorf("appendString(%q) = %s, want %s", s, got, want)
			}
		}
	}
}

// TestAppendStringWordPairs puts two unsafe bytes at every pair of
// offsets of a string long enough for escapeWord, so one word holds both.
func TestAppendStringWordPairs(t *testing.T) {
	specials := []string{"\"", "\\", "<", "&", "\x01", "é"}
	for _, a := range specials {
		for _, b := range specials {
			for off := 0; off < 24; off++ {
				for off2 := off + 1; off2 < 24; off2++ {
					s := []byte(strings.Repeat("x", 32))
					s = append(s[:off2], append([]byte(b), s[off2:]...)...)
					s = append(s[:off], append([]byte(a), s[off:]...)...)
					want, _ := json.Marshal(string(s))
					if got := appendStringBytes(nil, s); string(got) != string(want) {
						t.Fatalf("appendStringBytes(%q) = %s, want %s", s, got, want)
					}
				}
			}
		}
	}
}

// TestAppendStringStaysInItsLength: the word stores of the escaping loop
// never touch the buffer past the returned length, whatever spare
// capacity the caller's buffer has.
func TestAppendStringStaysInItsLength(t *testing.T) {
	for _, s := range []string{`{"a":"b","c":[1,2,"<&>"]}`, strings.Repeat(`"ab`, 20), strings.Repeat(`"`, 41), strings.Repeat("x", 24), `"` + strings.Repeat("x", 15), `"` + strings.Repeat("x", 23), "\"\"\"\"\"\"\"\"\"", "abcdefgh\"", "\xff\xffabcdefgh\""} {
		for spare := 0; spare < 40; spare++ {
			want, _ := json.Marshal(s)
			buf := make([]byte, 3, 3+len(want)+spare)
			full := buf[:cap(buf)]
			for i := 3; i < len(full); i++ {
				full[i] = '#'
			}
			got := appendString(buf, s)
			if string(got[3:]) != string(want) {
				t.Fatalf("appendString(%q) = %s, want %s", s, got[3:], want)
			}
			if &got[0] == &buf[0] && strings.Trim(string(full[len(got):]), "#") != "" {
				t.Fatalf("appendString(%q) wrote past its length: %q", s, full[len(got):])
			}
		}
	}
}

// TestAppendStringQuoteDense escapes random strings dense with quotes like
// a raw record, with the other unsafe bytes now and then in every
// position, and compares with encoding/json.
func TestAppendStringQuoteDense(t *testing.T) {
	alphabet := []string{"a", "b", "{", ":", ",", `"`, `"`, `"`, "0"}
	rare := []string{"\\", "<", ">", "&", "\x00", "\n", "\x1f", "\x7f", "é", "\xff", "\u2028", "世"}
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 3000 {
		var sb strings.Builder
		size := r.IntN(200)
		for sb.Len() < size {
			if r.IntN(40) == 0 {
				sb.WriteString(rare[r.IntN(len(rare))])
			} else {
				sb.WriteString(alphabet[r.IntN(len(alphabet))])
			}
		}
		s := sb.String()
		want, _ := json.Marshal(s)
		// A prefix of every length up to a block puts the blocks at every
		// offset of the output buffer.
		pre := strings.Repeat("p", n%17)
		if got := appendString([]byte(pre), s); string(got) != pre+string(want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got[len(pre):], want)
		}
	}
}

// TestAppendInt compares appendInt with strconv at every number of digits
// and at the edges of its fast path.
func TestAppendInt(t *testing.T) {
	vs := []int64{0, 1, 9, 10, 99, 100, 101, 999, 1000, 6003, 600301, 1733443200123,
		1e17 - 1, 1e17, 1e18 - 1, 1e18, math.MaxInt64, -1, -10, math.MinInt64}
	for p := int64(1); p < 1e18; p *= 10 {
		vs = append(vs, p-1, p, p+1, 7*p+3)
	}
	for _, v := range vs {
		if got, want := string(appendInt([]byte("x"), v)), "x"+strconv.FormatInt(v, 10); got != want {
			t.Errorf("appendInt(%d) = %s, want %s", v, got, want)
		}
	}
}
