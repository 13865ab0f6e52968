package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/live"
	"github.com/byzsim/byzsim/results"
)

// TestLiveProcesses runs DiemBFT as four byzsim node processes, kills one
// mid-run (a crash) and starts it again (a recovery with a fresh state):
// the others keep committing, the restarted one catches up, and the run
// passes its checks.
func TestLiveProcesses(t *testing.T) {
	bin := byzsimBinary(t)
	file := "experiments/testdata/live-processes.toml"
	plan, err := experiments.Load(file, registry(), experiments.Options{Sets: []string{"costs.real_crypto=true"}})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	dir := filepath.Join(out, plan.Base.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	committed := func(rest string) int {
		resp, err := client.Get("http://" + rest + "/state")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st live.State
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		return st.Committed
	}
	// waitFor polls until ok holds, for at most a minute.
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting until %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	const victim = 3
	hooked := false
	opt := &experiments.LiveOptions{FreePorts: true, Processes: &experiments.Processes{
		Dir: dir, Experiment: file, Spawn: spawnNode(bin, dir),
	}}
	opt.OnStart = func(r experiments.LiveRun) func() {
		hooked = true
		rest := r.RESTAddrs
		waitFor("replica 3 committed 5 entries", func() bool { return committed(rest[victim]) >= 5 })
		r.Kill(victim)
		before := make([]int, r.N)
		for id := range r.N {
			if id != victim {
				before[id] = committed(rest[id])
			}
		}
		for id := range r.N {
			if id != victim {
				waitFor("the others commit 10 more entries with replica 3 down", func() bool { return committed(rest[id]) >= before[id]+10 })
			}
		}
		if err := r.Restart(victim); err != nil {
			t.Fatal(err)
		}
		target := committed(rest[0])
		waitFor("the restarted replica catches up", func() bool { return committed(rest[victim]) >= target })
		return nil
	}
	rep, err := experiments.Execute(context.Background(), plan, experiments.RunOptions{Out: out, Live: opt})
	if err != nil {
		t.Fatal(err)
	}
	if !hooked {
		t.Fatal("the run never started")
	}
	if len(rep.Failures) > 0 {
		t.Fatalf("the run failed its checks: %+v", rep.Failures[0].Checks)
	}
	s, err := results.ReadSummary(filepath.Join(rep.Dir, experiments.RunsDir, plan.Runs[0].ID, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if s.RequestsCompleted != 600 {
		t.Errorf("%d requests completed, want 600", s.RequestsCompleted)
	}
}
