package stashpay

// Decoders of single egress JSON values (strings, integers, booleans,
// string maps), tolerant as described in egress_json.go.

// egressString decodes a string field. A number is accepted as its literal
// text; null is the empty string.
func egressString(raw []byte, path, name string, dst *string) error {
	s, quoted, err := egressText(raw, path, name)
	switch {
	case err != nil:
		return err
	case quoted:
		*dst = s
	case s == "null":
		*dst = ""
	case len(s) > 0 && (s[0] == '-' || ('0' <= s[0] && s[0] <= '9')):
		*dst = s
	default:
		return egressMalformed(path, name, "not a string")
	}
	return nil
}

// egressParseInt parses optional '-' and decimal digits into an int64. It
// reports overflow and success.
func egressParseInt(s []byte) (int64, bool, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 19 {
		return 0, len(s) > 19 && egressDigits(s), false
	}
	var u uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false, false
		}
		u = u*10 + uint64(c-'0')
	}
	if (!neg && u > 1<<63-1) || (neg && u > 1<<63) {
		return 0, true, false
	}
	if neg {
		return -int64(u), false, true //nolint:gosec // range checked above
	}
	return int64(u), false, true
}

// egressInt decodes an integer given as a JSON number or as a JSON string of
// decimal digits (protobuf's int64 form). null is 0. Fractions, exponents and
// values outside int64 are errors.
func egressInt(raw []byte, path, name string, dst *int64) error {
	s, quoted, ok := egressPlain(raw)
	if !ok {
		return egressMalformed(path, name, "not an integer")
	}
	if !quoted && string(s) == "null" {
		*dst = 0
		return nil
	}
	v, overflow, ok := egressParseInt(s)
	switch {
	case overflow:
		return egressMalformed(path, name, "integer out of range")
	case !ok:
		return egressMalformed(path, name, "not an integer")
	}
	*dst = v
	return nil
}

func egressDigits(s []byte) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// egressOptInt decodes an optional integer: null leaves dst nil.
func egressOptInt(raw []byte, path, name string, dst **int64) error {
	if egressIsNull(raw) {
		*dst = nil
		return nil
	}
	var v int64
	if err := egressInt(raw, path, name, &v); err != nil {
		return err
	}
	*dst = &v
	return nil
}

// egressSmallInt decodes an integer that must fit an int32 (decimalPlaces).
func egressSmallInt(raw []byte, path, name string, dst *int) error {
	var v int64
	if err := egressInt(raw, path, name, &v); err != nil {
		return err
	}
	if v < -1<<31 || v > 1<<31-1 {
		return egressMalformed(path, name, "integer out of range")
	}
	*dst = int(v)
	return nil
}

// egressOptBool decodes an optional boolean, given as a JSON boolean or as
// the string "true" or "false". null leaves dst nil.
func egressOptBool(raw []byte, path, name string, dst **bool) error {
	s, quoted, err := egressText(raw, path, name)
	if err != nil {
		return err
	}
	var v bool
	switch {
	case s == "null" && !quoted:
		*dst = nil
		return nil
	case s == "true":
		v = true
	case s == "false":
	default:
		return egressMalformed(path, name, "not a boolean")
	}
	*dst = &v
	return nil
}

// egressStringMap decodes a map of strings (item metadata). Member names are
// kept exactly as sent. Numbers and booleans are kept as their literal text;
// null values are empty strings. A repeated name keeps its last value.
func egressStringMap(raw []byte, path, name string, dst *map[string]string) error {
	raw = egressTrim(raw)
	if string(raw) == "null" {
		*dst = nil
		return nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return egressMalformed(path, name, "not a JSON object")
	}
	out := map[string]string{}
	i := egressSkip(raw, 1)
	for i < len(raw) && raw[i] != '}' {
		kEnd := egressStringEnd(raw, i)
		k, _, err := egressText(raw[i:kEnd], path, name)
		if err != nil {
			return err
		}
		i = egressSkip(raw, egressSkip(raw, kEnd)+1)
		vEnd := egressEnd(raw, i)
		v, quoted, err := egressText(raw[i:vEnd], path, name)
		if err != nil {
			return err
		}
		if !quoted {
			switch {
			case v == "null":
				v = ""
			case v == "true", v == "false", v[0] == '-' || ('0' <= v[0] && v[0] <= '9'):
			default:
				return egressMalformed(path, name, "metadata value is not a string")
			}
		}
		out[k] = v
		i = egressSkip(raw, vEnd)
		if i < len(raw) && raw[i] == ',' {
			i = egressSkip(raw, i+1)
		}
	}
	*dst = out
	return nil
}
