package bftlist

import (
	"fmt"
	"slices"
	"strings"

	"github.com/byzsim/byzsim/protocols"
)

// expectation is one assertion on a replica's final state: its key and a
// test that returns what is wrong ("" when it holds).
type expectation struct {
	key  string
	test func(r *Replica) string
}

// expectTable is one [[expect.state]] table without its replica selection.
type expectTable struct {
	View         *pairValue                                           `toml:"view"`
	Phase        *int64                                               `toml:"phase"`
	Views        *protocols.PerReplica[protocols.Wildcard[pairValue]] `toml:"views"`
	Phs          *protocols.PerReplica[protocols.Wildcard[int64]]     `toml:"phs"`
	VChange      *protocols.PerReplica[protocols.Wildcard[bool]]      `toml:"vchange"`
	AllowService *bool                                                `toml:"allow_service"`
	State        *[]int64                                             `toml:"state"`
	RLogLen      *int64                                               `toml:"r_log_len"`
	PendReqsLen  *int64                                               `toml:"pend_reqs_len"`
	ReqQLen      *int64                                               `toml:"req_q_len"`
	SeqNum       *int64                                               `toml:"seq_num"`
	Prim         *int64                                               `toml:"prim"`
	PMPrim       *int64                                               `toml:"pm_prim"`
	NeedChange   *bool                                                `toml:"need_change"`
	VStatus      *statusChoice                                        `toml:"v_status"`
}

// statusChoice is a monitoring status or an array of them (any of).
type statusChoice []string

// TableAllowed implements protocols.TableAllowed.
func (*statusChoice) TableAllowed(*protocols.TableDecoder) string {
	return `"ok", "no_service" or "v_change", or an array of them (any of)`
}

// UnmarshalTable implements protocols.TableUnmarshaler.
func (s *statusChoice) UnmarshalTable(d *protocols.TableDecoder, key string, v protocols.TableValue) bool {
	if one, ok := d.Raw(v).(string); ok {
		*s = statusChoice{one}
		return true
	}
	if _, ok := d.Raw(v).([]any); !ok {
		d.BadValue(key, v, s.TableAllowed(d))
		return false
	}
	return d.Decode(key, v, (*[]string)(s))
}

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
	var t expectTable
	c := checker{d: protocols.DecodeTable(n, raw, &t), n: n}
	var es []expectation
	add := func(key string, test func(*Replica) string) { es = append(es, expectation{key, test}) }
	if t.View != nil {
		if want, ok := c.pair("view", *t.View); ok {
			add("view", func(p *Replica) string { return differ(p.ve.views[p.id], want) })
		}
	}
	if t.Phase != nil && c.phase("phase", *t.Phase) {
		want := int8(*t.Phase)
		add("phase", func(p *Replica) string { return differ(p.ve.phs[p.id], want) })
	}
	if t.Views != nil {
		want := make([]protocols.Wildcard[ViewPair], n)
		ok := each("views", t.Views, func(k string, w protocols.Wildcard[pairValue]) bool {
			if w.Any {
				return true
			}
			_, ok := c.pair(k, w.V)
			return ok
		})
		for i, w := range t.Views.Values {
			want[i] = protocols.Wildcard[ViewPair]{V: ViewPair{w.V[0], w.V[1]}, Any: w.Any}
		}
		if ok {
			add("views", func(p *Replica) string { return differAll(p.ve.views, want) })
		}
	}
	if t.Phs != nil {
		want := make([]protocols.Wildcard[int8], n)
		ok := each("phs", t.Phs, func(k string, w protocols.Wildcard[int64]) bool { return w.Any || c.phase(k, w.V) })
		for i, w := range t.Phs.Values {
			want[i] = protocols.Wildcard[int8]{V: int8(w.V), Any: w.Any}
		}
		if ok {
			add("phs", func(p *Replica) string { return differAll(p.ve.phs, want) })
		}
	}
	if t.VChange != nil {
		want := t.VChange.Values
		add("vchange", func(p *Replica) string { return differAll(p.ve.vChange, want) })
	}
	if t.AllowService != nil {
		want := *t.AllowService
		add("allow_service", func(p *Replica) string { return differ(p.ve.allowService(), want) })
	}
	if t.State != nil {
		want := *t.State
		add("state", func(p *Replica) string {
			if got := p.rep.own.State; !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				return fmt.Sprintf("%v, want %v", got, want)
			}
			return ""
		})
	}
	for _, l := range []struct {
		key    string
		want   *int64
		length func(*RepStructure) int
	}{
		{"pend_reqs_len", t.PendReqsLen, func(s *RepStructure) int { return len(s.PendReqs) }},
		{"r_log_len", t.RLogLen, func(s *RepStructure) int { return len(s.RLog) }},
		{"req_q_len", t.ReqQLen, func(s *RepStructure) int { return len(s.ReqQ) }},
	} {
		if l.want != nil && c.rng(l.key, *l.want, 0, protocols.MaxTableEntries) {
			want, length := *l.want, l.length
			add(l.key, func(p *Replica) string { return differ(int64(length(&p.rep.own)), want) })
		}
	}
	if t.SeqNum != nil && c.rng("seq_num", *t.SeqNum, -1, maxSeq) {
		want := *t.SeqNum
		add("seq_num", func(p *Replica) string { return differ(p.rep.own.SeqNum, want) })
	}
	if t.Prim != nil && c.view("prim", *t.Prim) {
		want := *t.Prim
		add("prim", func(p *Replica) string { return differ(p.rep.own.Prim, want) })
	}
	if t.PMPrim != nil && c.view("pm_prim", *t.PMPrim) {
		want := *t.PMPrim
		add("pm_prim", func(p *Replica) string { return differ(p.pm.vcm[p.id].Prim, want) })
	}
	if t.NeedChange != nil {
		want := *t.NeedChange
		add("need_change", func(p *Replica) string { return differ(p.pm.vcm[p.id].NeedChange, want) })
	}
	if t.VStatus != nil {
		var want []VStatus
		ok := true
		for i, name := range *t.VStatus {
			key := "v_status"
			if len(*t.VStatus) > 1 {
				key = protocols.IndexKey(key, i)
			}
			st, good := c.vstatus(key, name)
			ok = ok && good
			want = append(want, st)
		}
		if ok {
			add("v_status", func(p *Replica) string {
				if got := p.pm.vcm[p.id].Status; !slices.Contains(want, got) {
					return fmt.Sprintf("%v, want %v", got, want)
				}
				return ""
			})
		}
	}
	if err := c.d.Err(); err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, &protocols.KeyError{Msg: "no assertion (allowed keys: " + fmt.Sprint(expectKeys()) + ")"}
	}
	slices.SortStableFunc(es, func(a, b expectation) int { return strings.Compare(a.key, b.key) })
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

// expectKeys are the keys of an [[expect.state]] table, sorted.
func expectKeys() []string {
	return []string{"allow_service", "need_change", "pend_reqs_len", "phase", "phs", "pm_prim",
		"prim", "r_log_len", "req_q_len", "seq_num", "state", "v_status", "vchange", "view", "views"}
}

func differ[T comparable](got, want T) string {
	if got != want {
		return fmt.Sprintf("%v, want %v", got, want)
	}
	return ""
}

func differAll[T comparable](got []T, want []protocols.Wildcard[T]) string {
	for i, w := range want {
		if !w.Any && got[i] != w.V {
			return fmt.Sprintf("entry %d is %v, want %v (all: %v)", i, got[i], w.V, got)
		}
	}
	return ""
}
