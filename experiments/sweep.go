package experiments

import (
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/byzsim/byzsim/sim"
)

// Assignment is one swept (or overridden) key and its value, as TOML text.
type Assignment struct {
	Key   string
	Value string
}

// Run is one simulation to perform: a resolved experiment and a seed.
type Run struct {
	// ID names the run's output directory: its index, zero-padded.
	ID string
	// Index is the run's position in the plan; Point its sweep point and
	// Repetition its repetition of that point.
	Index, Point, Repetition int
	Seed                     uint64
	// Params are the swept keys and values of the run's point.
	Params []Assignment
	// Exp is the experiment with defaults, overrides and the point applied.
	Exp *Experiment
}

// axis is one dimension of a sweep: keys that move together and their
// values, one tuple per step.
type axis struct {
	keys   []string
	values [][]any
}

// sweepAxes reads the [sweep] table into axes, in the order the keys appear
// in the file (the first axis varies slowest).
func sweepAxes(sweep map[string]any, order []string) ([]axis, Errors) {
	var p problems
	var axes []axis
	seenZip := false
	keys := orderedKeys(sweep, order)
	for _, k := range keys {
		v := sweep[k]
		if k == "zip" {
			if seenZip {
				continue
			}
			seenZip = true
			groups, ok := v.([]map[string]any)
			if !ok {
				p.add("sweep.zip", "must be an array of tables ([[sweep.zip]]), each mapping keys to lists of equal length")
				continue
			}
			for gi, g := range groups {
				key := fmt.Sprintf("sweep.zip[%d]", gi)
				var ax axis
				length := -1
				for _, gk := range orderedKeys(g, order) {
					list, ok := g[gk].([]any)
					if !ok || len(list) == 0 {
						p.add(key+"."+gk, "must be a non-empty list of values")
						continue
					}
					if length >= 0 && len(list) != length {
						p.add(key+"."+gk, "has %d values, but the other keys of this zip have %d (zipped lists move together)", len(list), length)
						continue
					}
					length = len(list)
					ax.keys = append(ax.keys, canonicalPath(gk))
					for i, x := range list {
						if len(ax.values) <= i {
							ax.values = append(ax.values, nil)
						}
						ax.values[i] = append(ax.values[i], x)
					}
				}
				if len(ax.keys) > 0 {
					axes = append(axes, ax)
				}
			}
			continue
		}
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			p.add("sweep."+k, "must be a non-empty list of values, e.g. [4, 7, 10]")
			continue
		}
		ax := axis{keys: []string{canonicalPath(k)}}
		for _, x := range list {
			ax.values = append(ax.values, []any{x})
		}
		axes = append(axes, ax)
	}
	return axes, p.errs
}

// orderedKeys returns m's keys in the order they appear in order (the
// file's key order), then any others sorted.
func orderedKeys(m map[string]any, order []string) []string {
	pos := map[string]int{}
	for i, k := range order {
		if _, ok := pos[k]; !ok {
			pos[k] = i
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		pi, iok := pos[keys[i]]
		pj, jok := pos[keys[j]]
		switch {
		case iok && jok:
			return pi < pj
		case iok != jok:
			return iok
		}
		return keys[i] < keys[j]
	})
	return keys
}

// Limits on the size of a plan.
const (
	maxPoints = 100000
	maxRuns   = 1000000
)

// pointCount is the number of points of the axes' product, saturating
// above maxPoints.
func pointCount(axes []axis) int {
	n := 1
	for _, ax := range axes {
		n *= len(ax.values)
		if n > maxPoints {
			return maxPoints + 1
		}
	}
	return n
}

// points returns the cartesian product of the axes: each point is a list of
// assignments (key, value).
func points(axes []axis) [][]pointValue {
	pts := [][]pointValue{nil}
	for _, ax := range axes {
		var next [][]pointValue
		for _, p := range pts {
			for _, tuple := range ax.values {
				q := append(append([]pointValue(nil), p...), zipValues(ax.keys, tuple)...)
				next = append(next, q)
			}
		}
		pts = next
	}
	return pts
}

type pointValue struct {
	key   string
	value any
}

func zipValues(keys []string, values []any) []pointValue {
	out := make([]pointValue, len(keys))
	for i, k := range keys {
		out[i] = pointValue{k, values[i]}
	}
	return out
}

// formatValue writes a swept value for run tables and CSVs: a string as
// itself, anything else as TOML text.
func formatValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	text, err := toml.Marshal(map[string]any{"v": v})
	if err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(strings.TrimPrefix(string(text), "v = "))
}

// RepetitionSeed returns the seed of a repetition: the base seed itself for
// repetition 0, a derived one after. Sweep points share the seeds of their
// repetitions, so compared configurations see the same randomness.
func RepetitionSeed(base uint64, rep int) uint64 {
	if rep == 0 {
		return base
	}
	return sim.DeriveSeed(base, "repetition", int64(rep))
}
