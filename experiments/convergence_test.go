package experiments

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/failures"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

func convergenceRegistry() *protocols.Registry {
	return protocols.NewRegistry(bftlist.Protocol(), diembft.Protocol())
}

// transientExperiment is an n = 6, f = 1 system under closed-loop load with
// one [[transient]] table (given as TOML lines) at 5 s.
func transientExperiment(proto string, reps int, transient string) string {
	return fmt.Sprintf(`name = "t"
seed = 7
duration = "40s"
repetitions = %d
[protocol]
name = %q
n = 6
f = 1
[network.delay]
type = "uniform"
min = "1ms"
max = "5ms"
[[workload]]
type = "closed_loop"
outstanding = 1
count = 100000
clients = 4
timeout = "1000s"
retransmit_after = "1s"
[[transient]]
at = "5s"
%s
[convergence]
hold = "3s"
stop = true
[checks]
liveness = false
[stop]
when_done = false
`, reps, proto, transient)
}

// runOne runs one run of a plan in memory and returns its summary input.
func runOne(t *testing.T, r *Run, reg *protocols.Registry) results.RunInput {
	t.Helper()
	in, err := build(r, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ended := in.world.Run(r.Exp.Duration.T())
	return in.summaryInput(ended)
}

// TestBFTListConvergesAfterCorruption sets the whole state of replicas
// drawn from the seed — every module, the data links and the timers — to
// arbitrary type-correct values, and requires convergence in every one of
// 20 seeds with two corrupted replicas, and in three seeds each for 1 … n
// corrupted replicas (n = 6).
func TestBFTListConvergesAfterCorruption(t *testing.T) {
	if testing.Short() {
		t.Skip("38 runs")
	}
	reg := convergenceRegistry()
	// 20 runs with two corrupted replicas, then 1 … n replicas, three
	// runs each, from seeds of their own.
	type corruption struct{ reps, replicas, seed int }
	cases := []corruption{{20, 2, 7}}
	for k := 1; k <= 6; k++ {
		cases = append(cases, corruption{3, k, 100 + k})
	}
	for _, c := range cases {
		text := strings.Replace(transientExperiment("bftlist", c.reps, fmt.Sprintf("random = %d", c.replicas)), "seed = 7", fmt.Sprintf("seed = %d", c.seed), 1)
		plan, err := LoadBytes("t.toml", []byte(text), reg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range plan.Runs {
			r := &plan.Runs[i]
			ri := runOne(t, r, reg)
			if ri.Converged == nil || !*ri.Converged || ri.Convergence == nil {
				t.Errorf("%d replicas: seed %d: did not converge by %v", c.replicas, r.Seed, ri.End)
				continue
			}
			if ri.Transient == nil || ri.Transient.Occurrences != 1 || ri.Transient.Replicas != c.replicas {
				t.Errorf("%d replicas: seed %d: transient summary %+v, want one occurrence on %d replicas", c.replicas, r.Seed, ri.Transient, c.replicas)
			}
			if *ri.Convergence < 0 || *ri.Convergence > 30*sim.Second {
				t.Errorf("%d replicas: seed %d: convergence time %v out of range", c.replicas, r.Seed, *ri.Convergence)
			}
		}
	}
}

// TestDiemBFTStallDetected sets every replica's highest_vote_round far in
// the future: no correct replica votes again, nothing commits, and the run
// is reported as not converged, with no convergence time.
func TestDiemBFTStallDetected(t *testing.T) {
	reg := convergenceRegistry()
	plan, err := LoadBytes("t.toml", []byte(transientExperiment("diembft", 1, `replicas = "all"
values = { highest_vote_round = 1000000 }`)), reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ri := runOne(t, &plan.Runs[0], reg)
	if ri.Converged == nil || *ri.Converged || ri.Convergence != nil {
		t.Fatalf("converged = %v, convergence %v; want not converged and no time", ri.Converged, ri.Convergence)
	}
	before := ri.Latency.Total()
	if before == 0 {
		t.Fatal("nothing completed before the fault")
	}
	// The same system without the fault converges (from time 0).
	plan, err = LoadBytes("t.toml", []byte(strings.Replace(transientExperiment("diembft", 1, `replicas = "all"
scope = ["timers"]`), "stop = true", "stop = true\nmeasure = true", 1)), reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ri := runOne(t, &plan.Runs[0], reg); ri.Converged == nil || !*ri.Converged {
		t.Fatalf("timers-only corruption: converged = %v, want true", ri.Converged)
	}
}

// TestConvergenceCheckFails: [checks] convergence = true turns a run that
// did not converge into a failed run.
func TestConvergenceCheckFails(t *testing.T) {
	reg := convergenceRegistry()
	text := strings.Replace(transientExperiment("diembft", 1, `replicas = "all"
values = { highest_vote_round = 1000000 }`), "liveness = false\n", "liveness = false\nconvergence = true\n", 1)
	plan, err := LoadBytes("t.toml", []byte(text), reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ri := runOne(t, &plan.Runs[0], reg)
	var conv *results.Check
	for i := range ri.Checks {
		if ri.Checks[i].Name == "convergence" {
			conv = &ri.Checks[i]
		}
	}
	if conv == nil || conv.OK {
		t.Fatalf("convergence check %+v, want a failed check", conv)
	}
}

// TestTransientRunsDeterministic runs a sweep with recurring faults,
// messages in transit and clock offsets twice: every output but the
// wall-clock files is byte-identical.
func TestTransientRunsDeterministic(t *testing.T) {
	reg := convergenceRegistry()
	text := strings.Replace(transientExperiment("bftlist", 2, `every = "2s"
until = "9s"
random = 2
scope = ["ve", "timers"]
clock = "1s"
messages = { action = "corrupt", prob = 0.5 }`), `duration = "40s"`, `duration = "15s"`, 1) + `[output]
plots = false
[sweep]
"protocol.name" = ["bftlist", "diembft"]
`
	text = strings.Replace(text, `scope = ["ve", "timers"]`, `timers = true`, 1)
	var trees []map[string]string
	for range 2 {
		plan, err := LoadBytes("t.toml", []byte(text), reg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := Execute(t.Context(), plan, RunOptions{Out: dir, Jobs: 2}); err != nil {
			t.Fatal(err)
		}
		trees = append(trees, readDir(t, filepath.Join(dir, "t")))
	}
	if len(trees[0]) == 0 {
		t.Fatal("no output")
	}
	for name, data := range trees[0] {
		if trees[1][name] != data {
			t.Errorf("%s differs between two runs", name)
		}
	}
	s := trees[0][filepath.Join("runs", "0", results.SummaryFile)]
	for _, want := range []string{`"occurrences": 3`, `"transient replica`, `"converged"`} {
		if !strings.Contains(s, want) {
			t.Errorf("summary.json lacks %s", want)
		}
	}
}

// readDir returns the files below dir, but manifest.json and perf.json.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == ManifestFile || d.Name() == results.PerfFile {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestProtocolSweepPairsSeeds: runs that differ only in the protocol share
// their seed, so they draw the same corrupted replicas at the same times
// and the same link delays.
func TestProtocolSweepPairsSeeds(t *testing.T) {
	reg := convergenceRegistry()
	text := transientExperiment("bftlist", 3, "random = 2") + `[sweep]
"protocol.name" = ["bftlist", "diembft"]
`
	plan, err := LoadBytes("t.toml", []byte(text), reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	byRep := map[int][]*Run{}
	for i := range plan.Runs {
		r := &plan.Runs[i]
		byRep[r.Repetition] = append(byRep[r.Repetition], r)
	}
	for rep, runs := range byRep {
		if len(runs) != 2 || runs[0].Exp.Protocol.Name == runs[1].Exp.Protocol.Name {
			t.Fatalf("repetition %d: runs %v, want one per protocol", rep, runs)
		}
		if runs[0].Seed != runs[1].Seed {
			t.Errorf("repetition %d: seeds %d and %d differ", rep, runs[0].Seed, runs[1].Seed)
		}
		var marks [2][]failures.Marker
		var delays [2][]sim.Time
		for k, r := range runs {
			in, err := build(r, reg, nil)
			if err != nil {
				t.Fatal(err)
			}
			marks[k] = failures.TransientMarkers(in.res.transients, r.Seed, 6, r.Exp.Duration.T())
			// The first draws of a link's stream are the same whatever
			// the protocol sends.
			link := sim.Stream(r.Seed, "link", 1, 2)
			d := buildDist(&problems{}, "", &r.Exp.Network.Delay)
			for range 5 {
				delays[k] = append(delays[k], d.Sample(link))
			}
		}
		if !slices.Equal(marks[0], marks[1]) || len(marks[0]) != 1 {
			t.Errorf("repetition %d: fault markers %v and %v differ", rep, marks[0], marks[1])
		}
		if !slices.Equal(delays[0], delays[1]) {
			t.Errorf("repetition %d: link delays differ", rep)
		}
	}
}

// TestBFTListNewPrimaryAhead is the regression of fix 19 in
// docs/bftlist.md: run 002 of convergence/vs-corrupted.toml and run 02 of
// convergence/vs-n.toml (one corrupted replica) change view while the new
// primary has executed one request more than the others. The others
// rejected its state (not a prefix of n−2f states) and never converged;
// accepting it, the new primary then numbered a new request at a height
// where a request of the old view was committed. Each run must converge
// with no safety violation after the fault; so must BFTList's run of
// convergence/throughput.toml.
func TestBFTListNewPrimaryAhead(t *testing.T) {
	reg := convergenceRegistry()
	for _, c := range []struct{ file, run string }{
		{"convergence/vs-corrupted.toml", "002"},
		{"convergence/vs-n.toml", "02"},
		// Two corrupted replicas; a first version of fix 20, which never
		// prepared a pair of an older primary, left this run stuck
		// behind such a pair after the fault.
		{"convergence/throughput.toml", "0"},
	} {
		plan, err := Load(c.file, reg, Options{Sets: []string{"checks.transient_safety=true"}})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(plan.Runs, func(r Run) bool { return r.ID == c.run })
		if i < 0 {
			t.Fatalf("%s: no run %s", c.file, c.run)
		}
		ri := runOne(t, &plan.Runs[i], reg)
		if ri.Converged == nil || !*ri.Converged {
			t.Errorf("%s run %s: did not converge by %v", c.file, c.run, ri.End)
		}
		for _, ch := range ri.Checks {
			if !ch.OK {
				t.Errorf("%s run %s: %s: %s", c.file, c.run, ch.Name, ch.Detail)
			}
		}
	}
}

// TestBFTListOldViewPairNotPrepared is the regression of fix 20 in
// docs/bftlist.md: run 11 of convergence/cdf.toml with back-to-back loops
// (BFTList only). After the view change to 1 the new primary's req_q
// still held two PRE_PREP-only pairs of view 0 under the numbers it then
// gave two other requests; every replica adopted it and prepared both, and
// replica 4 executed view 0's pairs at heights 133 and 134 where the
// others executed view 1's. No safety violation may follow the fault.
func TestBFTListOldViewPairNotPrepared(t *testing.T) {
	reg := convergenceRegistry()
	data, err := os.ReadFile("convergence/cdf.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), `"protocol.name" = ["bftlist", "diembft"]`, "", 1)
	text = strings.Replace(text, "[protocol]\n", "[protocol]\nparams = { loop_mode = \"back_to_back\" }\n", 1)
	plan, err := LoadBytes("cdf.toml", []byte(text), reg, Options{Sets: []string{"checks.transient_safety=true"}})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(plan.Runs, func(r Run) bool { return r.ID == "11" })
	if i < 0 || len(plan.Runs) != 30 {
		t.Fatalf("%d runs, run 11 at %d; want the 30 BFTList runs", len(plan.Runs), i)
	}
	ri := runOne(t, &plan.Runs[i], reg)
	for _, ch := range ri.Checks {
		if !ch.OK {
			t.Errorf("%s: %s", ch.Name, ch.Detail)
		}
	}
}
