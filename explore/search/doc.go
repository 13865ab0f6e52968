// Package search is the driver shared by byzsim's searches for failing
// runs: byzsim explore's random fault schedules and byzsim twins'
// scenarios. A search is a Problem: a space that streams cases in index
// order and an executor that runs one case and reports the checks it
// failed. The package runs the cases on parallel workers, counts them,
// keeps the first failure of each check, minimizes it with the problem's
// step list and writes the counterexamples and the summary through an
// Encoder, atomically.
//
// The package knows no protocol and no fault model: those live in the
// problems (package explore, package explore/twinsrun).
//
// Invariants: every field of a Result but the wall-clock figures is a
// function of the problem alone, whatever the number of workers, unless
// the search is stopped early (a cancelled context or StopAtFirst).
package search
