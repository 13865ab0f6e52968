// Package transcript runs data-driven transcript tests of byzsim's
// protocols, in the style of etcd-io/raft's interaction tests: a text file
// scripts an exchange between the replicas of one protocol, command by
// command, and records what each command produced — the messages sent,
// the timers set and cancelled, the observations and the CPU time charged.
// The files under a protocol's testdata/transcripts read as documentation
// of its steps, and the test fails when the protocol's behaviour changes.
//
// The runner is protocol-neutral: it takes a *protocols.Protocol, builds
// replicas with Protocol.New and drives them through a sim.Env of its own
// that performs nothing itself. No event loop runs: a message stays in
// flight until a command delivers or drops it, and a timer fires only when
// a command says so. Messages and observations print through their
// String methods, so a protocol's messages must print deterministically.
//
// # File format
//
// A file is a sequence of steps. Lines starting with "#" and blank lines
// before a command are comments, kept as they are. A step is a command
// line, a line "----", and the expected output up to the next blank line:
//
//	# Replica 0, leader of round 0, proposes.
//	deliver kind=request to=0
//	----
//	4->0 request{client:4 id:1 op:0 value:1}
//	  observe proposed round:0 digest:fc69f24b2b4977d7
//	  broadcast proposal{…}
//	  cpu 72.4µs
//
// An input (a start, a delivery from→to, a timer firing) prints a header
// line and then its effects, indented: "send TO,… MSG" (consecutive sends
// that print alike share a line), "broadcast MSG", "set timer #ID kind:K
// data:D at T", "cancel timer …", "observe EVENT …" and "cpu D".
//
// # Commands
//
//	new n=N f=F [seed=S] [clients=C] [param=value …]
//	    builds the replicas with the protocol's parameters (defaults for
//	    those not given); clients have the ids after the replicas
//	start [ids]                  starts replicas (default all); ids are
//	                             "all", "2", "0..3" or "0,2,5"
//	request id=I [client=C] [value=V] [op=append|noop] [payload=B] [to=ids]
//	                             a client sends a request (in flight)
//	deliver [from=ids|clientN] [to=ids] [kind=k,…] [count=N]
//	                             delivers the matching messages in flight,
//	                             in send order (not those sent meanwhile)
//	drop [from=…] [to=…] [kind=…] [count=N]
//	pending                      lists the messages in flight
//	stabilize [quiet] [max=N]    delivers the oldest message in flight until
//	                             none is left
//	tick DURATION                advances the clock, firing the timers due
//	                             in (time, order set) order
//	run DURATION [quiet]         tick with instant delivery: every message
//	                             in flight is delivered before the next
//	                             timer fires
//	fire-timer ID [kind=K]       fires replica ID's earliest pending timer
//	timers [ids]                 lists pending timers
//	set-attribute ID name=value  the SetAttribute fault
//	behaviour ID [name]          a Byzantine behaviour, or honest again
//	corrupt ID [scope=s,…] [seed=S]
//	                             a transient fault of the named state
//	crash ID                     the replica handles no more input
//	state [ids]                  snapshots: round, committed log, state
//	hide [kind=k,…] [timer=K,…]  stops showing these message and timer
//	                             kinds (they still happen); no arguments
//	                             shows everything again
//
// "quiet" collapses the inputs without visible effects (or of hidden
// kinds) into one counting line; observations are always shown. run quiet
// shows only observations and messages to clients, each with its time.
// Messages to clients are shown when sent and never queued.
//
// A malformed command stops the test with the file, line and what is
// allowed; an error a replica returns (SetAttribute, Corrupt) is output.
//
// # Adding transcripts for a protocol
//
// Put the files in the protocol's testdata/transcripts/*.txt and one test
// in its package:
//
//	func TestTranscripts(t *testing.T) {
//		transcript.Run(t, Protocol(), "testdata/transcripts")
//	}
//
// Write the commands and comments with empty outputs, then run
// `go test ./protocols/NAME -run TestTranscripts -rewrite` to fill the
// outputs, and read them: they are what the protocol did. Run runs every
// file twice and fails when the two runs differ, so outputs are
// deterministic: a transcript's randomness comes from the seed of "new"
// (each replica's stream is derived from it), and the clock is virtual.
package transcript
