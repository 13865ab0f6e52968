package twinsrun

import (
	"context"
	"fmt"
	"strings"

	"github.com/byzsim/byzsim/explore/search"
	"github.com/byzsim/byzsim/failures/twins"
)

// Minimizer is the step list that shrinks a scenario violating a
// property while the violation persists: it removes rounds (latest
// first), merges buckets of a round and removes drops, and repeats until
// none of these keeps the violation.
func Minimizer(s Settings) *search.Minimizer[twins.Scenario] {
	valid := func(fails func(twins.Scenario) bool) func(twins.Scenario) bool {
		return func(c twins.Scenario) bool { return c.Validate(s.N, s.T) == nil && fails(c) }
	}
	return &search.Minimizer[twins.Scenario]{Repeat: true, Steps: []search.Step[twins.Scenario]{
		func(c twins.Scenario, _ string, fails func(twins.Scenario) bool) (twins.Scenario, bool) {
			return fewerRounds(c, valid(fails))
		},
		func(c twins.Scenario, _ string, fails func(twins.Scenario) bool) (twins.Scenario, bool) {
			return mergedBuckets(c, valid(fails))
		},
		func(c twins.Scenario, _ string, fails func(twins.Scenario) bool) (twins.Scenario, bool) {
			return fewerDrops(c, valid(fails))
		},
	}}
}

// Minimize shrinks a scenario that violates property prop with the
// Minimizer's steps, and returns the smallest scenario found and its
// result.
func Minimize(rn *Runner, sc twins.Scenario, prop string) (twins.Scenario, Result, error) {
	best := cloneScenario(sc)
	res, err := rn.Run(&best)
	if err != nil {
		return sc, Result{}, err
	}
	if !res.Has(prop) {
		return best, res, nil
	}
	best, _ = search.Minimize(context.Background(), Minimizer(rn.s), search.Executor[twins.Scenario, Result](runnerExec{rn}), best, prop)
	res, err = rn.Run(&best)
	return best, res, err
}

// fewerRounds removes rounds, latest first (a removed GST round shortens
// the tail).
func fewerRounds(best twins.Scenario, fails func(twins.Scenario) bool) (twins.Scenario, bool) {
	changed := false
	for i := len(best.Rounds) - 1; i >= 0 && len(best.Rounds) > 1; i-- {
		if i >= len(best.Rounds) {
			continue
		}
		c := cloneScenario(best)
		c.Rounds = append(c.Rounds[:i], c.Rounds[i+1:]...)
		if i < c.GST {
			c.GST--
		}
		if fails(c) {
			best, changed = c, true
		}
	}
	return best, changed
}

// mergedBuckets merges two buckets of a round before GST.
func mergedBuckets(best twins.Scenario, fails func(twins.Scenario) bool) (twins.Scenario, bool) {
	changed := false
	for i := 0; i < best.GST; i++ {
		for a := 0; a < len(best.Rounds[i].Partition); a++ {
			for b := a + 1; b < len(best.Rounds[i].Partition); b++ {
				c := cloneScenario(best)
				rd := &c.Rounds[i]
				rd.Partition[a] = mergeSorted(rd.Partition[a], rd.Partition[b])
				rd.Partition = append(rd.Partition[:b], rd.Partition[b+1:]...)
				if fails(c) {
					best, changed = c, true
					b = len(best.Rounds[i].Partition) // restart this round's pairs
					a = -1
				}
			}
		}
	}
	return best, changed
}

// fewerDrops removes drops, latest first in each round.
func fewerDrops(best twins.Scenario, fails func(twins.Scenario) bool) (twins.Scenario, bool) {
	changed := false
	for i := range best.Rounds {
		for j := len(best.Rounds[i].Drops) - 1; j >= 0; j-- {
			if j >= len(best.Rounds[i].Drops) {
				continue
			}
			c := cloneScenario(best)
			rd := &c.Rounds[i]
			rd.Drops = append(rd.Drops[:j], rd.Drops[j+1:]...)
			if len(rd.Drops) == 0 {
				rd.Drops = nil
			}
			if fails(c) {
				best, changed = c, true
			}
		}
	}
	return best, changed
}

func cloneScenario(s twins.Scenario) twins.Scenario {
	c := s
	c.Rounds = make([]twins.Round, len(s.Rounds))
	for i, r := range s.Rounds {
		c.Rounds[i].Leader = r.Leader
		c.Rounds[i].Partition = make([][]int, len(r.Partition))
		for b, procs := range r.Partition {
			c.Rounds[i].Partition[b] = append([]int(nil), procs...)
		}
		if len(r.Drops) > 0 {
			c.Rounds[i].Drops = append([]twins.Drop(nil), r.Drops...)
		}
	}
	return c
}

func mergeSorted(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j >= len(b) || (i < len(a) && a[i] < b[j]) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

// Explain describes a violation and its scenario in words.
func Explain(s *Settings, sc *twins.Scenario, v Violation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Property %s violated: %s.\n", v.Property, s.PropertyText(v.Property))
	fmt.Fprintf(&b, "%s\n", v.Detail)
	fmt.Fprintf(&b, "Round %d, virtual time %v; processes:", v.Round, timeString(v.At))
	for _, p := range v.Procs {
		fmt.Fprintf(&b, " %s", procName(p, s.N))
	}
	b.WriteString("\n")
	if len(v.Blocks) > 0 {
		b.WriteString("Blocks:")
		for _, d := range v.Blocks {
			fmt.Fprintf(&b, " %x", uint64(d))
		}
		b.WriteString("\n")
	}
	b.WriteString("\nSystem: ")
	if s.Named {
		fmt.Fprintf(&b, "%s, ", s.Protocol.Name)
	}
	fmt.Fprintf(&b, "n=%d f=%d, twinned replicas:", s.N, s.F)
	for i := 0; i < s.T; i++ {
		fmt.Fprintf(&b, " replica%d (twin replica%d')", i, i)
	}
	fmt.Fprintf(&b, "; Δ=%v, link delay %v, round timer %v", s.Delta, s.Delay, s.RoundTimer())
	if len(s.Bugs) > 0 {
		fmt.Fprintf(&b, "; planted bugs: %s", strings.Join(s.Bugs, ", "))
	}
	fmt.Fprintf(&b, "\nScenario %d (%d rounds, GST at round %d):\n", sc.Index, len(sc.Rounds), sc.GST)
	for i, r := range sc.Rounds {
		fmt.Fprintf(&b, "  round %d: leader replica%d;", i, r.Leader)
		for _, procs := range r.Partition {
			b.WriteString(" {")
			for k, p := range procs {
				if k > 0 {
					b.WriteString(", ")
				}
				b.WriteString(procName(p, s.N))
			}
			b.WriteString("}")
		}
		for _, d := range r.Drops {
			fmt.Fprintf(&b, "; drop %s from %s to %s", d.Msg, procName(d.Src, s.N), procName(d.Dst, s.N))
		}
		if i >= sc.GST {
			b.WriteString(" (GST)")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func procName(p, n int) string {
	if p >= n {
		return fmt.Sprintf("replica%d'", p-n)
	}
	return fmt.Sprintf("replica%d", p)
}

func timeString(t interface{ String() string }) string { return t.String() }
