package stashpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Tolerant JSON decoding for the egress requests, as Stash's public API
// README asks of parsers: field names in lowerCamelCase or snake_case, enums
// as names or integers, int64 values as strings or numbers, unknown fields
// ignored. Every error here names the field, never its value.
//
// The walkers below run on input that json.Valid accepted (egressValid is
// called once by every exported UnmarshalJSON), so they only find the
// extent of values and never re-check the syntax.

// ErrMalformedEgressJSON is wrapped by the errors the egress request and
// response decoders return for JSON that cannot be read: bad syntax, a value
// of the wrong kind, an integer out of range, a field given twice.
var ErrMalformedEgressJSON = errors.New("stashpay: malformed egress JSON")

// egressFieldFunc receives one member of a JSON object: its canonical name
// (see egressCanonKey; valid during the call only) and its raw value. It
// reports whether the name was a known field, so that repeated known fields
// can be detected. Implementations switch on string(key), which does not
// allocate.
type egressFieldFunc func(key, raw []byte) (known bool, err error)

// egressValid rejects input that is not one valid JSON value.
func egressValid(data []byte) error {
	if !json.Valid(data) {
		return egressMalformed("", "", "invalid JSON")
	}
	return nil
}

// egressMalformed builds a decoding error for the member name of the value
// at path (such as "items[2]" and "quantity"); it carries no values.
func egressMalformed(path, name, why string) error {
	field := egressJoin(path, name)
	if field == "" {
		return fmt.Errorf("%w: %s", ErrMalformedEgressJSON, why)
	}
	return fmt.Errorf("%w: %s: %s", ErrMalformedEgressJSON, field, why)
}

// egressJoin appends a member name to a path.
func egressJoin(path, name string) string {
	switch {
	case path == "":
		return name
	case name == "":
		return path
	}
	return path + "." + name
}

// egressIndex appends an array index to a path.
func egressIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func egressIsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// egressTrim drops surrounding JSON whitespace.
func egressTrim(b []byte) []byte {
	for len(b) > 0 && egressIsSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && egressIsSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// egressSkip returns the index of the first non-space byte at or after i.
func egressSkip(b []byte, i int) int {
	for i < len(b) && egressIsSpace(b[i]) {
		i++
	}
	return i
}

// egressEnd returns the index just after the valid JSON value starting at i.
func egressEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return egressStringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = egressStringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	default:
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && !egressIsSpace(b[i]) {
			i++
		}
		return i
	}
}

// egressStringEnd returns the index just after the string starting at i.
func egressStringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// egressIsNull reports whether raw is the JSON literal null.
func egressIsNull(raw []byte) bool { return string(egressTrim(raw)) == "null" }

// egressCanonKey appends to dst the form of a raw JSON member name the
// decoders switch on: ASCII letters lowered and underscores dropped, so
// "playerId", "player_id" and "PlayerID" all read "playerid".
func egressCanonKey(dst, quoted []byte) []byte {
	name := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		var s string
		_ = json.Unmarshal(quoted, &s)
		name = []byte(s)
	}
	for _, c := range name {
		switch {
		case c == '_':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// egressObject walks the members of the JSON object in data (valid JSON)
// and hands each to fn. A null object has no members. A known field given
// twice (in any spelling) is an error, as in protobuf's JSON mapping.
func egressObject(data []byte, path string, fn egressFieldFunc) error {
	data = egressTrim(data)
	if string(data) == "null" {
		return nil
	}
	if len(data) == 0 || data[0] != '{' {
		return egressMalformed(path, "", "not a JSON object")
	}
	var keyBuf [64]byte
	var seenBuf [512]byte // canonical names of the known fields seen
	var endsBuf [32]int
	seen, ends := seenBuf[:0], endsBuf[:0]
	i := egressSkip(data, 1)
	for i < len(data) && data[i] != '}' {
		kEnd := egressStringEnd(data, i)
		quoted := data[i:kEnd]
		i = egressSkip(data, egressSkip(data, kEnd)+1) // past ':'
		vEnd := egressEnd(data, i)
		key := egressCanonKey(keyBuf[:0], quoted)
		known, err := fn(key, data[i:vEnd])
		if err != nil {
			return err
		}
		if known {
			start := 0
			for _, end := range ends {
				if bytes.Equal(seen[start:end], key) {
					name, _, _ := egressText(quoted, "", "")
					return egressMalformed(path, name, "field given more than once")
				}
				start = end
			}
			seen = append(seen, key...)
			ends = append(ends, len(seen))
		}
		i = egressSkip(data, vEnd)
		if i < len(data) && data[i] == ',' {
			i = egressSkip(data, i+1)
		}
	}
	return nil
}

// egressArray walks a JSON array (or null) and hands each element to fn.
func egressArray(raw []byte, path string, fn func(i int, elem []byte) error) error {
	raw = egressTrim(raw)
	if string(raw) == "null" {
		return nil
	}
	if len(raw) == 0 || raw[0] != '[' {
		return egressMalformed(path, "", "not a JSON array")
	}
	i := egressSkip(raw, 1)
	for n := 0; i < len(raw) && raw[i] != ']'; n++ {
		end := egressEnd(raw, i)
		if err := fn(n, raw[i:end]); err != nil {
			return err
		}
		i = egressSkip(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = egressSkip(raw, i+1)
		}
	}
	return nil
}

// egressPlain returns the content of raw without copying: the text between
// the quotes of a string without escapes in valid UTF-8 (quoted), or a bare
// literal as is. ok is false for strings that need unescaping.
func egressPlain(raw []byte) (text []byte, quoted, ok bool) {
	raw = egressTrim(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return raw, false, true
	}
	inner := raw[1 : len(raw)-1]
	ascii := true
	for _, c := range inner {
		if c == '\\' || c < 0x20 {
			return inner, true, false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	return inner, true, ascii || utf8.Valid(inner)
}

// egressText returns the text of a JSON string literal, or of a bare
// literal as is, and whether the value was quoted.
func egressText(raw []byte, path, name string) (string, bool, error) {
	text, quoted, ok := egressPlain(raw)
	if ok {
		return string(text), quoted, nil
	}
	var s string
	if err := json.Unmarshal(egressTrim(raw), &s); err != nil {
		return "", true, egressMalformed(path, name, "invalid string")
	}
	return s, true, nil
}
