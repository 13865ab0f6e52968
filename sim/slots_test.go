package sim

import (
	"fmt"
	"testing"
)

// TestMsgTableSlotOrder runs sequences of puts and takes on the message
// table and checks each put's slot against a slice of free slot numbers
// used as a stack (the slot freed last is given out first, new slots in
// order when none is free): the transient-fault injector visits the
// messages in transit in slot order, so the slots a run's messages take
// are part of its outputs. It also checks that take returns what put
// stored and that a free slot holds no message.
func TestMsgTableSlotOrder(t *testing.T) {
	cases := []struct {
		name string
		ops  string // p: put, 0-9: take the slot put that many puts ago still held
	}{
		{"puts only", "pppp"},
		{"put take put", "p0p"},
		{"lifo reuse", "pppp000ppp"},
		{"take oldest first", "pppp3p2p1pp"},
		{"drain and refill", "ppp000ppppp0000ppp"},
		{"interleaved", "pp1pp0p2pp3p1p0pppp4321"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tab msgTable
			var free []uint32 // the reference: a stack of free slots
			next := uint32(0) // the reference's next new slot
			var held []uint32 // slots held, in the order put
			stored := map[uint32]inFlight{}
			for k, op := range c.ops {
				if op == 'p' {
					v := inFlight{msg: &testMsg{id: k}, from: NodeID(k), to: NodeID(k + 1), kind: int32(k % 3)}
					want := next
					if len(free) > 0 {
						want = free[len(free)-1]
						free = free[:len(free)-1]
					} else {
						next++
					}
					got := tab.put(v)
					if got != want {
						t.Fatalf("op %d: put gave slot %d, want %d", k, got, want)
					}
					held = append(held, got)
					stored[got] = v
					continue
				}
				back := int(op - '0')
				j := len(held) - 1 - back
				i := held[j]
				held = append(held[:j], held[j+1:]...)
				if got := tab.take(i); got != stored[i] {
					t.Fatalf("op %d: take(%d) = %+v, want %+v", k, i, got, stored[i])
				}
				if tab.slots[i].msg != nil {
					t.Fatalf("op %d: freed slot %d still holds a message", k, i)
				}
				free = append(free, i)
			}
			for _, i := range held {
				if tab.slots[i] != stored[i] {
					t.Errorf("slot %d holds %+v, want %+v", i, tab.slots[i], stored[i])
				}
			}
		})
	}
}

// TestTooManyMessages checks that the message table's own overflow panic
// says what checkRef says.
func TestTooManyMessages(t *testing.T) {
	if want := fmt.Sprintf("sim: more than %d pending %s", refMask, "messages"); tooManyMessages != want {
		t.Errorf("tooManyMessages = %q, want %q", tooManyMessages, want)
	}
}
