package lines

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadLine(t *testing.T) {
	in := "short\n" + strings.Repeat("x", 40) + "\n\nlast-no-newline"
	r := bufio.NewReaderSize(strings.NewReader(in), 16)
	type step struct {
		line    string
		dropped int
		err     error
	}
	var got []step
	for {
		l, d, err := ReadLine(r)
		got = append(got, step{string(l), d, err})
		if err != nil && !errors.Is(err, ErrTooLong) {
			break
		}
	}
	want := []step{{"short", 0, nil}, {"", 41, ErrTooLong}, {"", 0, nil}, {"last-no-newline", 0, io.EOF}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].line != want[i].line || got[i].dropped != want[i].dropped || !errors.Is(got[i].err, want[i].err) && got[i].err != want[i].err {
			t.Fatalf("step %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// FuzzReadLine: never panics, and every input byte is accounted for:
// returned lines plus their newlines, dropped bytes and the torn tail.
func FuzzReadLine(f *testing.F) {
	f.Add([]byte("a\nbb\n"), 16)
	f.Add([]byte(strings.Repeat("y", 100)+"\nz"), 16)
	f.Add([]byte("\n\n\n"), 17)
	f.Fuzz(func(t *testing.T, in []byte, size int) {
		size = 16 + (size&0xff)%64
		r := bufio.NewReaderSize(bytes.NewReader(in), size)
		total := 0
		for {
			l, d, err := ReadLine(r)
			switch {
			case err == nil:
				if len(l) >= size {
					t.Fatalf("line of %d bytes from a %d-byte buffer", len(l), size)
				}
				total += len(l) + 1
			case errors.Is(err, ErrTooLong):
				total += d
			default:
				total += len(l) + d
				if total != len(in) {
					t.Fatalf("accounted %d of %d bytes", total, len(in))
				}
				return
			}
		}
	})
}
