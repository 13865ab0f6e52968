// Package twinsrun runs Twins scenarios (package failures/twins) on the
// real replicas of a protocol in virtual time, on the sim kernel, and
// checks the Twins properties on every run.
//
// It knows protocols only through the protocols contract: a protocol
// runs under Twins when its descriptor has Twins support
// (protocols.TwinsSupport: its quorum, the classes of its messages, its
// parameters for a run and its planted bugs) and its replicas, built with
// Protocol.New, implement protocols.LeaderScheduler and
// protocols.Preloader. Protocols (a registry and a default) resolves the
// protocol a Twins file or scenario file names.
//
// Execution model:
//   - One process per replica and per twin; a twin runs an ordinary replica
//     with its twin's identity and keys. Every process is pre-loaded with its
//     own transactions, so twins leading the same round propose different
//     blocks (they equivocate).
//   - The leader of round r is the scenario's; after the scenario's last
//     round, correct replicas lead in turn. Rounds from the scenario's GST
//     on, and every round after its table, have one bucket and no drops.
//   - A message sent by a process in round r (its current round, Round(),
//     at send time) reaches a process only if both are in the same bucket
//     of round r and no drop of round r names (sender, receiver, message
//     class). A message to an identity reaches both processes of a twinned
//     replica.
//   - Links have a constant delay; the round timer is timer_factor × Δ;
//     CPU costs are zero. A run ends when every correct replica is two
//     rounds past the table, when no process changed round for three round
//     timers, or at a time cap.
//
// Properties (twins are counted once, as one identity): P1 at most one
// block is certified per round; P2 the blocks committed by correct
// replicas form one chain; NQ no QC is formed for a round before GST in
// which no bucket holds a quorum (TwinsSupport.Quorum identities); and,
// when every round before GST has a quorum bucket, P3 every correct
// replica commits a block of a round ≥ GST, and P4, the protocol's commit
// bound (protocols.CommitBound; not checked without one): for every round
// r ≥ GST whose first correct entry is at least Δ after every correct
// replica reached GST, with correct leaders for the bound's consecutive
// rounds from r, every correct replica commits r's block within the bound
// of the first correct replica entering r. P1 and NQ read the replicas'
// protocols.Certified observations, P2 and P3 their protocols.Commit, and
// round changes their protocols.RoundChange.
//
// A run is a pure function of its settings and scenario; results do not
// depend on how many runs execute in parallel.
//
// Execute runs scenarios through the search driver byzsim explore uses
// (package explore/search): Problem is a scenario source as a search
// problem, Minimizer the step list that shrinks a violation, Encoder the
// writer of scenario-file counterexamples and summaries (atomically, mode
// 0644, through the results writer), and FromBase the Twins experiment of
// an ordinary experiment (explore generator "twins"). Twins files are
// decoded by the experiment loader (experiments.DecodeStrict), whose
// errors name the file, line and key.
package twinsrun
