package results

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
		skew   sim.Time // replica r's observations come r·skew late
	}{
		{"in order", 7, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k)*37*ms + sim.Time(rng.IntN(5))*ms }, false, 300, 0},
		{"sparse", 5, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k) * 1000 * sim.Second }, false, 300, 0},
		{"back in time", 6, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k) * 53 * ms }, true, 300, 0},
		// Each replica in time order, the replicas not: a replica's
		// observation may come after a later one of another. Runs with a
		// CPU cost model observe like this; the log must stay encoded
		// (plain rows kept DiemBFT n = 1,000's 60 s run at 390 MB RSS
		// instead of 290 MB).
		{"replicas apart", 9, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k)*11*ms + sim.Time(rng.IntN(5))*ms }, false, 3000, 170 * ms},
		// More than one write buffer (64 KiB) of rows.
		{"many rows", 64, func(rng *rand.Rand, k int) sim.Time { return sim.Time(k)*3*ms + sim.Time(rng.IntN(5))*ms }, false, 20000, 0},
		// Counts of one to three digits in a row, hundreds in the first
		// bucket, a few in the last (the lines' fast path takes five
		// one-digit counts at once).
		{"busy buckets", 2, func(rng *rand.Rand, k int) sim.Time {
			return sim.Time(k) * sim.Time(k) * sim.Time(k) / 270_000 * sim.Microsecond
		}, false, 30000, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			log := NewReplicaLog(c.n, 100*ms)
			ref := newRefReplicaLog(c.n, 100*ms)
			for k := range c.events {
				r := rng.IntN(c.n)
				at := c.times(rng, k) + sim.Time(r)*c.skew
				switch rng.IntN(3) {
				case 0:
					log.Commit(at, r)
					ref.row(at, r).Commits++
				case 1:
					tc := rng.IntN(2) == 0
					v := int64(k)
					if k%7 == 0 { // rounds may go back and jump far
						v = -rng.Int64N(1 << 40)
					}
					log.Round(at, r, v, tc)
					ref.round(at, r, v, tc)
				default:
					log.Timeout(at, r)
					ref.row(at, r).Timeouts++
				}
				if k == c.events/2 {
					log.Rows() // reading the rows mid-run changes nothing
				}
				if c.back && k%50 == 49 {
					r := rng.IntN(c.n)
					log.Reset(at/2, r)
					ref.row(at/2, r).Resets++
				}
			}
			var want []ReplicaRow
			for _, rs := range ref.rows {
				want = append(want, rs...)
			}
			slices.SortStableFunc(want, func(a, b ReplicaRow) int {
				return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Replica, b.Replica))
			})
			if spilled := log.rows != nil; spilled != c.back {
				t.Errorf("the log holds plain rows: %v, want %v", spilled, c.back)
			}
			// Every way of writing the rows is taken by some case: plain
			// rows, a heap of the replicas (sparse), and writeLines.
			if sparse := !c.back && log.sparse(c.n); sparse != (c.name == "sparse") {
				t.Errorf("the log is sparse: %v, want %v", sparse, c.name == "sparse")
			}
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

// refReplicaLog is the plain model of a ReplicaLog: every replica's rows,
// a new one whenever an observation falls in another bucket than the
// replica's last row.
type refReplicaLog struct {
	interval sim.Time
	rows     [][]ReplicaRow
	rounds   []int64
	has      []bool
}

func newRefReplicaLog(n int, interval sim.Time) *refReplicaLog {
	return &refReplicaLog{interval: interval, rows: make([][]ReplicaRow, n), rounds: make([]int64, n), has: make([]bool, n)}
}

func (l *refReplicaLog) row(at sim.Time, r int) *ReplicaRow {
	start := at / l.interval * l.interval
	if rs := l.rows[r]; len(rs) == 0 || rs[len(rs)-1].Start != start {
		l.rows[r] = append(rs, ReplicaRow{Start: start, Replica: r, Round: l.rounds[r], HasRound: l.has[r]})
	}
	return &l.rows[r][len(l.rows[r])-1]
}

func (l *refReplicaLog) round(at sim.Time, r int, round int64, tc bool) {
	row := l.row(at, r)
	row.RoundChanges++
	if tc {
		row.TCRounds++
	}
	row.Round, row.HasRound = round, true
	l.rounds[r], l.has[r] = round, true
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

// benchReplicaLog returns the log of 256 replicas committing once and
// changing round every 250 ms for 100 s of virtual time.
func benchReplicaLog() *ReplicaLog {
	const n = 256
	log := NewReplicaLog(n, 0)
	for k := range 400 {
		at := sim.Time(k) * 250 * sim.Millisecond
		for r := range n {
			log.Round(at+sim.Time(r)*sim.Microsecond, r, int64(k), false)
			log.Commit(at+sim.Time(r)*sim.Microsecond, r)
		}
	}
	return log
}

// BenchmarkReplicaLogCSV: replicas.csv written from benchReplicaLog's log
// (made once).
func BenchmarkReplicaLogCSV(b *testing.B) {
	dir := b.TempDir()
	log := benchReplicaLog()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteReplicaLogCSV(filepath.Join(dir, ReplicasFile), log); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplicaLog: benchReplicaLog's observations, then replicas.csv
// written from the log.
func BenchmarkReplicaLog(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteReplicaLogCSV(filepath.Join(dir, ReplicasFile), benchReplicaLog()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAppendSmall: appendSmall writes what strconv.AppendInt writes, on
// both sides of each of its fast paths' bounds and far from them.
func TestAppendSmall(t *testing.T) {
	values := []int64{math.MinInt64, -1_000_000, math.MaxInt64, 1_000_000, 123_456}
	for v := int64(-1001); v <= 2000; v++ {
		values = append(values, v)
	}
	for _, v := range values {
		if got, want := string(appendSmall([]byte("x"), v)), "x"+strconv.FormatInt(v, 10); got != want {
			t.Errorf("appendSmall(%d) = %q, want %q", v, got, want)
		}
	}
}

// TestReplicaLines: a line of replicas.csv written by replicaLines is the
// record csv.Writer writes of the row's fields, for replicas formatted
// once (below maxWordReplica) and not, again and in another bucket,
// counts of one digit or more and rounds of any sign.
func TestReplicaLines(t *testing.T) {
	var rows []ReplicaRow
	for k, r := range []int{0, 7, 9, 10, 99, 100, 255, 999, 1000, 4095, 99_999, 999_999, 1_000_000, 12_345_678, 7, 999_999} {
		row := ReplicaRow{Start: sim.Time(k/3) * 250 * sim.Millisecond, Replica: r, Round: int64(k*37) - 100, HasRound: k%4 != 0}
		if k%2 == 1 {
			row.RoundChanges, row.TCRounds, row.Resets, row.Timeouts, row.Commits = 1, 0, 2, 9, 3
		} else {
			row.RoundChanges, row.TCRounds, row.Resets, row.Timeouts, row.Commits = k, 10*k, 0, 1000+k, k%10
		}
		rows = append(rows, row)
	}
	// The longest times.
	rows = append(rows, ReplicaRow{Start: math.MinInt64, Replica: 3}, ReplicaRow{Start: math.MaxInt64, Replica: 3})
	var lines replicaLines
	var got []byte
	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	for i := range rows {
		got = lines.append(got, &rows[i])
		err := emitReplicaRow(func(fields ...string) error { return cw.Write(fields) }, &rows[i])
		if err != nil {
			t.Fatal(err)
		}
	}
	cw.Flush()
	if string(got) != want.String() {
		t.Errorf("replicaLines wrote\n%s\ncsv.Writer\n%s", got, want.String())
	}
}
