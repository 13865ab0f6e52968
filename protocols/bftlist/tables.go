package bftlist

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// The experiment's [[start_state]] and [[expect.state]] tables of BFTList,
// as Go structs the shared protocols.TableDecoder fills; the checks that
// depend on the run (n, the clients) follow the decoding.

// startTable is one [[start_state]] table without its replica selection:
// the keys of the reference's start_state.json (docs/bftlist.md).
type startTable struct {
	VE *veTable `toml:"ve"`
	// REP holds structure tables: "all" for every structure rep[j], then
	// "replicaN" for rep[N] on top of it.
	REP map[string]structureTable `toml:"rep"`
	PM  *pmTable                  `toml:"pm"`
	FD  *fdTable                  `toml:"fd"`
}

type veTable struct {
	Views     *protocols.PerReplica[pairValue]   `toml:"views"`
	Phs       *protocols.PerReplica[int64]       `toml:"phs"`
	Witnesses *protocols.PerReplica[bool]        `toml:"witnesses"`
	VChange   *protocols.PerReplica[bool]        `toml:"vchange"`
	Echo      *protocols.PerReplica[veDataTable] `toml:"echo"`
}

// veDataTable is {views = [c, n], phase, witness, vchange}.
type veDataTable struct {
	Views   pairValue `toml:"views"`
	Phase   int64     `toml:"phase"`
	Witness bool      `toml:"witness"`
	VChange bool      `toml:"vchange"`
}

// pairValue is a view pair written [current, next].
type pairValue [2]int64

// TableAllowed implements protocols.TableAllowed.
func (*pairValue) TableAllowed(d *protocols.TableDecoder) string {
	return fmt.Sprintf("a view pair [current, next] with current −1 … %d and next 0 … %d", d.N-1, d.N-1)
}

// structureTable sets the fields of a replication structure it names.
type structureTable struct {
	TEE         *bool               `toml:"tee"`
	State       *[]int64            `toml:"state"`
	RLog        *[]logEntryTable    `toml:"r_log"`
	PendReqs    *[]clientReqTable   `toml:"pend_reqs"`
	ReqQ        *[]queueEntryTable  `toml:"req_q"`
	LastReq     *[]assignedReqTable `toml:"last_req"`
	SeqNum      *int64              `toml:"seq_num"`
	Prim        *int64              `toml:"prim"`
	ConFlag     *bool               `toml:"con_flag"`
	ViewChanged *bool               `toml:"view_changed"`
}

// clientReqTable is a client request {client, ts, op, value, payload};
// client −1 is the gap-filling NO_OP, which takes no other key.
type clientReqTable struct {
	Client  *int64  `toml:"client"`
	TS      *int64  `toml:"ts"`
	Op      *string `toml:"op"`
	Value   *int64  `toml:"value"`
	Payload *int64  `toml:"payload"`
}

// assignedReqTable is a request with its view and sequence number.
type assignedReqTable struct {
	clientReqTable
	View *int64 `toml:"view"`
	Seq  *int64 `toml:"seq"`
}

// logEntryTable is an r_log entry: a request and the replicas x that
// accepted it (default: all).
type logEntryTable struct {
	assignedReqTable
	X *protocols.ReplicaSet `toml:"x"`
}

// queueEntryTable is a req_q entry: a request and its status flags
// (default: pre_prep).
type queueEntryTable struct {
	assignedReqTable
	Status *[]string `toml:"status"`
}

type pmTable struct {
	VStatus    *string               `toml:"v_status"`
	Prim       *int64                `toml:"prim"`
	NeedChange *bool                 `toml:"need_change"`
	NeedChgSet *protocols.ReplicaSet `toml:"need_chg_set"`
}

type fdTable struct {
	Beat        *protocols.PerReplica[int64] `toml:"beat"`
	Cnt         *int64                       `toml:"cnt"`
	PrimSusp    *protocols.PerReplica[bool]  `toml:"prim_susp"`
	CurCheckReq *[]clientReqTable            `toml:"cur_check_req"`
	Prim        *int64                       `toml:"prim"`
}

// DecodeStartState decodes one [[start_state]] table of an experiment (its
// replica selection removed) into a *StartState: the tables ve, rep, pm and
// fd, each optional, with the keys of the reference's start_state.json. See
// docs/bftlist.md for the schema. clients is the run's number of client
// nodes (K); last_req needs a client index below it.
func DecodeStartState(n, f, clients int, raw map[string]any) (any, error) {
	var t startTable
	c := checker{d: protocols.DecodeTable(n, raw, &t), n: n, clients: clients}
	s := &StartState{}
	if t.VE != nil {
		s.VE = c.veStart("ve", t.VE)
	}
	if t.REP != nil {
		s.REP = c.repStart("rep", t.REP)
	}
	if t.PM != nil {
		s.PM = c.pmStart("pm", t.PM)
	}
	if t.FD != nil {
		s.FD = c.fdStart("fd", t.FD)
	}
	if err := c.d.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// checker checks decoded values against the run.
type checker struct {
	d          *protocols.TableDecoder
	n, clients int
}

// rng reports whether lo ≤ x ≤ hi, recording a problem at key if not.
func (c checker) rng(key string, x, lo, hi int64) bool {
	if x < lo || x > hi {
		c.d.Errorf(key, "%d is out of range (allowed: %d to %d)", x, lo, hi)
		return false
	}
	return true
}

// each calls check with the key of every value of a per-replica value
// (the key itself when it was written once).
func each[T any](key string, pr *protocols.PerReplica[T], check func(key string, x T) bool) bool {
	if pr.One {
		return check(key, pr.Values[0])
	}
	good := true
	for i, x := range pr.Values {
		good = check(protocols.IndexKey(key, i), x) && good
	}
	return good
}

// pair checks a view pair: current −1 … n−1, next 0 … n−1.
func (c checker) pair(key string, p pairValue) (ViewPair, bool) {
	ok1 := c.rng(protocols.IndexKey(key, 0), p[0], TEE, int64(c.n-1))
	ok2 := c.rng(protocols.IndexKey(key, 1), p[1], 0, int64(c.n-1))
	return ViewPair{p[0], p[1]}, ok1 && ok2
}

func (c checker) phase(key string, x int64) bool { return c.rng(key, x, 0, 1) }

// view checks a view: −1 (⊥) … n−1.
func (c checker) view(key string, x int64) bool { return c.rng(key, x, TEE, int64(c.n-1)) }

func (c checker) veStart(key string, t *veTable) *VEStart {
	v := &VEStart{}
	if t.Views != nil {
		k := protocols.JoinKey(key, "views")
		v.Views = make([]ViewPair, c.n)
		each(k, t.Views, func(kk string, p pairValue) bool { _, ok := c.pair(kk, p); return ok })
		for i, p := range t.Views.Values {
			v.Views[i] = ViewPair{p[0], p[1]}
		}
	}
	if t.Phs != nil {
		each(protocols.JoinKey(key, "phs"), t.Phs, c.phase)
		v.Phs = make([]int8, c.n)
		for i, x := range t.Phs.Values {
			v.Phs[i] = int8(x)
		}
	}
	if t.Witnesses != nil {
		v.Witnesses = t.Witnesses.Values
	}
	if t.VChange != nil {
		v.VChange = t.VChange.Values
	}
	if t.Echo != nil {
		k := protocols.JoinKey(key, "echo")
		v.Echo = make([]VEData, c.n)
		each(k, t.Echo, func(kk string, e veDataTable) bool {
			_, ok := c.pair(protocols.JoinKey(kk, "views"), e.Views)
			return c.phase(protocols.JoinKey(kk, "phase"), e.Phase) && ok
		})
		for i, e := range t.Echo.Values {
			v.Echo[i] = VEData{Phase: int8(e.Phase), Witness: e.Witness, Views: ViewPair{e.Views[0], e.Views[1]}, VChange: e.VChange}
		}
	}
	return v
}

// repStart reads the replication table: "all" sets every structure rep[j],
// then "replicaN" tables set rep[N] on top of it.
func (c checker) repStart(key string, t map[string]structureTable) *REPStart {
	reps := make([]RepStructure, c.n)
	for j := range reps {
		reps[j] = defaultStructure(c.clients)
	}
	if all, ok := t["all"]; ok {
		k := protocols.JoinKey(key, "all")
		for j := range reps {
			c.structure(k, &all, &reps[j], j == 0)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(t)) {
		if name == "all" {
			continue
		}
		k := protocols.JoinKey(key, name)
		id, ok := protocols.ParseReplica(name, c.n)
		if !ok {
			c.d.Errorf(k, "unknown key (allowed: all, replica0 to replica%d)", c.n-1)
			continue
		}
		st := t[name]
		c.structure(k, &st, &reps[id], true)
	}
	return &REPStart{Rep: reps}
}

// structure sets the fields of s that t names; report says whether to
// record problems (a table applied to several structures reports once).
func (c checker) structure(key string, t *structureTable, s *RepStructure, report bool) {
	cc := c
	if !report {
		cc.d = &protocols.TableDecoder{N: c.n} // checks again, reports nothing
	}
	k := func(name string) string { return protocols.JoinKey(key, name) }
	if t.TEE != nil && *t.TEE {
		*s = teeStructure()
	}
	if t.State != nil {
		s.State = append([]int64(nil), *t.State...)
	}
	if t.RLog != nil {
		s.RLog = nil
		for i, e := range *t.RLog {
			ek := protocols.IndexKey(k("r_log"), i)
			entry := LogEntry{Req: cc.req(ek, &e.assignedReqTable), X: full(c.n)}
			if e.X != nil {
				entry.X = idset{}
				for _, id := range e.X.IDs() {
					entry.X.put(id)
				}
			}
			s.RLog = append(s.RLog, entry)
		}
	}
	if t.PendReqs != nil {
		s.PendReqs = nil
		for i, q := range *t.PendReqs {
			s.PendReqs = append(s.PendReqs, cc.clientReq(protocols.IndexKey(k("pend_reqs"), i), &q))
		}
	}
	if t.ReqQ != nil {
		s.ReqQ = nil
		for i, e := range *t.ReqQ {
			ek := protocols.IndexKey(k("req_q"), i)
			p := ReqPair{Req: cc.req(ek, &e.assignedReqTable), Status: PrePrep}
			if e.Status != nil {
				p.Status = cc.status(protocols.JoinKey(ek, "status"), *e.Status)
			}
			s.ReqQ = append(s.ReqQ, p)
		}
	}
	if t.LastReq != nil {
		s.LastReq = make([]LastReq, c.clients)
		for i, e := range *t.LastReq {
			ek := protocols.IndexKey(k("last_req"), i)
			req := cc.req(ek, &e)
			if e.Client == nil {
				continue // reported
			}
			cl := *e.Client
			if cl < 0 || cl >= int64(c.clients) {
				cc.d.Errorf(protocols.JoinKey(ek, "client"), "client %d has no last_req entry (the run has %d clients)", cl, c.clients)
				continue
			}
			s.LastReq[cl] = LastReq{Req: req, Reply: req.digest(), Set: true}
		}
	}
	if t.SeqNum != nil && cc.rng(k("seq_num"), *t.SeqNum, -1, maxSeq) {
		s.SeqNum = *t.SeqNum
	}
	if t.Prim != nil && cc.view(k("prim"), *t.Prim) {
		s.Prim = *t.Prim
	}
	if t.ConFlag != nil {
		s.ConFlag = *t.ConFlag
	}
	if t.ViewChanged != nil {
		s.ViewChanged = *t.ViewChanged
	}
}

// clientReq checks and converts a client request.
func (c checker) clientReq(key string, t *clientReqTable) ClientReq {
	k := func(name string) string { return protocols.JoinKey(key, name) }
	if t.Client == nil {
		c.d.Errorf(k("client"), "missing (allowed: a client index 0 … 63, or −1 for the gap-filling NO_OP)")
		return ClientReq{}
	}
	if !c.rng(k("client"), *t.Client, -1, 63) {
		return ClientReq{}
	}
	if *t.Client == -1 {
		for _, x := range []struct {
			name string
			set  bool
		}{{"op", t.Op != nil}, {"payload", t.Payload != nil}, {"ts", t.TS != nil}, {"value", t.Value != nil}} {
			if x.set {
				c.d.Errorf(k(x.name), "the gap-filling NO_OP (client −1) takes no %s", x.name)
			}
		}
		return dummyReq
	}
	q := ClientReq{Client: sim.NodeID(c.n + int(*t.Client)), Op: protocols.OpAppend}
	if t.TS != nil && c.rng(k("ts"), *t.TS, 0, 1<<62) {
		q.TS = uint64(*t.TS)
	}
	if t.Op != nil {
		switch *t.Op {
		case "append":
			q.Op = protocols.OpAppend
		case "noop":
			q.Op = protocols.OpNoop
		default:
			c.d.Errorf(k("op"), "%q is not an operation (allowed: \"append\", \"noop\")", *t.Op)
		}
	}
	if t.Value != nil && c.rng(k("value"), *t.Value, -1<<62, 1<<62) {
		q.Value = *t.Value
	}
	if t.Payload != nil && c.rng(k("payload"), *t.Payload, 0, 1<<20) {
		q.Payload = int32(*t.Payload)
	}
	return q
}

// req checks and converts an assigned request: a client request plus its
// view and sequence number, both required.
func (c checker) req(key string, t *assignedReqTable) Req {
	out := Req{Q: c.clientReq(key, &t.clientReqTable)}
	k := func(name string) string { return protocols.JoinKey(key, name) }
	switch {
	case t.View == nil:
		c.d.Errorf(k("view"), "missing (an assigned request has a view and a sequence number)")
	case c.rng(k("view"), *t.View, 0, int64(c.n-1)):
		out.View = *t.View
	}
	switch {
	case t.Seq == nil:
		c.d.Errorf(k("seq"), "missing (an assigned request has a view and a sequence number)")
	case c.rng(k("seq"), *t.Seq, 0, maxSeq):
		out.Seq = *t.Seq
	}
	return out
}

var statusNames = map[string]Status{"pre_prep": PrePrep, "prep": Prep, "commit": Commit}

// status reads a req_q status: an array of flags.
func (c checker) status(key string, names []string) Status {
	var s Status
	for i, name := range names {
		st, ok := statusNames[name]
		if !ok {
			c.d.Errorf(protocols.IndexKey(key, i), "%q is not a status (allowed: \"pre_prep\", \"prep\", \"commit\")", name)
			continue
		}
		s |= st
	}
	return s
}

var vstatusNames = map[string]VStatus{"ok": OK, "no_service": NoService, "v_change": VChange}

// vstatus reads a monitoring status.
func (c checker) vstatus(key, name string) (VStatus, bool) {
	st, ok := vstatusNames[strings.ToLower(name)]
	if !ok {
		c.d.Errorf(key, "%q is not a monitoring status (allowed: \"ok\", \"no_service\", \"v_change\")", name)
	}
	return st, ok
}

func (c checker) pmStart(key string, t *pmTable) *PMStart {
	k := func(name string) string { return protocols.JoinKey(key, name) }
	p := &PMStart{}
	if t.VStatus != nil {
		if st, ok := c.vstatus(k("v_status"), *t.VStatus); ok {
			p.VStatus = &st
		}
	}
	if t.Prim != nil && c.view(k("prim"), *t.Prim) {
		p.Prim = t.Prim
	}
	p.NeedChange = t.NeedChange
	if t.NeedChgSet != nil {
		p.NeedChgSet = append([]int{}, t.NeedChgSet.IDs()...)
	}
	return p
}

func (c checker) fdStart(key string, t *fdTable) *FDStart {
	k := func(name string) string { return protocols.JoinKey(key, name) }
	d := &FDStart{}
	if t.Beat != nil {
		each(k("beat"), t.Beat, func(kk string, x int64) bool { return c.rng(kk, x, 0, 1<<30) })
		d.Beat = make([]int, c.n)
		for i, x := range t.Beat.Values {
			d.Beat[i] = int(x)
		}
	}
	if t.Cnt != nil && c.rng(k("cnt"), *t.Cnt, 0, 1<<30) {
		cnt := int(*t.Cnt)
		d.Cnt = &cnt
	}
	if t.PrimSusp != nil {
		d.PrimSusp = t.PrimSusp.Values
	}
	if t.CurCheckReq != nil {
		d.CurCheckReq = []ClientReq{}
		for i, q := range *t.CurCheckReq {
			d.CurCheckReq = append(d.CurCheckReq, c.clientReq(protocols.IndexKey(k("cur_check_req"), i), &q))
		}
	}
	if t.Prim != nil && c.view(k("prim"), *t.Prim) {
		d.Prim = t.Prim
	}
	return d
}
