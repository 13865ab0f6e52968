package explore

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/byzsim/byzsim/experiments"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Fault is one fault of a schedule, in the experiment's own structures.
// Kind says which of the fields is set.
type Fault struct {
	Kind string
	// At and Until bound a partition (formed at At, healed at Until) or a
	// crash (recovered at Until; 0 never).
	At, Until sim.Time
	// Groups of a partition.
	Groups [][]int
	// Replica that crashes or turns Byzantine.
	Replica int
	// Behaviour of a Byzantine replica.
	Behaviour string
	// Rule of a link burst, a rule or a setattr fault.
	Rule experiments.FaultConfig
	// Transient of a transient fault.
	Transient experiments.TransientConfig
}

// Schedule is one point of the search: a system size, a seed, a GST and
// faults.
type Schedule struct {
	// Index is the schedule's number in the search.
	Index int64
	Size  Size
	// Seed is the run's seed.
	Seed uint64
	// GST: every fault but Byzantine behaviours and permanent crashes
	// ends before it.
	GST sim.Time
	// Duration of the run.
	Duration sim.Time
	Faults   []Fault
}

// Experiment returns the base experiment with the schedule's faults: a
// plain experiment byzsim run runs the same way.
func (s *Schedule) Experiment(base *experiments.Experiment) *experiments.Experiment {
	e := *base
	e.Explore = nil
	e.Protocol.N, e.Protocol.F = s.Size.N, s.Size.F
	e.Seed = experiments.Seed(s.Seed)
	e.Duration = experiments.Duration(s.Duration)
	e.Faults = append([]experiments.FaultConfig(nil), base.Faults...)
	e.Crashes = append([]experiments.CrashConfig(nil), base.Crashes...)
	e.Byzantine = append([]experiments.ByzantineConfig(nil), base.Byzantine...)
	e.Transients = append([]experiments.TransientConfig(nil), base.Transients...)
	e.Partitions = append([]experiments.PartitionConfig(nil), base.Partitions...)
	gst := experiments.Duration(s.GST)
	e.Checks.GST = &gst
	e.Checks.GSTRound = nil
	var parts []Fault
	transient := false
	for _, f := range s.Faults {
		switch f.Kind {
		case KindPartition:
			parts = append(parts, f)
		case KindCrash:
			c := experiments.CrashConfig{Replica: f.Replica, At: experiments.Duration(f.At)}
			if f.Until != 0 {
				r := experiments.Duration(f.Until)
				c.Recover = &r
			}
			e.Crashes = append(e.Crashes, c)
		case KindLink, KindRule, KindSetattr:
			e.Faults = append(e.Faults, f.Rule)
		case KindByzantine:
			e.Byzantine = append(e.Byzantine, experiments.ByzantineConfig{Replica: f.Replica, Behaviour: f.Behaviour, At: experiments.Duration(f.At)})
		case KindTransient:
			// Convergence is checked instead of the post-GST properties
			// (the corruption may change what replicas executed): the run
			// goes on to its end, for the convergence window and the
			// workloads.
			e.Transients = append(e.Transients, f.Transient)
			yes, no := true, false
			e.Checks.Convergence = &yes
			e.Stop.WhenDone = &no
			transient = true
		}
	}
	e.Partitions = append(e.Partitions, partitionPhases(parts)...)
	if transient {
		e.Checks.GST, e.Checks.CommitBound = nil, nil
	}
	if e.Stop.Events == 0 {
		e.Stop.Events = MaxScheduleEvents
	}
	return &e
}

// MaxScheduleEvents is the event budget of a schedule whose base
// experiment sets no [stop] events: a schedule that drives a protocol into
// a message storm ends there (and fails the checks its unfinished work
// fails) instead of growing the event queue until memory runs out. Runs of
// the example experiments take 10^4 to 10^5 events.
const MaxScheduleEvents = 5_000_000

// partitionPhases turns partitions into the experiment's timeline of
// phases: each forms at its At and heals at its Until, unless the next one
// forms first (a later partition replaces an earlier one).
func partitionPhases(parts []Fault) []experiments.PartitionConfig {
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].At < parts[j].At })
	var out []experiments.PartitionConfig
	last := sim.Time(-1)
	add := func(at sim.Time, groups [][]int) {
		if at <= last {
			at = last + sim.Millisecond
		}
		last = at
		out = append(out, experiments.PartitionConfig{At: experiments.Duration(at), Groups: groups})
	}
	for i, p := range parts {
		add(p.At, p.Groups)
		if i+1 < len(parts) && parts[i+1].At <= p.Until {
			continue
		}
		add(p.Until, [][]int{})
	}
	return out
}

// generator draws schedules.
type generator struct {
	c      *Config
	benign []protocols.AttrSpec
}

func newGenerator(c *Config) *generator { return &generator{c: c, benign: benign(c.Proto)} }

// schedule draws schedule i: a function of the seed and i alone.
func (g *generator) schedule(i int64) Schedule {
	c := g.c
	seed := sim.DeriveSeed(c.Seed, "explore", i)
	rng := rand.New(rand.NewPCG(seed, sim.DeriveSeed(seed, "faults", 0)))
	s := Schedule{Index: i, Size: c.Sizes[i%int64(len(c.Sizes))], Seed: seed, GST: c.GST, Duration: c.Base.Duration.T()}
	k := 1 + rng.IntN(c.Faults)
	budget := s.Size.F // replicas that may stay faulty
	faulty := map[int]bool{}
	crashed := map[int][]Fault{}
	for len(s.Faults) < k {
		kind := c.Kinds[rng.IntN(len(c.Kinds))]
		f, ok := g.fault(rng, kind, &s, faulty, budget, crashed)
		if !ok {
			// A kind that cannot be drawn any more (no fault budget left):
			// draw one less fault rather than loop.
			k--
			continue
		}
		s.Faults = append(s.Faults, f)
	}
	return s
}

// window draws [at, until) within [0, GST).
func (g *generator) window(rng *rand.Rand) (sim.Time, sim.Time) {
	ms := int64(g.c.GST / sim.Millisecond)
	a := rng.Int64N(ms)
	b := a + 1 + rng.Int64N(ms-a)
	return sim.Time(a) * sim.Millisecond, sim.Time(b) * sim.Millisecond
}

func replicaName(id int) string { return fmt.Sprintf("replica%d", id) }

func (g *generator) fault(rng *rand.Rand, kind string, s *Schedule, faulty map[int]bool, budget int, crashed map[int][]Fault) (Fault, bool) {
	n := s.Size.N
	at, until := g.window(rng)
	switch kind {
	case KindPartition:
		groups := 2 + rng.IntN(min(n-1, 3))
		perm := rng.Perm(n)
		gs := make([][]int, groups)
		for j, id := range perm {
			gi := j
			if j >= groups {
				gi = rng.IntN(groups)
			}
			gs[gi] = append(gs[gi], id)
		}
		for _, grp := range gs {
			sort.Ints(grp)
		}
		return Fault{Kind: kind, At: at, Until: until, Groups: gs}, true
	case KindCrash:
		id := rng.IntN(n)
		forever := rng.IntN(4) == 0
		if forever && !faulty[id] && len(faulty) >= budget {
			forever = false
		}
		f := Fault{Kind: kind, Replica: id, At: at, Until: until}
		if forever {
			f.Until = 0
		}
		for _, o := range crashed[id] {
			if o.Until == 0 || f.Until == 0 || (f.At <= o.Until && o.At <= f.Until) {
				return Fault{}, false
			}
		}
		if forever {
			faulty[id] = true
		}
		crashed[id] = append(crashed[id], f)
		return f, true
	case KindLink:
		a, b := rng.IntN(n), rng.IntN(n)
		r := g.rule(rng, at, until)
		r.Src, r.Dest, r.Msg = replicaName(a), replicaName(b), "*"
		if a == b || rng.IntN(2) == 0 {
			// The replica falls silent (or slow) towards everyone.
			r.Dest = "*"
		}
		return Fault{Kind: kind, Rule: r}, true
	case KindRule:
		r := g.rule(rng, at, until)
		if rng.IntN(2) == 0 {
			// A replica falls silent (or slow) towards everyone for one
			// or two of its rounds: a chosen protocol step is cut off.
			lo := rng.IntN(16)
			r.Src, r.Dest, r.Msg = replicaName(rng.IntN(n)), "*", "*"
			r.Rounds = []any{fmt.Sprintf("%d-%d", lo, lo+rng.IntN(2))}
			r.Prob = prob(1)
			// The rounds say when; the rule still ends at GST.
			r.From, r.Until = 0, experiments.Duration(g.c.GST)
			return Fault{Kind: kind, Rule: r}, true
		}
		kinds := g.c.Proto.MessageKinds
		r.Msg = kinds[rng.IntN(len(kinds))]
		r.Src = g.endpoint(rng, n, false)
		r.Dest = g.endpoint(rng, n, true)
		if rng.IntN(2) == 0 {
			lo := rng.IntN(16)
			r.Rounds = []any{fmt.Sprintf("%d-%d", lo, lo+rng.IntN(4))}
			r.From, r.Until = 0, experiments.Duration(g.c.GST)
		}
		return Fault{Kind: kind, Rule: r}, true
	case KindSetattr:
		// A replica whose state is set stays safe but may lose touch with
		// the others for good (a round far ahead): it counts among the at
		// most f faulty replicas.
		id := rng.IntN(n)
		if !faulty[id] {
			if len(faulty) >= budget {
				return Fault{}, false
			}
			faulty[id] = true
		}
		a := g.benign[rng.IntN(len(g.benign))]
		kinds := g.c.Proto.MessageKinds
		r := experiments.FaultConfig{Src: replicaName(id), Dest: "*", Msg: kinds[rng.IntN(len(kinds))],
			Type: "setattr", Attr: a.Name, From: experiments.Duration(at), Until: experiments.Duration(until), Prob: prob(1)}
		if a.Type == protocols.AttrReplica {
			r.Value = replicaName(rng.IntN(n))
		} else {
			r.Value = int64(rng.IntN(30))
		}
		return Fault{Kind: kind, Rule: r}, true
	case KindByzantine:
		var cands []int
		for id := 0; id < n; id++ {
			if faulty[id] {
				continue
			}
			cands = append(cands, id)
		}
		if len(faulty) >= budget || len(cands) == 0 {
			return Fault{}, false
		}
		id := cands[rng.IntN(len(cands))]
		bs := g.c.Proto.Behaviours
		faulty[id] = true
		if rng.IntN(2) == 0 {
			at = 0
		}
		return Fault{Kind: kind, Replica: id, At: at, Behaviour: bs[rng.IntN(len(bs))].Name}, true
	case KindTransient:
		scopes := g.c.Proto.CorruptScopes
		t := experiments.TransientConfig{At: experiments.Duration(at), Random: 1 + rng.IntN(n)}
		perm := rng.Perm(len(scopes))
		for _, j := range perm[:1+rng.IntN(min(2, len(scopes)))] {
			t.Scope = append(t.Scope, scopes[j].Name)
		}
		sort.Strings(t.Scope)
		return Fault{Kind: kind, At: at, Transient: t}, true
	}
	panic("explore: unknown fault kind " + kind)
}

// rule draws a loss or delay rule acting in [at, until).
func (g *generator) rule(rng *rand.Rand, at, until sim.Time) experiments.FaultConfig {
	r := experiments.FaultConfig{From: experiments.Duration(at), Until: experiments.Duration(until)}
	p := []float64{1, 1, 0.5, 0.2}[rng.IntN(4)]
	r.Prob = prob(p)
	if rng.IntN(2) == 0 {
		r.Type = "loss"
		return r
	}
	r.Type = "delay"
	ms := max(int64(g.c.MaxDelay/sim.Millisecond), 1)
	r.Value = (sim.Time(1+rng.Int64N(ms)) * sim.Millisecond).String()
	return r
}

func (g *generator) endpoint(rng *rand.Rand, n int, dest bool) string {
	switch k := rng.IntN(4); {
	case k == 0:
		return "*"
	case k == 1 && dest && len(g.c.Proto.NextLeaderKinds) > 0:
		return "leader"
	default:
		return replicaName(rng.IntN(n))
	}
}

func prob(p float64) *float64 { return &p }

// Describe words a fault in one line.
func (f *Fault) Describe() string {
	switch f.Kind {
	case KindPartition:
		var gs []string
		for _, g := range f.Groups {
			var ids []string
			for _, id := range g {
				ids = append(ids, fmt.Sprint(id))
			}
			gs = append(gs, "{"+strings.Join(ids, ",")+"}")
		}
		return fmt.Sprintf("partition %s from %v to %v", strings.Join(gs, " "), f.At, f.Until)
	case KindCrash:
		if f.Until == 0 {
			return fmt.Sprintf("replica%d crashes at %v for good", f.Replica, f.At)
		}
		return fmt.Sprintf("replica%d crashes at %v and recovers at %v", f.Replica, f.At, f.Until)
	case KindByzantine:
		return fmt.Sprintf("replica%d turns Byzantine (%s) at %v", f.Replica, f.Behaviour, f.At)
	case KindTransient:
		return fmt.Sprintf("transient fault at %v corrupts %s of %d random replicas", f.At, strings.Join(f.Transient.Scope, ", "), f.Transient.Random)
	}
	r := &f.Rule
	what := r.Type
	switch r.Type {
	case "delay":
		what = fmt.Sprintf("delay by %v", r.Value)
	case "setattr":
		what = fmt.Sprintf("setattr %s = %v", r.Attr, r.Value)
	}
	p := 1.0
	if r.Prob != nil {
		p = *r.Prob
	}
	rounds := ""
	if len(r.Rounds) > 0 {
		rounds = fmt.Sprintf(" in rounds %v", r.Rounds)
	}
	return fmt.Sprintf("%s: %s messages %s → %s%s, prob %g, from %v to %v", what, r.Msg, r.Src, r.Dest, rounds, p, r.From.T(), r.Until.T())
}

// sscanReplica reads "replicaN".
func sscanReplica(s string, id *int) (int, error) { return fmt.Sscanf(s, "replica%d", id) }
