package results

import (
	"bytes"
	"cmp"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/byzsim/byzsim/sim"
)

// TestReplicaLogRowsOrder checks that Rows orders rows by time, then
// replica, like a stable sort of every replica's rows, whether observations
// come in time order (counting sort), span far more buckets than rows
// (sort), or go back in time (stable sort).
func TestReplicaLogRowsOrder(t *testing.T) {
	ms := sim.Millisecond
	for _, c := range []struct {
		name  string
		n     int
		times func(rng *rand.Rand, k int) sim.Time
		back  bool // add observations back in time
	}{
		{"in order", 7, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k)*37*ms + sim.Time(rng.IntN(5))*ms }, false},
		{"sparse", 5, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k) * 1000 * sim.Second }, false},
		{"back in time", 6, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k) * 53 * ms }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			log := NewReplicaLog(c.n, 100*ms)
			for k := range 300 {
				at := c.times(rng, k)
				r := rng.IntN(c.n)
				switch rng.IntN(3) {
				case 0:
					log.Commit(at, r)
				case 1:
					log.Round(at, r, int64(k), rng.IntN(2) == 0)
				default:
					log.Timeout(at, r)
				}
				if c.back && k%50 == 49 {
					log.Reset(at/2, rng.IntN(c.n))
				}
			}
			var want []ReplicaRow
			for _, rs := range log.rows {
				want = append(want, rs...)
			}
			slices.SortStableFunc(want, func(a, b ReplicaRow) int {
				return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Replica, b.Replica))
			})
			if got := log.Rows(); !slices.Equal(got, want) {
				t.Errorf("Rows() differs from a stable sort of the rows (%d rows)", len(want))
			}
			dir := t.TempDir()
			a, b := filepath.Join(dir, "rows.csv"), filepath.Join(dir, "log.csv")
			if err := WriteReplicasCSV(a, want); err != nil {
				t.Fatal(err)
			}
			if err := WriteReplicaLogCSV(b, log); err != nil {
				t.Fatal(err)
			}
			wantCSV, _ := os.ReadFile(a)
			gotCSV, _ := os.ReadFile(b)
			if !bytes.Equal(gotCSV, wantCSV) || len(wantCSV) == 0 {
				t.Error("WriteReplicaLogCSV differs from WriteReplicasCSV of the sorted rows")
			}
		})
	}
}
