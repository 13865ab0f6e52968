package experiments

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/byzsim/byzsim/results"
)

// ReadManifest reads dir/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseManifest(path, data)
}

// ParseManifest is ReadManifest of a manifest's content, data; path names
// it in errors.
func ParseManifest(path string, data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// MergeOptions control Merge.
type MergeOptions struct {
	// Partial writes the merged directory even when runs are missing; they
	// are listed in the manifest and the report.
	Partial bool
}

// MergeReport is what Merge did.
type MergeReport struct {
	// Dir is the merged output directory, out/<experiment>.
	Dir string
	// Runs counts the runs merged, Total those of the plan.
	Runs, Total int
	// Shards lists the shard directories merged (the arguments, or those
	// found under them).
	Shards []string
	// Missing lists the IDs of the runs no shard had.
	Missing []string
	// Failed lists the runs whose verdict is fail.
	Failed []string
}

// shard is one shard output directory read by Merge.
type shard struct {
	dir      string
	manifest *Manifest
	resolved []byte
	runs     []string // finished run IDs
}

// Merge joins the output directories of shards of one experiment (each
// written by byzsim run --shard i/n, or any runs of the same plan) into
// out/<experiment>: it copies every finished run, then rebuilds runs.csv,
// points.csv, the plots and a merged manifest.json. A shard directory is
// the experiment directory (holding manifest.json) or an output root
// holding exactly one. The shards must come from the same experiment text
// with the same overrides (same config hash and experiment.toml), hold
// disjoint runs, and together every run of the plan, unless opt.Partial.
// Problems with the input are *UsageError (exit status 2).
func Merge(out string, dirs []string, opt MergeOptions) (*MergeReport, error) {
	if len(dirs) == 0 {
		return nil, &UsageError{Msg: "byzsim merge: want at least one shard directory"}
	}
	var shards []*shard
	for _, arg := range dirs {
		found, err := findShards(arg, out)
		if err != nil {
			return nil, err
		}
		for _, d := range found {
			s, err := readShard(d)
			if err != nil {
				return nil, err
			}
			shards = append(shards, s)
		}
	}
	first := shards[0]
	m0 := first.manifest
	for _, s := range shards[1:] {
		m := s.manifest
		switch {
		case m.Experiment != m0.Experiment:
			return nil, mergeErrorf("%s is experiment %q, %s is %q: merge shards of one experiment", s.dir, m.Experiment, first.dir, m0.Experiment)
		case m.ConfigHash != m0.ConfigHash:
			return nil, mergeErrorf("%s: config hash %.12s differs from %s's %.12s: the shards ran different experiment files", s.dir, m.ConfigHash, first.dir, m0.ConfigHash)
		case !slices.Equal(s.resolved, first.resolved):
			return nil, mergeErrorf("%s: %s differs from %s's: the shards ran with different --set or --seed", s.dir, ExperimentFile, first.dir)
		case m.Runs != m0.Runs || !slices.Equal(m.Axes, m0.Axes):
			return nil, mergeErrorf("%s: a plan of %d runs over %q, %s one of %d runs over %q", s.dir, m.Runs, m.Axes, first.dir, m0.Runs, m0.Axes)
		}
	}
	// Every run once, each from the shard that has it.
	owner := map[string]*shard{}
	var ids []string
	for _, s := range shards {
		for _, id := range s.runs {
			idx, err := strconv.Atoi(id)
			if err != nil || idx < 0 || idx >= m0.Runs {
				return nil, mergeErrorf("%s: runs/%s is not a run of this plan (its runs are 0 to %d)", s.dir, id, m0.Runs-1)
			}
			if o, ok := owner[id]; ok {
				return nil, mergeErrorf("run %s is in both %s and %s: shards must be disjoint (different --shard i of one n)", id, o.dir, s.dir)
			}
			owner[id] = s
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return compareIDs(a, b) })
	rep := &MergeReport{Runs: len(ids), Total: m0.Runs}
	for _, s := range shards {
		rep.Shards = append(rep.Shards, s.dir)
	}
	width := len(strconv.Itoa(max(m0.Runs-1, 0)))
	if len(ids) > 0 {
		width = len(ids[0])
	}
	for i := 0; i < m0.Runs; i++ {
		id := fmt.Sprintf("%0*d", width, i)
		if _, ok := owner[id]; !ok {
			rep.Missing = append(rep.Missing, id)
		}
	}
	if len(rep.Missing) > 0 && !opt.Partial {
		return rep, mergeErrorf("%d of %d runs are in no shard: %s (run them with byzsim run --run ID, or merge anyway with --partial)",
			len(rep.Missing), m0.Runs, idRanges(rep.Missing))
	}
	dir, err := results.SafeJoin(out, m0.Experiment)
	if err != nil {
		return nil, mergeErrorf("%s: experiment name %q in %s: %v", first.dir, m0.Experiment, ManifestFile, err)
	}
	rep.Dir = dir
	for _, s := range shards {
		if same, _ := results.SameDir(s.dir, dir); same {
			return nil, mergeErrorf("%s is also the merged directory: merge into another output directory", s.dir)
		}
	}
	if entries, err := os.ReadDir(filepath.Join(dir, RunsDir)); err == nil && len(entries) > 0 {
		return nil, mergeErrorf("%s already holds runs: merge into an empty output directory", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, RunsDir), 0o755); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, ExperimentFile), first.resolved); err != nil {
		return nil, err
	}
	table := results.RunsTable{Params: m0.Axes}
	merged := *m0
	merged.Selected, merged.Shard = len(ids), ""
	merged.Seeds, merged.Failed, merged.Merged, merged.Missing = []uint64{}, []string{}, nil, rep.Missing
	merged.WallSecs, merged.Events = 0, 0
	merged.Complete = len(rep.Missing) == 0
	seen := map[uint64]bool{}
	for _, id := range ids {
		src := filepath.Join(owner[id].dir, RunsDir, id)
		dst, err := results.SafeJoin(dir, RunsDir, id)
		if err != nil {
			return nil, mergeErrorf("%v", err)
		}
		if err := copyRun(src, dst); err != nil {
			return nil, fmt.Errorf("merge: run %s: %w", id, err)
		}
		s, err := results.ReadSummary(filepath.Join(dst, results.SummaryFile))
		if err != nil {
			return nil, err
		}
		if len(table.Rows) == 0 {
			table.Metrics = results.MetricNames(s)
		}
		table.Rows = append(table.Rows, results.RowOf(s, m0.Axes, table.Metrics))
		if !seen[s.Seed] {
			seen[s.Seed] = true
			merged.Seeds = append(merged.Seeds, s.Seed)
		}
		if s.Verdict != results.VerdictPass {
			merged.Failed = append(merged.Failed, id)
		}
	}
	rep.Failed = merged.Failed
	if err := results.WriteRunsAndPoints(dir, table, 0); err != nil {
		return nil, err
	}
	if err := DrawPlots(dir, m0.Plotting, nil); err != nil {
		return nil, err
	}
	for _, s := range shards {
		merged.Merged = append(merged.Merged, s.dir)
		merged.WallSecs += s.manifest.WallSecs
		merged.Events += s.manifest.Events
	}
	merged.EventsPerS = 0
	if merged.WallSecs > 0 {
		merged.EventsPerS = float64(merged.Events) / merged.WallSecs
	}
	merged.Finished = time.Now().UTC().Format(time.RFC3339)
	data, err := json.MarshalIndent(merged, "", "  ")
	if err != nil {
		return nil, err
	}
	return rep, results.WriteFileAtomic(filepath.Join(dir, ManifestFile), append(data, '\n'))
}

// findShards returns the experiment directories a merge argument names:
//
//   - an experiment directory (it holds manifest.json): itself;
//   - an output root holding one experiment directory (shards/0 holding
//     shards/0/<experiment>): that directory;
//   - a parent of shard directories (shards, holding shards/0/<experiment>,
//     shards/1/<experiment>, ...; or several experiment directories): every
//     one of them, in name order.
//
// Directories whose names start with a dot, and the merge's own output
// directory out, are skipped.
func findShards(arg, out string) ([]string, error) {
	if fileExists(filepath.Join(arg, ManifestFile)) {
		return []string{arg}, nil
	}
	subdirs, err := listDirs(arg)
	if err != nil {
		return nil, mergeErrorf("%s: %v", arg, unwrapPath(err))
	}
	var depth1 []string
	for _, d := range subdirs {
		if fileExists(filepath.Join(d, ManifestFile)) {
			depth1 = append(depth1, d)
		}
	}
	if len(depth1) > 0 {
		return depth1, nil
	}
	var depth2 []string
	for _, d := range subdirs {
		if same, _ := results.SameDir(d, out); same {
			continue
		}
		inner, err := listDirs(d)
		if err != nil {
			return nil, mergeErrorf("%s: %v", d, unwrapPath(err))
		}
		for _, e := range inner {
			if fileExists(filepath.Join(e, ManifestFile)) {
				depth2 = append(depth2, e)
			}
		}
	}
	if len(depth2) == 0 {
		return nil, mergeErrorf("%s: no %s here, in its subdirectories or in theirs: give the directory byzsim run wrote (OUT/<experiment>), its output root OUT, or the parent of the shards' output roots", arg, ManifestFile)
	}
	return depth2, nil
}

// listDirs returns the subdirectories of dir whose names do not start with
// a dot, in name order.
func listDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// readShard reads an experiment directory written by one shard.
func readShard(dir string) (*shard, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, mergeErrorf("%s: cannot read %s: %v", dir, ManifestFile, unwrapPath(err))
	}
	resolved, err := os.ReadFile(filepath.Join(dir, ExperimentFile))
	if err != nil {
		return nil, mergeErrorf("%s: cannot read %s: %v", dir, ExperimentFile, unwrapPath(err))
	}
	s := &shard{dir: dir, manifest: m, resolved: resolved}
	entries, err := os.ReadDir(filepath.Join(dir, RunsDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, mergeErrorf("%s: %v", dir, unwrapPath(err))
	}
	for _, e := range entries {
		if e.IsDir() && fileExists(filepath.Join(dir, RunsDir, e.Name(), results.SummaryFile)) {
			s.runs = append(s.runs, e.Name())
		}
	}
	return s, nil
}

// copyRun copies a run directory's files (not its subdirectories), summary.json
// last.
func copyRun(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != results.SummaryFile {
			names = append(names, e.Name())
		}
	}
	names = append(names, results.SummaryFile)
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			return err
		}
		if err := results.WriteFileAtomic(filepath.Join(dst, n), data); err != nil {
			return err
		}
	}
	return nil
}

// compareIDs orders run IDs by their index.
func compareIDs(a, b string) int {
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return x - y
}

// idRanges writes sorted run IDs compactly: "03-07, 12".
func idRanges(ids []string) string {
	var parts []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && compareIDs(ids[j+1], ids[j]) == 1 {
			j++
		}
		if j == i {
			parts = append(parts, ids[i])
		} else {
			parts = append(parts, ids[i]+"-"+ids[j])
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

func mergeErrorf(format string, args ...any) error {
	return &UsageError{Msg: "byzsim merge: " + fmt.Sprintf(format, args...)}
}
