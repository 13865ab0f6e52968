package report

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/protocols/hotstuff"
	"github.com/byzsim/byzsim/results"
)

// TestReportFromMemory checks that the report drawn with the timeline
// lanes byzsim run keeps in memory is byte for byte the report read from
// the output directory's files: crashes and partitions, Byzantine
// behaviour, more replicas than lanes, sweeps of more runs than the report
// shows, failed runs.
func TestReportFromMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("runs several experiments")
	}
	reg := protocols.NewRegistry(bftlist.Protocol(), diembft.Protocol(), hotstuff.Protocol())
	for _, c := range []struct {
		name, file string
		sets       []string
		shards     int // the report of shard 1 of them; 0 runs all
		keep       int // lanes kept; 0 keeps MaxTimelines
	}{
		{"default", "../experiments/default.toml", nil, 0, 0},
		{"faulty dropouts", "../experiments/diembft/faulty_dropouts.toml", nil, 0, 0},
		{"bftlist byzantine", "../experiments/bftlist/ve_byz_forcing_reset.toml", nil, 0, 0},
		{"more replicas than lanes", "../experiments/bench/peer-256.toml", []string{"protocol.n=100", "protocol.f=33", "stop.commits=20"}, 0, 0},
		// 30 runs over 3 points, some of them failing their checks (a
		// liveness target out of reach): the kept lanes cover some of the
		// shown runs, the others are read from files.
		{"sweep", "", nil, 0, 0},
		// A shard: the report notes that it holds some of the runs.
		{"a shard of the sweep", "", nil, 4, 0},
		// Ten runs shown, the last one's lanes not kept: the report reads its files,
		// which must be in place before the report (no sweep plots: they
		// would be drawn after the runs' files are in place).
		{"one run's lanes kept", "", []string{"output.sweep_plots=false"}, 3, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.file == "" {
				c.file = filepath.Join(t.TempDir(), "sweep.toml")
				if err := os.WriteFile(c.file, []byte(sweepTOML), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			plan, err := experiments.Load(c.file, reg, experiments.Options{Sets: c.sets})
			if err != nil {
				t.Fatal(err)
			}
			// As byzsim run does: timelines drawn ahead, report.html
			// written with the final files.
			var drawn Timelines
			report := func(f experiments.Final) (string, func(io.Writer) error, error) {
				write, err := Prepare(f.Dir, Memory{Lanes: f.Lanes, Drawn: &drawn, Runs: &f.Runs, Manifest: f.Manifest, Summaries: f.Summaries, Plots: f.Plots})
				return File, write, err
			}
			keep, jobs := MaxTimelines, 2
			if c.keep > 0 {
				keep, jobs = c.keep, 1 // the last run in plan order ends last
			}
			rep, err := experiments.Execute(context.Background(), plan, experiments.RunOptions{Out: t.TempDir(), Jobs: jobs,
				KeepLanes: keep, OnTimeline: drawn.Start, Report: report, Shard: 1, Shards: c.shards})
			if err != nil || rep.ReportErr != nil {
				t.Fatal(err, rep.ReportErr)
			}
			if c.file == "" && (len(rep.Failures) == 0 || len(rep.Failures) == rep.Ran) {
				t.Fatalf("%d of %d runs failed, want some", len(rep.Failures), rep.Ran)
			}
			if len(rep.Lanes) == 0 || len(rep.Lanes) > keep {
				t.Fatalf("%d runs' lanes kept of %d runs, want 1 to %d", len(rep.Lanes), rep.Ran, keep)
			}
			fromFiles, err := Build(rep.Dir)
			if err != nil {
				t.Fatal(err)
			}
			fromMemory, err := BuildFrom(rep.Dir, Memory{Lanes: rep.Lanes})
			if err != nil {
				t.Fatal(err)
			}
			sameReport(t, "from memory", fromMemory, fromFiles)
			// Every kept run's timeline was drawn ahead, as the report
			// would draw it from the files.
			for id, l := range rep.Lanes {
				rd := filepath.Join(rep.Dir, "runs", id)
				s, err := results.ReadSummary(filepath.Join(rd, results.SummaryFile))
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := drawn.svg(id, results.RunTimelineOf(rd, s, l)); !ok {
					t.Errorf("run %s: no timeline drawn ahead, or not the one of its files", id)
				}
			}
			withDrawn, err := BuildFrom(rep.Dir, Memory{Lanes: rep.Lanes, Drawn: &drawn})
			if err != nil {
				t.Fatal(err)
			}
			sameReport(t, "with the timelines drawn ahead", withDrawn, fromFiles)
			written, err := os.ReadFile(filepath.Join(rep.Dir, File))
			if err != nil {
				t.Fatal(err)
			}
			sameReport(t, "written with the final files", written, fromFiles)
			if !bytes.Contains(fromFiles, []byte("Timeline of run")) {
				t.Error("the report draws no timeline")
			}
			if partial := bytes.Contains(fromFiles, []byte("This directory holds")); partial != (c.shards > 1) {
				t.Errorf("the report notes a partial directory: %t, want %t", partial, c.shards > 1)
			}
			// The page with its figures written between the template's
			// parts is the template's own output.
			p, err := buildPage(rep.Dir, Memory{})
			if err != nil {
				t.Fatal(err)
			}
			var direct bytes.Buffer
			if err := pageTemplate().Execute(&direct, p); err != nil {
				t.Fatal(err)
			}
			sameReport(t, "with its figures spliced in", fromFiles, direct.Bytes())
		})
	}
}

// sameReport fails t if got differs from the report from the files, want.
func sameReport(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < min(len(got), len(want)) && got[i] == want[i] {
		i++
	}
	t.Errorf("the report %s differs from the report from files at byte %d of %d: %q", what, i, len(want), got[i:min(i+80, len(got))])
}

// sweepTOML is a sweep of 3 points, 10 repetitions each, of which the
// runs of 1 s fail their liveness check.
const sweepTOML = `name = "sweep"
seed = 7
repetitions = 10

[protocol]
name = "diembft"
n = 4
f = 1

[network.delay]
type = "uniform"
min = "20ms"
max = "60ms"

[[workload]]
name = "clients"
type = "open_loop"
rate = 25.0
count = 50
clients = 2
timeout = "8s"

[output]
plots = false

[sweep]
duration = ["1s", "8s", "10s"]
`
