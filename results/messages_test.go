package results

import (
	"slices"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// testMsg is a message of a given kind and size.
type testMsg struct {
	kind string
	size int
}

func (m testMsg) Kind() string { return m.kind }
func (m testMsg) Size() int    { return m.size }

func TestMessagesCounting(t *testing.T) {
	vote := sim.Message(testMsg{"vote", 100})
	prop := sim.Message(testMsg{"proposal", 1000})
	var m Messages
	for range 3 {
		m.Sent(0, 0, 1, vote)
	}
	m.Sent(0, 0, 1, prop)
	m.Delivered(1, 0, 1, vote)
	m.Delivered(1, 0, 1, prop)
	m.Dropped(1, 0, 1, vote, "loss")
	m.Dropped(1, 0, 1, vote, "partition")
	m.Dropped(2, 0, 1, prop, "loss")
	m.Fired(3, 0, sim.Timer{})
	m.Observed(3, 0, nil)

	sent, delivered, dropped, bytes := m.Totals()
	if sent != 4 || delivered != 2 || dropped != 3 || bytes != 1300 {
		t.Errorf("Totals() = %d, %d, %d, %d; want 4, 2, 3, 1300", sent, delivered, dropped, bytes)
	}
	wantKinds := []KindCount{
		{Kind: "proposal", Sent: 1, Delivered: 1, Dropped: 1, Bytes: 1000, ShareMessages: 0.25, ShareBytes: Float(1000.0 / 1300)},
		{Kind: "vote", Sent: 3, Delivered: 1, Dropped: 2, Bytes: 300, ShareMessages: 0.75, ShareBytes: Float(300.0 / 1300)},
	}
	if got := m.Kinds(); !slices.Equal(got, wantKinds) {
		t.Errorf("Kinds() =\n%+v\nwant\n%+v", got, wantKinds)
	}
	wantDrops := []DropCount{{"loss", 2, 1100}, {"partition", 1, 100}}
	if got := m.Drops(); !slices.Equal(got, wantDrops) {
		t.Errorf("Drops() = %+v, want %+v", got, wantDrops)
	}
}

func TestMessagesEmpty(t *testing.T) {
	var m Messages
	if k := m.Kinds(); len(k) != 0 {
		t.Errorf("Kinds() = %v, want none", k)
	}
	if d := m.Drops(); len(d) != 0 {
		t.Errorf("Drops() = %v, want none", d)
	}
	m.Sent(0, 0, 0, testMsg{"empty", 0})
	if k := m.Kinds(); len(k) != 1 || k[0].ShareMessages != 1 || k[0].ShareBytes != 0 {
		t.Errorf("Kinds() = %+v, want one kind with message share 1 and byte share 0", k)
	}
}

func TestMessagesNoAllocation(t *testing.T) {
	var m Messages
	msgs := []sim.Message{testMsg{"vote", 100}, testMsg{"proposal", 1000}, testMsg{"timeout", 80}}
	for _, msg := range msgs { // first sight of each kind and reason may allocate
		m.Sent(0, 0, 1, msg)
		m.Dropped(0, 0, 1, msg, "loss")
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		msg := msgs[i%len(msgs)]
		i++
		m.Sent(0, 0, 1, msg)
		m.Delivered(0, 0, 1, msg)
		m.Dropped(0, 0, 1, msg, "loss")
	})
	if allocs != 0 {
		t.Errorf("recording a message allocates %v times, want 0", allocs)
	}
}

func BenchmarkMessagesSent(b *testing.B) {
	var m Messages
	msgs := []sim.Message{testMsg{"vote", 100}, testMsg{"vote", 100}, testMsg{"proposal", 1000}, testMsg{"timeout", 80}}
	for _, msg := range msgs {
		m.Sent(0, 0, 1, msg)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Sent(0, 0, 1, msgs[i%len(msgs)])
	}
}
