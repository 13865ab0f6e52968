package protocols

import (
	"fmt"

	"github.com/byzsim/byzsim/sim"
)

// Message kinds of the client vocabulary.
const (
	KindRequest = "request"
	KindReply   = "reply"
)

// Op is what a client asks the replicated state machine to do.
type Op uint8

const (
	// OpAppend appends Value to the replicated list (BFTList's APPEND; a
	// DiemBFT transaction).
	OpAppend Op = iota
	// OpNoop does nothing.
	OpNoop
)

// Request is a client request. A client sends it to every replica.
type Request struct {
	Client sim.NodeID
	// ID is unique per client and increases; a retransmission reuses it.
	ID    uint64
	Op    Op
	Value int64
	// Payload is the size of the command's body in bytes.
	Payload int
}

// Kind implements sim.Message.
func (*Request) Kind() string { return KindRequest }

// Size implements sim.Message: header, value, payload and a signature.
func (r *Request) Size() int { return 32 + r.Payload + SignatureSize }

func (r *Request) String() string {
	return fmt.Sprintf("request{client:%d id:%d op:%d value:%d}", r.Client, r.ID, r.Op, r.Value)
}

// Key returns the (client, id) pair that identifies a request.
func (r *Request) Key() RequestKey { return RequestKey{r.Client, r.ID} }

// RequestKey identifies a request.
type RequestKey struct {
	Client sim.NodeID
	ID     uint64
}

// Reply acknowledges an executed request. Result is a digest of the state
// the request was executed in (DiemBFT's commit_state_id); a client counts
// a request done when f+1 distinct replicas replied with the same Result.
type Reply struct {
	Client  sim.NodeID
	ID      uint64
	Replica sim.NodeID
	Result  Digest
}

// Kind implements sim.Message.
func (*Reply) Kind() string { return KindReply }

// Size implements sim.Message.
func (*Reply) Size() int { return 32 + SignatureSize }

func (r *Reply) String() string {
	return fmt.Sprintf("reply{client:%d id:%d replica:%d result:%x}", r.Client, r.ID, r.Replica, uint64(r.Result))
}

// SignatureSize is the size of one signature (Ed25519) in bytes.
const SignatureSize = 64
