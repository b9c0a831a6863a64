package stashpaytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
)

// wireInt decodes a protobuf integer as protojson accepts it: a JSON number
// without a fraction, or a string holding one. null leaves it zero.
type wireInt int64

func (n *wireInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return errors.New("not an integer")
	}
	*n = wireInt(v)
	return nil
}

// wireEnum keeps an enum sent as a name string or as a number, as text.
type wireEnum string

func (e *wireEnum) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*e = wireEnum(s)
		return nil
	}
	var n wireInt
	if err := n.UnmarshalJSON(b); err != nil {
		return errors.New("enum is neither a string nor an integer")
	}
	*e = wireEnum(strconv.FormatInt(int64(n), 10))
	return nil
}

// camelKeys rewrites every snake_case object key of a JSON document to
// lowerCamelCase, as protojson accepts both spellings of a field. Numbers are
// kept exactly. It fails when body is not a single JSON value.
func camelKeys(body []byte) ([]byte, error) {
	if !bytes.Contains(body, []byte("_")) {
		return body, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if !atEOF(dec) {
		return nil, errors.New("trailing data after JSON value")
	}
	return json.Marshal(camelValue(v))
}

func camelValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		// Sorted keys make collisions deterministic: a key already in
		// camelCase wins, then the smallest snake_case spelling.
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(t))
		for _, k := range keys {
			ck := snakeToCamel(k)
			if _, exact := t[ck]; exact && ck != k {
				continue
			}
			if _, taken := out[ck]; taken {
				continue
			}
			out[ck] = camelValue(t[k])
		}
		return out
	case []any:
		for i := range t {
			t[i] = camelValue(t[i])
		}
		return t
	default:
		return v
	}
}

func snakeToCamel(k string) string {
	if !strings.Contains(k, "_") {
		return k
	}
	var b strings.Builder
	up := false
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c == '_' && b.Len() > 0 {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b.WriteByte(c)
	}
	return b.String()
}

// decodeObject decodes a JSON object body (either field spelling) into v.
func decodeObject(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("request body must be a JSON object")
	}
	norm, err := camelKeys(trimmed)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(norm))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if !atEOF(dec) {
		return errors.New("trailing data after JSON object")
	}
	return nil
}

// atEOF reports whether only white space follows the decoder's last value.
func atEOF(dec *json.Decoder) bool {
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}
