package explore

import (
	"context"
	"slices"
	"sort"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/sim"
)

// maxMinimizeRuns bounds the runs spent minimizing one failure.
const maxMinimizeRuns = 400

// minimizer shrinks a failing schedule while it still fails the same
// check: first the smallest explored size that fails, then the fewest
// faults (each removed in turn while the failure stays), then the shortest
// time window (fault windows halved, GST and, for safety, the run's
// duration brought forward).
type minimizer struct {
	c    *Config
	ctx  context.Context
	runs int
}

// fails reports whether s fails check.
func (m *minimizer) fails(s *Schedule, check string) bool {
	if m.runs >= maxMinimizeRuns || m.ctx.Err() != nil {
		return false
	}
	m.runs++
	e := s.Experiment(m.c.Base)
	o, err := experiments.Simulate(e, s.Seed, m.c.Reg, nil)
	if err != nil {
		// A shrunk schedule the experiment rejects (e.g. a partition
		// left with one group) is not a smaller failure.
		return false
	}
	for _, ch := range o.Failed() {
		if ch.Name == check {
			return true
		}
	}
	return false
}

func (m *minimizer) minimize(s Schedule, check string) (Schedule, int) {
	m.runs = 0
	// Smallest n.
	for _, size := range m.c.Sizes {
		if size.N >= s.Size.N || (size.N == s.Size.N && size.F >= s.Size.F) {
			continue
		}
		if t, ok := resize(s, size); ok && m.fails(&t, check) {
			s = t
			break
		}
	}
	// Fewest faults.
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(s.Faults); i++ {
			t := s
			t.Faults = slices.Delete(slices.Clone(s.Faults), i, i+1)
			if m.fails(&t, check) {
				s, changed = t, true
				i--
			}
		}
	}
	// Shortest windows: halve each fault's span, from its end and then
	// from its start, while it still fails.
	for i := range s.Faults {
		for _, late := range []bool{false, true} {
			for range 6 {
				t := s
				t.Faults = slices.Clone(s.Faults)
				if !shorten(&t.Faults[i], late) || !m.fails(&t, check) {
					break
				}
				s = t
			}
		}
	}
	// GST right after the last fault, and a safety failure's run cut short.
	if end := roundUp(lastEnd(&s)+sim.Millisecond, sim.Second); end < s.GST {
		t := s
		t.GST = end
		if m.fails(&t, check) {
			s = t
		}
	}
	if check == "safety" {
		lo, hi := s.GST+sim.Second, s.Duration
		for hi-lo > sim.Second {
			mid := roundUp(lo+(hi-lo)/2, sim.Second)
			t := s
			t.Duration = mid
			if m.fails(&t, check) {
				s, hi = t, mid
			} else {
				lo = mid
			}
		}
	}
	return s, m.runs
}

func roundUp(t, unit sim.Time) sim.Time { return (t + unit - 1) / unit * unit }

// lastEnd is when the last fault that must end before GST ends.
func lastEnd(s *Schedule) sim.Time {
	var end sim.Time
	for _, f := range s.Faults {
		switch f.Kind {
		case KindPartition, KindCrash:
			end = max(end, f.At, f.Until)
		case KindLink, KindRule, KindSetattr:
			end = max(end, f.Rule.Until.T())
		case KindTransient, KindByzantine:
			end = max(end, f.At)
		}
	}
	return end
}

// shorten halves a fault's span (to whole milliseconds), keeping its
// first half, or its second when late; false when it has none or cannot
// shrink.
func shorten(f *Fault, late bool) bool {
	half := func(a, b *sim.Time) bool {
		d := (*b - *a) / 2 / sim.Millisecond * sim.Millisecond
		if d < sim.Millisecond {
			return false
		}
		if late {
			*a = *b - d
		} else {
			*b = *a + d
		}
		return true
	}
	switch f.Kind {
	case KindPartition:
		return half(&f.At, &f.Until)
	case KindCrash:
		return f.Until != 0 && half(&f.At, &f.Until)
	case KindLink, KindRule, KindSetattr:
		from, until := f.Rule.From.T(), f.Rule.Until.T()
		ok := half(&from, &until)
		f.Rule.From, f.Rule.Until = experiments.Duration(from), experiments.Duration(until)
		return ok
	}
	return false
}

// resize maps a schedule onto a smaller size: replica ids modulo n,
// partitions regrouped, Byzantine replicas beyond f dropped. false when
// nothing sensible is left.
func resize(s Schedule, size Size) (Schedule, bool) {
	n := size.N
	t := s
	t.Size = size
	t.Faults = nil
	faulty := map[int]bool{}
	crashes := map[int]bool{}
	name := func(v string) string {
		var id int
		if _, err := sscanReplica(v, &id); err != nil {
			return v
		}
		return replicaName(id % n)
	}
	for _, f := range s.Faults {
		f.Replica %= n
		switch f.Kind {
		case KindPartition:
			var gs [][]int
			seen := map[int]bool{}
			for _, g := range f.Groups {
				var ng []int
				for _, id := range g {
					if id < n && !seen[id] {
						seen[id] = true
						ng = append(ng, id)
					}
				}
				if len(ng) > 0 {
					sort.Ints(ng)
					gs = append(gs, ng)
				}
			}
			if len(gs) < 2 {
				continue
			}
			f.Groups = gs
		case KindCrash:
			if crashes[f.Replica] || (f.Until == 0 && !faulty[f.Replica] && len(faulty) >= size.F) {
				continue
			}
			crashes[f.Replica] = true
			if f.Until == 0 {
				faulty[f.Replica] = true
			}
		case KindByzantine:
			if faulty[f.Replica] || len(faulty) >= size.F {
				continue
			}
			faulty[f.Replica] = true
		case KindLink, KindRule, KindSetattr:
			f.Rule.Src, f.Rule.Dest = name(f.Rule.Src), name(f.Rule.Dest)
			if f.Kind == KindSetattr {
				var id int
				if _, err := sscanReplica(f.Rule.Src, &id); err == nil {
					if !faulty[id] && len(faulty) >= size.F {
						continue
					}
					faulty[id] = true
				}
				if s, ok := f.Rule.Value.(string); ok {
					f.Rule.Value = name(s)
				}
			}
		case KindTransient:
			f.Transient.Random = min(f.Transient.Random, n)
		}
		t.Faults = append(t.Faults, f)
	}
	return t, len(t.Faults) > 0
}
