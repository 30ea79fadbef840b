package normalize

import (
	"encoding/binary"
	"testing"
)

// TestPlainWord checks the word-at-a-time test against a byte loop for
// every byte value at every position, next to plain and special bytes.
func TestPlainWord(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c != '"' && c != '\\' }
	for _, fill := range []byte{'a', 0x7f, 0x80, 0xff, 0x20, '"'} {
		for pos := range 8 {
			for c := range 256 {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[pos] = byte(c)
				want := true
				for _, b := range w {
					want = want && plain(b)
				}
				if got := plainWord(binary.LittleEndian.Uint64(w[:])); got != want {
					t.Fatalf("plainWord(%q) = %v, want %v", w, got, want)
				}
			}
		}
	}
}

// TestScanString covers the word-at-a-time path: specials at every offset
// of strings longer than a word.
func TestScanString(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{`abcdefghijklmnop"`, 16},
		{`abcdefghijklmnopq`, -1},
		{`abcdefgh\"ijklmnop"x`, 18},
		{`abcdefghijkl` + "\x01" + `mnop"`, -1},
		{`abcdefghijklmnop\u00e9qrstuvwxyz"`, 32},
		{`abcdefghijklmnop\x"`, -1},
		{`é très long texte sans fin`, -1},
		{`é très long texte"`, 19},
		{`abcdefgh\`, -1},
	}
	for _, tt := range tests {
		if got, _ := scanString([]byte(tt.in)); got != tt.want {
			t.Errorf("scanString(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
