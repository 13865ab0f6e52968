package results

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/sim"
)

// ReplicasFile is the name of a run's replicas.csv: per replica and
// timeline interval, its round or view and what it observed.
const ReplicasFile = "replicas.csv"

// ReplicaRow is what one replica observed in one bucket of the timeline
// interval, one row of replicas.csv. Only buckets in which something
// happened have a row.
type ReplicaRow struct {
	// Start is the bucket's start.
	Start   sim.Time
	Replica int
	// Round is the replica's round or established view (RoundChange)
	// at the end of the bucket; HasRound is false until it entered one.
	Round    int64
	HasRound bool
	// RoundChanges counts entries into a round or view in the bucket,
	// TCRounds those caused by a timeout certificate, Resets the resets of
	// the view state (RoundChange with CauseReset), Timeouts the local round timeouts, and
	// Commits the entries committed.
	RoundChanges, TCRounds, Resets, Timeouts, Commits int
}

// ReplicaLog records, per replica, the round changes, timeouts and commits
// in buckets of a fixed interval (bucket k covers [k·interval,
// (k+1)·interval)). Observations must come in time order, as a run makes
// them. The zero value is not usable; call NewReplicaLog.
//
// A run of n replicas has up to n rows per interval (600,000 for 1,000
// replicas over 60 s), so while each replica's observations come in time
// order the log keeps each replica's last row as a struct and its earlier
// rows encoded in a few bytes each (see closeRow). An observation of a
// replica in an earlier bucket than its last row turns the log into plain
// per-replica rows for the rest of the run.
type ReplicaLog struct {
	interval sim.Time
	n        int
	total    int // rows
	// lane[r] is replica r's state: its round, its last row and its
	// earlier rows, encoded.
	lane []replicaLane

	// rows, once not nil, holds every row per replica, by time of
	// observation: observations went back in time (the lanes then keep
	// the replicas' rounds only).
	rows [][]ReplicaRow
}

// replicaLane is what the log keeps of one replica: 128 bytes, two cache
// lines, the first holding what an observation in the bucket of its last
// row reads and writes (at n = 1,000 each replica's lane is out of the
// processor's caches when it observes), the second the encoded rows.
type replicaLane struct {
	// has tells whether the replica has a last row; round is its round
	// (hasRound: it entered one), which is also its last row's.
	has, hasRound bool
	round         int64
	// start and the counters are the last row's (see ReplicaRow).
	start                                                 sim.Time
	roundChanges, tcRounds, resets, timeouts, commitCount int
	// enc holds the earlier rows, encoded (see closeRow); encBucket and
	// encRound are the bucket and round of the last encoded row, the bases
	// of the next one's. bucket is the last row's bucket index (start /
	// interval, kept so that closing the row divides nothing).
	enc       []byte
	encBucket int64
	encRound  int64
	bucket    int64
	_         [16]byte // to 128 bytes
}

// lastRow returns the last row of replica r, whose lane l is.
func (l *replicaLane) lastRow(r int) ReplicaRow {
	return ReplicaRow{Start: l.start, Replica: r, Round: l.round, HasRound: l.hasRound,
		RoundChanges: l.roundChanges, TCRounds: l.tcRounds, Resets: l.resets, Timeouts: l.timeouts, Commits: l.commitCount}
}

// NewReplicaLog returns an empty log of n replicas with the given bucket
// width (0: DefaultInterval).
func NewReplicaLog(n int, interval sim.Time) *ReplicaLog {
	if interval <= 0 {
		interval = DefaultInterval
	}
	n = max(n, 0)
	return &ReplicaLog{interval: interval, n: n, lane: make([]replicaLane, n)}
}

// current returns the lane of replica r with its last row in the bucket
// of time at; nil for a node that is not a replica, a nil log (which
// records nothing) or a log that holds its rows as such (see spilled).
func (l *ReplicaLog) current(at sim.Time, r int) *replicaLane {
	if l == nil || r < 0 || r >= l.n || l.rows != nil {
		return nil
	}
	ln := &l.lane[r]
	if ln.has && at >= ln.start && at-ln.start < l.interval {
		return ln // most observations: the bucket of the last row
	}
	bucket := at / l.interval
	start := bucket * l.interval
	switch {
	case ln.has && start == ln.start:
		return ln // a time before 0, in bucket 0 (start rounds towards 0)
	case start < 0 || (ln.has && start < ln.start):
		l.spill()
		return nil
	}
	if ln.has {
		l.closeRow(ln)
	}
	ln.has, ln.start, ln.bucket = true, start, int64(bucket)
	ln.roundChanges, ln.tcRounds, ln.resets, ln.timeouts, ln.commitCount = 0, 0, 0, 0, 0
	l.total++
	return ln
}

// spilled returns the row of replica r's bucket at time at, in a log that
// holds its rows as such; nil for a node that is not a replica or a nil
// log.
func (l *ReplicaLog) spilled(at sim.Time, r int) *ReplicaRow {
	if l == nil || r < 0 || r >= l.n {
		return nil
	}
	start := at / l.interval * l.interval
	rs := l.rows[r]
	if len(rs) == 0 || rs[len(rs)-1].Start != start {
		ln := &l.lane[r]
		l.rows[r] = append(rs, ReplicaRow{Start: start, Replica: r, Round: ln.round, HasRound: ln.hasRound})
		l.total++
	}
	return &l.rows[r][len(l.rows[r])-1]
}

// Flags of an encoded row: which fields follow.
const (
	encHasRound = 1 << iota
	encRoundChanges
	encTCRounds
	encResets
	encTimeouts
	encCommits
)

// closeRow appends the last row of lane ln to its encoded rows: the bucket
// index's increase over the previous row's (uvarint, from 0), a flag byte,
// the round's change since the previous row with a round (varint, with
// encHasRound) and each non-zero counter (uvarint). The row of a replica
// that committed in the next bucket after its previous row takes 4 bytes.
func (l *ReplicaLog) closeRow(ln *replicaLane) {
	b := appendUvarint(ln.enc, uint64(ln.bucket-ln.encBucket))
	ln.encBucket = ln.bucket
	at := len(b)
	b = append(b, 0)
	// The fields one by one, not a loop over an array of them: most rows
	// have two (a commit, a round change), and a row closes for nearly
	// every replica in nearly every bucket.
	var flags byte
	if ln.hasRound {
		flags = encHasRound
		d := ln.round - ln.encRound
		b = appendUvarint(b, uint64(d)<<1^uint64(d>>63)) // binary.AppendVarint's zig-zag
		ln.encRound = ln.round
	}
	if ln.roundChanges != 0 {
		flags |= encRoundChanges
		b = appendUvarint(b, uint64(ln.roundChanges))
	}
	if ln.tcRounds != 0 {
		flags |= encTCRounds
		b = appendUvarint(b, uint64(ln.tcRounds))
	}
	if ln.resets != 0 {
		flags |= encResets
		b = appendUvarint(b, uint64(ln.resets))
	}
	if ln.timeouts != 0 {
		flags |= encTimeouts
		b = appendUvarint(b, uint64(ln.timeouts))
	}
	if ln.commitCount != 0 {
		flags |= encCommits
		b = appendUvarint(b, uint64(ln.commitCount))
	}
	b[at] = flags
	ln.enc = b
}

// appendUvarint is binary.AppendUvarint, faster for a value below 128.
func appendUvarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return binary.AppendUvarint(b, v)
}

// laneCursor reads one replica's rows back, from its lane: at indexes the
// flag byte of its next encoded row in the lane's enc (the row's bucket
// read into bucket by advance), or is len(enc) for the lane's last row,
// which last says was reached. round is the last encoded row's round.
type laneCursor struct {
	at            int
	bucket, round int64
	last          bool
}

// advance reads the bucket of the replica's next row, whose lane ln is,
// and returns it; noBucket after its last row.
func (c *laneCursor) advance(ln *replicaLane) int64 {
	if c.at < len(ln.enc) {
		v, i := uvarintAt(ln.enc, c.at)
		c.bucket += int64(v)
		c.at = i
		return c.bucket
	}
	if c.last || !ln.has {
		return noBucket
	}
	c.last = true
	return ln.bucket
}

// read sets *row to the row whose bucket advance returned last: replica
// r's, whose lane ln is, in a log of buckets of interval (an encoded row's
// fields are decoded by fields). The row is written in place, not
// returned: a returned row is copied once more.
func (c *laneCursor) read(ln *replicaLane, r int, interval sim.Time, row *ReplicaRow) {
	enc := ln.enc
	if c.at >= len(enc) {
		*row = ln.lastRow(r)
		return
	}
	*row = ReplicaRow{Start: sim.Time(c.bucket) * interval, Replica: r}
	hasRound, rc, tc, rs, to, cm := c.fields(enc)
	if hasRound {
		row.Round, row.HasRound = c.round, true
	}
	row.RoundChanges, row.TCRounds, row.Resets, row.Timeouts, row.Commits = int(rc), int(tc), int(rs), int(to), int(cm)
}

// fields decodes the encoded row at c.at in enc (see closeRow), whose
// bucket advance read, and moves c.at past it: whether it has a round (its
// step is added to c.round), and its round changes, TC rounds, resets,
// timeouts and commits. The fields are read at an index into the encoded
// rows, a byte below 0x80 (nearly all of them: a bucket's step, a round's,
// a count) taken as it is.
func (c *laneCursor) fields(enc []byte) (hasRound bool, rc, tc, rs, to, cm uint64) {
	i := c.at
	flags := enc[i]
	i++
	if flags&encHasRound != 0 {
		var v uint64
		v, i = uvarintAt(enc, i)
		c.round += int64(v>>1) ^ -int64(v&1) // binary.Varint's zig-zag
		hasRound = true
	}
	if flags&encRoundChanges != 0 {
		rc, i = uvarintAt(enc, i)
	}
	if flags&encTCRounds != 0 {
		tc, i = uvarintAt(enc, i)
	}
	if flags&encResets != 0 {
		rs, i = uvarintAt(enc, i)
	}
	if flags&encTimeouts != 0 {
		to, i = uvarintAt(enc, i)
	}
	if flags&encCommits != 0 {
		cm, i = uvarintAt(enc, i)
	}
	c.at = i
	return hasRound, rc, tc, rs, to, cm
}

// noBucket is a laneCursor's bucket after its replica's last row: later
// than any row's.
const noBucket = math.MaxInt64

// uvarintAt reads the uvarint at b[i:] (written by closeRow, so well
// formed) and returns it and the index after it.
func uvarintAt(b []byte, i int) (uint64, int) {
	v := uint64(b[i])
	if v < 0x80 {
		return v, i + 1
	}
	v &= 0x7f
	for s := uint(7); ; s += 7 {
		i++
		x := b[i]
		v |= uint64(x&0x7f) << (s & 63)
		if x < 0x80 {
			return v, i + 1
		}
	}
}

// Round records replica r entering round (or view) round at time at,
// caused by a timeout certificate if tc is set.
func (l *ReplicaLog) Round(at sim.Time, r int, round int64, tc bool) {
	if ln := l.current(at, r); ln != nil {
		ln.roundChanges++
		if tc {
			ln.tcRounds++
		}
		ln.round, ln.hasRound = round, true
	} else if row := l.spilled(at, r); row != nil {
		row.RoundChanges++
		if tc {
			row.TCRounds++
		}
		row.Round, row.HasRound = round, true
		l.lane[r].round, l.lane[r].hasRound = round, true
	}
}

// Reset records a reset of replica r's view state at time at.
func (l *ReplicaLog) Reset(at sim.Time, r int) {
	if ln := l.current(at, r); ln != nil {
		ln.resets++
	} else if row := l.spilled(at, r); row != nil {
		row.Resets++
	}
}

// Timeout records a local round timeout of replica r at time at.
func (l *ReplicaLog) Timeout(at sim.Time, r int) {
	if ln := l.current(at, r); ln != nil {
		ln.timeouts++
	} else if row := l.spilled(at, r); row != nil {
		row.Timeouts++
	}
}

// Commit records an entry committed by replica r at time at.
func (l *ReplicaLog) Commit(at sim.Time, r int) {
	if ln := l.current(at, r); ln != nil {
		ln.commitCount++
	} else if row := l.spilled(at, r); row != nil {
		row.Commits++
	}
}

// Rows returns the rows ordered by time, then replica; rows of one replica
// with the same start (observations out of time order) keep their order.
func (l *ReplicaLog) Rows() []ReplicaRow {
	if l.rows == nil {
		return l.merged(make([]ReplicaRow, 0, l.total), l.n)
	}
	var out []ReplicaRow
	l.each(func(total int) { out = make([]ReplicaRow, 0, total) }, func(r *ReplicaRow) error {
		out = append(out, *r)
		return nil
	})
	return out
}

// each calls row with every row in the order of Rows, after size with the
// number of rows, and stops at the first error. The rows of a log that
// still encodes them are merged in that order (see merged; all at once
// unless the log is sparse). Otherwise rows are not copied when
// every replica's rows have increasing starts (observations in time order,
// as runs make them) and span not many more buckets than there are rows:
// then a counting sort on the bucket orders them, replicas in order within
// a bucket, in O(rows + buckets). Otherwise they are copied and sorted.
func (l *ReplicaLog) each(size func(total int), row func(*ReplicaRow) error) error {
	if l.rows == nil {
		size(l.total)
		if l.sparse(l.n) {
			return l.heapMerge(l.n, row)
		}
		rows := l.merged(make([]ReplicaRow, 0, l.total), l.n)
		for i := range rows {
			if err := row(&rows[i]); err != nil {
				return err
			}
		}
		return nil
	}
	total, increasing := 0, true
	var last sim.Time
	for _, rs := range l.rows {
		total += len(rs)
		for i := 1; i < len(rs) && increasing; i++ {
			increasing = rs[i-1].Start < rs[i].Start
		}
		if len(rs) > 0 {
			last = max(last, rs[len(rs)-1].Start)
		}
	}
	size(total)
	if increasing && total > 0 && int64(last/l.interval) < 4*int64(total)+1024 {
		if order := l.bucketOrder(total, int(last/l.interval)+1); order != nil {
			for _, o := range order {
				if err := row(&l.rows[o>>32][uint32(o)]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	out := make([]ReplicaRow, 0, total)
	for _, rs := range l.rows {
		out = append(out, rs...)
	}
	byTime := func(a, b ReplicaRow) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Replica, b.Replica))
	}
	if increasing {
		// (Start, Replica) is unique: an unstable sort gives the one order.
		slices.SortFunc(out, byTime)
	} else {
		slices.SortStableFunc(out, byTime)
	}
	for i := range out {
		if err := row(&out[i]); err != nil {
			return err
		}
	}
	return nil
}

// merged appends to rows the rows of the replicas below k, ordered by
// time, then replica, from their encoded rows, and returns rows. Each pass
// over the replicas takes the rows of the earliest bucket any of them has
// next, in O(k) per bucket with rows, each row read straight into its
// place; when the buckets times the replicas far outnumber the rows, the
// replicas wait on a heap instead (heapMerge), in O(rows · log k).
func (l *ReplicaLog) merged(rows []ReplicaRow, k int) []ReplicaRow {
	k = min(k, l.n)
	if l.sparse(k) {
		_ = l.heapMerge(k, func(r *ReplicaRow) error {
			rows = append(rows, *r)
			return nil
		})
		return rows
	}
	cur, next, now := l.startPasses(k)
	for now != noBucket {
		bucket := now
		now = noBucket
		for r, s := range next {
			if s == bucket {
				ln := &l.lane[r]
				rows = append(rows, ReplicaRow{})
				cur[r].read(ln, r, l.interval, &rows[len(rows)-1])
				s = cur[r].advance(ln)
				next[r] = s
			}
			now = min(now, s)
		}
	}
	return rows
}

// sparse reports whether the buckets times the replicas below k far
// outnumber the rows of a log that encodes its rows: merged then waits on
// a heap instead of passing over the replicas bucket by bucket.
func (l *ReplicaLog) sparse(k int) bool {
	k = min(k, l.n)
	var last sim.Time
	for r := range k {
		if ln := &l.lane[r]; ln.has {
			last = max(last, ln.start)
		}
	}
	return (int64(last/l.interval)+1)*int64(k) > 8*int64(l.total)+4096
}

// heapMerge calls row with the rows of the replicas below k in the order
// of merged, from a heap of the replicas by their next row, and stops at
// the first error.
func (l *ReplicaLog) heapMerge(k int, row func(*ReplicaRow) error) error {
	cur := make([]laneCursor, k)
	next := make([]int64, k)    // each replica's next row's bucket
	heap := make([]int32, 0, k) // replicas, by (next row's bucket, replica)
	less := func(i, j int) bool {
		a, b := heap[i], heap[j]
		return next[a] < next[b] || next[a] == next[b] && a < b
	}
	down := func(i int) {
		for {
			c := 2*i + 1
			if c >= len(heap) {
				return
			}
			if c+1 < len(heap) && less(c+1, c) {
				c++
			}
			if !less(c, i) {
				return
			}
			heap[i], heap[c] = heap[c], heap[i]
			i = c
		}
	}
	for r := range k {
		if next[r] = cur[r].advance(&l.lane[r]); next[r] != noBucket {
			heap = append(heap, int32(r))
		}
	}
	for i := len(heap)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(heap) > 0 {
		r := int(heap[0])
		ln := &l.lane[r]
		var rw ReplicaRow
		cur[r].read(ln, r, l.interval, &rw)
		if err := row(&rw); err != nil {
			return err
		}
		if next[r] = cur[r].advance(ln); next[r] == noBucket {
			heap[0] = heap[len(heap)-1]
			heap = heap[:len(heap)-1]
		}
		down(0)
	}
	return nil
}

// spill turns the log into plain per-replica rows, for an observation
// back in time.
func (l *ReplicaLog) spill() {
	l.rows = make([][]ReplicaRow, l.n)
	for r := range l.n {
		ln := &l.lane[r]
		var c laneCursor
		for c.advance(ln) != noBucket {
			l.rows[r] = append(l.rows[r], ReplicaRow{})
			c.read(ln, r, l.interval, &l.rows[r][len(l.rows[r])-1])
		}
	}
	for r := range l.lane { // the lanes keep the rounds only
		l.lane[r] = replicaLane{round: l.lane[r].round, hasRound: l.lane[r].hasRound}
	}
}

// lanes returns the rows of the replicas below k in the order of Rows,
// and one more than the largest replica with a row.
func (l *ReplicaLog) lanes(k int) (rows []ReplicaRow, replicas int) {
	if l.rows != nil {
		_ = l.each(func(int) {}, func(r *ReplicaRow) error {
			replicas = max(replicas, r.Replica+1)
			if r.Replica < k {
				rows = append(rows, *r)
			}
			return nil
		})
		return rows, replicas
	}
	for r := range l.n {
		if l.lane[r].has {
			replicas = r + 1
		}
	}
	// About the replicas' share of the rows, and some room: the rows are
	// copied once instead of growing into place.
	if k = min(k, l.n); k > 0 {
		est := l.total / l.n * k
		rows = make([]ReplicaRow, 0, est+est/8+k)
	}
	return l.merged(rows, k), replicas
}

// bucketOrder returns the positions (replica<<32 | index in the replica's
// rows) of the total rows, ordered by bucket then replica; nil when a row
// does not start at a bucket boundary.
func (l *ReplicaLog) bucketOrder(total, buckets int) []int64 {
	next := make([]int32, buckets+1) // next[b+1]: rows in bucket b; then the first free place of b
	for _, rs := range l.rows {
		for i := range rs {
			if rs[i].Start < 0 || rs[i].Start%l.interval != 0 {
				return nil
			}
			next[rs[i].Start/l.interval+1]++
		}
	}
	for b := 1; b < len(next); b++ {
		next[b] += next[b-1]
	}
	order := make([]int64, total)
	for r, rs := range l.rows { // replicas in order: each bucket ends up by replica
		for i := range rs {
			b := rs[i].Start / l.interval
			order[next[b]] = int64(r)<<32 | int64(i)
			next[b]++
		}
	}
	return order
}

func replicasHeader() []string {
	return []string{"time_s", "replica", "round", "round_changes", "tc_round_changes", "resets", "timeouts", "commits"}
}

// WriteReplicasCSV writes replicas.csv atomically, the rows in the order
// given (ReplicaLog.Rows orders them by time, then replica). round is
// empty until the replica entered a round or view.
func WriteReplicasCSV(path string, rows []ReplicaRow) error {
	return writeCSV(path, replicasHeader(), func(emit func(...string) error) error {
		for i := range rows {
			if err := emitReplicaRow(emit, &rows[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteReplicaLogCSV writes the rows of a replica log to replicas.csv
// atomically, like WriteReplicasCSV(path, l.Rows()) but without a copy of
// the rows when they came in time order.
//
// Every field is a number (or empty), which CSV never quotes, so the rows
// are formatted straight into one buffer instead of through csv.Writer:
// the bytes are those csv.Writer writes.
func WriteReplicaLogCSV(path string, l *ReplicaLog) error {
	return writeReplicaLogCSV(nil, path, l)
}

// writeReplicaLogCSV is WriteReplicaLogCSV into the batch b (on its own if b
// is nil).
func writeReplicaLogCSV(b *Batch, path string, l *ReplicaLog) error {
	return b.put(path, func(w io.Writer) error {
		buf := make([]byte, 0, 64<<10)
		buf = append(buf, strings.Join(replicasHeader(), ",")...)
		buf = append(buf, '\n')
		lines := replicaLines{reps: make([]uint64, min(l.n, maxWordReplica))}
		var err error
		if l.rows == nil && !l.sparse(l.n) {
			buf, err = l.writeLines(w, buf, &lines)
		} else {
			err = l.each(func(int) {}, func(r *ReplicaRow) error {
				buf = lines.append(buf, r)
				if len(buf) >= 60<<10 {
					_, err := w.Write(buf)
					buf = buf[:0]
					return err
				}
				return nil
			})
		}
		if err != nil {
			return err
		}
		_, err = w.Write(buf)
		return err
	})
}

// writeLines appends to buf the replicas.csv lines of the rows of a log
// that still encodes them and is not sparse (merged's passes), in the order
// of Rows, writing buf to w whenever it holds 60 KiB, and returns what is
// left of buf. It is merged and replicaLines.append in one: each row is
// read from its replica's encoded rows straight into its line (appendLine),
// with no ReplicaRow, and the replicas' columns are formatted before the
// first line.
func (l *ReplicaLog) writeLines(w io.Writer, buf []byte, lines *replicaLines) ([]byte, error) {
	k := l.n
	cur, next, now := l.startPasses(k)
	for r := range min(k, len(lines.reps)) {
		if lines.reps[r] == 0 {
			lines.replica(r)
		}
	}
	for now != noBucket {
		lines.setStart(sim.Time(now) * l.interval)
		bucket := now
		now = noBucket
		// The pass stays small (the bucket, the next start, the index):
		// most replicas have no row in most buckets.
		for r, s := range next {
			if s == bucket {
				buf, s = l.appendLine(buf, lines, &cur[r], r)
				next[r] = s
				if len(buf) >= 60<<10 {
					if _, err := w.Write(buf); err != nil {
						return buf, err
					}
					buf = buf[:0]
				}
			}
			now = min(now, s)
		}
	}
	return buf, nil
}

// appendLine appends the line of replica r's next row, at cursor c, to b
// (lines holds its time column and the replicas' columns) and returns b
// and the bucket of the replica's next row (noBucket after its last).
func (l *ReplicaLog) appendLine(b []byte, lines *replicaLines, c *laneCursor, r int) ([]byte, int64) {
	n := len(b)
	b = slices.Grow(b, len(lines.time)+maxReplicaNumbers)
	b = b[:n+len(lines.time)+maxReplicaNumbers]
	*(*[32]byte)(b[n:]) = lines.time
	i := n + lines.timeLen
	if r < len(lines.reps) {
		v := lines.reps[r]
		binary.LittleEndian.PutUint64(b[i:], v&^(0xff<<56))
		i += int(v >> 56)
	} else {
		i = lines.putReplica(b, i, uint(r))
	}
	ln := &l.lane[r]
	var rc, tc, rs, to, cm uint64
	if enc := ln.enc; c.at < len(enc) { // an encoded row, its bucket read
		var hasRound bool
		hasRound, rc, tc, rs, to, cm = c.fields(enc)
		if hasRound {
			i = putSmall(b, i, c.round)
		}
	} else { // the lane's last row
		if ln.hasRound {
			i = putSmall(b, i, ln.round)
		}
		rc, tc, rs, to, cm = uint64(ln.roundChanges), uint64(ln.tcRounds), uint64(ln.resets), uint64(ln.timeouts), uint64(ln.commitCount)
	}
	if rc|tc|rs|to|cm < 10 { // putCounts, inlined
		binary.LittleEndian.PutUint64(b[i:], digitCommas+rc<<8+tc<<24+rs<<40+to<<56)
		b[i+8], b[i+9], b[i+10] = ',', byte('0'+cm), '\n'
		b = b[:i+11]
	} else {
		b = b[:putWideCounts(b, i, rc, tc, rs, to, cm)]
	}
	return b, c.advance(ln)
}

// replicaLines formats rows as replicas.csv lines, reusing the time
// column of the previous line when it has the same start (the rows of one
// bucket come together).
type replicaLines struct {
	start sim.Time
	// time holds the formatted start and a comma (timeLen bytes; 0 before
	// the first line), copied whole into each line: one block move. A
	// start takes at most 21 bytes (-9223372036.854775808).
	time    [32]byte
	timeLen int
	// reps[r] is replica r's number and a comma, formatted once: their
	// bytes as a little-endian word, their count in its top byte (0: not
	// formatted yet). Replicas below maxWordReplica only.
	reps []uint64
}

// maxWordReplica bounds the replicas whose number and comma fit in seven
// bytes.
const maxWordReplica = 1_000_000

// replica formats replica r's number and comma into w.reps[r] and returns
// it; r < maxWordReplica.
func (w *replicaLines) replica(r int) uint64 {
	if r >= len(w.reps) {
		w.reps = append(w.reps, make([]uint64, r+1-len(w.reps))...)
	}
	var buf [24]byte
	n := putSmall(buf[:], 0, int64(r))
	buf[n] = ','
	w.reps[r] = binary.LittleEndian.Uint64(buf[:8]) | uint64(n+1)<<56
	return w.reps[r]
}

// maxReplicaNumbers bounds the bytes of a replicas.csv line after its time
// column: seven numbers of at most 20 bytes each, their commas and the
// newline.
const maxReplicaNumbers = 7*20 + 7

// digitCommas is ",0,0,0,0" as a little-endian word: four counts below 10
// are written at once by adding them to the digits' bytes.
const digitCommas = 0x302c302c302c302c

// append appends the line of row r to b. The line is written in place,
// at indexes into room made once, instead of append by append; the five
// counts, when each is a digit (most rows), as one word and three bytes.
func (w *replicaLines) append(b []byte, r *ReplicaRow) []byte {
	if w.timeLen == 0 || r.Start != w.start {
		w.setStart(r.Start)
	}
	n := len(b)
	b = slices.Grow(b, len(w.time)+maxReplicaNumbers)
	b = b[:n+len(w.time)+maxReplicaNumbers]
	*(*[32]byte)(b[n:]) = w.time
	i := w.putReplica(b, n+w.timeLen, uint(r.Replica))
	if r.HasRound {
		i = putSmall(b, i, r.Round)
	}
	return b[:putCounts(b, i, uint64(r.RoundChanges), uint64(r.TCRounds), uint64(r.Resets), uint64(r.Timeouts), uint64(r.Commits))]
}

// setStart formats start and a comma as the time column of the next lines.
func (w *replicaLines) setStart(start sim.Time) {
	w.start = start
	w.timeLen = len(append(appendScaled(w.time[:0], int64(start), secondDecimals), ','))
}

// putReplica writes replica rep's number and a comma at b[i:], which must
// have room for 21 bytes, and returns the index after them.
func (w *replicaLines) putReplica(b []byte, i int, rep uint) int {
	if rep >= maxWordReplica {
		i = putSmall(b, i, int64(rep))
		b[i] = ','
		return i + 1
	}
	var v uint64
	if rep < uint(len(w.reps)) {
		v = w.reps[rep]
	}
	if v == 0 {
		v = w.replica(int(rep))
	}
	binary.LittleEndian.PutUint64(b[i:], v&^(0xff<<56))
	return i + int(v>>56)
}

// putCounts writes a line's five counts (each after a comma) and its
// newline at b[i:], which must have room for 5·21 + 1 bytes, and returns
// the index after them: when each count is a digit (most rows), as one
// word and three bytes.
func putCounts(b []byte, i int, rc, tc, rs, to, cm uint64) int {
	if rc|tc|rs|to|cm < 10 {
		binary.LittleEndian.PutUint64(b[i:], digitCommas+rc<<8+tc<<24+rs<<40+to<<56)
		b[i+8], b[i+9], b[i+10] = ',', byte('0'+cm), '\n'
		return i + 11
	}
	return putWideCounts(b, i, rc, tc, rs, to, cm)
}

// putWideCounts is putCounts with a count of more than one digit.
func putWideCounts(b []byte, i int, rc, tc, rs, to, cm uint64) int {
	for _, v := range [...]uint64{rc, tc, rs, to, cm} {
		b[i] = ','
		i = putSmall(b, i+1, int64(v))
	}
	b[i] = '\n'
	return i + 1
}

// digitPairs holds "00" to "99".
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// appendSmall is strconv.AppendInt in base 10, faster below 1,000 (the
// counts and most replicas and rounds of replicas.csv).
func appendSmall(b []byte, v int64) []byte {
	n := len(b)
	b = slices.Grow(b, 20)[:n+20]
	return b[:putSmall(b, n, v)]
}

// putSmall writes v in base 10 at b[i:], which must have room for 20
// bytes, and returns the index after it, as strconv.AppendInt would write
// it. A digit is written here (most counts of replicas.csv are one), the
// rest by putNumber.
func putSmall(b []byte, i int, v int64) int {
	if uint64(v) < 10 {
		b[i] = byte('0' + v)
		return i + 1
	}
	return putNumber(b, i, v)
}

// putNumber is putSmall from a table of digit pairs below 1,000.
func putNumber(b []byte, i int, v int64) int {
	switch {
	case uint64(v) < 100:
		b[i], b[i+1] = digitPairs[2*v], digitPairs[2*v+1]
		return i + 2
	case uint64(v) < 1000:
		lo := v % 100
		b[i], b[i+1], b[i+2] = byte('0'+v/100), digitPairs[2*lo], digitPairs[2*lo+1]
		return i + 3
	}
	return i + len(strconv.AppendInt(b[i:i], v, 10))
}

func emitReplicaRow(emit func(...string) error, r *ReplicaRow) error {
	round := ""
	if r.HasRound {
		round = fmtInt(r.Round)
	}
	return emit(formatSeconds(r.Start), fmtInt(int64(r.Replica)), round, fmtInt(int64(r.RoundChanges)),
		fmtInt(int64(r.TCRounds)), fmtInt(int64(r.Resets)), fmtInt(int64(r.Timeouts)), fmtInt(int64(r.Commits)))
}

// ReadReplicasCSV reads a replicas.csv written by WriteReplicasCSV.
func ReadReplicasCSV(path string) ([]ReplicaRow, error) {
	var out []ReplicaRow
	err := eachCSVRow(path, replicasHeader(), func(p *fieldParser) error {
		r := ReplicaRow{
			Start:        sim.Time(p.scaled(0, secondDecimals)),
			Replica:      p.count(1),
			RoundChanges: p.count(3),
			TCRounds:     p.count(4),
			Resets:       p.count(5),
			Timeouts:     p.count(6),
			Commits:      p.count(7),
		}
		if p.str(2) != "" {
			r.Round, r.HasRound = p.int(2), true
		}
		if r.Replica >= maxReplicas {
			p.fail(1, fmt.Errorf("replica %d: at most %d replicas", r.Replica, maxReplicas))
		}
		if p.err != nil {
			return p.err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []ReplicaRow{}
	}
	return out, nil
}

// maxReplicas bounds the replica numbers read back from replicas.csv (the
// experiments' own limit).
const maxReplicas = 4096

// startPasses starts the passes over the first k replicas' rows: a cursor
// for each, each one's next row's bucket (noBucket after its last), and
// the earliest of those. The passes read the next buckets from an array of
// their own: most replicas have no row in most buckets.
func (l *ReplicaLog) startPasses(k int) (cur []laneCursor, next []int64, now int64) {
	cur = make([]laneCursor, k)
	next = make([]int64, k)
	now = noBucket
	for r := range k {
		next[r] = cur[r].advance(&l.lane[r])
		now = min(now, next[r])
	}
	return cur, next, now
}
