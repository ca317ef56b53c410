package custom

import (
	"bytes"
	"fmt"
)

// splitCSV splits one CSV record (one line, without its newline) into
// fields, appended to dst. Unquoted fields are slices of rec; quoted ones
// (RFC 4180: "a ""quoted"" value", delimiters inside allowed) are
// unescaped into scratch, which is returned grown. A quote inside an
// unquoted field is kept as a character, as most producers mean it; an
// unterminated quoted field, or text after a closing quote, is an error.
func splitCSV(dst [][]byte, scratch, rec []byte, delim byte) ([][]byte, []byte, error) {
	i := 0
	for {
		if i < len(rec) && rec[i] == '"' {
			i++
			start := len(scratch)
			for {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 {
					return dst, scratch, fmt.Errorf("field %d: quoted field without its closing quote", len(dst)+1)
				}
				scratch = append(scratch, rec[i:i+j]...)
				i += j + 1
				if i < len(rec) && rec[i] == '"' { // "" is one quote
					scratch = append(scratch, '"')
					i++
					continue
				}
				break
			}
			// Full slice expression: a later append to scratch must not
			// write into this field.
			dst = append(dst, scratch[start:len(scratch):len(scratch)])
			if i == len(rec) {
				return dst, scratch, nil
			}
			if rec[i] != delim {
				return dst, scratch, fmt.Errorf("field %d: text after the closing quote", len(dst))
			}
			i++
			continue
		}
		j := bytes.IndexByte(rec[i:], delim)
		if j < 0 {
			return append(dst, rec[i:]), scratch, nil
		}
		dst = append(dst, rec[i:i+j])
		i += j + 1
	}
}
