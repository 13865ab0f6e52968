package bftlist

import "fmt"

// StartState is a replica's state at start, as the reference's
// start_state.json could inject it per module. A nil part or field keeps
// the default; slices indexed by replica id must have n entries.
type StartState struct {
	VE  *VEStart
	REP *REPStart
	PM  *PMStart
	FD  *FDStart
}

// VEStart sets view establishment's variables.
type VEStart struct {
	Phs       []int8
	Views     []ViewPair
	Witnesses []bool
	Echo      []VEData
	VChange   []bool
}

// REPStart sets replication's structures: Rep[j] is replica j's structure as
// this replica believes it, Rep[id] its own.
type REPStart struct {
	Rep []RepStructure
}

// PMStart sets the replica's own monitoring record.
type PMStart struct {
	VStatus    *VStatus
	Prim       *int64
	NeedChange *bool
	NeedChgSet []int
}

// FDStart sets the beat/cnt failure detector.
type FDStart struct {
	Beat        []int
	Cnt         *int
	PrimSusp    []bool
	CurCheckReq []ClientReq
	Prim        *int64
}

func checkLen(what string, l, n int) error {
	if l != 0 && l != n {
		return fmt.Errorf("bftlist: start state %s has %d entries, want %d", what, l, n)
	}
	return nil
}

// check reports whether s fits r: per-replica lists of n entries, last_req
// of K entries, replicas and views within range.
func (s *StartState) check(r *Replica) error {
	n := r.n
	if v := s.VE; v != nil {
		for _, c := range []struct {
			what string
			l    int
		}{{"phs", len(v.Phs)}, {"views", len(v.Views)}, {"witnesses", len(v.Witnesses)}, {"echo", len(v.Echo)}, {"vChange", len(v.VChange)}} {
			if err := checkLen(c.what, c.l, n); err != nil {
				return err
			}
		}
	}
	if v := s.REP; v != nil {
		if err := checkLen("rep", len(v.Rep), n); err != nil {
			return err
		}
		for j, rs := range v.Rep {
			if rs.LastReq != nil && len(rs.LastReq) != r.k {
				return fmt.Errorf("bftlist: start state rep[%d] has %d last_req entries, want %d", j, len(rs.LastReq), r.k)
			}
		}
	}
	if v := s.PM; v != nil {
		for _, k := range v.NeedChgSet {
			if k < 0 || k >= n {
				return fmt.Errorf("bftlist: start state need_chg_set holds replica %d of %d", k, n)
			}
		}
	}
	if v := s.FD; v != nil {
		if err := checkLen("beat", len(v.Beat), n); err != nil {
			return err
		}
		for k, b := range v.Beat {
			if b < 0 || b > beatCap {
				return fmt.Errorf("bftlist: start state beat[%d] = %d, want 0 … %d", k, b, beatCap)
			}
		}
		if err := checkLen("prim_susp", len(v.PrimSusp), n); err != nil {
			return err
		}
	}
	return nil
}

// apply checks s against r and installs it; on error r is unchanged.
func (s *StartState) apply(r *Replica) error {
	if err := s.check(r); err != nil {
		return err
	}
	if v := s.VE; v != nil {
		copyIf(r.ve.phs, v.Phs)
		copyIf(r.ve.views, v.Views)
		copyIf(r.ve.witnesses, v.Witnesses)
		copyIf(r.ve.echo, v.Echo)
		copyIf(r.ve.vChange, v.VChange)
		r.ve.touch()
	}
	if v := s.REP; v != nil {
		for j, rs := range v.Rep {
			c := rs.deepCopy()
			if j == r.id {
				r.rep.own = c
			} else {
				r.rep.setRep(j, &c)
			}
		}
		r.rep.bind()
	}
	if v := s.PM; v != nil {
		me := &r.pm.vcm[r.id]
		if v.VStatus != nil {
			me.Status = *v.VStatus
		}
		if v.Prim != nil {
			me.Prim = *v.Prim
		}
		if v.NeedChange != nil {
			me.NeedChange = *v.NeedChange
		}
		if v.NeedChgSet != nil {
			me.NeedChgSet = idset{}
			for _, k := range v.NeedChgSet {
				me.NeedChgSet.put(k)
			}
		}
	}
	if v := s.FD; v != nil {
		if len(v.Beat) > 0 {
			r.fd.setBeats(v.Beat)
		}
		copyIf(r.fd.primSusp, v.PrimSusp)
		if v.Cnt != nil {
			r.fd.cnt = *v.Cnt
		}
		if v.CurCheckReq != nil {
			r.fd.curCheckReq = append([]ClientReq(nil), v.CurCheckReq...)
		}
		if v.Prim != nil {
			r.fd.prim = *v.Prim
		}
	}
	return nil
}

func copyIf[T any](dst, src []T) {
	if len(src) > 0 {
		copy(dst, src)
	}
}

// namedStartState returns a start state by name (the start_state
// parameter), modelled on the reference's integration scenarios:
//
//   - "rst": every module reset: view pairs RST in phase 0, replication ⊥;
//   - "mixed_views": replica i believes everyone is established in view
//     i mod 3 (the system converges through a reset);
//   - "view_change": view 0 established everywhere and every replica asking
//     for a view change (the system moves to view 1).
func namedStartState(name string, n, f, k, id int) *StartState {
	views := make([]ViewPair, n)
	vchange := make([]bool, n)
	switch name {
	case "rst":
		for i := range views {
			views[i] = RST
		}
		reps := make([]RepStructure, n)
		for i := range reps {
			reps[i] = teeStructure()
		}
		return &StartState{VE: &VEStart{Views: views}, REP: &REPStart{Rep: reps}}
	case "mixed_views":
		v := int64(id % 3 % n)
		for i := range views {
			views[i] = ViewPair{v, v}
		}
		return &StartState{VE: &VEStart{Views: views}}
	case "view_change":
		for i := range views {
			views[i] = ViewPair{0, 0}
			vchange[i] = true
		}
		return &StartState{VE: &VEStart{Views: views, VChange: vchange}}
	}
	return &StartState{}
}
