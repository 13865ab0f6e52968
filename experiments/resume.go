package experiments

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// checkResume refuses to resume into dir when what is there was made by a
// different experiment: another resolved experiment.toml (other keys,
// overrides or seed) or another plan (runs, swept keys, seeds) in its
// manifest. The refusal is a *UsageError naming the differing keys.
func checkResume(dir string, plan *Plan, resolved []byte) error {
	old, err := os.ReadFile(filepath.Join(dir, ExperimentFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil // nothing ran here yet
	}
	if err != nil {
		return fmt.Errorf("--resume: %w", err)
	}
	var diffs []string
	if !bytes.Equal(old, resolved) {
		diffs = diffTOML(old, resolved)
		if len(diffs) == 0 {
			diffs = []string{ExperimentFile + " (same keys, different text)"}
		}
	}
	if m, err := ReadManifest(dir); err == nil {
		if m.Runs != len(plan.Runs) {
			diffs = append(diffs, fmt.Sprintf("runs (%d on disk, %d now)", m.Runs, len(plan.Runs)))
		}
		if !slices.Equal(m.Axes, plan.Axes) {
			diffs = append(diffs, fmt.Sprintf("swept keys (%q on disk, %q now)", m.Axes, plan.Axes))
		}
		seeds := planSeeds(plan)
		if len(m.Seeds) > 0 && !slices.Equal(m.Seeds, seeds) && m.Selected == len(plan.Runs) {
			diffs = append(diffs, "seeds")
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return &UsageError{Msg: fmt.Sprintf("--resume: %v (remove %s to start afresh)", err, dir)}
	}
	if len(diffs) == 0 {
		return nil
	}
	return &UsageError{Msg: fmt.Sprintf("--resume: %s holds results of a different experiment; differing: %s (run without --resume, or with another -o, to start afresh)",
		dir, strings.Join(diffs, ", "))}
}

// planSeeds returns the distinct seeds of a plan's runs, in run order.
func planSeeds(plan *Plan) []uint64 {
	var out []uint64
	seen := map[uint64]bool{}
	for _, r := range plan.Runs {
		if !seen[r.Seed] {
			seen[r.Seed] = true
			out = append(out, r.Seed)
		}
	}
	return out
}

// diffTOML returns the sorted key paths whose values differ between two
// TOML documents; nil if either does not parse.
func diffTOML(a, b []byte) []string {
	var ma, mb map[string]any
	if _, err := toml.Decode(string(a), &ma); err != nil {
		return nil
	}
	if _, err := toml.Decode(string(b), &mb); err != nil {
		return nil
	}
	var out []string
	diffValues("", ma, mb, &out)
	sort.Strings(out)
	return out
}

func diffValues(key string, a, b any, out *[]string) {
	ma, aok := a.(map[string]any)
	mb, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range ma {
			keys[k] = true
		}
		for k := range mb {
			keys[k] = true
		}
		for k := range keys {
			sub := k
			if key != "" {
				sub = key + "." + k
			}
			diffValues(sub, ma[k], mb[k], out)
		}
		return
	}
	la, aok := a.([]map[string]any)
	lb, bok := b.([]map[string]any)
	if aok && bok && len(la) == len(lb) {
		for i := range la {
			diffValues(fmt.Sprintf("%s[%d]", key, i), la[i], lb[i], out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, key)
	}
}
