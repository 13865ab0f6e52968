package results

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
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
// (k+1)·interval)). The zero value is not usable; call NewReplicaLog.
//
// A run of n replicas has up to n rows per interval (600,000 for 1,000
// replicas over 60 s). A run observes in time order, so while observations
// come in time order the log keeps the rows of the current bucket as
// structs, one per replica, and encodes those of earlier buckets in a few
// bytes each, in the order of Rows (see flush): reading them back is one
// pass, without sorting or merging. An observation in an earlier bucket than
// the current one turns the log into plain per-replica rows for the rest of
// the run.
type ReplicaLog struct {
	interval sim.Time
	n        int
	round    []int64
	hasRound []bool
	total    int // rows

	// The current bucket, [curStart, curStart+interval), once started:
	// cur[r] is replica r's row in it if r is in the bit set touched
	// (ntouched replicas).
	started  bool
	curStart sim.Time
	cur      []ReplicaRow
	touched  []uint64
	ntouched int
	// enc holds the rows of the buckets before the current one, encoded in
	// the order of Rows; encBucket is the last encoded bucket and
	// encRound[r] the round of replica r's last encoded row with a round,
	// the bases of the next ones.
	enc       []byte
	encBucket int64
	encRound  []int64

	// rows, once not nil, holds every row per replica, by time of
	// observation: observations went back in time.
	rows [][]ReplicaRow
}

// NewReplicaLog returns an empty log of n replicas with the given bucket
// width (0: DefaultInterval).
func NewReplicaLog(n int, interval sim.Time) *ReplicaLog {
	if interval <= 0 {
		interval = DefaultInterval
	}
	n = max(n, 0)
	return &ReplicaLog{interval: interval, n: n, round: make([]int64, n), hasRound: make([]bool, n),
		cur: make([]ReplicaRow, n), touched: make([]uint64, (n+63)/64), encRound: make([]int64, n)}
}

// row returns the row of replica r's bucket at time at; nil for a node
// that is not a replica or a nil log (which records nothing).
func (l *ReplicaLog) row(at sim.Time, r int) *ReplicaRow {
	if l == nil || r < 0 || r >= l.n {
		return nil
	}
	if l.rows == nil {
		switch {
		case l.started && at >= l.curStart && uint64(at-l.curStart) < uint64(l.interval):
			return l.touch(r)
		case at >= 0 && (!l.started || at > l.curStart):
			l.flush()
			l.started, l.curStart = true, at/l.interval*l.interval
			return l.touch(r)
		}
		l.spill()
	}
	start := at / l.interval * l.interval
	rs := l.rows[r]
	if len(rs) == 0 || rs[len(rs)-1].Start != start {
		l.rows[r] = append(rs, ReplicaRow{Start: start, Replica: r, Round: l.round[r], HasRound: l.hasRound[r]})
		l.total++
	}
	return &l.rows[r][len(l.rows[r])-1]
}

// touch returns replica r's row in the current bucket, starting it if r has
// none.
func (l *ReplicaLog) touch(r int) *ReplicaRow {
	row := &l.cur[r]
	if w, bit := r>>6, uint64(1)<<(r&63); l.touched[w]&bit == 0 {
		l.touched[w] |= bit
		l.ntouched++
		l.total++
		*row = ReplicaRow{Start: l.curStart, Replica: r, Round: l.round[r], HasRound: l.hasRound[r]}
	}
	return row
}

// eachCurrent calls row with the rows of the current bucket, by replica,
// and stops at the first error.
func (l *ReplicaLog) eachCurrent(row func(*ReplicaRow) error) error {
	for w, word := range l.touched {
		for ; word != 0; word &= word - 1 {
			if err := row(&l.cur[w<<6+bits.TrailingZeros64(word)]); err != nil {
				return err
			}
		}
	}
	return nil
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

// flush appends the rows of the current bucket to the encoded rows and
// empties it. A bucket is encoded as its index's increase over the previous
// encoded bucket's (uvarint, from 0) and its number of rows (uvarint), then
// its rows by replica, each as the replica's increase over the previous
// row's (uvarint, from 0), a flag byte, the round's change since the
// replica's previous encoded row with a round (varint, with encHasRound)
// and each non-zero counter (uvarint). The row of a replica that committed
// once in a bucket takes 4 bytes.
func (l *ReplicaLog) flush() {
	if l.ntouched == 0 {
		return
	}
	bucket := int64(l.curStart / l.interval)
	b := appendUvarint(l.enc, uint64(bucket-l.encBucket))
	b = appendUvarint(b, uint64(l.ntouched))
	l.encBucket = bucket
	prev := 0
	for w, word := range l.touched {
		for ; word != 0; word &= word - 1 {
			r := w<<6 + bits.TrailingZeros64(word)
			row := &l.cur[r]
			b = appendUvarint(b, uint64(r-prev))
			prev = r
			flags := len(b)
			b = append(b, 0)
			if row.HasRound {
				b[flags] |= encHasRound
				b = binary.AppendVarint(b, row.Round-l.encRound[r])
				l.encRound[r] = row.Round
			}
			if row.RoundChanges|row.TCRounds|row.Resets|row.Timeouts == 0 && uint(row.Commits) < 0x80 {
				if row.Commits != 0 {
					b[flags] |= encCommits
					b = append(b, byte(row.Commits))
				}
				continue
			}
			for i, c := range [...]int{row.RoundChanges, row.TCRounds, row.Resets, row.Timeouts, row.Commits} {
				if c != 0 {
					b[flags] |= encRoundChanges << i
					b = appendUvarint(b, uint64(c))
				}
			}
		}
		l.touched[w] = 0
	}
	l.ntouched = 0
	l.enc = b
}

// appendUvarint is binary.AppendUvarint, faster for a value below 128.
func appendUvarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return binary.AppendUvarint(b, v)
}

// replicaDecoder reads the encoded rows back, in order.
type replicaDecoder struct {
	l      *ReplicaLog
	b      []byte
	bucket int64
	left   int     // rows left in the bucket
	r      int     // the replica of the last row
	round  []int64 // each replica's last decoded round
	row    ReplicaRow
}

func (l *ReplicaLog) decoder() *replicaDecoder {
	return &replicaDecoder{l: l, b: l.enc, round: make([]int64, l.n)}
}

// next reads the next encoded row into d.row; false after the last.
func (d *replicaDecoder) next() bool {
	if !d.nextReplica() {
		return false
	}
	d.read()
	return true
}

// nextReplica reads the replica of the next encoded row into d.r, leaving
// the rest of the row to read or skip; false after the last row.
func (d *replicaDecoder) nextReplica() bool {
	if d.left == 0 {
		if len(d.b) == 0 {
			return false
		}
		d.bucket += int64(d.uvarint())
		d.left, d.r = int(d.uvarint()), 0
	}
	d.left--
	d.r += int(d.uvarint())
	return true
}

// skip skips the rest of the row whose replica nextReplica read: d.row is
// not set, and the replica's round is not followed (so its later rows must
// be skipped too).
func (d *replicaDecoder) skip() {
	fields := bits.OnesCount8(d.b[0])
	d.b = d.b[1:]
	for range fields {
		for d.b[0] >= 0x80 {
			d.b = d.b[1:]
		}
		d.b = d.b[1:]
	}
}

// read reads the rest of the row whose replica nextReplica read into d.row.
func (d *replicaDecoder) read() {
	flags := d.b[0]
	d.b = d.b[1:]
	d.row = ReplicaRow{Start: sim.Time(d.bucket) * d.l.interval, Replica: d.r}
	if flags&encHasRound != 0 {
		v, m := binary.Varint(d.b)
		d.b = d.b[m:]
		d.round[d.r] += v
		d.row.Round, d.row.HasRound = d.round[d.r], true
	}
	if flags&encRoundChanges != 0 {
		d.row.RoundChanges = int(d.uvarint())
	}
	if flags&encTCRounds != 0 {
		d.row.TCRounds = int(d.uvarint())
	}
	if flags&encResets != 0 {
		d.row.Resets = int(d.uvarint())
	}
	if flags&encTimeouts != 0 {
		d.row.Timeouts = int(d.uvarint())
	}
	if flags&encCommits != 0 {
		d.row.Commits = int(d.uvarint())
	}
}

// uvarint reads a uvarint (inlined for one byte).
func (d *replicaDecoder) uvarint() uint64 {
	v, m := uvarint(d.b)
	d.b = d.b[m:]
	return v
}

// uvarint is binary.Uvarint of a well-formed uvarint, inlined for one byte.
func uvarint(b []byte) (uint64, int) {
	if b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	return binary.Uvarint(b)
}

// Round records replica r entering round (or view) round at time at,
// caused by a timeout certificate if tc is set.
func (l *ReplicaLog) Round(at sim.Time, r int, round int64, tc bool) {
	if row := l.row(at, r); row != nil {
		row.RoundChanges++
		if tc {
			row.TCRounds++
		}
		row.Round, row.HasRound = round, true
		l.round[r], l.hasRound[r] = round, true
	}
}

// Reset records a reset of replica r's view state at time at.
func (l *ReplicaLog) Reset(at sim.Time, r int) {
	if row := l.row(at, r); row != nil {
		row.Resets++
	}
}

// Timeout records a local round timeout of replica r at time at.
func (l *ReplicaLog) Timeout(at sim.Time, r int) {
	if row := l.row(at, r); row != nil {
		row.Timeouts++
	}
}

// Commit records an entry committed by replica r at time at.
func (l *ReplicaLog) Commit(at sim.Time, r int) {
	if row := l.row(at, r); row != nil {
		row.Commits++
	}
}

// Rows returns the rows ordered by time, then replica; rows of one replica
// with the same start (observations out of time order) keep their order.
func (l *ReplicaLog) Rows() []ReplicaRow {
	var out []ReplicaRow
	l.each(func(total int) { out = make([]ReplicaRow, 0, total) }, func(r *ReplicaRow) error {
		out = append(out, *r)
		return nil
	})
	return out
}

// each calls row with every row in the order of Rows, after size with the
// number of rows, and stops at the first error. The rows of a log that
// still encodes them are read back in that order. Otherwise rows are not
// copied when every replica's rows have increasing starts and span not many
// more buckets than there are rows: then a counting sort on the bucket
// orders them, replicas in order within a bucket, in O(rows + buckets).
// Otherwise they are copied and sorted.
func (l *ReplicaLog) each(size func(total int), row func(*ReplicaRow) error) error {
	if l.rows == nil {
		size(l.total)
		for d := l.decoder(); d.next(); {
			if err := row(&d.row); err != nil {
				return err
			}
		}
		return l.eachCurrent(row)
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

// spill turns the log into plain per-replica rows, for an observation
// back in time.
func (l *ReplicaLog) spill() {
	l.rows = make([][]ReplicaRow, l.n)
	for d := l.decoder(); d.next(); {
		l.rows[d.row.Replica] = append(l.rows[d.row.Replica], d.row)
	}
	_ = l.eachCurrent(func(r *ReplicaRow) error {
		l.rows[r.Replica] = append(l.rows[r.Replica], *r)
		return nil
	})
	l.cur, l.touched, l.ntouched, l.enc, l.encRound = nil, nil, 0, nil, nil
}

// lanes returns the rows of the replicas below k in the order of Rows,
// and one more than the largest replica with a row.
func (l *ReplicaLog) lanes(k int) (rows []ReplicaRow, replicas int) {
	if l.rows == nil {
		// The rows of the other replicas are skipped, not decoded.
		for d := l.decoder(); d.nextReplica(); {
			replicas = max(replicas, d.r+1)
			if d.r >= k {
				d.skip()
				continue
			}
			d.read()
			rows = append(rows, d.row)
		}
		_ = l.eachCurrent(func(r *ReplicaRow) error {
			replicas = max(replicas, r.Replica+1)
			if r.Replica < k {
				rows = append(rows, *r)
			}
			return nil
		})
		return rows, replicas
	}
	_ = l.each(func(int) {}, func(r *ReplicaRow) error {
		replicas = max(replicas, r.Replica+1)
		if r.Replica < k {
			rows = append(rows, *r)
		}
		return nil
	})
	return rows, replicas
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
		var lines replicaLines
		err := l.each(func(int) {}, func(r *ReplicaRow) error {
			buf = lines.append(buf, r)
			if len(buf) >= 60<<10 {
				_, err := w.Write(buf)
				buf = buf[:0]
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
		_, err = w.Write(buf)
		return err
	})
}

// replicaLines formats rows as replicas.csv lines, reusing the time
// column of the previous line when it has the same start (the rows of one
// bucket come together).
type replicaLines struct {
	start sim.Time
	time  []byte // formatted start and comma; empty before the first line
}

func (w *replicaLines) append(b []byte, r *ReplicaRow) []byte {
	if len(w.time) == 0 || r.Start != w.start {
		w.start = r.Start
		w.time = append(appendScaled(w.time[:0], int64(r.Start), secondDecimals), ',')
	}
	b = append(b, w.time...)
	b = appendSmall(b, int64(r.Replica))
	b = append(b, ',')
	if r.HasRound {
		b = appendSmall(b, r.Round)
	}
	if uint(r.RoundChanges) < 10 && uint(r.TCRounds) < 10 && uint(r.Resets) < 10 && uint(r.Timeouts) < 10 && uint(r.Commits) < 10 {
		// The common case: every counter one digit.
		return append(b, ',', byte('0'+r.RoundChanges), ',', byte('0'+r.TCRounds), ',', byte('0'+r.Resets),
			',', byte('0'+r.Timeouts), ',', byte('0'+r.Commits), '\n')
	}
	for _, v := range [...]int{r.RoundChanges, r.TCRounds, r.Resets, r.Timeouts, r.Commits} {
		b = append(b, ',')
		b = appendSmall(b, int64(v))
	}
	return append(b, '\n')
}

// appendSmall is strconv.AppendInt in base 10, faster below 1,000.
func appendSmall(b []byte, v int64) []byte {
	switch u := uint64(v); {
	case u < 10:
		return append(b, byte('0'+u))
	case u < 100:
		return append(b, byte('0'+u/10), byte('0'+u%10))
	case u < 1000:
		return append(b, byte('0'+u/100), byte('0'+u/10%10), byte('0'+u%10))
	}
	return strconv.AppendInt(b, v, 10)
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
