package results

import (
	"cmp"
	"slices"

	"github.com/byzsim/byzsim/sim"
)

// LatencyRecord is one completed request, one row of latency.csv.
type LatencyRecord struct {
	Workload string
	Client   sim.NodeID
	ID       uint64
	// Sent is the request's first send; Latency runs from there to its
	// completion.
	Sent    sim.Time
	Latency sim.Time
	// Retransmissions counts the sends after the first.
	Retransmissions int
}

// latencyHeader is the header of latency.csv. sent_s and latency_ms are
// exact decimals of nanoseconds.
func latencyHeader() []string {
	return []string{"workload", "client", "id", "sent_s", "latency_ms", "retransmissions"}
}

// compareLatencyRecords orders records by send time, workload, client, id.
func compareLatencyRecords(a, b LatencyRecord) int {
	return cmp.Or(cmp.Compare(a.Sent, b.Sent), cmp.Compare(a.Workload, b.Workload),
		cmp.Compare(a.Client, b.Client), cmp.Compare(a.ID, b.ID))
}

// WriteLatencyCSV writes latency.csv atomically, one row per record, ordered
// by send time, then workload, client and id (recs is not modified).
func WriteLatencyCSV(path string, recs []LatencyRecord) error {
	return writeLatencyCSV(nil, path, recs)
}

// writeLatencyCSV is WriteLatencyCSV into the batch b (on its own if b is
// nil).
func writeLatencyCSV(b *Batch, path string, recs []LatencyRecord) error {
	return writeSortedLatencyCSV(b, path, sortedLatencyRecords(recs))
}

// sortedLatencyRecords returns a copy of recs in the order of latency.csv.
func sortedLatencyRecords(recs []LatencyRecord) []LatencyRecord {
	sorted := slices.Clone(recs)
	slices.SortStableFunc(sorted, compareLatencyRecords)
	return sorted
}

// writeSortedLatencyCSV is writeLatencyCSV of records already in the order
// of latency.csv (sortedLatencyRecords).
func writeSortedLatencyCSV(b *Batch, path string, sorted []LatencyRecord) error {
	return writeCSVTo(b, path, latencyHeader(), func(emit func(...string) error) error {
		for _, r := range sorted {
			err := emit(r.Workload, fmtInt(int64(r.Client)), fmtUint(r.ID),
				formatSeconds(r.Sent), formatMillis(r.Latency), fmtInt(int64(r.Retransmissions)))
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadLatencyCSV reads a latency.csv written by WriteLatencyCSV.
func ReadLatencyCSV(path string) ([]LatencyRecord, error) {
	c, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	if err := c.expectHeader(latencyHeader()); err != nil {
		return nil, err
	}
	out := make([]LatencyRecord, len(c.rows))
	for i := range c.rows {
		p := c.parser(i)
		out[i] = LatencyRecord{
			Workload:        p.str(0),
			Client:          sim.NodeID(p.int(1)),
			ID:              p.uint(2),
			Sent:            sim.Time(p.scaled(3, secondDecimals)),
			Latency:         sim.Time(p.scaled(4, milliDecimals)),
			Retransmissions: int(p.int(5)),
		}
		if out[i].Latency < 0 {
			p.fail(4, errNegative)
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	return out, nil
}

// LatencyOf builds a Latency recorder from records (e.g. read back from
// latency.csv).
func LatencyOf(recs []LatencyRecord) *Latency {
	l := NewLatency()
	for _, r := range recs {
		l.Add(r.Workload, r.Sent, r.Latency)
	}
	return l
}
