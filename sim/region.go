package sim

import "fmt"

// RegionModel builds a link model for Network.SetModel from a latency matrix
// between named regions.
//
// regions names the regions; oneWay[i][j] is the one-way base propagation
// delay from regions[i] to regions[j] (oneWay[i][i] is the delay inside a
// region). nodeRegion[k] is the region of node k and must name a region for
// every node of the world. The link from a to b gets
//
//	Delay: Shifted{Base: oneWay[region(a)][region(b)], Jitter: jitter}
//
// with the other fields (loss, bandwidth, channel, RTO) copied from link;
// link.Delay is ignored. A nil jitter means no jitter.
//
// It returns an error when the matrix is not square, a region name is empty
// or repeated, a delay is negative, or a node names an unknown region. The
// inputs are copied; the returned model panics when asked for a node beyond
// nodeRegion.
func RegionModel(regions []string, oneWay [][]Time, nodeRegion []string, jitter Dist, link Link) (func(from, to NodeID) Link, error) {
	index := make(map[string]int, len(regions))
	for i, r := range regions {
		if r == "" {
			return nil, fmt.Errorf("sim: region model: region %d has an empty name", i)
		}
		if _, dup := index[r]; dup {
			return nil, fmt.Errorf("sim: region model: region %q listed twice", r)
		}
		index[r] = i
	}
	if len(regions) == 0 {
		return nil, fmt.Errorf("sim: region model: no regions")
	}
	if len(oneWay) != len(regions) {
		return nil, fmt.Errorf("sim: region model: latency matrix has %d rows, want %d (one per region)", len(oneWay), len(regions))
	}
	for i, row := range oneWay {
		if len(row) != len(regions) {
			return nil, fmt.Errorf("sim: region model: latency matrix row %d (%s) has %d entries, want %d", i, regions[i], len(row), len(regions))
		}
		for j, d := range row {
			if d < 0 {
				return nil, fmt.Errorf("sim: region model: latency %s→%s is negative (%v)", regions[i], regions[j], d)
			}
		}
	}
	of := make([]int, len(nodeRegion))
	for k, r := range nodeRegion {
		i, ok := index[r]
		if !ok {
			return nil, fmt.Errorf("sim: region model: node %d is in unknown region %q", k, r)
		}
		of[k] = i
	}
	// One Link per region pair, built once.
	n := len(regions)
	links := make([]Link, n*n)
	for i := range n {
		for j := range n {
			l := link
			l.Delay = Shifted{Base: oneWay[i][j], Jitter: jitter}
			links[i*n+j] = l
		}
	}
	return func(from, to NodeID) Link {
		if from < 0 || to < 0 || int(from) >= len(of) || int(to) >= len(of) {
			panic(fmt.Sprintf("sim: region model: link %d→%d: %d nodes have a region", from, to, len(of)))
		}
		return links[of[from]*n+of[to]]
	}, nil
}
