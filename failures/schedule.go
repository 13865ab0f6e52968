package failures

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Schedule is the time-driven part of a fault plan: crashes and
// recoveries, a partition timeline and Byzantine behaviour switches.
type Schedule struct {
	Crashes    []Crash
	Partitions []PartitionPhase
	Behaviours []BehaviourSwitch
}

// Validate checks every part of s against protocol p with n replicas. Fields
// are named like "crashes[0].at", "partitions[1].groups[0][2]",
// "behaviours[0].name".
func (s Schedule) Validate(p *protocols.Protocol, n int) error {
	if err := ValidateCrashes(s.Crashes, n); err != nil {
		return within("crashes", err)
	}
	if err := ValidatePartitions(s.Partitions, n); err != nil {
		return within("partitions", err)
	}
	if err := ValidateBehaviours(s.Behaviours, p, n); err != nil {
		return within("behaviours", err)
	}
	return nil
}

// Apply validates s and schedules it on w with World.At. replicas are the
// world's replicas indexed by id (nodes 0 … n−1). Every time must be at or
// after w.Now(). Actions due at the same time run in this order: crashes,
// recoveries, partition phases, behaviour switches, each in list order.
// The schedule is copied: later changes to s do not affect w.
func (s Schedule) Apply(w *sim.World, p *protocols.Protocol, replicas []protocols.Replica) error {
	return s.ApplyTo(worldTarget{w}, p, replicas)
}

// Target is what a schedule acts on: a World, or a live cluster of real
// nodes.
type Target interface {
	// Now is the current time.
	Now() sim.Time
	// At calls fn at time t.
	At(t sim.Time, fn func())
	// Crash and Recover crash and recover a node.
	Crash(id sim.NodeID)
	Recover(id sim.NodeID)
	// SetPartition splits the replicas into groups; no groups heal.
	SetPartition(groups [][]sim.NodeID)
	// OnReplica runs fn where replica id's state may be touched (at once
	// in a World; on the replica's goroutine in a live cluster).
	OnReplica(id sim.NodeID, fn func())
}

// worldTarget is a World as a Target.
type worldTarget struct{ w *sim.World }

func (t worldTarget) Now() sim.Time                     { return t.w.Now() }
func (t worldTarget) At(at sim.Time, fn func())         { t.w.At(at, fn) }
func (t worldTarget) Crash(id sim.NodeID)               { t.w.Crash(id) }
func (t worldTarget) Recover(id sim.NodeID)             { t.w.Recover(id) }
func (t worldTarget) OnReplica(_ sim.NodeID, fn func()) { fn() }
func (t worldTarget) SetPartition(groups [][]sim.NodeID) {
	if len(groups) == 0 {
		t.w.Network().Heal()
	} else {
		t.w.Network().SetPartition(groups)
	}
}

// ApplyTo is Apply on any Target.
func (s Schedule) ApplyTo(t Target, p *protocols.Protocol, replicas []protocols.Replica) error {
	if err := s.Validate(p, len(replicas)); err != nil {
		return err
	}
	if err := s.notBefore(t.Now()); err != nil {
		return err
	}
	for _, c := range s.Crashes {
		id := c.Replica
		t.At(c.At, func() { t.Crash(id) })
	}
	for _, c := range s.Crashes {
		if c.RecoverAt != 0 {
			id := c.Replica
			t.At(c.RecoverAt, func() { t.Recover(id) })
		}
	}
	for _, ph := range s.Partitions {
		ph := ph.clone()
		t.At(ph.At, func() { t.SetPartition(ph.Groups) })
	}
	for _, b := range s.Behaviours {
		rep, name, id := replicas[b.Replica], b.setName(), b.Replica
		t.At(b.At, func() {
			t.OnReplica(id, func() {
				if err := rep.SetBehaviour(name); err != nil {
					panic(fmt.Sprintf("failures: replica %d rejected validated behaviour %q: %v", id, name, err))
				}
			})
		})
	}
	return nil
}

// notBefore checks that no action of s is before now.
func (s Schedule) notBefore(now sim.Time) error {
	past := func(field string, t sim.Time) error {
		return fieldErr(field, fmt.Sprintf("%v is before the current time %v", t, now))
	}
	for i, c := range s.Crashes {
		if c.At < now {
			return past(fmt.Sprintf("crashes[%d].at", i), c.At)
		}
	}
	for i, ph := range s.Partitions {
		if ph.At < now {
			return past(fmt.Sprintf("partitions[%d].at", i), ph.At)
		}
	}
	for i, b := range s.Behaviours {
		if b.At < now {
			return past(fmt.Sprintf("behaviours[%d].at", i), b.At)
		}
	}
	return nil
}

// Marker is one scheduled action, for fault markers on plots and reports.
type Marker struct {
	At   sim.Time
	What string // e.g. "crash replica1", "partition [replica0] [replica1 replica2]", "heal"
}

// Markers lists the actions of s sorted by time (ties in the order Apply
// runs them).
func (s Schedule) Markers() []Marker {
	var ms []Marker
	for _, c := range s.Crashes {
		ms = append(ms, Marker{c.At, "crash " + ReplicaName(c.Replica)})
	}
	for _, c := range s.Crashes {
		if c.RecoverAt != 0 {
			ms = append(ms, Marker{c.RecoverAt, "recover " + ReplicaName(c.Replica)})
		}
	}
	for _, ph := range s.Partitions {
		ms = append(ms, Marker{ph.At, ph.describe()})
	}
	for _, b := range s.Behaviours {
		name := b.Name
		if name == "" {
			name = Honest
		}
		ms = append(ms, Marker{b.At, "behaviour " + ReplicaName(b.Replica) + " " + name})
	}
	slices.SortStableFunc(ms, func(a, b Marker) int { return cmp.Compare(a.At, b.At) })
	return ms
}

func (ph PartitionPhase) describe() string {
	if len(ph.Groups) == 0 {
		return "heal"
	}
	var b strings.Builder
	b.WriteString("partition")
	for _, g := range ph.Groups {
		b.WriteString(" [")
		for i, id := range g {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(ReplicaName(id))
		}
		b.WriteByte(']')
	}
	return b.String()
}
