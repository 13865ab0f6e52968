package bftlist

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// TestVEMemosMatchFreshValues drives a few replicas through random steps —
// timers, deliveries lost, duplicated and reordered, corruption of every
// scope, Byzantine behaviours, attributes, forged view-establishment
// messages, client requests — and after each step checks what view
// establishment's shortcuts rely on: every write of its state moves its
// version. The memos equal their fresh computation; on the gossip's
// resend shortcut each peer's last message is what the gossip would send
// now; an iteration skipped as idle would only have stayed (case 2). A
// write that forgets to move the version fails here.
func TestVEMemosMatchFreshValues(t *testing.T) {
	for _, cfg := range []randomRunConfig{
		{6, 1, nil, 0},
		{6, 1, protocols.Params{"fd_mode": FDEvent}, 0},
		{11, 2, nil, 0},
		{7, 1, protocols.Params{"force_view": int64(2)}, 0},
	} {
		for seed := uint64(0); seed < 4; seed++ {
			randomRun(t, cfg, seed, func(step, i int, r *Replica) {
				ve := &r.ve
				if ve.allowService() != ve.computeAllowService() || ve.witnesSeen() != ve.computeWitnesSeen() || ve.noticedRecentValue() != ve.computeNoticed() {
					t.Fatalf("n = %d, seed %d, step %d, replica %d: a view-establishment memo differs from its fresh value", cfg.n, seed, step, i)
				}
				if ve.sentAt == ve.ver && r.conduct.Honest() {
					own := ve.ownData()
					for j, s := range ve.sent {
						if j != i && (s.m == nil || s.m.Own != own || s.m.About != ve.dataOf(j)) {
							t.Fatalf("n = %d, seed %d, step %d, replica %d: the gossip would resend a stale message to %d", cfg.n, seed, step, i, j)
						}
					}
				}
				if ve.idleAt == ve.ver && ve.computeWitnesSeen() {
					for c := 0; c <= 3; c++ {
						if ve.predicate(ve.phs[i], c) {
							if c != 2 {
								t.Fatalf("n = %d, seed %d, step %d, replica %d: an iteration skipped as idle would take case %d", cfg.n, seed, step, i, c)
							}
							break
						}
					}
				}
			})
		}
	}
}

// randomRunConfig is a configuration of randomRun: n, f, the parameters
// and the percentage of steps that are client requests beyond the 1 % of
// every run.
type randomRunConfig struct {
	n, f     int
	params   protocols.Params
	requests int
}

// randomRun drives cfg.n replicas through 3000 random steps — timers,
// deliveries lost, duplicated and reordered, corruption of every scope,
// Byzantine behaviours, attributes, forged view-establishment messages,
// client requests — and calls check after each step with the replica i
// that took it. Odd seeds are calm: mostly deliveries, so views establish.
func randomRun(t *testing.T, cfg randomRunConfig, seed uint64, check func(step, i int, r *Replica)) {
	t.Helper()
	behaviours := []string{"", "", "", BehaviourDifferentViews, BehaviourForcingReset, BehaviourUnresponsiveToHalf, BehaviourWrongCCSP}
	type pending struct {
		from, to int
		m        sim.Message
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	calm := seed%2 == 1 // mostly deliveries: views establish
	reps := make([]*Replica, cfg.n)
	envs := make([]*fakeEnv, cfg.n)
	for i := range reps {
		reps[i], envs[i] = newTestReplica(t, i, cfg.n, cfg.f, cfg.params)
	}
	var queue []pending
	collect := func(i int) {
		for _, s := range envs[i].sent {
			if int(s.to) < cfg.n && int(s.to) != i {
				queue = append(queue, pending{i, int(s.to), s.msg})
			}
		}
		envs[i].sent, envs[i].obs = nil, nil
	}
	for step := range 3000 {
		i := rng.IntN(cfg.n)
		r, e := reps[i], envs[i]
		k := rng.IntN(100)
		if calm && k >= 90 && rng.IntN(15) != 0 {
			k = rng.IntN(90)
		}
		if cfg.requests > 0 && rng.IntN(100) < cfg.requests {
			k = 99
		}
		switch {
		case k < 40 && (!calm || k < 8 || len(queue) == 0):
			ids := make([]sim.TimerID, 0, len(e.timer))
			for id := range e.timer {
				ids = append(ids, id)
			}
			if len(ids) == 0 {
				continue
			}
			slices.Sort(ids)
			id := ids[rng.IntN(len(ids))]
			tm := e.timer[id]
			delete(e.timer, id)
			r.Fire(tm)
		case k < 90:
			if len(queue) == 0 {
				continue
			}
			j := rng.IntN(len(queue))
			if calm {
				j = rng.IntN(min(len(queue), 4))
			}
			m := queue[j]
			queue = append(queue[:j], queue[j+1:]...)
			if rng.IntN(10) == 0 {
				continue // lost
			}
			if !calm && rng.IntN(4) == 0 {
				queue = append(queue, m) // delivered again later
			}
			i, r = m.to, reps[m.to]
			r.Deliver(sim.NodeID(m.from), m.m)
		case k < 93:
			scopes := [][]string{{ScopeVE}, nil, {ScopeREP}, {ScopeFD}, {ScopeTimers}, {ScopePM}}
			if err := r.Corrupt(rng, scopes[rng.IntN(len(scopes))]); err != nil {
				t.Fatal(err)
			}
		case k < 95:
			b := behaviours[rng.IntN(len(behaviours))]
			if i >= cfg.f { // at most f Byzantine replicas
				b = ""
			}
			if err := r.SetBehaviour(b); err != nil {
				t.Fatal(err)
			}
		case k < 97:
			a := []string{"view", "next_view", "phase"}[rng.IntN(3)]
			v := rng.Int64N(int64(cfg.n))
			if a == "phase" {
				v = rng.Int64N(2)
			}
			if err := r.SetAttribute(a, v); err != nil {
				t.Fatal(err)
			}
		case k < 99:
			from := rng.IntN(cfg.n)
			if from != i {
				r.Deliver(sim.NodeID(from), reps[from].ArbitraryMessage(rng, KindVE))
			}
		default:
			req := &protocols.Request{Client: sim.NodeID(cfg.n), ID: uint64(step + 1), Op: protocols.OpAppend, Value: int64(step)}
			for j := range reps {
				reps[j].Deliver(sim.NodeID(cfg.n), req)
				collect(j)
			}
		}
		collect(i)
		check(step, i, r)
	}
}
