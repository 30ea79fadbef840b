package normalize

import "time"

// parseRFC3339 is the fast path of parseTime for the form nearly every
// record uses, "2006-01-02T15:04:05[.fraction](Z|±07:00)", with the range
// checks of time.Parse (FuzzParseRFC3339 holds the two to the same
// answers). ok is false for anything else, which parseTime then hands to
// time.Parse.
func parseRFC3339(s string) (t time.Time, ok bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return t, false
	}
	year, ok1 := digitsN(s[0:4])
	month, ok2 := digitsN(s[5:7])
	day, ok3 := digitsN(s[8:10])
	hour, ok4 := digitsN(s[11:13])
	minute, ok5 := digitsN(s[14:16])
	sec, ok6 := digitsN(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return t, false
	}
	rest, nsec := s[19:], 0
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
			if n <= 9 {
				nsec = nsec*10 + int(rest[n]-'0')
			}
			n++
		}
		if n == 1 || n > 10 { // no digit, or more than nanoseconds: time.Parse's business
			return t, false
		}
		for i := n; i <= 9; i++ {
			nsec *= 10
		}
		rest = rest[n:]
	}
	offset := 0
	switch {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		h, okh := digitsN(rest[1:3])
		m, okm := digitsN(rest[4:6])
		if !okh || !okm || h > 23 || m > 59 {
			return t, false
		}
		offset = (h*60 + m) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return t, false
	}
	t = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// digitsN is the decimal value of s, which must be all digits.
func digitsN(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn is the number of days of month in year (proleptic Gregorian).
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
