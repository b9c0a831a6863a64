package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
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
// Errors match [ErrMalformed] with [errors.Is]: the payload is not a JSON
// object ([ErrMalformed]), has no string "type" ([ErrMissingType]), a known
// type has no payload object ([ErrMissingPayload]), or a documented member of
// a known type has the wrong JSON kind ([ErrMalformed]). Members Stash may
// send in either kind are tolerant: item quantities and timeMillis decode from
// a JSON number or an integer string ("2"), booleans from true/false or the
// strings "true"/"false", amounts from a string or a number. A value that
// cannot be converted exactly ("2.5" as a quantity, "yes" as a boolean) is
// still [ErrMalformed]: guessing could grant the wrong thing.
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

// parseStd is Parse without the hand-written decoder of fastpath.go: only
// encoding/json. parseFast must agree with it on every input it handles.
func parseStd(payload []byte) (Event, error) {
	if !looksLikeObject(payload) {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	// Fast path: one pass over the bytes into typed wrapper pointers.
	var env envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		// A member of an unexpected kind somewhere (maybe in a member this
		// type does not use) or invalid JSON: decide member by member.
		return parseSlow(payload)
	}
	if env.Type == "" {
		return nil, ErrMissingType
	}
	b := base{typ: env.Type, format: formatOf(env.Type), env: env.Environment, eventID: env.ID}
	if ev := env.wrapped(env.Type); ev != nil {
		b.raw = bytes.Clone(payload)
		ev.init(b)
		return ev, nil
	}
	ev, key := newEvent(env.Type)
	data, used := env.rawFor(key)
	var top map[string]json.RawMessage
	if data == nil {
		// Rare: search the other members for the payload object.
		if err := json.Unmarshal(payload, &top); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		data, used = loneObject(top)
	}
	b.raw = bytes.Clone(payload)
	return finish(b, ev, data, used)
}

// parseSlow decodes the top level member by member, so that a member of an
// unexpected kind matters only when the event type uses it.
func parseSlow(payload []byte) (Event, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if top == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	var typ string
	if raw := lookup(top, "type"); raw != nil {
		if err := json.Unmarshal(raw, &typ); err != nil {
			return nil, fmt.Errorf("%w: type is not a JSON string", ErrMalformed)
		}
	}
	if typ == "" {
		return nil, ErrMissingType
	}
	t := Type(typ)
	b := base{typ: t, format: formatOf(t)}
	b.env = optionalString(lookup(top, "environment"))
	b.eventID = optionalString(lookup(top, "id"))

	ev, key := newEvent(t)
	var data json.RawMessage
	var used string
	for _, k := range payloadKeys(key) {
		if raw := lookup(top, k); present(raw) {
			data, used = raw, k
			break
		}
	}
	if data == nil {
		data, used = loneObject(top)
	}
	b.raw = bytes.Clone(payload)
	return finish(b, ev, data, used)
}

// finish decodes data into ev (nil for an unknown type) and seals the event.
func finish(b base, ev decoded, data json.RawMessage, used string) (Event, error) {
	if ev == nil {
		return &Unknown{base: b, Data: data, PayloadKey: used}, nil
	}
	if data == nil {
		return nil, ErrMissingPayload
	}
	ev, err := unmarshalPayload(data, ev)
	if err != nil {
		return nil, fmt.Errorf("%w: %q payload: %w", ErrMalformed, truncate(string(b.typ)), err)
	}
	ev.init(b)
	return ev, nil
}

// payloadKeys lists where a payload may sit, best first.
func payloadKeys(key string) []string {
	switch key {
	case "", "data":
		return []string{"data", "eventData"}
	default:
		return []string{key, "eventData", "data"}
	}
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
	if raw == nil || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// lookup finds a member as encoding/json matches struct fields: an exact
// name first, else a case-insensitive one (the smallest such name, so the
// result does not depend on map order).
func lookup(top map[string]json.RawMessage, key string) json.RawMessage {
	if raw, ok := top[key]; ok {
		return raw
	}
	var best string
	found := false
	for k := range top {
		if strings.EqualFold(k, key) && (!found || k < best) {
			best, found = k, true
		}
	}
	if !found {
		return nil
	}
	return top[best]
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
