package results

import (
	"testing"
	"unsafe"
)

// TestReplicaLaneLayout: a replica's lane fills two cache lines, the first
// holding everything an observation in the bucket of the last row reads
// and writes.
func TestReplicaLaneLayout(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is planned for 64-bit words")
	}
	var l replicaLane
	if got := unsafe.Sizeof(l); got != 128 {
		t.Errorf("replicaLane is %d bytes, want 128", got)
	}
	if end := unsafe.Offsetof(l.commitCount) + unsafe.Sizeof(l.commitCount); end > 64 {
		t.Errorf("the last row's counters end at byte %d, past the first cache line", end)
	}
}
