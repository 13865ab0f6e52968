package workloads

import "github.com/byzsim/byzsim/protocols"

// Types lists byzsim's workload types with a one-line description each, in
// a fixed order (byzsim list).
func Types() []protocols.Named { return Builtin().Named() }
