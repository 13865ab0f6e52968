package bftlist

import (
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Protocol returns the descriptor of BFTList.
func Protocol() *protocols.Protocol {
	return &protocols.Protocol{
		Name: "bftlist",
		Doc:  "self-stabilizing Byzantine-tolerant replicated list based on failure detectors (Dolev et al. 2018)",
		MessageKinds: []string{KindVE, KindREP, KindPM, KindFDToken, KindFDAck, KindEFDToken,
			protocols.KindReply},
		Params: paramSpecs(),
		Attributes: []protocols.AttrSpec{
			{Name: "view", Type: protocols.AttrInt, Doc: "own view pair set to (v, v) mod n"},
			{Name: "next_view", Type: protocols.AttrInt, Doc: "own next view, mod n"},
			{Name: "phase", Type: protocols.AttrInt, Doc: "own view-establishment phase, 0 or 1"},
			{Name: "seq_num", Type: protocols.AttrInt, Doc: "replication's last assigned sequence number"},
			{Name: "primary", Type: protocols.AttrReplica, Doc: "the primary replication and monitoring believe in"},
			{Name: "fd_cnt", Type: protocols.AttrInt, Doc: "the failure detector's no-progress counter"},
		},
		Behaviours: behaviours().Named(),
		CorruptScopes: []protocols.Named{
			{Name: ScopeVE, Doc: "view establishment: phases, view pairs, vChange, witnesses, witness set, echoes, counted replicas and detector round"},
			{Name: ScopeREP, Doc: "replication: every replica structure, flush flags"},
			{Name: ScopePM, Doc: "primary monitoring: every vcm record"},
			{Name: ScopeFD, Doc: "failure detectors: beat, cnt, fd_set, prim, prim_susp, checked requests, event-driven token, counters, round"},
			{Name: ScopeDatalink, Doc: "data link: sender and receiver counters"},
			{Name: ScopeTimers, Doc: "the loops' and data links' timers (re-armed with arbitrary durations at the next input)"},
		},
		MaxFaulty: func(n int) int { return max((n-1)/5, 0) },
		New: func(cfg protocols.Config) (protocols.Replica, error) {
			r, err := New(cfg)
			if err != nil {
				return nil, err
			}
			return r, nil
		},
		Legitimate:      legitimate,
		SelfStabilizing: true,
		StartState:      DecodeStartState,
		Expect:          DecodeExpect,
		Codec:           Codec{},
		Metrics:         metrics(),
		NewMeter:        newMeter,
		Replacement:     replacement,
	}
}

// replacement is the least time the beat/cnt failure detector needs to
// depose f faulty primaries in a row: each is suspected only after
// cnt_threshold of its tokens without progress, and a data link sends a
// token at most once per fd_interval. The event-driven detector claims
// nothing (0).
func replacement(params protocols.Params, n, f int) sim.Time {
	p, err := decodeParams(params, n)
	if err != nil || p.FDMode != FDBeat {
		return 0
	}
	return sim.Time(f*p.CntThreshold) * p.FDInterval
}
