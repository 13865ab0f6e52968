// Package probe holds the short explorations the mutation harness
// (tools/mutate) runs against a protocol's mutant once the protocol's own
// tests pass: package explore used as a library, stopping at the first
// failed schedule.
package probe
