package experiments

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/results"
)

// TestLiveRun runs each protocol live on loopback (n = 4, 50 requests) and
// checks that the run passes safety and liveness and writes the files, with
// the same columns, of a simulated run.
func TestLiveRun(t *testing.T) {
	if testing.Short() {
		t.Skip("live runs use real time")
	}
	reg := protocols.NewRegistry(diembft.Protocol(), bftlist.Protocol())
	for _, name := range []string{"diembft", "bftlist"} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join("testdata", "live-"+name+".toml")
			opts := Options{Sets: []string{"costs.real_crypto=true"}}
			plan, err := Load(file, reg, opts)
			if err != nil {
				t.Fatal(err)
			}
			liveOut, simOut := t.TempDir(), t.TempDir()
			rep, err := Execute(context.Background(), plan, RunOptions{Out: liveOut, Live: &LiveOptions{FreePorts: true}})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) > 0 {
				t.Fatalf("live run failed its checks: %+v", rep.Failures[0].Checks)
			}
			run := plan.Runs[0].ID
			liveDir := filepath.Join(rep.Dir, RunsDir, run)
			s, err := results.ReadSummary(filepath.Join(liveDir, results.SummaryFile))
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, c := range s.Checks {
				names[c.Name] = c.OK
			}
			if !names["safety"] || !names["liveness"] {
				t.Fatalf("checks %+v: want safety and liveness passed", s.Checks)
			}
			latency := readCSV(t, filepath.Join(liveDir, results.LatencyFile))
			if got := len(latency) - 1; got != 50 {
				t.Errorf("latency.csv has %d requests, want 50", got)
			}
			plan2, err := Load(file, reg, opts)
			if err != nil {
				t.Fatal(err)
			}
			rep2, err := Execute(context.Background(), plan2, RunOptions{Out: simOut})
			if err != nil {
				t.Fatal(err)
			}
			simDir := filepath.Join(rep2.Dir, RunsDir, run)
			if got, want := listFiles(t, liveDir), listFiles(t, simDir); !reflect.DeepEqual(got, want) {
				t.Errorf("live run wrote %v, simulated run %v", got, want)
			}
			for _, f := range []string{results.LatencyFile, results.TimelineFile, results.MessagesFile} {
				got, want := readCSV(t, filepath.Join(liveDir, f))[0], readCSV(t, filepath.Join(simDir, f))[0]
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: live columns %v, simulated %v", f, got, want)
				}
			}
		})
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s is empty", path)
	}
	return rows
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// TestLiveSchedule runs a crash and recovery, a partition and a behaviour
// switch on live nodes through failures.Schedule: the run passes, and the
// messages dropped (the experiment has no loss) show that the crash and
// the partition acted.
func TestLiveSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("live runs use real time")
	}
	reg := protocols.NewRegistry(diembft.Protocol())
	plan, err := Load("testdata/live-schedule.toml", reg, Options{Sets: []string{"costs.real_crypto=true"}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Execute(context.Background(), plan, RunOptions{Out: t.TempDir(), Live: &LiveOptions{FreePorts: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) > 0 {
		t.Fatalf("live run failed its checks: %+v", rep.Failures[0].Checks)
	}
	s, err := results.ReadSummary(filepath.Join(rep.Dir, RunsDir, plan.Runs[0].ID, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if s.Dropped == 0 {
		t.Error("no message was dropped: the crash and the partition did not act")
	}
	var labels []string
	for _, m := range s.Markers {
		labels = append(labels, m.Label)
	}
	for _, want := range []string{"crash replica1", "recover replica1", "heal", "behaviour replica3 silent"} {
		if !slices.Contains(labels, want) {
			t.Errorf("markers %v lack %q", labels, want)
		}
	}
}
