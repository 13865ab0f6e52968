package experiments

import (
	"github.com/byzsim/byzsim/sim"
)

// Experiment is one TOML experiment file. Field comments state units and
// defaults; Defaults fills them and Validate checks them.
type Experiment struct {
	// Name names the output directory; default: the file name without .toml.
	Name        string `toml:"name"`
	Description string `toml:"description,omitempty"`
	// Seed is the master seed of repetition 0; later repetitions derive
	// theirs from it. Default 1. An integer, or a string of digits for
	// seeds above 2^63−1 (see Seed).
	Seed Seed `toml:"seed"`
	// Duration caps each run's virtual time. Default 60s.
	Duration Duration `toml:"duration"`
	// Repetitions of every sweep point, each with its own seed. Default 1.
	Repetitions int `toml:"repetitions"`

	Protocol   ProtocolConfig    `toml:"protocol"`
	Network    NetworkConfig     `toml:"network"`
	Costs      CostsConfig       `toml:"costs"`
	Workloads  []WorkloadConfig  `toml:"workload"`
	Faults     []FaultConfig     `toml:"fault"`
	Crashes    []CrashConfig     `toml:"crash"`
	Partitions []PartitionConfig `toml:"partition"`
	Byzantine  []ByzantineConfig `toml:"byzantine"`
	// Transients are transient faults (state corruption), in order.
	Transients []TransientConfig `toml:"transient,omitempty"`
	// Convergence configures the convergence checker.
	Convergence ConvergenceConfig `toml:"convergence"`
	Checks      ChecksConfig      `toml:"checks"`
	Stop        StopConfig        `toml:"stop"`
	Expect      ExpectConfig      `toml:"expect"`
	Output      OutputConfig      `toml:"output"`
	// Sweep maps dotted keys of this experiment to lists of values; the
	// runs are the cartesian product of its axes (in file order, the first
	// varying slowest) and of each [[sweep.zip]] group, whose lists move
	// together.
	Sweep map[string]any `toml:"sweep,omitempty"`

	// StartStates are protocol-specific start states of chosen replicas
	// ([[start_state]] with replicas = [...] and the protocol's tables),
	// applied in file order at start.
	StartStates []map[string]any `toml:"start_state,omitempty"`
	// Plots are the [[plot]] tables: plots drawn from the CSV files after
	// the runs, instead of the default sweep plots (see PlotConfig).
	Plots []PlotConfig `toml:"plot,omitempty"`
	// Explore is the [explore] table read by byzsim explore (the search
	// for fault schedules that break the experiment's checks); byzsim run
	// ignores it.
	Explore *ExploreConfig `toml:"explore,omitempty"`
	// Live is the [live] table: the addresses of live runs (byzsim live);
	// simulation ignores it.
	Live *LiveConfig `toml:"live,omitempty"`
}

// ProtocolConfig is the [protocol] table.
type ProtocolConfig struct {
	// Name of a registered protocol (see byzsim list).
	Name string `toml:"name"`
	// N replicas, tolerating F Byzantine ones.
	N int `toml:"n"`
	F int `toml:"f"`
	// Params are the protocol's own parameters (see byzsim list).
	Params map[string]any `toml:"params,omitempty"`
}

// NetworkConfig is the [network] table: the default link model, optional
// regions and per-link overrides.
type NetworkConfig struct {
	// Delay is the one-way propagation delay distribution. Default constant 0.
	Delay DistConfig `toml:"delay"`
	// Loss is the per-transmission loss probability in [0, 1].
	Loss float64 `toml:"loss"`
	// Bandwidth per link in bytes per second; 0 is unlimited.
	Bandwidth float64 `toml:"bandwidth"`
	// Channel is "reliable" (FIFO, loss becomes retransmission delay; the
	// default) or "lossy" (unordered, loss drops).
	Channel string `toml:"channel"`
	// RTO is the retransmission timeout of reliable links. Default 200ms.
	RTO Duration `toml:"rto,omitempty"`
	// Regions, when set, replaces Delay by a latency matrix between regions.
	Regions *RegionsConfig `toml:"regions,omitempty"`
	// Links override the model of chosen links, in order (the last match
	// wins).
	Links []LinkConfig `toml:"link,omitempty"`
	// Channels gives message kinds their own channel on every link, e.g.
	// { fd_token = "lossy" } while the rest stays reliable.
	Channels map[string]string `toml:"channels,omitempty"`
}

// DistConfig describes a delay distribution.
type DistConfig struct {
	// Type is constant, uniform, normal, exponential or lognormal.
	Type string `toml:"type"`
	// Value of a constant delay.
	Value Duration `toml:"value,omitempty"`
	// Min and Max of a uniform delay.
	Min Duration `toml:"min,omitempty"`
	Max Duration `toml:"max,omitempty"`
	// Mean and Std of a normal delay (truncated at 0); Mean of an
	// exponential one.
	Mean Duration `toml:"mean,omitempty"`
	Std  Duration `toml:"std,omitempty"`
	// Median and Sigma (of the underlying normal) of a lognormal delay.
	Median Duration `toml:"median,omitempty"`
	Sigma  float64  `toml:"sigma,omitempty"`
}

// RegionsConfig is a latency matrix between named regions.
type RegionsConfig struct {
	Names []string `toml:"names"`
	// Latency[i][j] is the one-way base latency from region i to region j.
	Latency [][]Duration `toml:"latency"`
	// Replicas gives each replica's region, in id order.
	Replicas []string `toml:"replicas"`
	// Clients is the region of every client. Default: the first region.
	Clients string `toml:"clients"`
	// Jitter is added to the base latency; default none.
	Jitter *DistConfig `toml:"jitter,omitempty"`
}

// LinkConfig overrides the model of the links it matches.
type LinkConfig struct {
	// From and To are "replicaN", "clients" or "*".
	From      string      `toml:"from,omitempty"`
	To        string      `toml:"to"`
	Delay     *DistConfig `toml:"delay"`
	Loss      *float64    `toml:"loss"`
	Bandwidth *float64    `toml:"bandwidth"`
	Channel   string      `toml:"channel"`
}

// CostsConfig is the [costs] table: modelled CPU time per operation.
// Unset entries take the included file's values, then the model's.
type CostsConfig struct {
	// File names a TOML file holding a [costs] table (as byzsim calibrate
	// writes), resolved relative to the experiment file. Its entries apply
	// first; the entries of this table override them. It is resolved when
	// the experiment is read: the resolved experiment holds the values.
	File string `toml:"file,omitempty"`
	// Model is "default" (measured Go crypto costs) or "zero" (no CPU cost).
	Model      string    `toml:"model"`
	Sign       *Duration `toml:"sign,omitempty"`
	Verify     *Duration `toml:"verify,omitempty"`
	Hash64     *Duration `toml:"hash64,omitempty"`
	Execute    *Duration `toml:"execute,omitempty"`
	PerByte    *Duration `toml:"per_byte,omitempty"`
	PerMessage *Duration `toml:"per_message,omitempty"`
	RealCrypto bool      `toml:"real_crypto"`
}

// WorkloadConfig is one [[workload]] table.
type WorkloadConfig struct {
	Name string `toml:"name"`
	// Type is retransmit, flood, timed, open_loop, closed_loop or saturated.
	Type string `toml:"type"`
	// Count is the number of requests per client.
	Count int `toml:"count"`
	// Clients running this workload. Default 1.
	Clients int `toml:"clients"`
	// Timeout is the deadline from Start by which every request must be done.
	Timeout Duration `toml:"timeout"`
	// Start is when the clients start.
	Start Duration `toml:"start,omitempty"`
	// Payload is the command size in bytes.
	Payload int `toml:"payload,omitempty"`
	// Delays between consecutive requests of a timed workload (count−1).
	Delays []Duration `toml:"delays,omitempty"`
	// Rate of an open-loop workload, in requests per second per client.
	Rate float64 `toml:"rate,omitempty"`
	// Outstanding requests per client of a closed-loop workload.
	Outstanding int `toml:"outstanding,omitempty"`
	// Think time between a completion and the next request (closed loop).
	Think *DistConfig `toml:"think,omitempty"`
	// RetransmitAfter resends an incomplete open- or closed-loop request
	// this long after its last transmission; "0s" never resends. Default
	// 1s (workloads.DefaultRetransmitAfter).
	RetransmitAfter *Duration `toml:"retransmit_after,omitempty"`
	// InitialTimeout and MaxTimeout of a retransmit workload's backoff;
	// Backoff multiplies the timeout on expiry, Decay divides it after a
	// success.
	InitialTimeout Duration `toml:"initial_timeout,omitempty"`
	MaxTimeout     Duration `toml:"max_timeout,omitempty"`
	Backoff        float64  `toml:"backoff,omitempty"`
	Decay          float64  `toml:"decay,omitempty"`
}

// FaultConfig is one [[fault]] rule, in the format of the reference fault
// configurations (src, dest, msg, rounds, drop/delay/setattr) plus a time
// window.
type FaultConfig struct {
	// Src and Dest are "replicaN", "leader" or "*".
	Src  string `toml:"src"`
	Dest string `toml:"dest"`
	// Msg is a message kind of the protocol or "*".
	Msg string `toml:"msg"`
	// Rounds are the sender's rounds the rule applies in: integers and
	// "a-b" ranges. Empty means every round.
	Rounds []any `toml:"rounds,omitempty"`
	// Prob is the probability the rule acts on a matching message. Default 1.
	Prob *float64 `toml:"prob"`
	// Type is loss, delay or setattr.
	Type string `toml:"type"`
	// Value is the added delay ("2s") of a delay rule, or the value
	// (integer or "replicaN") of a setattr rule.
	Value any `toml:"value,omitempty"`
	// Attr is the sender attribute a setattr rule sets.
	Attr string `toml:"attr,omitempty"`
	// From and Until bound the rule in virtual time; Until 0 means no end.
	From  Duration `toml:"from,omitempty"`
	Until Duration `toml:"until,omitempty"`
}

// CrashConfig crashes a replica at a time and optionally recovers it.
type CrashConfig struct {
	Replica int       `toml:"replica"`
	At      Duration  `toml:"at"`
	Recover *Duration `toml:"recover,omitempty"`
}

// PartitionConfig splits the replicas into groups from At on; no groups
// heals the network.
type PartitionConfig struct {
	At     Duration `toml:"at"`
	Groups [][]int  `toml:"groups"`
}

// ByzantineConfig switches a replica to a named behaviour at a time.
type ByzantineConfig struct {
	Replica   int      `toml:"replica"`
	Behaviour string   `toml:"behaviour"`
	At        Duration `toml:"at"`
}

// ChecksConfig is the [checks] table. All default to true.
type ChecksConfig struct {
	// Safety: committed logs of correct replicas are prefix-consistent.
	Safety *bool `toml:"safety"`
	// Liveness: every workload completes before its timeout.
	Liveness *bool `toml:"liveness"`
	// GST is the global stabilization time: from it on, the experiment
	// promises a synchronous network (delays within the protocol's Δ) and no
	// faults. Setting it (or GSTRound) turns on the post-GST checks:
	// every correct replica commits a block of a later round (the
	// progress property) and, for protocols with a commit bound, commits within it
	// (property 4).
	GST *Duration `toml:"gst,omitempty"`
	// GSTRound sets GST to the first time a correct replica enters this
	// round (for fault rules given by round).
	GSTRound *int64 `toml:"gst_round,omitempty"`
	// CommitBound turns the commit-bound check (property 4) off when
	// false; it is on by default once GST is set.
	CommitBound *bool `toml:"commit_bound,omitempty"`
	// TransientSafety: safety violations after the first transient fault
	// (caused by the corruption) fail the run. Default false: they are
	// counted in the summary only.
	TransientSafety *bool `toml:"transient_safety,omitempty"`
	// Convergence: a run that does not converge fails. Default false:
	// convergence is measured and reported either way.
	Convergence *bool `toml:"convergence,omitempty"`
}

// ExpectConfig is the [expect] table: assertions on the final state of the
// correct replicas (those never given a Byzantine behaviour and not crashed
// at the end). Unset entries assert nothing.
type ExpectConfig struct {
	// Round: every correct replica ends in this round or view (what the
	// protocol's Replica.Round reports).
	Round *int64 `toml:"round,omitempty"`
	// MinRound: every correct replica ends in this round or a later one.
	MinRound *int64 `toml:"min_round,omitempty"`
	// MinCommitted: every correct replica committed at least this many
	// entries.
	MinCommitted *int `toml:"min_committed,omitempty"`
	// SameLog: the correct replicas' committed logs are identical.
	SameLog bool `toml:"same_log,omitempty"`
	// Legitimate: the protocol's legitimacy predicate holds at the end.
	Legitimate bool `toml:"legitimate,omitempty"`
	// State lists protocol-specific assertions on the final state
	// ([[expect.state]]), each for the correct replicas it names in
	// replicas (default: all of them).
	State []map[string]any `toml:"state,omitempty"`
}

// StopConfig is the [stop] table: when a run ends before its duration.
type StopConfig struct {
	// WhenDone ends a run as soon as every workload has finished. Default
	// true.
	WhenDone *bool `toml:"when_done"`
	// Commits, when > 0, ends a run once n − f correct replicas have each
	// committed at least this many entries (blocks or requests, whatever
	// the protocol's Commit observation counts).
	Commits int `toml:"commits,omitempty"`
	// Events, when > 0, ends a run after this many simulation events (an
	// event budget: deterministic, unlike a wall-clock limit).
	Events int64 `toml:"events,omitempty"`
}

// OutputConfig is the [output] table.
type OutputConfig struct {
	// Trace writes every event of every run to trace.jsonl. Default false.
	Trace bool `toml:"trace"`
	// TimelineInterval is the bucket of timeline.csv. Default 100ms (for
	// durations above about 28 hours, duration / 10⁶ rounded up to a
	// millisecond). At most 10⁷ buckets per duration.
	TimelineInterval Duration `toml:"timeline_interval"`
	// Plots draws each run's latency CDF and throughput timeline. Default true.
	Plots *bool `toml:"plots"`
	// SweepPlots draws the default plots of a sweep with several points
	// (metrics against each swept key, convergence and transient-fault
	// figures) when there are no [[plot]] tables. Default true.
	SweepPlots *bool `toml:"sweep_plots,omitempty"`
	// Formats of the plots: png, svg, pdf. Default png and svg.
	Formats []string `toml:"formats"`
	// Report writes report.html, the experiment's results on one page,
	// after the runs. Default true.
	Report *bool `toml:"report,omitempty"`
}

// Duration is a virtual duration written as a string: "250ms", "2s".
type Duration sim.Time

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	t, err := sim.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(t)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(sim.Time(d).String()), nil }

// T returns d as a sim.Time.
func (d Duration) T() sim.Time { return sim.Time(d) }

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}
