package experiments

import (
	"strings"

	"github.com/byzsim/byzsim/protocols"
)

// DelayDistributions lists the delay distributions of [network.delay] (and
// of every other delay table) with their keys, in the order byzsim list
// shows them; buildDist accepts exactly these.
func DelayDistributions() []protocols.Named {
	return []protocols.Named{
		{Name: "constant", Doc: "value"},
		{Name: "uniform", Doc: "min, max"},
		{Name: "normal", Doc: "mean, std (truncated at 0)"},
		{Name: "exponential", Doc: "mean"},
		{Name: "lognormal", Doc: "median, sigma (of the underlying normal)"},
	}
}

// Channels lists the channel kinds of [network] channel and
// [network.channels]; parseChannel accepts exactly these.
func Channels() []protocols.Named {
	return []protocols.Named{
		{Name: "reliable", Doc: "FIFO like TCP; a lost transmission is retransmitted after rto"},
		{Name: "lossy", Doc: "unordered like UDP; a lost message is gone"},
	}
}

// namesOf returns "a, b, c" for the names of items.
func namesOf(items []protocols.Named) string {
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Name
	}
	return strings.Join(names, ", ")
}
