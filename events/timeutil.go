package events

import (
	"encoding/json"
	"errors"
	"math"
	"time"
)

// Millis is a Unix time in milliseconds as Stash sends it in "timeMillis".
// It decodes from a JSON number (1640995200000) or a JSON string holding one
// ("1640995200000"), since Stash sends int64 values both ways; null leaves it
// unchanged. Zero means absent.
type Millis int64

// Time returns m as a UTC [time.Time], or the zero Time when m is 0.
func (m Millis) Time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

var errMillis = errors.New("events: timeMillis must be an integer as a JSON number or string")

// UnmarshalJSON implements [json.Unmarshaler] without allocating.
func (m *Millis) UnmarshalJSON(b []byte) error {
	v, null, err := parseFlexInt(b)
	if err != nil {
		return errMillis
	}
	if !null {
		*m = Millis(v)
	}
	return nil
}

// parseFlexInt parses an integer JSON literal, bare or quoted. null reports
// null=true. No exponent, fraction, sign '+' or whitespace inside quotes.
func parseFlexInt(b []byte) (v int64, null bool, err error) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	} else if string(b) == "null" {
		return 0, true, nil
	}
	if len(b) == 0 {
		return 0, false, errMillis
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false, errMillis
		}
	}
	var acc uint64
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false, errMillis
		}
		d := uint64(c - '0')
		if acc > (limit-d)/10 {
			return 0, false, errMillis
		}
		acc = acc*10 + d
	}
	if neg {
		return int64(-acc), false, nil //nolint:gosec // acc <= 1<<63 checked above
	}
	return int64(acc), false, nil //nolint:gosec // acc <= MaxInt64 checked above
}

// flexInt decodes an integer from a JSON number or string (v2 payloads).
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	v, null, err := parseFlexInt(b)
	if err != nil {
		return errors.New("events: expected an integer as a JSON number or string")
	}
	if !null {
		*f = flexInt(v)
	}
	return nil
}

// flexString decodes a JSON string, or keeps the literal text of a number or
// boolean (open enums that may arrive as integers).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return errors.New("events: empty JSON value")
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case 'n':
		// null: leave unchanged.
	case '{', '[':
		return errors.New("events: expected a JSON string")
	default:
		*f = flexString(b)
	}
	return nil
}

// flexTime decodes a timestamp from an RFC 3339 string, an empty string,
// null, or Unix milliseconds as a JSON number or numeric string.
type flexTime time.Time

func (f *flexTime) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return errors.New("events: empty JSON value")
	}
	if b[0] != '"' {
		v, null, err := parseFlexInt(b)
		if err != nil {
			return errors.New("events: timestamp must be an RFC 3339 string or Unix milliseconds")
		}
		if !null {
			*f = flexTime(Millis(v).Time())
		}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		return nil
	}
	if s[0] >= '0' && s[0] <= '9' || s[0] == '-' {
		if v, _, err := parseFlexInt([]byte(s)); err == nil {
			*f = flexTime(Millis(v).Time())
			return nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return errors.New("events: timestamp must be an RFC 3339 string or Unix milliseconds")
	}
	*f = flexTime(t)
	return nil
}
