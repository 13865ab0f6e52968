package main

// Target is a file of a protocol and the functions of it that are mutated
// (nil: every function of the file).
type Target struct {
	File  string
	Funcs []string
}

// Targets are the mutated paths, per protocol: safety, pacemaker, quorum,
// commit, sync, vote and signature verification for DiemBFT; replication,
// view establishment, primary monitoring, failure detectors and message
// acceptance for BFTList. Files are relative to the module root. The
// planted bug_* hooks inside them are skipped by the generator.
var Targets = map[string][]Target{
	"diembft": {
		{File: "protocols/diembft/safety.go"},
		{File: "protocols/diembft/quorum.go", Funcs: []string{"Quorum", "TimeoutAmplification"}},
		{File: "protocols/diembft/pacemaker.go", Funcs: []string{"advanceRoundTC", "advanceRoundQC", "processRemoteTimeout"}},
		{File: "protocols/diembft/verify.go", Funcs: []string{"validQC", "checkVote"}},
		{File: "protocols/diembft/replica.go", Funcs: []string{"onVote", "formQC", "processQC"}},
		{File: "protocols/diembft/sync.go", Funcs: []string{"onSyncResponse"}},
		{File: "protocols/diembft/crypto.go", Funcs: []string{"verify"}},
	},
	"bftlist": {
		{File: "protocols/bftlist/replication.go", Funcs: []string{"q2", "q3", "commit", "receive", "atLeast",
			"supportedReqs", "committedSet", "acceptReqPreprep", "checkNewStateAndRLog"}},
		{File: "protocols/bftlist/view_establishment.go", Funcs: []string{"receive", "echoNoWitn", "transitSet",
			"transitAdoptable", "establishable", "changeable", "transitSupported"}},
		{File: "protocols/bftlist/primary_monitoring.go", Funcs: []string{"inTrouble", "updateNeedChgSet", "supChange",
			"enoughCommon", "receive"}},
		{File: "protocols/bftlist/failure_detector.go", Funcs: []string{"checkProgress", "served", "suspected"}},
		{File: "protocols/bftlist/event_fd.go", Funcs: []string{"correct"}},
		{File: "protocols/bftlist/replica.go", Funcs: []string{"Deliver"}},
	},
}

// Protocols lists the mutated protocols in report order.
var Protocols = []string{"diembft", "bftlist"}
