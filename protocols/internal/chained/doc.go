// Package chained holds the machinery shared by byzsim's chained BFT
// protocols (protocols/diembft and protocols/hotstuff): the modelled hash,
// sets of replica ids, the mempool, the ledger and the leader election.
// Each protocol package keeps what makes it that protocol (its messages,
// safety rules, commit rule, replica and planted bugs) and builds on this
// package for the rest; a new chained protocol reuses it the same way
// (docs/adding-a-protocol.md).
package chained
