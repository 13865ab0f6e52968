package twinsrun

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/byzsim/byzsim/failures/twins"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/protocols/prototest"
	"github.com/byzsim/byzsim/sim"
)

// testProtocols are the protocols of the tests: DiemBFT (the default),
// relay and BFTList (which has no Twins support).
func testProtocols() Protocols {
	return Protocols{Registry: protocols.NewRegistry(bftlist.Protocol(), diembft.Protocol(), prototest.Protocol()), Default: diembft.Name}
}

var full = flag.Bool("twins.full", false, "run the long Twins checks (100,000 scenarios without bugs)")

func settings(bugs ...string) Settings {
	return Settings{Protocol: diembft.Protocol(), N: 4, F: 1, T: 1, Delta: sim.Second, Delay: sim.Second / 2, TimerFactor: 4, Seed: 1, Bugs: bugs}
}

func defaultParams() twins.Params {
	return twins.Params{N: 4, F: 1, T: 1, Partitions: 2, Rounds: 7, Leaders: twins.LeadersTwins, Quorum: 3, GST: 7}
}

func sample(t testing.TB, p twins.Params, seed uint64, count int64) Source {
	g, err := twins.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return func(emit func(twins.Scenario) bool) twins.Stats { return g.Sample(seed, 0, count, emit) }
}

func execute(t testing.TB, s Settings, src Source, jobs int) *Report {
	rep, err := Execute(context.Background(), s, src, Options{Jobs: jobs, Keep: 4})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestPlantedBugsFound: each planted bug violates its property within 1,000
// random scenarios of n=4, t=1, P=2, R=7 + 7 GST rounds.
func TestPlantedBugsFound(t *testing.T) {
	tests := []struct {
		bug   string
		props []string // at least one of them
	}{
		{"conflicting_votes", []string{PropCertified}},
		{"small_quorum", []string{PropCertified, PropNoQuorum}},
		{"vote_to_current_leader", []string{PropProgress, PropLatency}},
	}
	for _, tt := range tests {
		t.Run(tt.bug, func(t *testing.T) {
			rep := execute(t, settings(tt.bug), sample(t, defaultParams(), 1, 1000), 0)
			if rep.Scenarios != 1000 {
				t.Fatalf("ran %d scenarios", rep.Scenarios)
			}
			found := false
			for _, p := range tt.props {
				found = found || rep.ByProperty[p] > 0
			}
			if !found {
				t.Fatalf("bug %s not found in 1000 scenarios (violations by property: %v)", tt.bug, rep.ByProperty)
			}
		})
	}
}

// TestSmallQuorumFoundAboveMinimum: above n = 3f+1 the planted quorum of
// ⌈(n+f+1)/2⌉ − 1 still violates P1 or NQ within 300 random scenarios
// (n = 5 and 6 with f = t = 1: quorum 4, planted 3), and the correct
// quorum violates nothing in the same scenarios.
func TestSmallQuorumFoundAboveMinimum(t *testing.T) {
	for _, n := range []int{5, 6} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			p := defaultParams()
			p.N, p.Quorum = n, 4
			for _, bug := range []bool{true, false} {
				s := settings()
				if bug {
					s = settings("small_quorum")
				}
				s.N = n
				rep := execute(t, s, sample(t, p, 1, 300), 0)
				found := rep.ByProperty[PropCertified] + rep.ByProperty[PropNoQuorum]
				t.Logf("bug %v: %d scenarios violate P1 or NQ", bug, found)
				switch {
				case bug && found == 0:
					t.Fatalf("small_quorum not found in 300 scenarios (violations by property: %v)", rep.ByProperty)
				case !bug && len(rep.ByProperty) > 0:
					t.Fatalf("the correct quorum violates properties: %v", rep.ByProperty)
				}
			}
		})
	}
}

// TestNoBugNoViolation: the correct protocol violates nothing (2,000
// scenarios; 100,000 with -twins.full), in several generator settings.
func TestNoBugNoViolation(t *testing.T) {
	count := int64(2000)
	if *full {
		count = 100000
	}
	variants := map[string]func(*twins.Params){
		"default": func(*twins.Params) {},
	}
	if *full {
		variants["any-leader"] = func(p *twins.Params) { p.Leaders = twins.LeadersAny }
		variants["drops"] = func(p *twins.Params) { p.Drops = 1 }
		variants["three-buckets"] = func(p *twins.Params) { p.Partitions = 3 }
	}
	for name, mod := range variants {
		t.Run(name, func(t *testing.T) {
			p := defaultParams()
			mod(&p)
			rep := execute(t, settings(), sample(t, p, 7, count), 0)
			if rep.Failed != 0 {
				f := rep.Failures[0]
				s := settings()
				t.Fatalf("%d violations in %d scenarios; first:\n%s", rep.Failed, rep.Scenarios, Explain(&s, &f.Scenario, f.Result.Violations[0]))
			}
			if rep.Liveness != rep.Scenarios {
				t.Errorf("liveness checked in %d of %d scenarios", rep.Liveness, rep.Scenarios)
			}
		})
	}
}

func readScenarioFile(t *testing.T, path string) (twins.Header, []twins.Scenario) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, scens, err := twins.ReadScenarios(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return h, scens
}

// TestReferenceConflictingVotes: the reference's conflicting_votes_bug
// scenario (the twinned replica leads seven rounds with both processes in
// one bucket) fails with the bug and passes without.
func TestReferenceConflictingVotes(t *testing.T) {
	h, scens := readScenarioFile(t, "../../experiments/twins/conflicting_votes_bug.jsonl")
	for _, bug := range []bool{false, true} {
		if bug {
			h.Bugs = []string{"conflicting_votes"}
		}
		s, err := FromHeader(h, testProtocols())
		if err != nil {
			t.Fatal(err)
		}
		rn, err := NewRunner(s)
		if err != nil {
			t.Fatal(err)
		}
		res, err := rn.Run(&scens[0])
		if err != nil {
			t.Fatal(err)
		}
		if bug != res.Has(PropCertified) || (!bug && res.Failed()) {
			t.Errorf("bug %v: violations %+v", bug, res.Violations)
		}
		if !bug && !res.Liveness {
			t.Error("liveness not checked without the bug")
		}
	}
}

// TestMinimizedCounterexamplesReplay: a minimized counterexample is no
// larger than its scenario, still violates the property, and reproduces
// the same result after a round trip through a scenario file.
func TestMinimizedCounterexamplesReplay(t *testing.T) {
	for _, bug := range []string{"conflicting_votes", "small_quorum", "vote_to_current_leader"} {
		t.Run(bug, func(t *testing.T) {
			s := settings(bug)
			rep := execute(t, s, sample(t, defaultParams(), 3, 200), 2)
			if len(rep.Failures) == 0 {
				t.Fatal("no failure to minimize")
			}
			f := rep.Failures[0]
			prop := f.Result.Violations[0].Property
			rn, _ := NewRunner(s)
			min, res, err := Minimize(rn, f.Scenario, prop)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Has(prop) {
				t.Fatalf("minimized scenario lost %s", prop)
			}
			if len(min.Rounds) > len(f.Scenario.Rounds) {
				t.Fatalf("minimized scenario has %d rounds, the original %d", len(min.Rounds), len(f.Scenario.Rounds))
			}
			if bug != "vote_to_current_leader" && len(min.Rounds) >= len(f.Scenario.Rounds) {
				t.Errorf("nothing removed from a %d-round scenario", len(f.Scenario.Rounds))
			}
			var buf bytes.Buffer
			w, _ := twins.NewWriter(&buf, s.Header())
			w.Write(&min)
			w.Flush()
			h, back, err := twins.ReadScenarios(&buf, "min.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			s2, err := FromHeader(h, testProtocols())
			if err != nil {
				t.Fatal(err)
			}
			rn2, _ := NewRunner(s2)
			again, err := rn2.Run(&back[0])
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, res) {
				t.Fatalf("replay differs:\n%+v\n%+v", again, res)
			}
			text := Explain(&s2, &back[0], res.Violations[0])
			if !strings.Contains(text, "Property "+res.Violations[0].Property) || !strings.Contains(text, "round 0: leader replica") {
				t.Errorf("explanation lacks the property or the rounds:\n%s", text)
			}
		})
	}
}

// TestIndependentOfJobs: counts and kept failures do not depend on -j.
func TestIndependentOfJobs(t *testing.T) {
	s := settings("small_quorum")
	a := execute(t, s, sample(t, defaultParams(), 5, 300), 1)
	b := execute(t, s, sample(t, defaultParams(), 5, 300), 3)
	if a.Failed != b.Failed || a.Events != b.Events || !reflect.DeepEqual(a.ByProperty, b.ByProperty) || !reflect.DeepEqual(a.Failures, b.Failures) {
		t.Fatalf("-j 1 and -j 3 differ: %d/%d failed, %d/%d events", a.Failed, b.Failed, a.Events, b.Events)
	}
}

// TestCounterexamplesIndependentOfJobs: through the search driver, the
// minimized first violation of each property is the same whatever -j, is
// the first failing scenario of its property, and still violates it.
func TestCounterexamplesIndependentOfJobs(t *testing.T) {
	s := settings("vote_to_current_leader")
	var want []Counterexample
	for _, jobs := range []int{1, 3} {
		rep, err := Execute(context.Background(), s, sample(t, defaultParams(), 3, 400), Options{Jobs: jobs, Keep: 400, Counterexamples: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Counterexamples) != len(rep.ByProperty) || len(rep.Counterexamples) == 0 {
			t.Fatalf("-j %d: %d counterexamples for properties %v", jobs, len(rep.Counterexamples), rep.ByProperty)
		}
		for _, cx := range rep.Counterexamples {
			if !cx.Outcome.Detail.Has(cx.Check) || len(cx.Case.Rounds) > len(cx.Found.Rounds) {
				t.Errorf("%s: minimized scenario %+v (result %+v)", cx.Check, cx.Case, cx.Outcome.Detail)
			}
			for _, f := range rep.Failures {
				if f.Result.Violations[0].Property == cx.Check && f.Scenario.Index < cx.Found.Index {
					t.Errorf("%s: counterexample from scenario %d, but %d violated it first", cx.Check, cx.Found.Index, f.Scenario.Index)
				}
			}
		}
		if want == nil {
			want = rep.Counterexamples
		} else if !reflect.DeepEqual(rep.Counterexamples, want) {
			t.Fatalf("-j %d: counterexamples differ from -j 1", jobs)
		}
	}
}

// TestDropsHonourMessageType: a drop of votes drops votes only.
func TestDropsHonourMessageType(t *testing.T) {
	sc := twins.Scenario{GST: 1, Rounds: []twins.Round{
		{Leader: 0, Partition: [][]int{{0, 1, 2}, {3, 4}}, Drops: []twins.Drop{{Src: 1, Dst: 0, Msg: "vote"}, {Src: 2, Dst: 0, Msg: "*"}}},
		{Leader: 1, Partition: [][]int{{0, 1, 2, 3, 4}}},
	}}
	var tab table
	tab.compile(&sc, 4, 1, 3)
	tests := []struct {
		r    int64
		p, q int
		bit  uint8
		want bool
	}{
		{0, 1, 0, bitVote, false},
		{0, 1, 0, bitProposal, true},
		{0, 1, 0, bitTimeout, true},
		{0, 0, 1, bitVote, true},
		{0, 2, 0, bitOther, false},
		{0, 2, 0, bitProposal, false},
		{0, 1, 3, bitProposal, false},
		{0, 3, 4, bitVote, true},
		{0, 4, 4, bitVote, true},
		{1, 1, 3, bitVote, true},
		{5, 1, 3, bitVote, true},
	}
	for _, tt := range tests {
		if got := tab.allowed(tt.r, tt.p, tt.q, tt.bit); got != tt.want {
			t.Errorf("round %d %d→%d bit %b: allowed %v, want %v", tt.r, tt.p, tt.q, tt.bit, got, tt.want)
		}
	}
	if tab.quorumless[0] {
		t.Error("round 0 has the quorum bucket {0,1,2}, but is marked quorumless")
	}
	sc.Rounds[0].Partition = [][]int{{0, 1}, {2, 3, 4}} // {2, 3, 0'}: 3 identities
	tab.compile(&sc, 4, 1, 3)
	if tab.quorumless[0] {
		t.Error("bucket {2, 3, 0'} holds a quorum")
	}
	sc.Rounds[0].Partition = [][]int{{0, 1, 4}, {2, 3}} // {0, 1, 0'}: 2 identities
	sc.Rounds[0].Drops = nil
	tab.compile(&sc, 4, 1, 3)
	if !tab.quorumless[0] || tab.quorumless[1] {
		t.Errorf("quorumless = %v, want [true false] (a replica and its twin count once)", tab.quorumless)
	}
	// Round 1 (GST) is led by replica 1 (the first correct one), so round
	// 2, after the table, by replica 2, and round 4 by replica 1 again.
	if l2, l4 := tab.leaderOf(2), tab.leaderOf(4); l2 != 2 || l4 != 1 {
		t.Errorf("leaders after the table: %d, %d; want 2, 1", l2, l4)
	}
}

func TestLoadConfig(t *testing.T) {
	e, err := Load("../../experiments/twins/default.toml", Overrides{}, testProtocols())
	if err != nil {
		t.Fatal(err)
	}
	if e.Params != defaultParams() || e.Settings.Delta != sim.Second || e.Scenarios != 1000 || e.Sampling != SamplingRandom {
		t.Fatalf("default.toml: %+v", e)
	}
	seed, n := uint64(9), int64(5)
	e, err = Load("../../experiments/twins/default.toml", Overrides{Bugs: []string{"small_quorum"}, Seed: &seed, Scenarios: &n}, testProtocols())
	if err != nil || e.Settings.Seed != 9 || e.Scenarios != 5 || !reflect.DeepEqual(e.Settings.Bugs, []string{"small_quorum"}) {
		t.Fatalf("overrides: %+v %v", e, err)
	}
	tests := []struct{ text, want string }{
		{"n = 4\ncolour = 1\n", "x.toml:2: colour: unknown key"},
		{"n = 4\nf = 2\n", "x.toml:2: f: 2 is out of range for n = 4"},
		{"n = 4\nt = 2\n", "x.toml:2: t: 2 twinned replicas"},
		{"n = 4\n\npartitions = 9\n", "x.toml:3: partitions: must be in [1, n+t = 5]"},
		{"n = 4\nleaders = \"all\"\n", "x.toml:2: leaders: must be"},
		{"n = 4\ndelta = \"fast\"\n", "x.toml:2: delta: want a positive duration"},
		{"n = 4\ndelay = \"2s\"\n", "x.toml:2: delay: want a duration in (0, delta = 1s]"},
		{"n = 4\nbugs = [\"typo\"]\n", `x.toml:2: bugs: unknown bug "typo" (allowed: conflicting_votes`},
		{"n = 4\nsampling = \"all\"\n", "x.toml:2: sampling:"},
		{"n = 4\nscenarios = 0\n", "x.toml:2: scenarios: must be ≥ 1"},
		{"n = \"four\"\n", "x.toml:1: n:"},
		{"n = 4\nrounds = [\n", "x.toml:"},
		{"f = 1\n", "x.toml:0: n: want the number of replicas"},
		{"n = 4\ntimer_factor = 1\n", "x.toml:2: timer_factor: must be in [2, 100]"},
	}
	for _, tt := range tests {
		_, err := Parse("x.toml", []byte(tt.text), Overrides{}, testProtocols())
		got := ""
		if err != nil {
			got = err.Error()
		}
		if tt.want == "x.toml:0: n: want the number of replicas" {
			tt.want = "x.toml: n: want the number of replicas"
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("Parse(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
