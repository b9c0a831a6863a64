// Package wire is the one tolerant reader of Stash's JSON. Every decoder of
// a body Stash sends (egress requests, ingress responses, webhook events, and
// what stashpaytest and the CLI read) goes through [Unmarshal], which is
// encoding/json with the tolerance Stash's public API README asks of
// parsers:
//
//   - member names in lowerCamelCase, as encoding/json matches them (case
//     insensitively), or in snake_case: a name made of lowercase ASCII words
//     joined by single underscores ("transaction_id") is read as the struct
//     field whose JSON name is exactly its lowerCamelCase form
//     ("transactionId"). Nothing looser: "_transaction_id_" or
//     "t_r_a_n_s_a_c_t_i_o_n_i_d" match no field. Map keys (metadata) are
//     never rewritten.
//   - scalars of another JSON kind than their Go type's, wherever the type
//     decodes them (a field, nested, a slice element, a map value), into
//     plain Go types: an integer of any width from a JSON number or a string
//     of decimal digits ("5", in the type's range; protobuf's JSON form of
//     int64); a boolean from true/false or the strings "true" and "false"; a
//     Go string from a JSON number (an identifier such as a userId sent as
//     42), as its exact text ("42"); a string map value (metadata) from a
//     boolean, as its text. A whole document that is a scalar is not
//     rewritten. This costs nothing on documents without such a scalar: it
//     is a second decode, of the document with those scalars rewritten,
//     after encoding/json refused the first. [Int64], [Int], [Millis] and
//     [NumericText] read such scalars in the one pass: use them for the
//     members where the other kind is the common one (protobuf's JSON
//     writes every int64 as a digit string).
//   - enums as names or numbers ([Enum]).
//   - unknown members ignored, as encoding/json does; types that keep them
//     (json.RawMessage fields) keep them.
//
// Strictness where tolerance would be unsafe: a body that is not valid UTF-8,
// or that holds a \u escape of a lone UTF-16 surrogate, is refused. Either
// would otherwise decode to U+FFFD, so that two different identifiers
// ("tx-\xff-1", "tx-\xfe-1") would share one exactly-once key.
//
// Errors are [*Error] values wrapping [ErrMalformed]: they name the member
// path ("items.quantity") and say what was wrong, and never contain a value
// from the body.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// ErrMalformed is wrapped by every error of this package.
var ErrMalformed = errors.New("malformed JSON")

// Error is a decoding error. It names the member, never its value.
type Error struct {
	// Field is the member path, such as "items.quantity" (array indexes are
	// left out); empty for the document as a whole.
	Field string
	// Why says what is wrong, such as "invalid UTF-8".
	Why string
}

// Error returns "field: why", or "why" for the document as a whole.
func (e *Error) Error() string {
	if e.Field == "" {
		return e.Why
	}
	return e.Field + ": " + e.Why
}

// Unwrap returns [ErrMalformed].
func (e *Error) Unwrap() error { return ErrMalformed }

// Unmarshal decodes the JSON document data into v, a non-nil pointer, with
// the tolerance and the strictness the package documentation describes.
func Unmarshal(data []byte, v any) error { return unmarshal(data, v, true) }

// UnmarshalStrictStrings is [Unmarshal] that refuses a JSON number where a
// member decodes into a Go string, and a string where a plain Go boolean is
// wanted, as Stash's own (protobuf JSON) parser refuses them in the
// requests it is sent; it reads digit strings into integers, as that
// parser does. The fake Stash reads requests
// with it, so that a test against the fake fails where Stash would. It is
// strict only down to the types that decode themselves: a member reached
// through an UnmarshalJSON that calls [Unmarshal] (this module's
// convention) reads a number as its text again, so decode into plain
// structs with it.
func UnmarshalStrictStrings(data []byte, v any) error { return unmarshal(data, v, false) }

// unmarshal is Unmarshal; numberText says whether a number is read into a
// string member as its text.
func unmarshal(data []byte, v any, numberText bool) error {
	if !utf8.Valid(data) {
		return &Error{Field: pathAt(data, firstInvalidUTF8(data), reflect.TypeOf(v)), Why: "invalid UTF-8"}
	}
	if off := loneSurrogate(data); off >= 0 {
		return &Error{Field: pathAt(data, off, reflect.TypeOf(v)), Why: "invalid UTF-8 (an escaped lone surrogate)"}
	}
	if u, ok := v.(json.Unmarshaler); ok {
		// The type decodes itself, through this package (the convention of
		// this module's types), so its own target gets the rewriting.
		return convert(u.UnmarshalJSON(data), nil)
	}
	sent := data // camelNames re-encodes every name: escaped ones no longer show
	if hasSnakeName(data) {
		var err error
		if data, err = camelNames(data, reflect.TypeOf(v)); err != nil {
			return err
		}
	}
	err := json.Unmarshal(data, v)
	fix := fixStrict
	if numberText {
		fix = fixLenient
	}
	if fixable(err, fix) && reflect.TypeOf(v).Elem().Kind() != reflect.String {
		// Taken only for such documents: the scalars of another JSON kind
		// than their Go type's are rewritten to it (a digit string that
		// decodes into an integer becomes the number, a number that decodes
		// into a string becomes a string holding its exact text), and the
		// document is decoded again (every member it sets is set again). A
		// document that is itself a scalar is not rewritten: a caller
		// decoding one (an event's type) wants its kind.
		// From the document as sent, which fixMembers renames itself, so
		// that an escaped snake_case name stays unmatched, as on the first
		// pass.
		if fixed, ferr := fixMembers(sent, reflect.TypeOf(v), fix); ferr == nil {
			data, err = fixed, json.Unmarshal(fixed, v)
		}
	}
	if unclassified(err) {
		// An Unmarshaler outside this module (time.Time) failed: encoding/json
		// gives no member, so find the first value its type refuses.
		if path, ok := failingMember(data, reflect.TypeOf(v)); ok && len(path) > 0 {
			return &Error{Field: strings.Join(path, "."), Why: "cannot decode"}
		}
	}
	return convert(err, reflect.TypeOf(v))
}

// unclassified reports whether err is a decoding error that convert can
// only call "cannot decode", without a member.
func unclassified(err error) bool {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var inv *json.InvalidUnmarshalError
	return err != nil && !errors.As(err, &syn) && !errors.As(err, &typ) && !errors.As(err, &inv) && !errors.Is(err, ErrMalformed)
}

// failingMember returns the member path (map keys left out) of the first
// value of the valid JSON value v that its type in t refuses to decode
// through its own UnmarshalJSON, and whether there is one.
func failingMember(v []byte, t reflect.Type) ([]string, bool) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil, false
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil, json.Unmarshal(v, reflect.New(t).Interface()) != nil
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		names, _, values, ok, err := members(v)
		if !ok || err != nil {
			return nil, false
		}
		var fields structFields
		if t.Kind() == reflect.Struct {
			fields = fieldsOf(t)
		}
		for i, k := range names {
			elem := t
			if t.Kind() == reflect.Map {
				elem = t.Elem()
			} else if elem = fields.lookup(k); elem == nil {
				continue
			}
			if path, ok := failingMember(values[i], elem); ok {
				if t.Kind() == reflect.Map {
					return nil, true // a map key is data, not a name
				}
				return append([]string{fields.name(k)}, path...), true
			}
		}
	case reflect.Slice, reflect.Array:
		dec := json.NewDecoder(bytes.NewReader(v))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return nil, false
		}
		for dec.More() {
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				return nil, false
			}
			if path, ok := failingMember(raw, t.Elem()); ok {
				return path, true
			}
		}
	}
	return nil, false
}

// fix is what fixMembers rewrites.
type fix int

const (
	// fixNames renames snake_case member names only.
	fixNames fix = iota
	// fixStrict also turns a string of decimal digits that decodes into an
	// integer into the number, as protobuf's JSON parser reads int64
	// values: "5", "-3", "05" (not "+5", " 5", "5.0", "1e3" nor a value
	// out of the integer's range).
	fixStrict
	// fixLenient also turns a number that decodes into a string into a
	// string holding its exact text, the strings "true" and "false" that
	// decode into a boolean into the boolean, and a boolean that decodes
	// into a string map value (metadata) into its text.
	fixLenient
)

// fixable reports whether err is encoding/json's refusal of a scalar that
// fix rewrites into the kind its Go type wants.
func fixable(err error, fix fix) bool {
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &typ) || typ.Type == nil {
		return false
	}
	k := typ.Type.Kind()
	switch {
	case typ.Value == "string" && (isInt(k) || isUint(k)):
		return fix >= fixStrict
	case typ.Value == "number" && k == reflect.String, typ.Value == "string" && k == reflect.Bool,
		typ.Value == "bool" && k == reflect.String:
		return fix >= fixLenient
	}
	return false
}

func isInt(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Int64 }

func isUint(k reflect.Kind) bool { return k >= reflect.Uint && k <= reflect.Uint64 }

// digits returns the integer the JSON string v holds as decimal digits, for
// a Go integer type t, as JSON number text; ok is false for anything else.
func digits(v []byte, t reflect.Type) ([]byte, bool) {
	if len(v) < 3 || v[0] != '"' || v[1] == '+' || bytes.IndexByte(v, '\\') >= 0 {
		return nil, false
	}
	s := string(v[1 : len(v)-1])
	if isUint(t.Kind()) {
		n, err := strconv.ParseUint(s, 10, t.Bits())
		return strconv.AppendUint(nil, n, 10), err == nil
	}
	n, err := strconv.ParseInt(s, 10, t.Bits())
	return strconv.AppendInt(nil, n, 10), err == nil
}

var numberType = reflect.TypeFor[json.Number]()

// convert turns an encoding/json error into an *Error without values. t,
// when known, is the decoding target, whose embedded structs' Go names
// encoding/json puts into a member path ("plainConfirm.platform"); they
// are taken out, so that the path names JSON members only.
func convert(err error, t reflect.Type) error {
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		if strings.Contains(syn.Error(), "max depth") {
			return &Error{Why: "nested too deeply"}
		}
		return &Error{Why: "invalid JSON at offset " + strconv.FormatInt(syn.Offset, 10)}
	case errors.As(err, &typ):
		return &Error{Field: memberPath(t, typ.Field), Why: "wrong JSON kind, want " + kindOf(typ.Type)}
	case errors.Is(err, ErrMalformed):
		return err
	}
	var inv *json.InvalidUnmarshalError
	if errors.As(err, &inv) {
		panic("wire: " + inv.Error()) // a programming error of this module
	}
	return &Error{Why: "cannot decode"}
}

// kindOf describes what a Go type accepts, for an error message.
func kindOf(t reflect.Type) string {
	if t == nil {
		return "another kind"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another kind"
}

// firstInvalidUTF8 returns the offset of the first byte of data that is not
// part of a valid UTF-8 sequence.
func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// loneSurrogate returns the offset of the first \u escape of a UTF-16
// surrogate that is not part of a high-low pair, or -1.
func loneSurrogate(data []byte) int {
	for from := 0; ; {
		i := bytes.Index(data[from:], []byte(`\u`))
		if i < 0 {
			return -1
		}
		i += from
		from = i + 2
		if !escapeStart(data, i) {
			continue
		}
		r, ok := hex4(data, i+2)
		switch {
		case !ok || r < 0xD800 || r > 0xDFFF:
			continue
		case r <= 0xDBFF: // a high surrogate must be followed by a low one
			if len(data) >= i+12 && data[i+6] == '\\' && data[i+7] == 'u' {
				if lo, ok := hex4(data, i+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
					from = i + 12
					continue
				}
			}
		}
		return i
	}
}

// escapeStart reports whether the backslash at data[i] starts an escape,
// that is, it is preceded by an even number of backslashes.
func escapeStart(data []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
		n++
	}
	return n%2 == 0
}

// hex4 reads four hex digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if len(data) < i+4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(data[i:i+4]), 16, 32)
	return rune(v), err == nil
}

// pathAt returns the member path of the value that holds byte offset off,
// by walking the document's tokens. It is only used to name the member of
// an error. t is the decoding target: where it decodes a member into a map
// (metadata), the path ends at that member, since map keys are data from
// the body, not names of the format.
func pathAt(data []byte, off int, t reflect.Type) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	type level struct {
		object bool
		key    string
		inKey  bool // the next string token of an object is a key
	}
	var stack []level
	path := func() string {
		var names []string
		for _, l := range stack {
			if l.object && l.key != "" {
				names = append(names, l.key)
			}
		}
		return strings.Join(namesAbove(t, names), ".")
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return path()
		}
		top := len(stack) - 1
		if int(dec.InputOffset()) > off {
			// tok holds off; a key names itself, a value its member.
			if top >= 0 && stack[top].object && stack[top].inKey {
				if s, ok := tok.(string); ok {
					stack[top].key = s
				}
			}
			return path()
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top >= 0 && stack[top].object {
					stack[top].inKey = true
				}
				stack = append(stack, level{object: t == '{', inKey: t == '{'})
				continue
			default:
				stack = stack[:top]
				if top-1 >= 0 && stack[top-1].object {
					stack[top-1].inKey = true
				}
				continue
			}
		case string:
			if top >= 0 && stack[top].object && stack[top].inKey {
				stack[top].key, stack[top].inKey = t, false
				continue
			}
		}
		if top >= 0 && stack[top].object {
			stack[top].inKey = true
		}
	}
}

// namesAbove returns the leading names of a member path that name struct
// fields of t, cutting the path where t holds a map: what follows is a map
// key, which may be anything the sender put there. A name t does not know
// (a member t ignores) keeps the rest of the path as it is.
func namesAbove(t reflect.Type, names []string) []string {
	for i, name := range names {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			t = t.Elem()
		}
		switch {
		case t == nil:
			return names
		case t.Kind() == reflect.Map:
			return names[:i]
		case t.Kind() != reflect.Struct:
			return names
		}
		t = fieldsOf(t).lookup(name)
	}
	return names
}

// isNameByte reports whether c may appear in a snake_case name.
func isNameByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' }

// snakeName reports whether s is snake_case: lowercase ASCII words (the
// first starting with a letter) joined by single underscores, at least two.
func snakeName(s []byte) bool {
	if len(s) < 3 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '_' || bytes.Contains(s, []byte("__")) {
		return false
	}
	for _, c := range s {
		if !isNameByte(c) {
			return false
		}
	}
	return bytes.IndexByte(s, '_') > 0
}

// camel returns the lowerCamelCase form of a snake_case name.
func camel(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	up := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			up = true
			continue
		case up && c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		up = false
		b.WriteByte(c)
	}
	return b.String()
}

// hasSnakeName reports whether some member name of data is snake_case. It
// looks only around underscores: the name is the run of name bytes around
// one, between two unescaped quotes, followed by a colon. Values with
// underscores ("PURCHASE_PLATFORM_IOS", "gems_500") cost one short scan each.
func hasSnakeName(data []byte) bool {
	for from := 0; ; {
		i := bytes.IndexByte(data[from:], '_')
		if i < 0 {
			return false
		}
		i += from
		start, end := i, i
		for start > 0 && isNameByte(data[start-1]) {
			start--
		}
		for end < len(data) && isNameByte(data[end]) {
			end++
		}
		from = end
		if start == 0 || data[start-1] != '"' || !escapeStart(data, start-1) || end >= len(data) || data[end] != '"' {
			continue
		}
		j := end + 1
		for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
			j++
		}
		if j < len(data) && data[j] == ':' && snakeName(data[start:end]) {
			return true
		}
	}
}

// camelNames rewrites the snake_case member names of data's objects that
// decode into struct fields of t (a pointer type) to the fields' exact JSON
// names, leaving map keys and every other name alone. It is the slow path,
// taken only for documents that have a snake_case member name. Members keep
// their order and their exact bytes (numbers, escapes, duplicates), so that
// the document decodes as it would with the names already in camelCase: a
// member given twice keeps its last value either way.
func camelNames(data []byte, t reflect.Type) ([]byte, error) {
	if !json.Valid(data) {
		return data, nil // let encoding/json report the syntax error
	}
	out, err := fixMembers(data, t, fixNames)
	if err != nil {
		return nil, convert(err, nil)
	}
	return out, nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// fixMembers returns the valid JSON value v with the snake_case members
// that t decodes as struct fields renamed, recursively, and the scalars fix
// names rewritten wherever t decodes them (a field, a map value, a slice
// element).
func fixMembers(v []byte, t reflect.Type, fix fix) ([]byte, error) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || reflect.PointerTo(t).Implements(unmarshalerType) {
		return v, nil // decodes itself (through this package when it is ours)
	}
	switch k := t.Kind(); {
	case k == reflect.String:
		if fix >= fixLenient && t != numberType && len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
			return json.Marshal(string(v))
		}
	case isInt(k) || isUint(k):
		if n, ok := digits(v, t); ok && fix >= fixStrict {
			return n, nil
		}
	case k == reflect.Bool:
		if s := string(v); fix >= fixLenient && (s == `"true"` || s == `"false"`) {
			return v[1 : len(v)-1], nil
		}
	case k == reflect.Struct || k == reflect.Map:
		names, escaped, values, ok, err := members(v)
		if !ok || err != nil {
			return v, err
		}
		var fields structFields
		present := make(map[string]bool, len(names))
		if t.Kind() == reflect.Struct {
			fields = fieldsOf(t)
			for _, k := range names {
				present[fields.name(k)] = true // in any letter case, as encoding/json matches it
			}
		}
		out := []byte{'{'}
		for i, k := range names {
			var elem reflect.Type
			if t.Kind() == reflect.Map {
				elem = t.Elem()
			} else {
				// Only names sent as they read are renamed: hasSnakeName,
				// which decides whether a document takes this path, sees
				// the bytes, and "transaction\u005fid" is no snake_case
				// name on the plain path either.
				if c := camel(k); !escaped[i] && snakeName([]byte(k)) && fields.exact[c] != nil && !present[c] {
					k = c // a camelCase spelling of the same member wins
				}
				elem = fields.lookup(k)
			}
			val, err := fixMembers(values[i], elem, fix)
			if err != nil {
				return nil, err
			}
			if s := string(val); fix >= fixLenient && t.Kind() == reflect.Map && elem.Kind() == reflect.String &&
				!reflect.PointerTo(elem).Implements(unmarshalerType) && (s == "true" || s == "false") {
				val = []byte(`"` + s + `"`) // a metadata value kept as its text
			}
			name, _ := json.Marshal(k)
			if i > 0 {
				out = append(out, ',')
			}
			out = append(append(append(out, name...), ':'), val...)
		}
		return append(out, '}'), nil
	case k == reflect.Slice || k == reflect.Array:
		dec := json.NewDecoder(bytes.NewReader(v))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return v, nil
		}
		out := []byte{'['}
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, err
			}
			val, err := fixMembers(raw, t.Elem(), fix)
			if err != nil {
				return nil, err
			}
			if len(out) > 1 {
				out = append(out, ',')
			}
			out = append(out, val...)
		}
		return append(out, ']'), nil
	}
	return v, nil
}

// members splits the valid JSON value v into its member names, whether
// each was sent with an escape, and its values, in order; ok is false when
// v is not an object.
func members(v []byte) (names []string, escaped []bool, values []json.RawMessage, ok bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, nil, false, nil
	}
	for dec.More() {
		from := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, nil, false, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, nil, false, err
		}
		// v[from:] starts with separators and the name's bytes; the name
		// holds a backslash when it was escaped.
		esc := bytes.IndexByte(v[from:dec.InputOffset()-int64(len(raw))], '\\') >= 0
		names, escaped, values = append(names, tok.(string)), append(escaped, esc), append(values, raw)
	}
	return names, escaped, values, true, nil
}

// structFields are the JSON member names a struct type decodes, with the
// type each decodes into.
type structFields struct {
	exact map[string]reflect.Type
}

// lookup finds the type of member k as encoding/json matches it: the exact
// name, else a case-insensitive match.
func (f structFields) lookup(k string) reflect.Type { return f.exact[f.name(k)] }

// name returns the field name member k matches as encoding/json matches it
// (the exact name, else a case-insensitive match), or "" for none.
func (f structFields) name(k string) string {
	if _, ok := f.exact[k]; ok {
		return k
	}
	for name := range f.exact {
		if strings.EqualFold(name, k) {
			return name
		}
	}
	return ""
}

var fieldCache sync.Map // reflect.Type -> structFields

// fieldsOf lists the JSON member names of struct type t the way
// encoding/json does for the cases this module uses: tag names or Go names
// of exported fields, "-" skipped, untagged embedded structs flattened with
// the outer names taking precedence.
func fieldsOf(t reflect.Type) structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(structFields)
	}
	f := structFields{exact: map[string]reflect.Type{}}
	level := []reflect.Type{t}
	for depth := 0; len(level) > 0 && depth < 8; depth++ {
		var next []reflect.Type
		seen := map[string]bool{}
		for _, st := range level {
			for i := 0; i < st.NumField(); i++ {
				sf := st.Field(i)
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				ft := sf.Type
				if sf.Anonymous && name == "" {
					for ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if ft.Kind() == reflect.Struct {
						next = append(next, ft)
						continue
					}
				}
				if !sf.IsExported() {
					continue
				}
				if name == "" {
					name = sf.Name
				}
				if _, taken := f.exact[name]; !taken && !seen[name] {
					seen[name] = true
					f.exact[name] = ft
				}
			}
		}
		level = next
	}
	fieldCache.Store(t, f)
	return f
}

// memberPath removes from path (a dotted encoding/json field path) the
// segments that are the Go names of embedded structs of t, walking t's
// fields along the path. Without a type, or past a member it cannot
// follow, it keeps the rest as is.
func memberPath(t reflect.Type, path string) string {
	if t == nil || path == "" {
		return path
	}
	segs := strings.Split(path, ".")
	out := segs[:0]
	for i, seg := range segs {
		t = structOf(t)
		if t == nil {
			return strings.Join(append(out, segs[i:]...), ".")
		}
		if embeddedName(t, seg) {
			continue // fieldsOf flattens embedded members into t's
		}
		out = append(out, seg)
		t = fieldsOf(t).lookup(seg)
	}
	return strings.Join(out, ".")
}

// structOf returns the struct type that t, a pointer, slice, array or map
// of it, decodes into, or nil.
func structOf(t reflect.Type) reflect.Type {
	for t != nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			return t
		default:
			return nil
		}
	}
	return nil
}

// embeddedName reports whether name is the Go name of an untagged embedded
// struct of t, at any depth of embedding.
func embeddedName(t reflect.Type, name string) bool {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.Anonymous || sf.Tag.Get("json") != "" {
			continue
		}
		if sf.Name == name {
			return true
		}
		if et := structOf(sf.Type); et != nil && sf.Type.Kind() != reflect.Slice && embeddedName(et, name) {
			return true
		}
	}
	return false
}
