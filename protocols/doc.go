// Package protocols defines the contract between byzsim and the replicated
// protocols it simulates: the Replica interface every protocol implements,
// the Protocol descriptor (parameters, message kinds, SetAttribute
// attributes, Byzantine behaviours, corruption scopes), a Registry of
// protocols by name, the client Request/Reply vocabulary shared by every
// protocol, the cost model, the observations replicas emit, and Byzantine
// behaviours as strategies (Behaviours, Conduct; every protocol has Silent).
//
// Invariants: a protocol never imports experiments, results or another
// protocol; replicas are deterministic sim.Nodes driven only through their
// sim.Env; a Registry is built explicitly (there is no package-level state).
package protocols
