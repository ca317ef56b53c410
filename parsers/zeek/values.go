package zeek

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"panther/parsers/event"
)

// The canonical forms below are what both readers (TSV and JSON) produce,
// so that the same traffic logged in either format gives the same event.

// timeLayout is Zeek's own ISO 8601 form (json_timestamps=JSON::TS_ISO8601):
// UTC, always six fractional digits.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// appendTime appends the canonical JSON string of a time given as
// microseconds since the epoch. It writes the digits itself: the time
// package's AppendFormat was a tenth of the cost of a TSV record.
func appendTime(dst []byte, us int64) []byte {
	sec, frac := us/1e6, us%1e6
	if frac < 0 {
		sec, frac = sec-1, frac+1e6
	}
	days, rem := sec/86400, sec%86400
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	y, m, d := civilFromDays(days)
	if y < 0 || y > 9999 {
		dst = append(dst, '"')
		dst = time.UnixMicro(us).UTC().AppendFormat(dst, timeLayout)
		return append(dst, '"')
	}
	dst = append(dst, '"')
	dst = appendDigits(dst, int64(y), 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int64(m), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, int64(d), 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, rem/3600, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, rem/60%60, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, rem%60, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, frac, 6)
	return append(dst, 'Z', '"')
}

// appendDigits writes n (>= 0) zero-padded to width digits.
func appendDigits(dst []byte, n int64, width int) []byte {
	var b [20]byte
	i := len(b)
	for ; width > 0 || n > 0; width-- {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[i:]...)
}

// civilFromDays is the proleptic Gregorian date of a count of days since
// 1970-01-01 (Howard Hinnant's algorithm; the inverse of daysFromCivil).
func civilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// epochMicros reads decimal epoch seconds ("1521911725.396014", as the TSV
// writer and JSON::TS_EPOCH write them) as microseconds, exactly: no float
// rounding on the way. More than six fractional digits are rounded half up.
// Other spellings (exponents) go through ParseFloat.
func epochMicros(s string) (int64, bool) {
	i, neg := 0, false
	if i < len(s) && s[i] == '-' {
		neg, i = true, 1
	}
	start := i
	var sec int64
	for i < len(s) && isDigit(s[i]) {
		if i-start >= 12 { // beyond year 33658: not a Zeek time
			return floatMicros(s)
		}
		sec = sec*10 + int64(s[i]-'0')
		i++
	}
	if i == start {
		return floatMicros(s)
	}
	var us int64
	n, up := 0, false
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			switch {
			case n < 6:
				us = us*10 + int64(s[i]-'0')
			case n == 6:
				up = s[i] >= '5'
			}
			n++
			i++
		}
	}
	if i != len(s) {
		return floatMicros(s)
	}
	for ; n < 6; n++ {
		us *= 10
	}
	total := sec*1e6 + us
	if up {
		total++
	}
	if neg {
		total = -total
	}
	return total, true
}

func floatMicros(s string) (int64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return 0, false
	}
	return int64(math.Round(f * 1e6)), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// appendDouble appends the canonical JSON number of a double or interval:
// rounded to microsecond precision (six decimals, the precision of Zeek's
// TSV writer and of its clock), trailing zeros dropped. NaN and infinities
// are null, as Zeek's JSON writer writes them. ok is false when s is not a
// number.
func appendDouble(dst []byte, s string) ([]byte, bool) {
	if plainDecimal(s) {
		return trimZeros(append(dst, s...), len(dst)), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// ParseFloat reports overflow with ±Inf and an error: Zeek's JSON
		// writer would have written null for an infinite double.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && math.IsInf(f, 0) {
			return append(dst, "null"...), true
		}
		return dst, false
	}
	return appendFloat(dst, f), true
}

func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	start := len(dst)
	return trimZeros(strconv.AppendFloat(dst, f, 'f', 6, 64), start)
}

// plainDecimal reports whether s is -?(0|[1-9][0-9]*)(.[0-9]{1,6})?, the
// form whose canonical spelling is s without trailing fractional zeros.
func plainDecimal(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) {
		return false
	}
	if s[i] == '0' {
		i++
	} else {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i == len(s) {
		return true
	}
	if s[i] != '.' {
		return false
	}
	i++
	n := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		n++
	}
	return i == len(s) && n >= 1 && n <= 6
}

// trimZeros drops trailing fractional zeros (and a bare dot) of the number
// written from dst[start:], and turns "-0" into "0".
func trimZeros(dst []byte, start int) []byte {
	num := dst[start:]
	dot := -1
	for i, c := range num {
		if c == '.' {
			dot = i
			break
		}
	}
	if dot >= 0 {
		end := len(num)
		for end > dot+1 && num[end-1] == '0' {
			end--
		}
		if end == dot+1 {
			end = dot
		}
		dst = dst[:start+end]
	}
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// appendInt appends a count, int or port as a JSON number; ok is false when
// s is not one (signed says whether a minus sign is allowed).
func appendInt(dst []byte, s string, signed bool) ([]byte, bool) {
	i := 0
	if signed && len(s) > 1 && s[0] == '-' {
		i = 1
	}
	// Up to 18 digits cannot overflow 64 bits: no need to parse.
	if i < len(s) && len(s)-i <= 18 && (s[i] != '0' || len(s) == i+1) {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == len(s) {
			return append(dst, s...), true
		}
	}
	// Leading zeros, a plus sign, spaces: valid for Zeek's reader, not JSON.
	if signed {
		n, err := strconv.ParseInt(trimSpace(s), 10, 64)
		if err != nil {
			return dst, false
		}
		return strconv.AppendInt(dst, n, 10), true
	}
	n, err := strconv.ParseUint(trimSpace(s), 10, 64)
	if err != nil {
		return dst, false
	}
	return strconv.AppendUint(dst, n, 10), true
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// unescape decodes the escapes of Zeek's TSV writer into dst: \xNN is the
// byte NN and \\ a backslash; any other backslash is kept as written.
func unescape(dst []byte, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			dst = append(dst, c)
			continue
		}
		switch n := s[i+1]; {
		case n == '\\':
			dst = append(dst, '\\')
			i++
		case n == 'x' && i+3 < len(s) && isHex(s[i+2]) && isHex(s[i+3]):
			dst = append(dst, unhex(s[i+2])<<4|unhex(s[i+3]))
			i += 3
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// plainByte is what Zeek's JSON writer copies as is: printable ASCII and
// the C escapes \b \f \n \r \t.
func plainByte(c byte) bool {
	return (c >= 0x20 && c < 0x7f) || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t'
}

// zeekJSONSafe reports whether Zeek's JSON writer (util::json_escape_utf8)
// would write s unchanged: plain bytes and well-formed UTF-8 that is not a
// C1 control, private use or a special.
func zeekJSONSafe(s []byte) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if plainByte(c) {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return false
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return false
		}
		if (r >= 0x80 && r <= 0x9f) || (r >= 0xe000 && r <= 0xf8ff) || (r >= 0xfff0 && r <= 0xffff) {
			return false
		}
		i += size
	}
	return true
}

// appendZeekString appends s as a JSON string the way Zeek's JSON writer
// renders a string value: unchanged when zeekJSONSafe, else with every byte
// that is not plain written as the text \xNN. A string decoded from TSV thus
// equals the same string read from Zeek's JSON.
func appendZeekString(dst []byte, s []byte) []byte {
	if zeekJSONSafe(s) {
		return event.AppendString(dst, b2s(s))
	}
	var buf [256]byte
	esc := buf[:0]
	for _, c := range s {
		if plainByte(c) {
			esc = append(esc, c)
			continue
		}
		esc = append(esc, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
	}
	return event.AppendString(dst, b2s(esc))
}

const hexDigits = "0123456789abcdef"
