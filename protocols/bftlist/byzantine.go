package bftlist

import "github.com/byzsim/byzsim/protocols"

// Byzantine behaviours of the reference, in byzsim's lower-case names.
const (
	BehaviourUnresponsive       = "unresponsive"
	BehaviourUnresponsiveToHalf = "unresponsive_to_half"
	BehaviourDifferentViews     = "different_views"
	BehaviourForcingReset       = "forcing_reset"
	BehaviourStopAssigning      = "stop_assigning_seqnums"
	BehaviourAssignDifferent    = "assign_different_seqnums"
	BehaviourReuseSeqnums       = "reuse_seqnums"
	BehaviourSeqnumOutBound     = "seqnum_out_bound"
	BehaviourWrongCCSP          = "wrong_ccsp"
	BehaviourModifyClientReq    = "modify_client_req"
)

// behaviours lists the named Byzantine behaviours.
func behaviours() []protocols.Named {
	return []protocols.Named{
		{Name: BehaviourUnresponsive, Doc: "sends nothing at all (UNRESPONSIVE)"},
		{Name: BehaviourUnresponsiveToHalf, Doc: "sends nothing to odd-numbered replicas (UNRESPONSIVE_TO_HALF)"},
		{Name: BehaviourDifferentViews, Doc: "reports view 1 to even and view 2 to odd replicas (DIFFERENT_VIEWS)"},
		{Name: BehaviourForcingReset, Doc: "reports the reset pair RST to everyone (FORCING_RESET)"},
		{Name: BehaviourStopAssigning, Doc: "as primary, assigns no sequence numbers (STOP_ASSIGNING_SEQNUMS)"},
		{Name: BehaviourAssignDifferent, Doc: "as primary, shows odd replicas other sequence numbers (ASSIGN_DIFFERENT_SEQNUMS)"},
		{Name: BehaviourReuseSeqnums, Doc: "as primary, reuses its last sequence number (REUSE_SEQNUMS)"},
		{Name: BehaviourSeqnumOutBound, Doc: "as primary, assigns numbers beyond the window (SEQNUM_OUT_BOUND)"},
		{Name: BehaviourWrongCCSP, Doc: "shows a made-up state and executed log (WRONG_CCSP)"},
		{Name: BehaviourModifyClientReq, Doc: "as primary, replaces client requests by its own (MODIFY_CLIENT_REQ)"},
	}
}

func validBehaviour(name string) bool {
	if name == "" {
		return true
	}
	for _, b := range behaviours() {
		if b.Name == name {
			return true
		}
	}
	return false
}

// mutes reports whether the behaviour suppresses a send to node to.
func (r *Replica) mutes(to int) bool {
	switch r.behaviour {
	case BehaviourUnresponsive:
		return true
	case BehaviourUnresponsiveToHalf:
		return to < r.n && to%2 != 0
	}
	return false
}
