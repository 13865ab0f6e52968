// Package golden holds the -rewrite flag of the test binaries under
// protocols/: with it, tests rewrite their expected outputs (transcripts)
// instead of comparing with them.
//
// Every test binary under protocols/ links this package, directly or
// through protocols/transcript, so that `go test ./protocols/... -rewrite`
// is accepted by each of them (a test binary rejects a flag it does not
// define). A test package under protocols/ that uses neither imports it
// for that effect: import _ "github.com/byzsim/byzsim/protocols/internal/golden".
package golden

import "flag"

var rewrite = flag.Bool("rewrite", false, "rewrite expected outputs (transcripts) instead of comparing with them")

// Rewrite reports whether the test binary was run with -rewrite. Call it
// from a test, after flag parsing.
func Rewrite() bool { return *rewrite }
