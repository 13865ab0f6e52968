package bftlist

import (
	"fmt"
	"slices"

	"github.com/byzsim/byzsim/protocols"
)

// expectation is one assertion on a replica's final state: its key and a
// test that returns what is wrong ("" when it holds).
type expectation struct {
	key  string
	test func(r *Replica) string
}

var expectKeys = []string{"allow_service", "need_change", "pend_reqs_len", "phase", "phs", "pm_prim",
	"prim", "r_log_len", "req_q_len", "seq_num", "state", "v_status", "vchange", "view", "views"}

// DecodeExpect decodes one [[expect.state]] table (its replica selection
// removed) into a check of a replica's final state. Keys (all optional):
//
//	view = [c, n]          own view pair          phase = 0|1   own phase
//	views = [c, n]         every entry of views[] (or n entries, "*" = any)
//	phs = 0, vchange = false  likewise for phases and vChange
//	allow_service = true
//	state = [1, 2, 3]      the replicated list
//	r_log_len, pend_reqs_len, req_q_len, seq_num, prim (replication)
//	v_status = "ok" or ["v_change", "no_service"] (any of), need_change,
//	pm_prim (primary monitoring)
func DecodeExpect(n, f int, raw map[string]any) (func(protocols.Replica) []string, error) {
	r := &values{n: n}
	var es []expectation
	add := func(key string, test func(*Replica) string) { es = append(es, expectation{key, test}) }
	for _, k := range protocols.SortedKeys(raw) {
		x := raw[k]
		switch k {
		case "view":
			if want, ok := r.pair(k, x); ok {
				add(k, func(p *Replica) string { return differ(p.ve.views[p.id], want) })
			}
		case "phase":
			if want, ok := r.phase(k, x); ok {
				add(k, func(p *Replica) string { return differ(p.ve.phs[p.id], want) })
			}
		case "views":
			if want, ok := perReplica(r, k, x, isPair, anyOr(r.pair)); ok {
				add(k, func(p *Replica) string { return differAll(p.ve.views, want) })
			}
		case "phs":
			if want, ok := perReplica(r, k, x, isScalar, anyOr(r.phase)); ok {
				add(k, func(p *Replica) string { return differAll(p.ve.phs, want) })
			}
		case "vchange":
			if want, ok := perReplica(r, k, x, isScalar, anyOr(r.bool)); ok {
				add(k, func(p *Replica) string { return differAll(p.ve.vChange, want) })
			}
		case "allow_service":
			if want, ok := r.bool(k, x); ok {
				add(k, func(p *Replica) string { return differ(p.ve.allowService(), want) })
			}
		case "state":
			if want, ok := r.ints(k, x, -1<<62, 1<<62); ok {
				add(k, func(p *Replica) string {
					if got := p.rep.own.State; !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
						return fmt.Sprintf("%v, want %v", got, want)
					}
					return ""
				})
			}
		case "r_log_len", "pend_reqs_len", "req_q_len":
			if want, ok := r.int(k, x, 0, maxEntries); ok {
				length := map[string]func(*RepStructure) int{
					"r_log_len":     func(s *RepStructure) int { return len(s.RLog) },
					"pend_reqs_len": func(s *RepStructure) int { return len(s.PendReqs) },
					"req_q_len":     func(s *RepStructure) int { return len(s.ReqQ) },
				}[k]
				add(k, func(p *Replica) string { return differ(int64(length(&p.rep.own)), want) })
			}
		case "seq_num":
			if want, ok := r.int(k, x, -1, maxSeq); ok {
				add(k, func(p *Replica) string { return differ(p.rep.own.SeqNum, want) })
			}
		case "prim":
			if want, ok := r.view(k, x); ok {
				add(k, func(p *Replica) string { return differ(p.rep.own.Prim, want) })
			}
		case "pm_prim":
			if want, ok := r.view(k, x); ok {
				add(k, func(p *Replica) string { return differ(p.pm.vcm[p.id].Prim, want) })
			}
		case "need_change":
			if want, ok := r.bool(k, x); ok {
				add(k, func(p *Replica) string { return differ(p.pm.vcm[p.id].NeedChange, want) })
			}
		case "v_status":
			var want []VStatus
			ok := true
			if l, isList := x.([]any); isList {
				for i, y := range l {
					st, good := r.vstatus(idx(k, i), y)
					ok = ok && good
					want = append(want, st)
				}
			} else {
				st, good := r.vstatus(k, x)
				ok, want = good, []VStatus{st}
			}
			if ok {
				add(k, func(p *Replica) string {
					if got := p.pm.vcm[p.id].Status; !slices.Contains(want, got) {
						return fmt.Sprintf("%v, want %v", got, want)
					}
					return ""
				})
			}
		default:
			r.unknown(k, expectKeys...)
		}
	}
	if err := r.errs.Err(); err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, &protocols.KeyError{Msg: "no assertion (allowed keys: " + fmt.Sprint(expectKeys) + ")"}
	}
	return func(rep protocols.Replica) []string {
		p, ok := rep.(*Replica)
		if !ok {
			return []string{fmt.Sprintf("not a bftlist replica: %T", rep)}
		}
		var out []string
		for _, e := range es {
			if msg := e.test(p); msg != "" {
				out = append(out, fmt.Sprintf("replica%d: %s: %s", p.id, e.key, msg))
			}
		}
		return out
	}, nil
}

// wildcard is an expected value that matches anything ("*").
type wildcard[T any] struct {
	v   T
	any bool
}

func anyOr[T any](each func(string, any) (T, bool)) func(string, any) (wildcard[T], bool) {
	return func(key string, v any) (wildcard[T], bool) {
		if s, ok := v.(string); ok && s == "*" {
			return wildcard[T]{any: true}, true
		}
		x, ok := each(key, v)
		return wildcard[T]{v: x}, ok
	}
}

func differ[T comparable](got, want T) string {
	if got != want {
		return fmt.Sprintf("%v, want %v", got, want)
	}
	return ""
}

func differAll[T comparable](got []T, want []wildcard[T]) string {
	for i, w := range want {
		if !w.any && got[i] != w.v {
			return fmt.Sprintf("entry %d is %v, want %v (all: %v)", i, got[i], w.v, got)
		}
	}
	return ""
}
