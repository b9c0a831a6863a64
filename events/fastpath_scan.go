package events

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// scanner is the byte-level reader of parseFast. It accepts a strict subset
// of JSON. On anything else it calls fail, which sets bad and jumps to the
// end of the input, so every later read fails too and each loop ends.
type scanner struct {
	b   []byte
	i   int
	bad bool
}

func (s *scanner) fail() {
	s.bad = true
	s.i = len(s.b)
}

// once sets bit in *seen, failing when it was already set (a duplicate
// member, which encoding/json would merge or overwrite).
func (s *scanner) once(seen *uint32, bit uint32) {
	if *seen&bit != 0 {
		s.fail()
	}
	*seen |= bit
}

// ws skips JSON whitespace.
func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// open consumes the opening byte of an object or array and reports whether
// a first member or element follows (false for an empty one, or on failure).
func (s *scanner) open(c, end byte) bool {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != c {
		s.fail()
		return false
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == end {
		s.i++
		return false
	}
	return true
}

// next consumes the separator after a member or element and reports whether
// another one follows (false after the closing byte end, or on failure). A
// trailing comma fails later, at the key or value that is not there.
func (s *scanner) next(end byte) bool {
	s.ws()
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
			return true
		case end:
			s.i++
			return false
		}
	}
	s.fail()
	return false
}

// key reads a member name and its colon.
func (s *scanner) key() []byte {
	k := s.rawString()
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		s.fail()
		return nil
	}
	s.i++
	s.ws()
	return k
}

// plain marks the bytes a string may hold as they are: printable ASCII other
// than '"' and '\\'. Bytes from 0x80 are checked as UTF-8.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plain8 reports whether the 8 bytes packed in x are all plain: no byte is
// below 0x20, at or above 0x80, '"' or '\\'. It may only err towards false
// (then the bytes are checked one at a time).
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - 0x20*ones) & ^x // high bit set where a byte is below 0x20
	quote := x ^ '"'*ones         // zero byte where a byte is '"'
	slash := x ^ '\\'*ones
	zero := (quote-ones)&^quote | (slash-ones)&^slash
	return (below|zero|x)&highs == 0
}

// rawString reads a string literal and returns its contents, which are also
// its decoded value: it fails on an escape, a control byte or invalid UTF-8
// (where encoding/json would substitute U+FFFD).
func (s *scanner) rawString() []byte {
	b := s.b
	if s.i >= len(b) || b[s.i] != '"' {
		s.fail()
		return nil
	}
	start := s.i + 1
	j := start
	for {
		// Skip plain bytes, eight at a time while possible; the byte loop
		// then stops within eight bytes, at the first byte that is not plain.
		for j+8 <= len(b) && plain8(binary.LittleEndian.Uint64(b[j:j+8])) {
			j += 8
		}
		for j < len(b) && plain[b[j]] {
			j++
		}
		if j >= len(b) {
			break
		}
		c := b[j]
		if c == '"' {
			s.i = j + 1
			return b[start:j]
		}
		if c < utf8.RuneSelf {
			break // '\\' or a control byte
		}
		r, n := utf8.DecodeRune(b[j:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		j += n
	}
	s.fail()
	return nil
}

// str reads a string value.
func (s *scanner) str() string {
	return string(s.rawString())
}

// common reads a string value that is often one of a few known values,
// returning those without allocating.
func (s *scanner) common() string {
	b := s.rawString()
	switch string(b) {
	case "test":
		return "test"
	case "production":
		return "production"
	case "USD":
		return "USD"
	case "usd":
		return "usd"
	case "EUR":
		return "EUR"
	case "eur":
		return "eur"
	case string(SourceStashPay):
		return string(SourceStashPay)
	case string(SourceCart):
		return string(SourceCart)
	}
	return string(b)
}

// typ reads the "type" value; only the types parseFast decodes are accepted.
func (s *scanner) typ() Type {
	switch string(s.rawString()) {
	case string(TypePurchaseSucceeded):
		return TypePurchaseSucceeded
	case string(TypePurchaseRefunded):
		return TypePurchaseRefunded
	}
	s.fail()
	return ""
}

// number reads a JSON number literal and reports whether it is an integer
// (no fraction or exponent).
func (s *scanner) number() (lit []byte, integer bool) {
	b, j := s.b, s.i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		j = digits(b, j)
	default:
		s.fail()
		return nil, false
	}
	integer = true
	if j < len(b) && b[j] == '.' {
		integer = false
		if k := digits(b, j+1); k > j+1 {
			j = k
		} else {
			s.fail()
			return nil, false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		integer = false
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if k := digits(b, j); k > j {
			j = k
		} else {
			s.fail()
			return nil, false
		}
	}
	lit = b[s.i:j]
	s.i = j
	return lit, integer
}

// digits returns the index after the run of ASCII digits starting at j.
func digits(b []byte, j int) int {
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	return j
}

// flexInt reads an integer as a JSON number or a JSON string holding one, as
// wire.Int64 (item quantities) and [Millis] decode it; null fails, since
// those leave the field unchanged.
func (s *scanner) flexInt() int64 {
	var lit []byte
	if s.i < len(s.b) && s.b[s.i] == '"' {
		start := s.i
		s.rawString()
		lit = s.b[start:s.i]
	} else {
		lit, _ = s.number()
	}
	var v wire.Int64
	if s.bad || v.UnmarshalJSON(lit) != nil {
		s.fail()
	}
	return int64(v)
}

// millis reads a timeMillis value as [Millis.UnmarshalJSON] decodes it.
func (s *scanner) millis() Millis { return Millis(s.flexInt()) }

// amount reads an [Amount] from a string or number, as
// [Amount.UnmarshalJSON] decodes it.
func (s *scanner) amount() Amount {
	if s.i < len(s.b) && s.b[s.i] == '"' {
		return Amount(s.str())
	}
	lit, _ := s.number()
	return Amount(lit)
}

// boolean reads true or false, bare or quoted, as internal/wire reads them
// into a bool.
func (s *scanner) boolean() bool {
	rest := s.b[s.i:]
	quoted := len(rest) > 0 && rest[0] == '"'
	if quoted {
		rest = rest[1:]
	}
	var v bool
	var n int
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		v, n = true, 4
	case len(rest) >= 5 && string(rest[:5]) == "false":
		v, n = false, 5
	default:
		s.fail()
		return false
	}
	if quoted {
		if n >= len(rest) || rest[n] != '"' {
			s.fail()
			return false
		}
		n += 2
	}
	s.i += n
	return v
}
