package protocols

import (
	"reflect"
	"testing"

	// Accept -rewrite, as every test binary under protocols/ does.
	_ "github.com/byzsim/byzsim/protocols/internal/golden"
	"github.com/byzsim/byzsim/sim"
)

func clientSamples() []sim.Message {
	return []sim.Message{
		&Request{Client: 4, ID: 9, Op: OpAppend, Value: -1, Payload: 100},
		&Request{Client: 5, ID: 1, Op: OpNoop},
		&Reply{Client: 4, ID: 9, Replica: 3, Result: 1 << 60},
	}
}

func TestClientWireRoundTrip(t *testing.T) {
	for _, m := range clientSamples() {
		data, ok, err := AppendClient(nil, m)
		if !ok || err != nil {
			t.Fatalf("%v: %v %v", m, ok, err)
		}
		got, ok, err := DecodeClient(data)
		if !ok || err != nil || !reflect.DeepEqual(got, m) {
			t.Fatalf("%v: decoded %v, %v, %v", m, got, ok, err)
		}
		for i := 0; i < len(data); i++ {
			if _, _, err := DecodeClient(data[:i]); err == nil {
				t.Fatalf("%v: prefix of %d bytes decoded", m, i)
			}
		}
	}
	if _, _, err := AppendClient(nil, &Request{Payload: MaxPayload + 1}); err == nil {
		t.Error("an oversized payload was encoded")
	}
	if _, _, err := DecodeClient([]byte{TagRequest, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f}); err == nil {
		t.Error("a request announcing a huge payload decoded")
	}
}

func TestReaderLenBounds(t *testing.T) {
	r := NewReader([]byte{10, 0, 0, 0, 1, 2, 3})
	if n := r.Len(1); n != 0 || r.Err() == nil {
		t.Fatalf("Len read %d with 3 bytes left, err %v", n, r.Err())
	}
	r = NewReader([]byte{3, 0, 0, 0, 1, 2, 3})
	if n := r.Len(1); n != 3 || r.Err() != nil {
		t.Fatalf("Len = %d, %v; want 3", n, r.Err())
	}
}

func FuzzDecodeClient(f *testing.F) {
	for _, m := range clientSamples() {
		data, _, _ := AppendClient(nil, m)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok, err := DecodeClient(data)
		if !ok || err != nil {
			return
		}
		again, _, err := AppendClient(nil, m)
		if err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		m2, _, err := DecodeClient(again)
		if err != nil || !reflect.DeepEqual(m2, m) {
			t.Fatalf("round trip changed %v into %v (%v)", m, m2, err)
		}
	})
}
