package normalize

import (
	"encoding/binary"
	"math/bits"
	"testing"
)

// firstSpecial is the index of the first quote, backslash or control byte
// of w, 8 when none.
func firstSpecial(w [8]byte) int {
	for i, c := range w {
		if c < 0x20 || c == '"' || c == '\\' {
			return i
		}
	}
	return 8
}

// lowestFlagged is the byte index specialMask's lowest flag points at.
func lowestFlagged(w [8]byte) int {
	return bits.TrailingZeros64(specialMask(binary.LittleEndian.Uint64(w[:]))) >> 3
}

// TestSpecialMask checks the word-at-a-time test against a byte loop for
// every byte value at every position, next to plain and special bytes:
// the lowest flagged byte is the first special one.
func TestSpecialMask(t *testing.T) {
	for _, fill := range []byte{'a', 0x7f, 0x80, 0xff, 0x20, '"', 0x00, 0x1f, '\\', 0xa2} {
		for pos := range 8 {
			for c := range 256 {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[pos] = byte(c)
				if got, want := lowestFlagged(w), firstSpecial(w); got != want {
					t.Fatalf("specialMask(%q): lowest flag at %d, want %d", w, got, want)
				}
			}
		}
	}
}

func FuzzSpecialMask(f *testing.F) {
	f.Add(uint64(0x2222222222222222))
	f.Add(uint64(0x5c1f00a2dc7f8061))
	f.Fuzz(func(t *testing.T, x uint64) {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], x)
		if got, want := lowestFlagged(w), firstSpecial(w); got != want {
			t.Fatalf("specialMask(%q): lowest flag at %d, want %d", w, got, want)
		}
	})
}

// TestScanString covers tree.scanString's map: specials at several offsets
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
	var tr tree
	for _, tt := range tests {
		src := []byte(tt.in)
		tr.mapSpecials(src)
		if got, _ := tr.scanString(src, 0); got != tt.want {
			t.Errorf("scanString(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// appendCompact appends src compacted by tree.parse, the lexer's one
// pass, and reports whether it is valid; for tests and benchmarks that
// need a record's compact form.
func appendCompact(dst, src []byte) ([]byte, bool) {
	var t tree
	return t.parse(dst, src)
}
