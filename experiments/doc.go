// Package experiments turns TOML experiment files into simulation runs and
// runs them: the schema and its strict validation (errors name the file,
// line and key), overrides from the command line, sweep expansion into runs
// with derived seeds, world assembly (protocol replicas, network, costs,
// workloads, fault rules, crashes, partitions, Byzantine behaviours), the
// checkers (safety, liveness) and the parallel runner that writes each
// run's results atomically.
//
// Invariants: a run is a pure function of its resolved experiment and seed;
// runs.csv and every summary.json are byte-identical whatever the worker
// count; wall-clock figures go only to manifest.json and perf.json.
package experiments
