package experiments

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/sim"
)

// fullRegistry holds every protocol byzsim ships.
func fullRegistry() *protocols.Registry {
	return protocols.NewRegistry(bftlist.Protocol(), diembft.Protocol(), prototest.Protocol())
}

// FuzzLoadAndRun feeds arbitrary text to the loader and runs what it
// accepts, each run with a small event budget: an accepted experiment must
// start and run without error, so that validation, not the run, rejects
// what cannot run.
func FuzzLoadAndRun(f *testing.F) {
	for _, pattern := range []string{"testdata/*.toml", "testdata/bad/*.toml", "*.toml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("[protocol]\nname = \"bftlist\"\nn = 6\nf = 1\n[protocol.params]\nve_interval = \"1ns\"\n"))
	f.Add([]byte("[protocol]\nname = \"diembft\"\nn = 4\nf = 1\n[network]\nbandwidth = 1.0\n[[workload]]\ntype = \"flood\"\ncount = 3\ntimeout = \"1s\"\n"))
	reg := fullRegistry()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := LoadBytes("fuzz.toml", data, reg, Options{Memory: 1 << 30})
		if err != nil {
			if !IsInput(err) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		dir := t.TempDir()
		for i := range p.Runs[:min(len(p.Runs), 2)] {
			r := p.Runs[i]
			exp := *r.Exp
			exp.Stop.Events = 20000
			exp.Output.Trace = false
			off := false
			exp.Output.Plots = &off
			r.Exp = &exp
			deadline := time.Now().Add(20 * time.Second)
			poll := func(sim.Time, uint64) bool { return time.Now().Before(deadline) }
			_, _, err := commitRun(&r, reg, filepath.Join(dir, r.ID), poll)
			if err != nil && !errors.Is(err, errInterrupted) {
				t.Fatalf("an accepted experiment fails at run time: %v\n%s", err, data)
			}
		}
	})
}

// TestMemoryEstimateRefused checks that a run estimated to need more
// memory than available is refused, naming --force, and accepted with it.
func TestMemoryEstimateRefused(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the forced build allocates more than a 32-bit address space holds")
	}
	text := []byte("[protocol]\nname = \"relay\"\nn = 4\nf = 1\n[[workload]]\ntype = \"flood\"\ncount = 10000000\nclients = 5\ntimeout = \"10s\"\n")
	_, err := LoadBytes("mem.toml", text, testRegistry(), Options{Memory: 1 << 30})
	if err == nil || !IsInput(err) || !strings.Contains(err.Error(), "mem.toml:5: workload: a run needs about") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("err = %v, want a located refusal naming --force", err)
	}
	if _, err := LoadBytes("mem.toml", text, testRegistry(), Options{Memory: 1 << 30, Force: true}); err != nil {
		t.Fatalf("with Force: %v", err)
	}
	if _, err := LoadBytes("mem.toml", text, testRegistry(), Options{Memory: 1 << 40}); err != nil {
		t.Fatalf("with enough memory: %v", err)
	}
}

// TestEventBudget checks that stop.events ends a run after that many
// events, deterministically.
func TestEventBudget(t *testing.T) {
	text := []byte("duration = \"100000h\"\n[protocol]\nname = \"relay\"\nn = 4\nf = 1\n[[workload]]\ntype = \"open_loop\"\nrate = 100.0\ncount = 1000000\ntimeout = \"100000h\"\n[stop]\nwhen_done = false\nevents = 5000\n")
	p, err := LoadBytes("budget.toml", text, testRegistry(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Unbounded(); len(w) != 0 {
		t.Errorf("a run with an event budget is called unbounded: %v", w)
	}
	var ends []string
	for range 2 {
		in, err := build(&p.Runs[0], p.reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		ended := in.world.Run(p.Runs[0].Exp.Duration.T())
		if got := in.world.Stats().Events; got != 5000 {
			t.Errorf("%d events, want 5000", got)
		}
		ends = append(ends, ended+" at "+in.world.Now().String())
	}
	if ends[0] != ends[1] || !strings.HasPrefix(ends[0], sim.EventLimitReached) {
		t.Errorf("ends %q, want the same event-limit end twice", ends)
	}
	p.Runs[0].Exp.Stop.Events = 0
	if w := p.Unbounded(); len(w) != 1 {
		t.Errorf("without a budget: %d warnings, want 1", len(w))
	}
}

// TestStartupErrorsLocated checks that parameters a replica refuses at
// start-up are reported by validation with the parameter's key, for every
// shipped protocol.
func TestStartupErrorsLocated(t *testing.T) {
	tests := []struct{ text, want string }{
		{"[protocol]\nname = \"diembft\"\nn = 4\nf = 1\n[protocol.params]\ntransmission_delay_bound = \"0s\"\n", "x.toml:6: protocol.params.transmission_delay_bound: a run cannot start"},
		{"[protocol]\nname = \"bftlist\"\nn = 6\nf = 1\n[protocol.params]\npm_interval = \"0s\"\n", "x.toml:6: protocol.params.pm_interval: a run cannot start"},
		{"[protocol]\nname = \"bftlist\"\nn = 6\nf = 1\n[protocol.params]\ndatalink_timeout = \"0s\"\n", "x.toml:6: protocol.params.datalink_timeout: a run cannot start"},
	}
	for _, tt := range tests {
		_, err := LoadBytes("x.toml", []byte(tt.text), fullRegistry(), Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("err = %v, want %q", err, tt.want)
		}
	}
}
