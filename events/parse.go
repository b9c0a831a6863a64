package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/stashpay/stashpay-go/internal/wire"
)

// Parse decodes one webhook payload. It returns one of this package's
// concrete pointer types for a known event type and [*Unknown] for any other
// non-empty type; a new event type, an unexpected extra member or an unknown
// enum value is never an error.
//
// Shapes: v1 is {"type": "PURCHASE_SUCCEEDED", "purchaseSucceeded": {...}},
// with the per-type wrapper key documented on each type and "eventData" (then
// "data") accepted in its place; v2 is {"type": "subscription.created",
// "data": {...}}. The optional "environment" member is kept. When none of the
// expected keys is present, the only other top-level member holding an object
// is used as the payload.
//
// Member names match as everywhere in this SDK: lowerCamelCase as
// encoding/json matches struct fields, or the exact snake_case form of one
// ("order_id" for "orderId"; nothing looser).
//
// Errors match [ErrMalformed] with [errors.Is]: the payload is not a JSON
// object or not valid JSON, is nested deeper than the JSON decoder allows,
// holds a string that is not valid UTF-8 (anywhere: two identifiers that
// differ only in invalid bytes must never decode alike), has no string "type"
// ([ErrMissingType]), a known type has no payload object
// ([ErrMissingPayload]), or a documented member of a known type has the wrong
// JSON kind. Errors name the member and say what is wrong; they never
// contain a value from the payload. Members Stash may send in either kind
// are tolerant: item quantities and timeMillis decode from a JSON number or
// an integer string ("2"), booleans from true/false or the strings
// "true"/"false", amounts from a string or a number, open enums from a name
// or a number. A value that cannot be converted exactly ("2.5" as a
// quantity, "yes" as a boolean) is still [ErrMalformed]: guessing could
// grant the wrong thing.
//
// Parse does not verify signatures; verify the raw bytes first (package
// webhook does). It does not retain payload: [Event.Raw] is a copy. Parse is
// safe for concurrent use.
func Parse(payload []byte) (Event, error) {
	if ev, ok := parseFast(payload); ok {
		return ev, nil
	}
	return parseStd(payload)
}

// parseStd is Parse without the hand-written decoder of fastpath.go: the
// one tolerant reader of Stash JSON (internal/wire, on encoding/json).
// parseFast must agree with it on every input it handles.
func parseStd(payload []byte) (Event, error) {
	if !looksLikeObject(payload) {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	var env envelope
	if err := wire.Unmarshal(payload, &env); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var typ Type
	if present(env.Type) && wire.Unmarshal(env.Type, (*string)(&typ)) != nil {
		return nil, fmt.Errorf("%w: type is not a JSON string", ErrMalformed)
	}
	if typ == "" {
		return nil, ErrMissingType
	}
	b := base{typ: typ, format: formatOf(typ), env: optionalString(env.Environment), eventID: identifier(env.ID)}
	ev, own := env.newEvent(typ)
	data, used := env.payload(own)
	if data == nil {
		// Rare: search the other members for the payload object.
		var top map[string]json.RawMessage
		if err := wire.Unmarshal(payload, &top); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		data, used = loneObject(top)
	}
	b.raw = bytes.Clone(payload)
	if ev == nil {
		return &Unknown{base: b, Data: data, PayloadKey: used}, nil
	}
	if data == nil {
		return nil, ErrMissingPayload
	}
	ev, err := unmarshalPayload(data, ev)
	if err != nil {
		return nil, fmt.Errorf("%w: %q payload: %w", ErrMalformed, truncate(string(typ)), err)
	}
	ev.init(b)
	return ev, nil
}

// looksLikeObject reports whether the first non-space byte is '{'.
func looksLikeObject(p []byte) bool {
	for _, c := range p {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return true
		default:
			return false
		}
	}
	return false
}

// present reports whether raw holds a value other than null.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// optionalString decodes raw as a string, or returns "" for any other kind.
func optionalString(raw json.RawMessage) string {
	var s string
	if raw == nil || wire.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// identifier decodes raw as an identifier: a string, or a number as its
// exact text (as internal/wire reads every identifier); "" for any other kind.
func identifier(raw json.RawMessage) string {
	var s wire.NumericText
	if len(raw) == 0 || s.UnmarshalJSON(raw) != nil {
		return ""
	}
	return string(s)
}

// loneObject returns the only top-level member, other than the envelope
// members, whose value is a JSON object.
func loneObject(top map[string]json.RawMessage) (json.RawMessage, string) {
	var keys []string
	for k, raw := range top {
		if strings.EqualFold(k, "type") || strings.EqualFold(k, "environment") || strings.EqualFold(k, "id") {
			continue
		}
		if len(raw) > 0 && raw[0] == '{' {
			keys = append(keys, k)
		}
	}
	if len(keys) != 1 {
		return nil, ""
	}
	return top[keys[0]], keys[0]
}
