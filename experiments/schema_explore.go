package experiments

// ExploreConfig is the [explore] table: how byzsim explore searches the
// space of fault schedules around the experiment. The explore package
// fills its defaults and validates it.
type ExploreConfig struct {
	// Generator draws the schedules: "random" (random fault schedules of
	// the experiment, the default) or "twins" (Twins scenarios: twinned
	// replicas and per-round partitions, for protocols that can run them).
	Generator string `toml:"generator,omitempty"`
	// Twins holds the Twins keys the experiment does not set (t,
	// partitions, rounds, leaders, drops, quorum_filter, gst_rounds, delay,
	// sampling, skip); generator "twins" only.
	Twins map[string]any `toml:"twins,omitempty"`
	// Schedules is the number of random fault schedules to run (the
	// budget). Default 2000.
	Schedules int `toml:"schedules,omitempty"`
	// N lists the system sizes to explore: integers and "a-b" ranges.
	// Default: protocol.n.
	N []any `toml:"n,omitempty"`
	// F lists the fault thresholds: integers, or "max" for the largest f
	// the protocol tolerates at each n. Every (n, f) with f at most that
	// largest f is explored. Default: protocol.f without n, "max" with it.
	F []any `toml:"f,omitempty"`
	// Faults is the largest number of faults in one schedule. Default 4.
	Faults int `toml:"faults,omitempty"`
	// Kinds lists the kinds of faults drawn: partition, crash, link, rule,
	// setattr, byzantine, transient. Default: every kind the protocol
	// supports (transient only for self-stabilizing protocols).
	Kinds []string `toml:"kinds,omitempty"`
	// GST is the global stabilization time: every fault but Byzantine
	// behaviours (and crashes counted in f) ends before it, and the network
	// is synchronous after it. Default: checks.gst, else a third of
	// duration.
	GST Duration `toml:"gst,omitempty"`
	// MaxDelay bounds the delay a link burst or delay rule adds. Default 2s.
	MaxDelay Duration `toml:"max_delay,omitempty"`
	// Keep is the number of violations minimized and written, the first
	// of each failed check by schedule index. Default 3.
	Keep int `toml:"keep,omitempty"`
	// Minimize turns the minimizer off when false. Default true.
	Minimize *bool `toml:"minimize,omitempty"`
}
