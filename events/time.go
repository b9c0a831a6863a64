package events

import (
	"encoding/json"
	"time"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// Millis is a Unix time in milliseconds as Stash sends it in "timeMillis".
// It decodes from a JSON number (1640995200000) or a JSON string holding one
// ("1640995200000"), since Stash sends int64 values both ways; null leaves it
// unchanged. Zero means absent.
type Millis int64

// Time returns m as a UTC [time.Time], or the zero Time when m is 0.
func (m Millis) Time() time.Time { return wire.Millis(m).Time() }

// UnmarshalJSON implements [json.Unmarshaler] with the SDK's one rule for
// integers sent as numbers or strings.
func (m *Millis) UnmarshalJSON(b []byte) error {
	return (*wire.Millis)(m).UnmarshalJSON(b)
}

var _ json.Unmarshaler = (*timestamp)(nil)

// timestamp decodes a time from an RFC 3339 string, an empty string, null,
// or Unix milliseconds as a JSON number or a string of digits.
type timestamp time.Time

// errTimestamp is the error of a timestamp that is neither.
var errTimestamp = &wire.Error{Why: "a timestamp is neither an RFC 3339 string nor Unix milliseconds"}

// UnmarshalJSON implements [json.Unmarshaler].
func (f *timestamp) UnmarshalJSON(b []byte) error {
	var ms wire.Millis
	if ms.UnmarshalJSON(b) == nil {
		if string(b) != "null" {
			*f = timestamp(ms.Time())
		}
		return nil
	}
	var s string
	if wire.Unmarshal(b, &s) != nil {
		return errTimestamp
	}
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// A time without a zone (not RFC 3339, but what a serialiser of a
		// zone-less time writes) is read as UTC.
		if t, err = time.Parse("2006-01-02T15:04:05.999999999", s); err != nil {
			return errTimestamp
		}
	}
	*f = timestamp(t)
	return nil
}
