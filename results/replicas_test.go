package results

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
		name   string
		n      int
		times  func(rng *rand.Rand, k int) sim.Time
		back   bool // add observations back in time
		events int
	}{
		{"in order", 7, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k)*37*ms + sim.Time(rng.IntN(5))*ms }, false, 300},
		{"sparse", 5, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k) * 1000 * sim.Second }, false, 300},
		{"back in time", 6, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k) * 53 * ms }, true, 300},
		// More than one write buffer (64 KiB) of rows.
		{"many rows", 64, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k)*3*ms + sim.Time(rng.IntN(5))*ms }, false, 20000},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			log := NewReplicaLog(c.n, 100*ms)
			for k := range c.events {
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

// TestPlainCSVSplit checks that the files the fast reader accepts split
// into the records encoding/csv reads, and that it leaves the others to
// encoding/csv.
func TestPlainCSVSplit(t *testing.T) {
	want := []string{"a", "b", "c"}
	for _, c := range []struct {
		data  string
		plain bool
	}{
		{"a,b,c\n1,2,3\n4,,6\n", true},
		{"a,b,c\n1,2,3\n4,5,6", true},
		{"a,b,c\n", true},
		{"a,b,c\n 1, 2 ,3\n", true},
		{"a,b,c", true},
		{"", false},
		{"a,b,c\n\n1,2,3\n", false},
		{"a,b,c\r\n1,2,3\r\n", false},
		{"a,b,c\n\"1\",2,3\n", false},
		{"a,b,c\n1,2\n", false},
		{"a,b\n1,2\n", false},
	} {
		if got := plainCSV([]byte(c.data), len(want)); got != c.plain {
			t.Errorf("plainCSV(%q) = %v, want %v", c.data, got, c.plain)
			continue
		}
		if !c.plain {
			continue
		}
		recs, err := csv.NewReader(strings.NewReader(c.data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		err = splitCSVRows("x.csv", []byte(c.data), want, func(p *fieldParser) error {
			got = append(got, slices.Clone(p.row))
			if p.line != len(got)+1 {
				t.Errorf("%q: row %d on line %d", c.data, len(got), p.line)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(recs)-1 || !slices.EqualFunc(got, recs[1:], slices.Equal[[]string]) {
			t.Errorf("%q: split into %q, encoding/csv reads %q", c.data, got, recs[1:])
		}
	}
}
