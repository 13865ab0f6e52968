package explore

import (
	"slices"
	"sort"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/explore/search"
	"github.com/byzsim/byzsim/sim"
)

// maxMinimizeRuns bounds the runs spent minimizing one failure.
const maxMinimizeRuns = 400

// Minimizer is the step list that shrinks a failing schedule while it
// still fails the same check: first the smallest explored size that fails,
// then the fewest faults (each removed in turn while the failure stays),
// then the shortest time window (fault windows halved, GST and, for
// safety, the run's duration brought forward).
func Minimizer(c *Config) *search.Minimizer[Schedule] {
	return &search.Minimizer[Schedule]{MaxRuns: maxMinimizeRuns, Steps: []search.Step[Schedule]{
		func(s Schedule, _ string, fails func(Schedule) bool) (Schedule, bool) {
			return smallerSize(c, s, fails)
		},
		fewerFaults, shorterWindows, earlierGST, shorterRun,
	}}
}

// smallerSize moves s to the smallest explored size that still fails.
func smallerSize(c *Config, s Schedule, fails func(Schedule) bool) (Schedule, bool) {
	for _, size := range c.Sizes {
		if size.N >= s.Size.N || (size.N == s.Size.N && size.F >= s.Size.F) {
			continue
		}
		if t, ok := resize(s, size); ok && fails(t) {
			return t, true
		}
	}
	return s, false
}

// fewerFaults removes each fault in turn while the failure stays.
func fewerFaults(s Schedule, _ string, fails func(Schedule) bool) (Schedule, bool) {
	kept := false
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(s.Faults); i++ {
			t := s
			t.Faults = slices.Delete(slices.Clone(s.Faults), i, i+1)
			if fails(t) {
				s, changed, kept = t, true, true
				i--
			}
		}
	}
	return s, kept
}

// shorterWindows halves each fault's span, from its end and then from its
// start, while it still fails.
func shorterWindows(s Schedule, _ string, fails func(Schedule) bool) (Schedule, bool) {
	kept := false
	for i := range s.Faults {
		for _, late := range []bool{false, true} {
			for range 6 {
				t := s
				t.Faults = slices.Clone(s.Faults)
				if !shorten(&t.Faults[i], late) || !fails(t) {
					break
				}
				s, kept = t, true
			}
		}
	}
	return s, kept
}

// earlierGST brings GST right after the last fault.
func earlierGST(s Schedule, _ string, fails func(Schedule) bool) (Schedule, bool) {
	if end := roundUp(lastEnd(&s)+sim.Millisecond, sim.Second); end < s.GST {
		t := s
		t.GST = end
		if fails(t) {
			return t, true
		}
	}
	return s, false
}

// shorterRun cuts a safety failure's run short (a binary search on the
// duration, in whole seconds after GST).
func shorterRun(s Schedule, check string, fails func(Schedule) bool) (Schedule, bool) {
	if check != "safety" {
		return s, false
	}
	kept := false
	lo, hi := s.GST+sim.Second, s.Duration
	for hi-lo > sim.Second {
		mid := roundUp(lo+(hi-lo)/2, sim.Second)
		t := s
		t.Duration = mid
		if fails(t) {
			s, hi, kept = t, mid, true
		} else {
			lo = mid
		}
	}
	return s, kept
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
