// Package failures is byzsim's fault engine: message fault rules (loss,
// delay, setattr) matched on every send, and schedules of crashes,
// recoveries, network partitions and Byzantine behaviour switches applied to
// a sim.World at given virtual times.
//
// # Fault rules
//
// A Rule follows the fault configuration of the reference experiment
// configurations, generalized with a virtual-time window so that rules serve
// protocols without rounds too. A rule matches a message when all of these
// hold:
//
//   - the message leaves the sender in [From, Until) (Until 0: no end);
//   - its kind equals Msg, or Msg is "*" (every kind, sync messages and
//     client requests and replies included);
//   - the sender's current round at send time (protocols.Replica.Round) is in
//     Rounds, or Rounds is empty;
//   - Src matches the sender: a replica id, "*", or "leader", meaning the
//     sender is leader(r) as the sender believes it, r its current round;
//   - Dest matches the receiver: a replica id, "*", or "leader", meaning the
//     receiver is leader(r) as the sender believes it — or leader(r+1) for
//     the kinds in protocols.Protocol.NextLeaderKinds (votes, in a chained protocol).
//
// Messages from senders that are not replicas (clients) have no round: they
// match only rules with src "*", no rounds, and a dest that is not "leader".
//
// The rules matching a message act in rule order:
//
//   - loss: each matching loss rule multiplies the message's delivery
//     probability by (1 − Prob); one draw decides delivery.
//   - delay: with probability Prob, Delay is added to this message's delay
//     (sim.Packet.Extra). The reference implementation slept the whole
//     sending process instead, which also held back its later messages and
//     its handling of inputs; byzsim delays the matching message only.
//   - setattr: with probability Prob, the sender's attribute Attr is set to
//     Value (protocols.Replica.SetAttribute) at send time; the message is
//     still sent. Later rules are matched against the sender's state after
//     the change, as in the reference.
//
// Engine.Stats counts, per rule, the messages it matched and the times it
// acted; Engine.OnFire reports each action (rule, type, time, sender,
// receiver, message) as it happens, for traces and fault markers.
//
// Unlike the reference, an unknown attribute or a value of the wrong type is
// a validation error (the reference ignored it), and a message kind a rule
// names must exist in the protocol.
//
// # Schedules
//
// A Schedule lists crashes and recoveries of replicas, a partition
// timeline and Byzantine behaviour switches; Apply registers them with
// World.At.
//
// # Invariants
//
//   - Every random draw comes from a stream derived from the world's seed:
//     one stream per rule (name "fault-rule", label: rule index) for its
//     delay and setattr draws, and one ("fault-loss") for the combined loss
//     decision. A draw is made only when the outcome is uncertain
//     (0 < probability < 1), so a run is a pure function of its
//     configuration and seed.
//   - No decision depends on map iteration order.
//   - The interception path does not allocate.
//   - Bad input (a rule, a schedule, a parsed string) is reported as a
//     *FieldError naming the offending field; programming errors panic with
//     the prefix "failures:".
package failures
