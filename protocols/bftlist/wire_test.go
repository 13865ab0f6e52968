package bftlist

import (
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/wiretest"
	"github.com/byzsim/byzsim/sim"
)

// wireSamples are messages of every kind, with full and empty structures.
func wireSamples() []sim.Message {
	q := ClientReq{Client: 7, TS: 3, Op: protocols.OpAppend, Value: 9, Payload: 16}
	req := Req{Q: q, View: 2, Seq: 5}
	full := &RepStructure{
		State:       []int64{1, 2, 3},
		RLog:        []LogEntry{{Req: req, X: setOf(0, 2, 3)}, {Req: Req{Q: dummyReq, Seq: 6}, X: setOf(200)}},
		PendReqs:    []ClientReq{q, {Client: 8, TS: 1, Op: protocols.OpNoop, Payload: -3}},
		ReqQ:        []ReqPair{{Req: req, Status: PrePrep | Prep}},
		LastReq:     []LastReq{{Req: req, Reply: 44, Set: true}, {}},
		SeqNum:      5,
		ConFlag:     true,
		ViewChanged: true,
		Prim:        1,
	}
	def := defaultStructure(2)
	tee := teeStructure()
	return []sim.Message{
		&VEMsg{Own: VEData{Phase: 1, Witness: true, Views: ViewPair{TEE, 0}, VChange: true}, About: VEData{Views: ViewPair{3, 4}}},
		newREPMsg(full, 4),
		newREPMsg(&def, 7),
		newREPMsg(&tee, 4),
		newREPMsg(nil, 4),
		&PMMsg{VCM: VCM{Status: VChange, Prim: 2, NeedChange: true, NeedChgSet: setOf(1, 3)}, N: 4},
		&PMMsg{VCM: VCM{Status: OK}, N: 1},
		&FDToken{Counter: 9, PrimSusp: true},
		&FDAck{Counter: 10},
		&EFDToken{Owner: -1, Token: 12},
		&protocols.Request{Client: 4, ID: 1, Payload: 3},
		&protocols.Reply{Client: 4, ID: 1, Replica: 2, Result: 6},
	}
}

func wireCodec() protocols.WireCodec { return protocols.WireCodec{Proto: Codec{}} }

func TestWireRoundTrip(t *testing.T) {
	wiretest.RoundTrip(t, wireCodec(), wireSamples(), wiretest.DeepEqual)
}

func TestWireRejects(t *testing.T) {
	wiretest.Rejects(t, wireCodec(), map[string][]byte{
		"empty":       {},
		"unknown tag": {250},
		"huge n":      {wirePM, 0xff, 0xff, 0, 0},
		"n over 2^31": {wirePM, 0xff, 0xff, 0xff, 0xff}, // negative as a 32-bit int
		"huge state":  {wireREP, 4, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0x0f},
		"wide set":    {wirePM, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17},
		"bad bool":    {wireFDToken, 1, 0, 0, 0, 7},
		"trailing":    {wireFDAck, 1, 0, 0, 0, 0},
	})
}

// FuzzDecodeWire: whatever decodes re-encodes into an identical message.
func FuzzDecodeWire(f *testing.F) {
	wiretest.Fuzz(f, wireCodec(), wireSamples(), wiretest.DeepEqual)
}

// BenchmarkWire encodes and decodes a replication message with a full
// structure.
func BenchmarkWire(b *testing.B) {
	c := wireCodec()
	m := wireSamples()[1]
	buf, _ := c.Append(nil, m)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = c.Append(buf[:0], m)
		if _, err := c.Decode(buf); err != nil {
			b.Fatal(err)
		}
	}
}
