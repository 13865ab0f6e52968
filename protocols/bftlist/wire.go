package bftlist

import (
	"fmt"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Wire tags of BFTList's messages.
const (
	wireVE = protocols.TagProtocol + iota
	wireREP
	wirePM
	wireFDToken
	wireFDAck
	wireEFDToken
)

// Smallest encodings, bounding counts read from untrusted bytes.
const (
	minClientReqWire = 4 + 8 + 1 + 8 + 4
	minReqWire       = minClientReqWire + 16
)

// Codec is BFTList's protocols.Codec: a tag byte, then the message's fields
// little-endian; a replica set is its count of 64-bit words, then the words.
type Codec struct{}

// Append implements protocols.Codec.
func (Codec) Append(buf []byte, msg sim.Message) ([]byte, error) {
	w := protocols.Writer{B: buf}
	switch m := msg.(type) {
	case *VEMsg:
		w.U8(wireVE)
		putVEData(&w, m.Own)
		putVEData(&w, m.About)
	case *REPMsg:
		w.U8(wireREP)
		w.Len(m.N)
		w.Bool(m.Rep != nil)
		if m.Rep != nil {
			if err := putRep(&w, m.Rep); err != nil {
				return buf, err
			}
		}
	case *PMMsg:
		w.U8(wirePM)
		w.Len(m.N)
		w.U8(uint8(m.VCM.Status))
		w.I64(m.VCM.Prim)
		w.Bool(m.VCM.NeedChange)
		putSet(&w, m.VCM.NeedChgSet)
	case *FDToken:
		w.U8(wireFDToken)
		w.U32(m.Counter)
		w.Bool(m.PrimSusp)
	case *FDAck:
		w.U8(wireFDAck)
		w.U32(m.Counter)
	case *EFDToken:
		w.U8(wireEFDToken)
		w.U32(uint32(m.Owner))
		w.U32(m.Token)
	default:
		return buf, fmt.Errorf("bftlist: cannot encode message %T", msg)
	}
	return w.B, nil
}

// Decode implements protocols.Codec.
func (Codec) Decode(data []byte) (sim.Message, error) {
	if len(data) == 0 {
		return nil, protocols.ErrShort
	}
	r := protocols.NewReader(data[1:])
	var msg sim.Message
	switch data[0] {
	case wireVE:
		msg = &VEMsg{Own: getVEData(r), About: getVEData(r)}
	case wireREP:
		n := getN(r)
		var rep *RepStructure
		if r.Bool() {
			rep = getRep(r)
		}
		m := &REPMsg{Rep: rep, N: n}
		if r.Err() == nil {
			m = newREPMsg(rep, n)
		}
		msg = m
	case wirePM:
		m := &PMMsg{N: getN(r)}
		m.VCM.Status = VStatus(int8(r.U8()))
		m.VCM.Prim = r.I64()
		m.VCM.NeedChange = r.Bool()
		m.VCM.NeedChgSet = getSet(r)
		msg = m
	case wireFDToken:
		msg = &FDToken{Counter: r.U32(), PrimSusp: r.Bool()}
	case wireFDAck:
		msg = &FDAck{Counter: r.U32()}
	case wireEFDToken:
		msg = &EFDToken{Owner: int32(r.U32()), Token: r.U32()}
	default:
		return nil, fmt.Errorf("bftlist: unknown message tag %d", data[0])
	}
	if err := r.End(); err != nil {
		return nil, fmt.Errorf("bftlist: %s: %w", msg.Kind(), err)
	}
	return msg, nil
}

func getN(r *protocols.Reader) int {
	n := r.U32() // compared as read: int(n) is negative above 2^31 where an int has 32 bits
	if n > maxReplicas {
		r.Fail(fmt.Errorf("n = %d exceeds %d replicas", n, maxReplicas))
		return 0
	}
	return int(n)
}

func putVEData(w *protocols.Writer, d VEData) {
	w.U8(uint8(d.Phase))
	w.Bool(d.Witness)
	w.I64(d.Views.Current)
	w.I64(d.Views.Next)
	w.Bool(d.VChange)
}

func getVEData(r *protocols.Reader) VEData {
	return VEData{Phase: int8(r.U8()), Witness: r.Bool(), Views: ViewPair{Current: r.I64(), Next: r.I64()}, VChange: r.Bool()}
}

// putSet writes the words of s up to its last non-zero one.
func putSet(w *protocols.Writer, s idset) {
	used := 0
	for i, word := range s {
		if word != 0 {
			used = i + 1
		}
	}
	w.U8(uint8(used))
	for _, word := range s[:used] {
		w.U64(word)
	}
}

func getSet(r *protocols.Reader) idset {
	var s idset
	used := int(r.U8())
	if used > setWords {
		r.Fail(fmt.Errorf("replica set of %d words exceeds %d", used, setWords))
		return s
	}
	for i := 0; i < used; i++ {
		s[i] = r.U64()
	}
	if used > 0 && s[used-1] == 0 && r.Err() == nil {
		r.Fail(fmt.Errorf("replica set with a trailing zero word"))
	}
	return s
}

func putClientReq(w *protocols.Writer, q ClientReq) error {
	if q.Payload > protocols.MaxPayload {
		return fmt.Errorf("bftlist: request payload of %d bytes exceeds %d", q.Payload, protocols.MaxPayload)
	}
	w.Node(q.Client)
	w.U64(q.TS)
	w.U8(uint8(q.Op))
	w.I64(q.Value)
	w.U32(uint32(q.Payload))
	w.Zeros(int(max(q.Payload, 0)))
	return nil
}

func getClientReq(r *protocols.Reader) ClientReq {
	q := ClientReq{Client: r.Node(), TS: r.U64(), Op: protocols.Op(r.U8()), Value: r.I64(), Payload: int32(r.U32())}
	if q.Payload > protocols.MaxPayload {
		r.Fail(fmt.Errorf("request payload of %d bytes exceeds %d", q.Payload, protocols.MaxPayload))
		return q
	}
	r.Skip(int(max(q.Payload, 0)))
	return q
}

func putReq(w *protocols.Writer, q Req) error {
	if err := putClientReq(w, q.Q); err != nil {
		return err
	}
	w.I64(q.View)
	w.I64(q.Seq)
	return nil
}

func getReq(r *protocols.Reader) Req {
	return Req{Q: getClientReq(r), View: r.I64(), Seq: r.I64()}
}

func putRep(w *protocols.Writer, s *RepStructure) error {
	w.Len(len(s.State))
	for _, v := range s.State {
		w.I64(v)
	}
	w.Len(len(s.RLog))
	for _, e := range s.RLog {
		if err := putReq(w, e.Req); err != nil {
			return err
		}
		putSet(w, e.X)
	}
	w.Len(len(s.PendReqs))
	for _, q := range s.PendReqs {
		if err := putClientReq(w, q); err != nil {
			return err
		}
	}
	w.Len(len(s.ReqQ))
	for _, p := range s.ReqQ {
		if err := putReq(w, p.Req); err != nil {
			return err
		}
		w.U8(uint8(p.Status))
	}
	// A nil LastReq (the TEE structure) differs from an empty one.
	w.Bool(s.LastReq != nil)
	w.Len(len(s.LastReq))
	for _, l := range s.LastReq {
		if err := putReq(w, l.Req); err != nil {
			return err
		}
		w.U64(uint64(l.Reply))
		w.Bool(l.Set)
	}
	w.I64(s.SeqNum)
	w.Bool(s.ConFlag)
	w.Bool(s.ViewChanged)
	w.I64(s.Prim)
	return nil
}

func getRep(r *protocols.Reader) *RepStructure {
	s := &RepStructure{}
	if n := r.Len(8); n > 0 {
		s.State = make([]int64, n)
		for i := range s.State {
			s.State[i] = r.I64()
		}
	}
	if n := r.Len(minReqWire + 1); n > 0 {
		s.RLog = make([]LogEntry, 0, n)
		for i := 0; i < n && r.Err() == nil; i++ {
			s.RLog = append(s.RLog, LogEntry{Req: getReq(r), X: getSet(r)})
		}
	}
	if n := r.Len(minClientReqWire); n > 0 {
		s.PendReqs = make([]ClientReq, 0, n)
		for i := 0; i < n && r.Err() == nil; i++ {
			s.PendReqs = append(s.PendReqs, getClientReq(r))
		}
	}
	if n := r.Len(minReqWire + 1); n > 0 {
		s.ReqQ = make([]ReqPair, 0, n)
		for i := 0; i < n && r.Err() == nil; i++ {
			s.ReqQ = append(s.ReqQ, ReqPair{Req: getReq(r), Status: Status(r.U8())})
		}
	}
	hasLast := r.Bool()
	if n := r.Len(minReqWire + 9); n > 0 || hasLast {
		s.LastReq = make([]LastReq, 0, n)
		for i := 0; i < n && r.Err() == nil; i++ {
			s.LastReq = append(s.LastReq, LastReq{Req: getReq(r), Reply: protocols.Digest(r.U64()), Set: r.Bool()})
		}
	}
	s.SeqNum = r.I64()
	s.ConFlag = r.Bool()
	s.ViewChanged = r.Bool()
	s.Prim = r.I64()
	return s
}
