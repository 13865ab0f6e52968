package results

import (
	"cmp"
	"fmt"
	"slices"

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
	// Round is the replica's round (DiemBFT) or established view (BFTList)
	// at the end of the bucket; HasRound is false until it entered one.
	Round    int64
	HasRound bool
	// RoundChanges counts entries into a round or view in the bucket,
	// TCRounds those caused by a timeout certificate, Resets the resets of
	// the view state (BFTList), Timeouts the local round timeouts, and
	// Commits the entries committed.
	RoundChanges, TCRounds, Resets, Timeouts, Commits int
}

// ReplicaLog records, per replica, the round changes, timeouts and commits
// in buckets of a fixed interval (bucket k covers [k·interval,
// (k+1)·interval)). Observations must come in time order, as a run makes
// them. The zero value is not usable; call NewReplicaLog.
type ReplicaLog struct {
	interval sim.Time
	n        int
	rows     [][]ReplicaRow // per replica, by time
	round    []int64
	hasRound []bool
}

// NewReplicaLog returns an empty log of n replicas with the given bucket
// width (0: DefaultInterval).
func NewReplicaLog(n int, interval sim.Time) *ReplicaLog {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &ReplicaLog{interval: interval, n: n, rows: make([][]ReplicaRow, n),
		round: make([]int64, n), hasRound: make([]bool, n)}
}

// row returns the row of replica r's bucket at time at; nil for a node
// that is not a replica or a nil log (which records nothing).
func (l *ReplicaLog) row(at sim.Time, r int) *ReplicaRow {
	if l == nil || r < 0 || r >= l.n {
		return nil
	}
	start := at / l.interval * l.interval
	rs := l.rows[r]
	if len(rs) == 0 || rs[len(rs)-1].Start != start {
		l.rows[r] = append(rs, ReplicaRow{Start: start, Replica: r, Round: l.round[r], HasRound: l.hasRound[r]})
	}
	return &l.rows[r][len(l.rows[r])-1]
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

// Rows returns the rows ordered by time, then replica.
func (l *ReplicaLog) Rows() []ReplicaRow {
	var out []ReplicaRow
	for _, rs := range l.rows {
		out = append(out, rs...)
	}
	slices.SortStableFunc(out, func(a, b ReplicaRow) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Replica, b.Replica))
	})
	return out
}

func replicasHeader() []string {
	return []string{"time_s", "replica", "round", "round_changes", "tc_round_changes", "resets", "timeouts", "commits"}
}

// WriteReplicasCSV writes replicas.csv atomically, the rows in the order
// given (ReplicaLog.Rows orders them by time, then replica). round is
// empty until the replica entered a round or view.
func WriteReplicasCSV(path string, rows []ReplicaRow) error {
	return writeCSV(path, replicasHeader(), func(emit func(...string) error) error {
		for _, r := range rows {
			round := ""
			if r.HasRound {
				round = fmtInt(r.Round)
			}
			err := emit(formatSeconds(r.Start), fmtInt(int64(r.Replica)), round, fmtInt(int64(r.RoundChanges)),
				fmtInt(int64(r.TCRounds)), fmtInt(int64(r.Resets)), fmtInt(int64(r.Timeouts)), fmtInt(int64(r.Commits)))
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadReplicasCSV reads a replicas.csv written by WriteReplicasCSV.
func ReadReplicasCSV(path string) ([]ReplicaRow, error) {
	c, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	if err := c.expectHeader(replicasHeader()); err != nil {
		return nil, err
	}
	out := make([]ReplicaRow, len(c.rows))
	for i := range c.rows {
		p := c.parser(i)
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
			return nil, p.err
		}
		out[i] = r
	}
	return out, nil
}

// maxReplicas bounds the replica numbers read back from replicas.csv (the
// experiments' own limit).
const maxReplicas = 4096
