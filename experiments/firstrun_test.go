package experiments

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"weak"

	"github.com/byzsim/byzsim/results"
)

// TestFirstRunFillsCheckedWorld checks that the world that checking a plan
// assembled for its first run is the world that run runs, filled, and that
// the run's files are those of a world built for it from scratch: for a
// saturated workload (whose requests fill preloads) and a flood (whose
// burst fill reserves room for), with repetitions (only the first is
// assembled ahead).
func TestFirstRunFillsCheckedWorld(t *testing.T) {
	const head = "name = \"x\"\nduration = \"20s\"\nrepetitions = 2\n[protocol]\nname = \"diembft\"\nn = 4\nf = 1\n"
	for name, text := range map[string]string{
		"saturated": head + "[[workload]]\ntype = \"saturated\"\ncount = 40\ntimeout = \"20s\"\n",
		"flood":     head + "[[workload]]\ntype = \"flood\"\ncount = 20\ntimeout = \"20s\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			var dirs [2]string
			for i, keep := range []bool{true, false} {
				p, err := LoadBytes("x.toml", []byte(text), fullRegistry(), Options{})
				if err != nil {
					t.Fatal(err)
				}
				first := p.first.Load()
				if first == nil {
					t.Fatal("no world kept for the first run")
				}
				if !keep {
					p.first.Store(nil)
				}
				dirs[i] = t.TempDir()
				if _, err := Execute(context.Background(), p, RunOptions{Out: dirs[i], Jobs: 1}); err != nil {
					t.Fatal(err)
				}
				if p.first.Load() != nil {
					t.Error("the plan still holds the first run's world after Execute")
				}
				if ran := first.world.Stats().Events > 0; ran != keep {
					t.Errorf("kept %v: the assembled world ran: %v", keep, ran)
				}
			}
			compareTrees(t, dirs[0], dirs[1], "manifest.json", "perf.json")
		})
	}
}

// TestTakeFirst checks that a plan hands its first run's world only to that
// run, once, and never to a traced run, and gives it up either way.
func TestTakeFirst(t *testing.T) {
	load := func(extra string) *Plan {
		t.Helper()
		p, err := LoadBytes("x.toml", []byte("repetitions = 2\n[protocol]\nname = \"diembft\"\nn = 4\nf = 1\n"+extra), fullRegistry(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := load("")
	if in := p.takeFirst(&p.Runs[1]); in != nil {
		t.Error("the second run was given the first run's world")
	}
	if p.first.Load() != nil {
		t.Error("the plan kept the world after giving it up")
	}
	p = load("")
	if in := p.takeFirst(&p.Runs[0]); in == nil || in.run != &p.Runs[0] {
		t.Errorf("the first run was not given its world (%v)", in)
	}
	if in := p.takeFirst(&p.Runs[0]); in != nil {
		t.Error("the first run's world was given twice")
	}
	p = load("[output]\ntrace = true\n")
	if in := p.takeFirst(&p.Runs[0]); in != nil || p.first.Load() != nil {
		t.Error("a traced run was given a world built without its tracer")
	}
}

// compareTrees fails unless directories a and b hold the same files with the
// same contents, files named in skip aside.
func compareTrees(t *testing.T, a, b string, skip ...string) {
	t.Helper()
	files := func(root string) map[string][]byte {
		out := map[string][]byte{}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			for _, s := range skip {
				if d.Name() == s {
					return nil
				}
			}
			data, err := os.ReadFile(path)
			rel, _ := filepath.Rel(root, path)
			out[rel] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	fa, fb := files(a), files(b)
	if len(fa) != len(fb) || len(fa) == 0 {
		t.Errorf("%d files against %d", len(fa), len(fb))
	}
	for name, data := range fa {
		if other, ok := fb[name]; !ok || !bytes.Equal(data, other) {
			t.Errorf("%s differs", name)
		}
	}
}

// TestBeforeRuns checks that RunOptions.BeforeRuns is called once, with
// the output directory locked and before any run starts, and what it
// returns once every run ended; and not at all when Execute stops before
// the runs.
func TestBeforeRuns(t *testing.T) {
	p, err := LoadBytes("x.toml", []byte("name = \"x\"\nrepetitions = 3\n[protocol]\nname = \"diembft\"\nn = 4\nf = 1\n"), fullRegistry(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	out := t.TempDir()
	opt := RunOptions{Out: out, Jobs: 2,
		BeforeRuns: func() func() {
			if _, err := os.Stat(filepath.Join(out, "x", LockFile)); err != nil {
				events = append(events, "before without the lock")
			}
			events = append(events, "before")
			return func() { events = append(events, "after") }
		},
		OnRunDone: func(done, total int) { events = append(events, "run") },
	}
	if _, err := Execute(context.Background(), p, opt); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(events, " "); got != "before run run run after" {
		t.Errorf("events %q, want before, three runs, after", got)
	}
	events = nil
	opt.Only = []string{"9"}
	if _, err := Execute(context.Background(), p, opt); err == nil || len(events) != 0 {
		t.Errorf("an unknown --run: err %v, events %q; want an error and no call", err, events)
	}
}

// TestFirstWorldFreedAfterItsRun checks that the world checking assembled
// for the first run is let go once that run has ended, as every other
// run's is (the jobs' memory estimate counts one world a job): with one job
// and four repetitions it must be unreachable while the last runs.
func TestFirstWorldFreedAfterItsRun(t *testing.T) {
	const text = "name = \"x\"\nduration = \"5s\"\nrepetitions = 4\n[protocol]\nname = \"diembft\"\nn = 4\nf = 1\n" +
		"[[workload]]\ntype = \"saturated\"\ncount = 40\ntimeout = \"5s\"\n"
	p, err := LoadBytes("x.toml", []byte(text), fullRegistry(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := p.first.Load()
	if first == nil {
		t.Fatal("checking kept no world for the first run")
	}
	world := weak.Make(first)
	first = nil
	var asked, freed atomic.Bool
	_, err = Execute(context.Background(), p, RunOptions{Out: t.TempDir(), Jobs: 1, KeepLanes: 10,
		OnTimeline: func(id string, _ results.RunTimeline) {
			if id != "3" || asked.Swap(true) {
				return
			}
			for i := 0; i < 3 && world.Value() != nil; i++ {
				runtime.GC()
			}
			freed.Store(world.Value() == nil)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !asked.Load() {
		t.Fatal("the last run's timeline was never handed over")
	}
	if !freed.Load() {
		t.Error("the first run's world is still reachable while the last run runs")
	}
}
