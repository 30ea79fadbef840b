package main

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// printable is s for a terminal: unchanged when every rune is graphic
// (letters, marks, numbers, punctuation, symbols, spaces), else Go-escaped
// (\x1b, \n, \u200b, \xff for invalid UTF-8, \\ for a backslash) without
// the quotes, so an id or reason from hostile input can neither move the
// cursor, recolour nor forge lines of the listing.
func printable(s string) string {
	plain := utf8.ValidString(s)
	for _, r := range s {
		if !plain || !unicode.IsGraphic(r) || r == '\t' {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}
