package experiments

// TransientConfig is one [[transient]] table: a transient fault that sets
// the state of chosen replicas to arbitrary type-correct values (or given
// values), corrupts messages in transit and shifts local clocks. The
// replicas run correct code afterwards.
type TransientConfig struct {
	// At is the virtual time of the (first) occurrence.
	At Duration `toml:"at"`
	// Every repeats the fault with this period; 0 means once.
	Every Duration `toml:"every,omitempty"`
	// Until is the last time a recurring fault may occur; 0 means the end
	// of the run.
	Until Duration `toml:"until,omitempty"`
	// Replicas is "all" or a list of "replicaN".
	Replicas any `toml:"replicas,omitempty"`
	// Random, instead of Replicas, draws this many distinct replicas at each
	// occurrence from the run's seed.
	Random int `toml:"random,omitempty"`
	// Scope lists the protocol's corruption scopes (byzsim list PROTOCOL)
	// set to arbitrary values; empty, with no values, timers or clock,
	// means the whole state.
	Scope []string `toml:"scope,omitempty"`
	// Timers corrupts the pending timers (the protocol's "timers" scope).
	Timers bool `toml:"timers,omitempty"`
	// Values sets attributes (byzsim list PROTOCOL) to given values, e.g.
	// { highest_vote_round = 1000 }, instead of arbitrary ones.
	Values map[string]any `toml:"values,omitempty"`
	// Clock shifts each chosen replica's local clock by an offset drawn
	// from [−clock, clock].
	Clock Duration `toml:"clock,omitempty"`
	// Messages corrupts the messages in transit between replicas.
	Messages *TransitConfig `toml:"messages,omitempty"`
}

// TransitConfig is the [transient.messages] table: which messages in
// transit a transient fault changes, and how.
type TransitConfig struct {
	// From and To select the links: "replicaN" or "*" (default).
	From string `toml:"from,omitempty"`
	To   string `toml:"to,omitempty"`
	// Msg is a message kind of the protocol, or "*" (default).
	Msg string `toml:"msg,omitempty"`
	// Action is corrupt (same kind, arbitrary fields), drop, duplicate or
	// replace (an arbitrary message of any kind).
	Action string `toml:"action"`
	// Prob is the probability that a selected message is changed. Default 1.
	Prob *float64 `toml:"prob,omitempty"`
}

// ConvergenceConfig is the [convergence] table. Convergence is measured in
// every run with transient faults (or with this table): the time from the
// last transient fault (or from 0 without one) to the start of the first
// hold window throughout which the protocol's legitimacy predicate holds
// on the correct replicas and client requests complete.
type ConvergenceConfig struct {
	// Hold is the length of the window. Default 5s.
	Hold Duration `toml:"hold,omitempty"`
	// Period is the sampling period of the legitimacy predicate. Default
	// 100ms.
	Period Duration `toml:"period,omitempty"`
	// Stop ends the run as soon as it has converged. Default false.
	Stop bool `toml:"stop,omitempty"`
	// Measure forces convergence measurement without transient faults
	// (e.g. from a corrupted start state). Default false.
	Measure bool `toml:"measure,omitempty"`
}
