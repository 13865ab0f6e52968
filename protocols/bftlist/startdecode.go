package bftlist

import (
	"fmt"

	"github.com/byzsim/byzsim/protocols"
)

// DecodeStartState decodes one [[start_state]] table of an experiment (its
// replica selection removed) into a *StartState: the tables ve, rep, pm and
// fd, each optional, with the keys of the reference's start_state.json. See
// docs/bftlist.md for the schema. clients is the run's number of client
// nodes (K); last_req needs a client index below it.
func DecodeStartState(n, f, clients int, raw map[string]any) (any, error) {
	r := &values{n: n, clients: clients}
	s := &StartState{}
	for _, k := range protocols.SortedKeys(raw) {
		t, ok := r.table(k, raw[k])
		if !ok {
			continue
		}
		switch k {
		case "ve":
			s.VE = r.veStart(k, t)
		case "rep":
			s.REP = r.repStart(k, t)
		case "pm":
			s.PM = r.pmStart(k, t)
		case "fd":
			s.FD = r.fdStart(k, t)
		default:
			r.unknown(k, "ve", "rep", "pm", "fd")
		}
	}
	if err := r.errs.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

var veKeys = []string{"echo", "phs", "vchange", "views", "witnesses"}

func (r *values) veStart(key string, t map[string]any) *VEStart {
	v := &VEStart{}
	for _, k := range protocols.SortedKeys(t) {
		kk, x := join(key, k), t[k]
		switch k {
		case "views":
			v.Views, _ = perReplica(r, kk, x, isPair, r.pair)
		case "phs":
			v.Phs, _ = perReplica(r, kk, x, isScalar, r.phase)
		case "witnesses":
			v.Witnesses, _ = perReplica(r, kk, x, isScalar, r.bool)
		case "vchange":
			v.VChange, _ = perReplica(r, kk, x, isScalar, r.bool)
		case "echo":
			v.Echo, _ = perReplica(r, kk, x, func(v any) bool { _, ok := v.(map[string]any); return ok }, r.veData)
		default:
			r.unknown(kk, veKeys...)
		}
	}
	return v
}

func (r *values) phase(key string, v any) (int8, bool) {
	x, ok := r.int(key, v, 0, 1)
	return int8(x), ok
}

// veData reads {views = [c, n], phase, witness, vchange}.
func (r *values) veData(key string, v any) (VEData, bool) {
	t, ok := r.table(key, v)
	if !ok {
		return VEData{}, false
	}
	var d VEData
	good := true
	for _, k := range protocols.SortedKeys(t) {
		kk, x := join(key, k), t[k]
		var ok bool
		switch k {
		case "views":
			d.Views, ok = r.pair(kk, x)
		case "phase":
			d.Phase, ok = r.phase(kk, x)
		case "witness":
			d.Witness, ok = r.bool(kk, x)
		case "vchange":
			d.VChange, ok = r.bool(kk, x)
		default:
			r.unknown(kk, "phase", "vchange", "views", "witness")
		}
		good = good && ok
	}
	return d, good
}

var structureKeys = []string{"con_flag", "last_req", "pend_reqs", "prim", "r_log", "req_q", "seq_num", "state", "tee", "view_changed"}

// repStart reads the replication table: "all" sets every structure rep[j],
// then "replicaN" tables set rep[N] on top of it.
func (r *values) repStart(key string, t map[string]any) *REPStart {
	reps := make([]RepStructure, r.n)
	for j := range reps {
		reps[j] = defaultStructure(r.clients)
	}
	apply := func(k string, sel func(int) bool) {
		st, ok := r.table(join(key, k), t[k])
		if !ok {
			return
		}
		for j := range reps {
			if sel(j) {
				r.structure(join(key, k), st, &reps[j])
			}
		}
	}
	if _, ok := t["all"]; ok {
		apply("all", func(int) bool { return true })
	}
	for _, k := range protocols.SortedKeys(t) {
		if k == "all" {
			continue
		}
		id, err := parseReplicaName(k, r.n)
		if err != nil {
			r.errs.Add(join(key, k), "unknown key (allowed: all, replica0 to replica%d)", r.n-1)
			continue
		}
		apply(k, func(j int) bool { return j == id })
	}
	return &REPStart{Rep: reps}
}

func parseReplicaName(s string, n int) (int, error) {
	var id int
	if _, err := fmt.Sscanf(s, "replica%d", &id); err != nil || fmt.Sprintf("replica%d", id) != s || id < 0 || id >= n {
		return 0, fmt.Errorf("not a replica")
	}
	return id, nil
}

// structure sets the fields of s that t names. Errors are reported once per
// table even when it applies to several structures.
func (r *values) structure(key string, t map[string]any, s *RepStructure) {
	before := len(r.errs)
	defer func() {
		if len(r.errs) > before {
			r.errs = dedup(r.errs, before)
		}
	}()
	if x, ok := t["tee"]; ok {
		if tee, ok := r.bool(join(key, "tee"), x); ok && tee {
			*s = teeStructure()
		}
	}
	for _, k := range protocols.SortedKeys(t) {
		kk, x := join(key, k), t[k]
		switch k {
		case "tee":
		case "state":
			l, _ := r.ints(kk, x, -1<<62, 1<<62)
			s.State = l
		case "r_log":
			s.RLog = nil
			r.tables(kk, x, func(ek string, et map[string]any) bool {
				e := LogEntry{X: full(r.n)}
				req, ok := r.req(ek, et, "x")
				e.Req = req
				if xv, has := et["x"]; has {
					var ok2 bool
					e.X, ok2 = r.set(join(ek, "x"), xv)
					ok = ok && ok2
				}
				s.RLog = append(s.RLog, e)
				return ok
			})
		case "pend_reqs":
			s.PendReqs = nil
			r.tables(kk, x, func(ek string, et map[string]any) bool {
				q, ok := r.clientReq(ek, et)
				s.PendReqs = append(s.PendReqs, q)
				return ok
			})
		case "req_q":
			s.ReqQ = nil
			r.tables(kk, x, func(ek string, et map[string]any) bool {
				req, ok := r.req(ek, et, "status")
				p := ReqPair{Req: req, Status: PrePrep}
				if sv, has := et["status"]; has {
					var ok2 bool
					p.Status, ok2 = r.status(join(ek, "status"), sv)
					ok = ok && ok2
				}
				s.ReqQ = append(s.ReqQ, p)
				return ok
			})
		case "last_req":
			s.LastReq = make([]LastReq, r.clients)
			r.tables(kk, x, func(ek string, et map[string]any) bool {
				req, ok := r.req(ek, et)
				if !ok {
					return false
				}
				c := int(req.Q.Client) - r.n
				if req.Q.isDummy() || c < 0 || c >= r.clients {
					r.errs.Add(join(ek, "client"), "client %d has no last_req entry (the run has %d clients)", c, r.clients)
					return false
				}
				s.LastReq[c] = LastReq{Req: req, Reply: req.digest(), Set: true}
				return true
			})
		case "seq_num":
			s.SeqNum, _ = r.int(kk, x, -1, maxSeq)
		case "prim":
			s.Prim, _ = r.view(kk, x)
		case "con_flag":
			s.ConFlag, _ = r.bool(kk, x)
		case "view_changed":
			s.ViewChanged, _ = r.bool(kk, x)
		default:
			r.unknown(kk, structureKeys...)
		}
	}
}

// dedup drops the errors after from that repeat an earlier one.
func dedup(es protocols.KeyErrors, from int) protocols.KeyErrors {
	out := es[:from]
	for _, e := range es[from:] {
		dup := false
		for _, o := range out {
			if o.Key == e.Key && o.Msg == e.Msg {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, e)
		}
	}
	return out
}

func (r *values) pmStart(key string, t map[string]any) *PMStart {
	p := &PMStart{}
	for _, k := range protocols.SortedKeys(t) {
		kk, x := join(key, k), t[k]
		switch k {
		case "v_status":
			if st, ok := r.vstatus(kk, x); ok {
				p.VStatus = &st
			}
		case "prim":
			if v, ok := r.view(kk, x); ok {
				p.Prim = &v
			}
		case "need_change":
			if b, ok := r.bool(kk, x); ok {
				p.NeedChange = &b
			}
		case "need_chg_set":
			if s, ok := r.set(kk, x); ok {
				p.NeedChgSet = append([]int{}, s.ids()...)
			}
		default:
			r.unknown(kk, "need_chg_set", "need_change", "prim", "v_status")
		}
	}
	return p
}

func (r *values) fdStart(key string, t map[string]any) *FDStart {
	d := &FDStart{}
	for _, k := range protocols.SortedKeys(t) {
		kk, x := join(key, k), t[k]
		switch k {
		case "beat":
			d.Beat, _ = perReplica(r, kk, x, isScalar, func(k string, v any) (int, bool) {
				b, ok := r.int(k, v, 0, 1<<30)
				return int(b), ok
			})
		case "cnt":
			if c, ok := r.int(kk, x, 0, 1<<30); ok {
				ci := int(c)
				d.Cnt = &ci
			}
		case "prim_susp":
			d.PrimSusp, _ = perReplica(r, kk, x, isScalar, r.bool)
		case "cur_check_req":
			d.CurCheckReq = []ClientReq{}
			r.tables(kk, x, func(ek string, et map[string]any) bool {
				q, ok := r.clientReq(ek, et)
				d.CurCheckReq = append(d.CurCheckReq, q)
				return ok
			})
		case "prim":
			if v, ok := r.view(kk, x); ok {
				d.Prim = &v
			}
		default:
			r.unknown(kk, "beat", "cnt", "cur_check_req", "prim", "prim_susp")
		}
	}
	return d
}
