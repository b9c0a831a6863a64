package stashpay

// The JSON methods below are the same for every egress enum; the rules are in
// egress_enums.go.

// UnmarshalJSON accepts the name or the protobuf number of a PaymentEnvironment; unknown
// values are kept, not rejected.
func (e *PaymentEnvironment) UnmarshalJSON(data []byte) error {
	return egressEnumUnmarshal(data, egressEnvironmentNames, e)
}

// MarshalJSON writes the name (the UNSPECIFIED name for the empty value), or
// a JSON number for a kept unknown number.
func (e PaymentEnvironment) MarshalJSON() ([]byte, error) {
	return egressEnumEncode(string(e), egressEnvironmentNames)
}

// Number returns the protobuf number of e and whether it is known or
// numeric. The empty value is 0.
func (e PaymentEnvironment) Number() (int32, bool) {
	return egressEnumNumber(string(e), egressEnvironmentNames)
}

// Known reports whether e is one of the documented names.
func (e PaymentEnvironment) Known() bool { return egressEnumKnown(string(e), egressEnvironmentNames) }

// String returns the name as held.
func (e PaymentEnvironment) String() string { return string(e) }

// UnmarshalJSON accepts the name or the protobuf number of a PurchasePlatform; unknown
// values are kept, not rejected.
func (p *PurchasePlatform) UnmarshalJSON(data []byte) error {
	return egressEnumUnmarshal(data, egressPlatformNames, p)
}

// MarshalJSON writes the name (the UNSPECIFIED name for the empty value), or
// a JSON number for a kept unknown number.
func (p PurchasePlatform) MarshalJSON() ([]byte, error) {
	return egressEnumEncode(string(p), egressPlatformNames)
}

// Number returns the protobuf number of p and whether it is known or
// numeric. The empty value is 0.
func (p PurchasePlatform) Number() (int32, bool) {
	return egressEnumNumber(string(p), egressPlatformNames)
}

// Known reports whether p is one of the documented names.
func (p PurchasePlatform) Known() bool { return egressEnumKnown(string(p), egressPlatformNames) }

// String returns the name as held.
func (p PurchasePlatform) String() string { return string(p) }

// UnmarshalJSON accepts the name or the protobuf number of a PurchaseSource; unknown
// values are kept, not rejected.
func (s *PurchaseSource) UnmarshalJSON(data []byte) error {
	return egressEnumUnmarshal(data, egressSourceNames, s)
}

// MarshalJSON writes the name (the UNSPECIFIED name for the empty value), or
// a JSON number for a kept unknown number.
func (s PurchaseSource) MarshalJSON() ([]byte, error) {
	return egressEnumEncode(string(s), egressSourceNames)
}

// Number returns the protobuf number of s and whether it is known or
// numeric. The empty value is 0.
func (s PurchaseSource) Number() (int32, bool) { return egressEnumNumber(string(s), egressSourceNames) }

// Known reports whether s is one of the documented names.
func (s PurchaseSource) Known() bool { return egressEnumKnown(string(s), egressSourceNames) }

// String returns the name as held.
func (s PurchaseSource) String() string { return string(s) }

// UnmarshalJSON accepts the name or the protobuf number of a PaymentMethodType; unknown
// values are kept, not rejected.
func (m *PaymentMethodType) UnmarshalJSON(data []byte) error {
	return egressEnumUnmarshal(data, egressPaymentMethodNames, m)
}

// MarshalJSON writes the name (the UNSPECIFIED name for the empty value), or
// a JSON number for a kept unknown number.
func (m PaymentMethodType) MarshalJSON() ([]byte, error) {
	return egressEnumEncode(string(m), egressPaymentMethodNames)
}

// Number returns the protobuf number of m and whether it is known or
// numeric. The empty value is 0.
func (m PaymentMethodType) Number() (int32, bool) {
	return egressEnumNumber(string(m), egressPaymentMethodNames)
}

// Known reports whether m is one of the documented names.
func (m PaymentMethodType) Known() bool { return egressEnumKnown(string(m), egressPaymentMethodNames) }

// String returns the name as held.
func (m PaymentMethodType) String() string { return string(m) }

// UnmarshalJSON accepts the name or the protobuf number of a PurchaseRegistrationStatus; unknown
// values are kept, not rejected.
func (s *PurchaseRegistrationStatus) UnmarshalJSON(data []byte) error {
	return egressEnumUnmarshal(data, egressRegistrationNames, s)
}

// MarshalJSON writes the name (the UNSPECIFIED name for the empty value), or
// a JSON number for a kept unknown number.
func (s PurchaseRegistrationStatus) MarshalJSON() ([]byte, error) {
	return egressEnumEncode(string(s), egressRegistrationNames)
}

// Number returns the protobuf number of s and whether it is known or
// numeric. The empty value is 0.
func (s PurchaseRegistrationStatus) Number() (int32, bool) {
	return egressEnumNumber(string(s), egressRegistrationNames)
}

// Known reports whether s is one of the documented names.
func (s PurchaseRegistrationStatus) Known() bool {
	return egressEnumKnown(string(s), egressRegistrationNames)
}

// String returns the name as held.
func (s PurchaseRegistrationStatus) String() string { return string(s) }

// UnmarshalJSON accepts the name or the protobuf number of a PurchaseCancellationStatus; unknown
// values are kept, not rejected.
func (s *PurchaseCancellationStatus) UnmarshalJSON(data []byte) error {
	return egressEnumUnmarshal(data, egressCancellationNames, s)
}

// MarshalJSON writes the name (the UNSPECIFIED name for the empty value), or
// a JSON number for a kept unknown number.
func (s PurchaseCancellationStatus) MarshalJSON() ([]byte, error) {
	return egressEnumEncode(string(s), egressCancellationNames)
}

// Number returns the protobuf number of s and whether it is known or
// numeric. The empty value is 0.
func (s PurchaseCancellationStatus) Number() (int32, bool) {
	return egressEnumNumber(string(s), egressCancellationNames)
}

// Known reports whether s is one of the documented names.
func (s PurchaseCancellationStatus) Known() bool {
	return egressEnumKnown(string(s), egressCancellationNames)
}

// String returns the name as held.
func (s PurchaseCancellationStatus) String() string { return string(s) }

// UnmarshalJSON accepts the name or the protobuf number of a LoyaltyRewardType; unknown
// values are kept, not rejected.
func (t *LoyaltyRewardType) UnmarshalJSON(data []byte) error {
	return egressEnumUnmarshal(data, egressRewardTypeNames, t)
}

// MarshalJSON writes the name (the UNSPECIFIED name for the empty value), or
// a JSON number for a kept unknown number.
func (t LoyaltyRewardType) MarshalJSON() ([]byte, error) {
	return egressEnumEncode(string(t), egressRewardTypeNames)
}

// Number returns the protobuf number of t and whether it is known or
// numeric. The empty value is 0.
func (t LoyaltyRewardType) Number() (int32, bool) {
	return egressEnumNumber(string(t), egressRewardTypeNames)
}

// Known reports whether t is one of the documented names.
func (t LoyaltyRewardType) Known() bool { return egressEnumKnown(string(t), egressRewardTypeNames) }

// String returns the name as held.
func (t LoyaltyRewardType) String() string { return string(t) }
