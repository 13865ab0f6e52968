package failures

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/sim"
)

// EndpointKind says how an Endpoint selects nodes.
type EndpointKind uint8

const (
	// AnyEndpoint ("*") matches every node.
	AnyEndpoint EndpointKind = iota
	// LeaderEndpoint ("leader") matches the leader of the sender's current
	// round, as the sender believes it (the next round's leader for
	// next-leader kinds when used as a destination).
	LeaderEndpoint
	// ReplicaEndpoint ("replicaN") matches replica N.
	ReplicaEndpoint
)

// Endpoint is the source or destination of a fault rule. The zero Endpoint
// is "*".
type Endpoint struct {
	Kind EndpointKind
	// ID is the replica, for ReplicaEndpoint.
	ID sim.NodeID
}

// Any returns the endpoint "*".
func Any() Endpoint { return Endpoint{Kind: AnyEndpoint} }

// Leader returns the endpoint "leader".
func Leader() Endpoint { return Endpoint{Kind: LeaderEndpoint} }

// Replica returns the endpoint "replicaN" for replica id.
func Replica(id sim.NodeID) Endpoint { return Endpoint{Kind: ReplicaEndpoint, ID: id} }

// String returns the endpoint as written in experiments.
func (e Endpoint) String() string {
	switch e.Kind {
	case AnyEndpoint:
		return "*"
	case LeaderEndpoint:
		return "leader"
	case ReplicaEndpoint:
		return ReplicaName(e.ID)
	}
	return fmt.Sprintf("endpoint(%d)", e.Kind)
}

// ReplicaName returns "replicaN" for replica id N.
func ReplicaName(id sim.NodeID) string { return "replica" + strconv.Itoa(int(id)) }

// maxReplicaID bounds replica numbers accepted by the parsers, far above any
// simulated system, so parsed ids always fit a sim.NodeID.
const maxReplicaID = 1 << 30

// ParseReplica parses "replicaN" (N a non-negative decimal number without
// sign or leading zeros) into replica id N.
func ParseReplica(s string) (sim.NodeID, error) {
	digits, ok := strings.CutPrefix(s, "replica")
	if !ok || digits == "" || (len(digits) > 1 && digits[0] == '0') {
		return 0, &FieldError{Msg: fmt.Sprintf("invalid replica %q (want replicaN, e.g. replica0)", s)}
	}
	v := 0
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, &FieldError{Msg: fmt.Sprintf("invalid replica %q (want replicaN, e.g. replica0)", s)}
		}
		v = v*10 + int(c-'0')
		if v > maxReplicaID {
			return 0, &FieldError{Msg: fmt.Sprintf("invalid replica %q: number too large", s)}
		}
	}
	return sim.NodeID(v), nil
}

// ParseEndpoint parses an endpoint: "replicaN", "leader" or "*". The
// reference implementation's wildcard "_" is accepted as "*". The error is a
// *FieldError with an empty Field; the caller names the field (src or dest).
func ParseEndpoint(s string) (Endpoint, error) {
	switch s {
	case "*", "_":
		return Any(), nil
	case "leader":
		return Leader(), nil
	}
	id, err := ParseReplica(s)
	if err != nil {
		return Endpoint{}, &FieldError{Msg: fmt.Sprintf("invalid endpoint %q (allowed: replicaN, leader, *)", s)}
	}
	return Replica(id), nil
}
