package bftlist

import (
	"fmt"
	"strings"
)

// Message kinds. VE, REP and PM gossip is meant for reliable links, the
// failure detectors' tokens for lossy ones.
const (
	KindVE       = "ve"
	KindREP      = "rep"
	KindPM       = "pm"
	KindFDToken  = "fd_token"
	KindFDAck    = "fd_ack"
	KindEFDToken = "efd_token"
)

// headerSize is the modelled framing of every message (type, sender, length).
const headerSize = 24

// ViewPair is a view pair (current, next). Views are 0 … n−1; a current
// view of TEE (−1) with next 0 is the reset pair RST.
type ViewPair struct{ Current, Next int64 }

// TEE is the reset value ⊥ of a current view.
const TEE int64 = -1

// RST is the reset view pair (⊥, 0).
var RST = ViewPair{Current: TEE, Next: 0}

func (v ViewPair) String() string { return fmt.Sprintf("(%d,%d)", v.Current, v.Next) }

// VEData is what view establishment reports about one replica: its phase,
// whether it is witnessed, its view pair and whether it wants a view change.
// The pair comes first so that the three small fields share one word (24
// bytes instead of 32: replicas keep one per peer, and one per message).
type VEData struct {
	Views   ViewPair
	Phase   int8
	Witness bool
	VChange bool
}

// VEMsg carries the sender's own view-establishment data and what the
// sender believes about the receiver.
type VEMsg struct {
	Own, About VEData
}

// Kind implements sim.Message.
func (*VEMsg) Kind() string { return KindVE }

// Size implements sim.Message.
func (*VEMsg) Size() int { return headerSize + 2*19 }

func (m *VEMsg) String() string {
	return fmt.Sprintf("ve{own:%v about:%v}", m.Own, m.About)
}

func (d VEData) String() string {
	return fmt.Sprintf("{phase:%d views:%v witness:%v vchange:%v}", d.Phase, d.Views, d.Witness, d.VChange)
}

// REPMsg carries the sender's whole replication structure.
type REPMsg struct {
	Rep *RepStructure
	// N is the number of replicas: a replica set is encoded in ceil(N/8)
	// bytes.
	N int
	// size caches Size for a message built by newREPMsg (0: not cached).
	size int
	// clean caches the sanitized Rep (replication.sanitized): cleanFrom
	// is the Rep and cleanFor the bounds it was sanitized for.
	clean     *RepStructure
	cleanFrom *RepStructure
	cleanFor  sanitizeBounds
}

// newREPMsg returns the message carrying rep, which must not change any
// more, with its size computed once: a broadcast's n−1 copies (sent,
// counted and received) then share it.
func newREPMsg(rep *RepStructure, n int) *REPMsg {
	m := &REPMsg{Rep: rep, N: n}
	m.size = m.Size()
	return m
}

// Kind implements sim.Message.
func (*REPMsg) Kind() string { return KindREP }

// Size implements sim.Message: it grows with the replicated list.
func (m *REPMsg) Size() int {
	if m.size > 0 {
		return m.size
	}
	if m.Rep == nil {
		return headerSize
	}
	return headerSize + m.Rep.size(setBytes(m.N))
}

func (m *REPMsg) String() string {
	r := m.Rep
	if r == nil {
		return "rep{}"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "rep{prim:%d seq:%d state:", r.Prim, r.SeqNum)
	writeList(&b, len(r.State), func(i int) string { return fmt.Sprint(r.State[i]) })
	b.WriteString(" rlog:")
	writeList(&b, len(r.RLog), func(i int) string {
		e := r.RLog[i]
		return fmt.Sprintf("%v@%d×%d", e.Req.Q, e.Req.Seq, e.X.len())
	})
	b.WriteString(" pend:")
	writeList(&b, len(r.PendReqs), func(i int) string { return r.PendReqs[i].String() })
	b.WriteString(" reqq:")
	writeList(&b, len(r.ReqQ), func(i int) string {
		e := r.ReqQ[i]
		return fmt.Sprintf("%v@%d/v%d:%v", e.Req.Q, e.Req.Seq, e.Req.View, e.Status)
	})
	fmt.Fprintf(&b, " vc:%v con:%v}", r.ViewChanged, r.ConFlag)
	return b.String()
}

// maxListed bounds the entries a message's String lists per list.
const maxListed = 8

// writeList writes [e0 e1 …] with at most maxListed entries, then the
// number of entries left out.
func writeList(b *strings.Builder, n int, entry func(i int) string) {
	b.WriteByte('[')
	for i := 0; i < min(n, maxListed); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(entry(i))
	}
	if n > maxListed {
		fmt.Fprintf(b, " …+%d", n-maxListed)
	}
	b.WriteByte(']')
}

// String names the statuses of a set: PRE_PREP, PREP, COMMIT joined by
// "+", or "-" for none.
func (s Status) String() string {
	if s == 0 {
		return "-"
	}
	var names []string
	for _, x := range []struct {
		st   Status
		name string
	}{{PrePrep, "PRE_PREP"}, {Prep, "PREP"}, {Commit, "COMMIT"}} {
		if s.has(x.st) {
			names = append(names, x.name)
		}
	}
	if rest := s &^ (PrePrep | Prep | Commit); rest != 0 {
		names = append(names, fmt.Sprintf("status(%d)", uint8(rest)))
	}
	return strings.Join(names, "+")
}

// VStatus is a primary-monitoring status.
type VStatus int8

// Primary-monitoring statuses.
const (
	OK VStatus = iota + 1
	NoService
	VChange
)

func (s VStatus) String() string {
	switch s {
	case OK:
		return "OK"
	case NoService:
		return "NO_SERVICE"
	case VChange:
		return "V_CHANGE"
	}
	return fmt.Sprintf("vstatus(%d)", int8(s))
}

// VCM is one replica's primary-monitoring record.
type VCM struct {
	Status     VStatus
	Prim       int64
	NeedChange bool
	NeedChgSet idset
}

// PMMsg carries the sender's monitoring record.
type PMMsg struct {
	VCM VCM
	// N is the number of replicas: the need-change set is encoded in
	// ceil(N/8) bytes.
	N int
}

// Kind implements sim.Message.
func (*PMMsg) Kind() string { return KindPM }

// Size implements sim.Message: status 1, primary 8, need-change 1 and
// the need-change set.
func (m *PMMsg) Size() int { return headerSize + 10 + setBytes(m.N) }

func (m *PMMsg) String() string {
	return fmt.Sprintf("pm{%v prim:%d need:%v set:%v}", m.VCM.Status, m.VCM.Prim, m.VCM.NeedChange, m.VCM.NeedChgSet.ids())
}

// FDToken is a data-link frame: a bounded counter carrying the failure
// detector's payload (whether the sender suspects the primary).
type FDToken struct {
	Counter  uint32
	PrimSusp bool
}

// Kind implements sim.Message.
func (*FDToken) Kind() string { return KindFDToken }

// Size implements sim.Message.
func (*FDToken) Size() int { return headerSize + 5 }

func (m *FDToken) String() string { return fmt.Sprintf("fd_token{%d susp:%v}", m.Counter, m.PrimSusp) }

// FDAck returns a data-link frame's counter to its sender.
type FDAck struct{ Counter uint32 }

// Kind implements sim.Message.
func (*FDAck) Kind() string { return KindFDAck }

// Size implements sim.Message.
func (*FDAck) Size() int { return headerSize + 4 }

func (m *FDAck) String() string { return fmt.Sprintf("fd_ack{%d}", m.Counter) }

// EFDToken is a token of the event-driven failure detector, owned by Owner.
type EFDToken struct {
	Owner int32
	Token uint32
}

// Kind implements sim.Message.
func (*EFDToken) Kind() string { return KindEFDToken }

// Size implements sim.Message.
func (*EFDToken) Size() int { return headerSize + 8 }

func (m *EFDToken) String() string { return fmt.Sprintf("efd{owner:%d token:%d}", m.Owner, m.Token) }
