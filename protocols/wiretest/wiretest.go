// Package wiretest checks a protocol's wire codec (protocols.Codec) the
// same way for every protocol: sample messages survive a round trip, every
// strict prefix of an encoding and every malformed input is rejected
// without a panic, and whatever decodes re-encodes into a message that
// decodes to an equal one (the fuzz target's body).
//
// A protocol's wire_test.go passes its codec, samples of every message
// kind and an Equal that says what "the same message" means for it:
// DeepEqual when decoding restores every field, SameKindAndSize when
// in-memory parts (caches, memoized verification results) do not travel.
package wiretest

import (
	"bytes"
	"reflect"
	"sort"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Equal reports whether a decoded message b stands for the message a.
type Equal func(a, b sim.Message) bool

// DeepEqual compares every field, unexported ones included.
func DeepEqual(a, b sim.Message) bool { return reflect.DeepEqual(a, b) }

// SameKindAndSize compares the kind and the modelled size.
func SameKindAndSize(a, b sim.Message) bool { return a.Kind() == b.Kind() && a.Size() == b.Size() }

// RoundTrip checks every sample: it encodes, decodes to a message equal
// to it, re-encodes to the same bytes, and no strict prefix of its
// encoding decodes.
func RoundTrip(t testing.TB, c protocols.Codec, samples []sim.Message, equal Equal) {
	t.Helper()
	if len(samples) == 0 {
		t.Fatal("wiretest: no samples")
	}
	for _, m := range samples {
		data, err := c.Append(nil, m)
		if err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		got, err := c.Decode(data)
		if err != nil {
			t.Fatalf("%v: decode: %v", m, err)
		}
		if !equal(m, got) {
			t.Errorf("round trip of %#v gave %#v (kind %s, size %d; want %s, %d)", m, got, got.Kind(), got.Size(), m.Kind(), m.Size())
		}
		again, err := c.Append(nil, got)
		if err != nil || !bytes.Equal(again, data) {
			t.Errorf("%v: re-encoding differs (%v)", m, err)
		}
		for i := 0; i < len(data); i++ {
			if _, err := c.Decode(data[:i]); err == nil {
				t.Fatalf("%v: prefix of %d of %d bytes decoded", m, i, len(data))
			}
		}
	}
}

// Rejects checks that every named malformed input is rejected.
func Rejects(t testing.TB, c protocols.Codec, bad map[string][]byte) {
	t.Helper()
	names := make([]string, 0, len(bad))
	for name := range bad {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if m, err := c.Decode(bad[name]); err == nil {
			t.Errorf("%s: % x decoded as %v", name, bad[name], m)
		}
	}
}

// Fuzz seeds f's corpus with the samples' encodings and fuzzes Decode:
// an input that decodes must encode again, and that encoding must decode
// to a message equal to the first.
func Fuzz(f *testing.F, c protocols.Codec, samples []sim.Message, equal Equal) {
	f.Helper()
	for _, m := range samples {
		data, err := c.Append(nil, m)
		if err != nil {
			f.Fatalf("%v: %v", m, err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { Check(t, c, data, equal) })
}

// Check is the fuzz body for one input (see Fuzz).
func Check(t testing.TB, c protocols.Codec, data []byte, equal Equal) {
	t.Helper()
	m, err := c.Decode(data)
	if err != nil {
		return
	}
	again, err := c.Append(nil, m)
	if err != nil {
		t.Fatalf("decoded %v does not encode: %v", m, err)
	}
	m2, err := c.Decode(again)
	if err != nil {
		t.Fatalf("re-encoded %v does not decode: %v", m, err)
	}
	if !equal(m, m2) {
		t.Fatalf("round trip changed %v into %v", m, m2)
	}
}
