package wiretest

import (
	"errors"
	"fmt"
	"runtime"
	"testing"

	// Accept -rewrite, as every test binary under protocols/ does.
	_ "github.com/byzsim/byzsim/protocols/internal/golden"
	"github.com/byzsim/byzsim/sim"
)

// msg is a toy message: one byte of value, one of a field the broken
// codecs lose.
type msg struct{ V, W uint8 }

func (msg) Kind() string { return "toy" }
func (msg) Size() int    { return 3 }

// codec encodes a msg as [1, V, W]; its flags break it in one way each.
type codec struct {
	lenient   bool // decodes a prefix [1] as msg{}
	dropW     bool // decodes W as 0
	noEncode  bool // fails to encode W = 7
	lengthOff bool // decodes trailing bytes
}

func (c codec) Append(buf []byte, m sim.Message) ([]byte, error) {
	x, ok := m.(msg)
	if !ok {
		return nil, fmt.Errorf("unknown %T", m)
	}
	if c.noEncode && x.W == 7 {
		return nil, errors.New("cannot encode 7")
	}
	return append(buf, 1, x.V, x.W), nil
}

func (c codec) Decode(data []byte) (sim.Message, error) {
	switch {
	case c.lenient && len(data) == 1 && data[0] == 1:
		return msg{}, nil
	case len(data) < 3 || data[0] != 1:
		return nil, errors.New("bad")
	case len(data) > 3 && !c.lengthOff:
		return nil, errors.New("trailing bytes")
	}
	m := msg{V: data[1], W: data[2]}
	if c.dropW {
		m.W = 0
	}
	return m, nil
}

// recorder is a testing.TB that records failures; Fatal ends the
// goroutine as testing does.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true; runtime.Goexit() }
func (r *recorder) Fatalf(string, ...any) { r.failed = true; runtime.Goexit() }
func (r *recorder) Logf(string, ...any)   {}
func (r *recorder) Error(...any)          { r.failed = true }
func (r *recorder) Skipf(string, ...any)  { runtime.Goexit() }
func (r *recorder) Failed() bool          { return r.failed }
func (r *recorder) Name() string          { return "recorder" }
func (r *recorder) Cleanup(func())        {}
func (r *recorder) Setenv(k, v string)    {}
func (r *recorder) TempDir() string       { return "" }
func (r *recorder) Log(...any)            {}
func (r *recorder) Skip(...any)           { runtime.Goexit() }
func (r *recorder) SkipNow()              { runtime.Goexit() }
func (r *recorder) Skipped() bool         { return false }
func (r *recorder) FailNow()              { r.failed = true; runtime.Goexit() }
func (r *recorder) Fail()                 { r.failed = true }

// fails runs check with a recorder and reports whether it failed.
func fails(check func(t testing.TB)) bool {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r.failed
}

func TestHelpersFailOnBrokenCodecs(t *testing.T) {
	samples := []sim.Message{msg{V: 1, W: 2}, msg{V: 3, W: 7}}
	for _, tc := range []struct {
		name  string
		check func(t testing.TB)
		fail  bool
	}{
		{"good codec", func(t testing.TB) { RoundTrip(t, codec{}, samples, DeepEqual) }, false},
		{"prefix decodes", func(t testing.TB) { RoundTrip(t, codec{lenient: true}, samples, DeepEqual) }, true},
		{"field lost", func(t testing.TB) { RoundTrip(t, codec{dropW: true}, samples, DeepEqual) }, true},
		{"field lost, kind and size kept", func(t testing.TB) { RoundTrip(t, codec{dropW: true}, samples, SameKindAndSize) }, true},
		{"sample does not encode", func(t testing.TB) { RoundTrip(t, codec{noEncode: true}, samples, DeepEqual) }, true},
		{"no samples", func(t testing.TB) { RoundTrip(t, codec{}, nil, DeepEqual) }, true},
		{"rejects", func(t testing.TB) { Rejects(t, codec{}, map[string][]byte{"short": {1, 2}, "trailing": {1, 2, 3, 4}}) }, false},
		{"trailing accepted", func(t testing.TB) { Rejects(t, codec{lengthOff: true}, map[string][]byte{"trailing": {1, 2, 3, 4}}) }, true},
		{"fuzz body, good", func(t testing.TB) { Check(t, codec{}, []byte{1, 2, 7}, DeepEqual) }, false},
		{"fuzz body, undecodable input", func(t testing.TB) { Check(t, codec{dropW: true}, []byte{9}, DeepEqual) }, false},
		{"fuzz body, decoded does not encode", func(t testing.TB) { Check(t, codec{noEncode: true}, []byte{1, 2, 7}, DeepEqual) }, true},
		{"fuzz body, round trip changes the message", func(t testing.TB) { Check(t, drift{}, []byte{1, 2, 3}, DeepEqual) }, true},
		{"round trip changes the message", func(t testing.TB) { RoundTrip(t, drift{}, samples, DeepEqual) }, true},
	} {
		if got := fails(tc.check); got != tc.fail {
			t.Errorf("%s: failed = %v, want %v", tc.name, got, tc.fail)
		}
	}
}

// drift decodes W one higher than it was encoded.
type drift struct{ codec }

func (d drift) Decode(data []byte) (sim.Message, error) {
	m, err := d.codec.Decode(data)
	if err != nil {
		return nil, err
	}
	x := m.(msg)
	x.W++
	return x, nil
}
