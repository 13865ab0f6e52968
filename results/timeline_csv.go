package results

import "github.com/byzsim/byzsim/sim"

// timelineHeader is the header of timeline.csv. time_s is the bucket start,
// an exact decimal of nanoseconds.
func timelineHeader() []string {
	return []string{"time_s", "completed", "throughput_rps", "commits", "bytes"}
}

// WriteTimelineCSV writes timeline.csv atomically, one row per bucket, in
// the order given (Timeline.Rows gives them by time).
func WriteTimelineCSV(path string, rows []TimelineRow) error {
	return writeTimelineCSV(nil, path, rows)
}

// writeTimelineCSV is WriteTimelineCSV into the batch b (on its own if b is
// nil).
func writeTimelineCSV(b *Batch, path string, rows []TimelineRow) error {
	return writeCSVTo(b, path, timelineHeader(), func(emit func(...string) error) error {
		for _, r := range rows {
			err := emit(formatSeconds(r.Start), fmtUint(r.Completed), formatFloat(r.ThroughputRPS),
				fmtUint(r.Commits), fmtUint(r.Bytes))
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadTimelineCSV reads a timeline.csv written by WriteTimelineCSV.
func ReadTimelineCSV(path string) ([]TimelineRow, error) {
	c, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	if err := c.expectHeader(timelineHeader()); err != nil {
		return nil, err
	}
	out := make([]TimelineRow, len(c.rows))
	for i := range c.rows {
		p := c.parser(i)
		out[i] = TimelineRow{
			Start:         sim.Time(p.scaled(0, secondDecimals)),
			Completed:     p.uint(1),
			ThroughputRPS: p.float(2),
			Commits:       p.uint(3),
			Bytes:         p.uint(4),
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	return out, nil
}
