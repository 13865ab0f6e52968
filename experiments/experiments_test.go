package experiments

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/sim"
)

func testRegistry() *protocols.Registry { return protocols.NewRegistry(prototest.Protocol()) }

func TestLocateKeys(t *testing.T) {
	src := `name = "x" # comment with = sign
[protocol]
name = "relay"
  n = 4

[protocol.params]
block_size = 3

[[workload]]
type = "flood"
delays = [
  "1s",
  "2s",
]
[workload.think]
type = "constant"

[[workload]]
"type" = "timed"

[sweep]
"protocol.n" = [4, 7]
`
	kl := locateKeys(src)
	tests := []struct {
		path string
		line int
	}{
		{"name", 1},
		{"protocol", 2},
		{"protocol.n", 4},
		{"protocol.params.block_size", 7},
		{"workload[0]", 9},
		{"workload[0].type", 10},
		{"workload[0].delays", 11},
		{"workload[0].delays[1]", 11},
		{"workload[0].think.type", 16},
		{"workload[1].type", 19},
		{"sweep.protocol.n", 22},
		{"missing", 0},
		{"protocol.missing", 2},
	}
	for _, tt := range tests {
		if got := kl.line(tt.path); got != tt.line {
			t.Errorf("line(%q) = %d, want %d", tt.path, got, tt.line)
		}
	}
	if got := kl.loose("workload.type"); got != 10 {
		t.Errorf("loose(workload.type) = %d, want 10", got)
	}
}

func TestSetPath(t *testing.T) {
	e := &Experiment{Workloads: []WorkloadConfig{{Count: 1}}}
	tests := []struct {
		path, value string
		check       func() bool
		err         string
	}{
		{"protocol.n", "7", func() bool { return e.Protocol.N == 7 }, ""},
		{"workload[0].count", "9", func() bool { return e.Workloads[0].Count == 9 }, ""},
		{"workload.0.timeout", `"3s"`, func() bool { return e.Workloads[0].Timeout == Duration(3*sim.Second) }, ""},
		{"duration", "2m", func() bool { return e.Duration == Duration(120*sim.Second) }, ""},
		{"protocol.params.block_size", "5", func() bool { return e.Protocol.Params["block_size"] == int64(5) }, ""},
		{"network.regions.clients", "eu", func() bool { return e.Network.Regions != nil && e.Network.Regions.Clients == "eu" }, ""},
		{"costs.sign", "1ms", func() bool { return e.Costs.Sign != nil && *e.Costs.Sign == Duration(sim.Millisecond) }, ""},
		{"protocol.size", "1", nil, `unknown key "size"`},
		{"workload[3].count", "1", nil, "index 3 out of range"},
		{"protocol.n", `"four"`, nil, "cannot use"},
		{"sweep.x", "[1]", nil, "cannot be swept"},
		{"duration", "5", nil, "invalid duration"},
	}
	for _, tt := range tests {
		err := setPath(e, canonicalPath(tt.path), parseValue(tt.value))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("setPath(%s=%s) error = %v, want %q", tt.path, tt.value, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("setPath(%s=%s): %v", tt.path, tt.value, err)
			continue
		}
		if !tt.check() {
			t.Errorf("setPath(%s=%s) did not set the value", tt.path, tt.value)
		}
	}
}

func TestSweepExpansion(t *testing.T) {
	src := `seed = 5
repetitions = 2
[protocol]
name = "relay"
n = 4
f = 1
[[workload]]
type = "flood"
count = 2
timeout = "5s"
[sweep]
"workload[0].count" = [1, 2, 3]
"protocol.params.block_size" = [1, 10]
[[sweep.zip]]
"protocol.n" = [4, 7]
"protocol.f" = [1, 2]
`
	p, err := LoadBytes("sweep.toml", []byte(src), testRegistry(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Points != 12 || len(p.Runs) != 24 {
		t.Fatalf("points %d runs %d, want 12 and 24", p.Points, len(p.Runs))
	}
	wantAxes := []string{"workload[0].count", "protocol.params.block_size", "protocol.n", "protocol.f"}
	if !reflect.DeepEqual(p.Axes, wantAxes) {
		t.Errorf("axes %v, want %v", p.Axes, wantAxes)
	}
	// The first axis varies slowest, zipped keys move together.
	last := p.Runs[len(p.Runs)-1]
	if got := last.Exp; got.Workloads[0].Count != 3 || got.Protocol.Params["block_size"] != int64(10) || got.Protocol.N != 7 || got.Protocol.F != 2 {
		t.Errorf("last run: count %d block %v n %d f %d", got.Workloads[0].Count, got.Protocol.Params["block_size"], got.Protocol.N, got.Protocol.F)
	}
	first := p.Runs[0].Exp
	if first.Workloads[0].Count != 1 || first.Protocol.N != 4 {
		t.Errorf("first run: count %d n %d", first.Workloads[0].Count, first.Protocol.N)
	}
	// Repetitions share seeds across points; repetition 0 uses the base seed.
	for _, r := range p.Runs {
		if want := RepetitionSeed(5, r.Repetition); r.Seed != want {
			t.Errorf("run %s seed %d, want %d", r.ID, r.Seed, want)
		}
	}
	if p.Runs[0].Seed != 5 || p.Runs[1].Seed == 5 {
		t.Errorf("seeds %d %d", p.Runs[0].Seed, p.Runs[1].Seed)
	}
	if p.Runs[0].ID != "00" || p.Runs[23].ID != "23" {
		t.Errorf("ids %s … %s", p.Runs[0].ID, p.Runs[23].ID)
	}
	// Each point owns its experiment (repetitions of a point share it).
	p.Runs[0].Exp.Workloads[0].Count = 99
	if p.Runs[2].Exp.Workloads[0].Count == 99 {
		t.Error("sweep points share experiment values")
	}
}

func TestOverridesAndSeed(t *testing.T) {
	seed := uint64(42)
	p, err := Load("testdata/relay.toml", testRegistry(), Options{Seed: &seed, Sets: []string{"protocol.n=7", "workload[1].count=5"}})
	if err != nil {
		t.Fatal(err)
	}
	e := p.Runs[0].Exp
	if e.Protocol.N != 7 || e.Workloads[1].Count != 5 || p.Runs[0].Seed != 42 {
		t.Errorf("n %d count %d seed %d", e.Protocol.N, e.Workloads[1].Count, p.Runs[0].Seed)
	}
	_, err = Load("testdata/relay.toml", testRegistry(), Options{Sets: []string{"protocol.f=2"}})
	if err == nil || !strings.Contains(err.Error(), "protocol.f (--set): 2 is too large") {
		t.Errorf("error %v", err)
	}
}

func TestDefaultsFilled(t *testing.T) {
	p, err := LoadBytes("min.toml", []byte("[protocol]\nname = \"relay\"\nn = 4\nf = 1\n"), testRegistry(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := p.Base
	if e.Name != "min" || e.Seed != 1 || e.Duration != Duration(60*sim.Second) || e.Repetitions != 1 ||
		e.Network.Channel != "reliable" || e.Output.TimelineInterval != Duration(100*sim.Millisecond) {
		t.Errorf("defaults not filled: %+v", e)
	}
}

// FuzzLoad feeds arbitrary text to the loader: it must return a plan or an
// error, never panic.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.toml")
	bad, _ := filepath.Glob("testdata/bad/*.toml")
	for _, file := range append(files, bad...) {
		data, err := os.ReadFile(file)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("[sweep]\n\"protocol.n\" = [1, \"x\"]\n[[sweep.zip]]\n"))
	f.Add([]byte("[[workload]]\n[workload.think]\ntype = \"lognormal\"\nsigma = -1\n"))
	reg := testRegistry()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := LoadBytes("fuzz.toml", data, reg, Options{})
		if err == nil && len(p.Runs) == 0 {
			t.Fatal("a plan without runs and without an error")
		}
		if err != nil && !IsInput(err) {
			t.Fatalf("error is not an input error: %v", err)
		}
	})
}

func TestLinkModelRegionsAndOverrides(t *testing.T) {
	p, err := Load("testdata/regions.toml", testRegistry(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	model, err := linkModel(&p.Base.Network, 4, 5)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, to sim.NodeID
		mean     sim.Time
		loss     float64
	}{
		{0, 1, 6 * sim.Millisecond, 0},   // eu → eu
		{0, 2, 41 * sim.Millisecond, 0},  // eu → us
		{4, 3, 41 * sim.Millisecond, 0},  // client (eu) → us
		{3, 0, 41 * sim.Millisecond, .1}, // replica3's overridden loss
		{3, 2, 6 * sim.Millisecond, .1},
	}
	for _, tt := range tests {
		l := model(tt.from, tt.to)
		if got := l.Delay.Mean(); got != tt.mean {
			t.Errorf("%d→%d mean delay %v, want %v", tt.from, tt.to, got, tt.mean)
		}
		if l.Loss != tt.loss {
			t.Errorf("%d→%d loss %v, want %v", tt.from, tt.to, l.Loss, tt.loss)
		}
	}
}
