package experiments

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/byzsim/byzsim/internal/tomltext"
	"github.com/byzsim/byzsim/results"
	"github.com/byzsim/byzsim/sim"
)

// Limits on what an experiment may ask for. Each bounds memory or time
// before anything is allocated; the messages name the bound.
const (
	// MaxFileBytes bounds the size of an experiment file, read before
	// parsing.
	MaxFileBytes = 1 << 20
	// MaxNesting bounds the nesting of arrays and inline tables in an
	// experiment file, checked before parsing.
	MaxNesting = 32
	// maxTime bounds every duration of an experiment (2·10⁵ hours, about
	// 23 years), so sums of a dozen of them stay inside virtual time's
	// 64-bit range (292 years).
	maxTime = 200_000 * 3600 * sim.Second
	// maxParamTime bounds a protocol's duration parameters (1000 hours):
	// protocols multiply them (a round timer may be up to 1000 Δ).
	maxParamTime = 1000 * 3600 * sim.Second
	// maxTimelineBuckets bounds duration / output.timeline_interval.
	maxTimelineBuckets = 10_000_000
	// maxRequests bounds the requests of one run (count × clients over
	// every workload): each costs a latency record.
	maxRequests = 100_000_000
	// maxOutstanding bounds the requests in flight at once in one run
	// (outstanding × clients over the closed-loop workloads).
	maxOutstanding = 1_000_000
	// maxSamples bounds the legitimacy samples of a run (duration /
	// convergence.period) and the occurrences of a recurring transient
	// fault (duration / every): each is an event, so this bounds time.
	maxSamples = 10_000_000_000
	// minBandwidth is the smallest non-zero bandwidth, in bytes per second:
	// below it the serialization delay of a large message leaves virtual
	// time's range.
	minBandwidth = 1.0
	// maxNameBytes bounds an experiment's name, a directory name.
	maxNameBytes = 100
)

// checkText refuses an experiment text that is too large or nested too
// deeply, before the TOML parser sees it.
func checkText(file string, data []byte) error {
	if len(data) > MaxFileBytes {
		line := 1 + strings.Count(string(data[:MaxFileBytes]), "\n")
		return Errors{{File: file, Line: line, Key: "(file size)", Msg: fmt.Sprintf("the file is %d bytes (allowed: at most %d bytes, 1 MiB)", len(data), MaxFileBytes)}}
	}
	if line, beyond := tomltext.NestedBeyond(data, MaxNesting); beyond {
		return Errors{{File: file, Line: line, Key: "(nesting)", Msg: fmt.Sprintf("arrays and inline tables nested more than %d deep (allowed: at most %d)", MaxNesting, MaxNesting)}}
	}
	return nil
}

// validateName checks the experiment's name, which names its output
// directory.
func validateName(p *problems, e *Experiment) {
	if err := results.CheckPathElem(e.Name); err != nil {
		p.add("name", "%q cannot name the output directory: %v", e.Name, err)
		return
	}
	if strings.HasPrefix(e.Name, ".") || len(e.Name) > maxNameBytes {
		p.add("name", "%q cannot name the output directory (allowed: at most %d bytes, not starting with '.')", e.Name, maxNameBytes)
	}
}

// validateDurations checks that every duration of the experiment is at
// most maxTime.
func validateDurations(p *problems, e *Experiment) {
	walkDurations(reflect.ValueOf(e).Elem(), "", func(key string, d Duration) {
		if d.T() > maxTime {
			p.add(key, "%v is too long (allowed: at most %v)", d.T(), maxTime)
		}
	})
}

var durationType = reflect.TypeOf(Duration(0))

// walkDurations calls fn with the key path and value of every Duration
// reachable from v through structs, pointers and slices.
func walkDurations(v reflect.Value, key string, fn func(string, Duration)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkDurations(v.Elem(), key, fn)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name := tagName(t.Field(i))
			if name == "" || name == "-" {
				continue
			}
			k := name
			if key != "" {
				k = key + "." + name
			}
			walkDurations(v.Field(i), k, fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkDurations(v.Index(i), key+"["+strconv.Itoa(i)+"]", fn)
		}
	case reflect.Int64:
		if v.Type() == durationType {
			fn(key, Duration(v.Int()))
		}
	}
}

// validateBounds checks the counts, sizes and rates of a defaulted
// experiment against the limits above.
func validateBounds(p *problems, e *Experiment) {
	dur := e.Duration.T()
	if iv := e.Output.TimelineInterval.T(); iv > 0 && dur > 0 && dur/iv > maxTimelineBuckets {
		p.add("output.timeline_interval", "%v makes %d timeline buckets over duration %v (allowed: at most %d buckets, an interval of at least %v)",
			iv, dur/iv, dur, maxTimelineBuckets, ceilDiv(dur, maxTimelineBuckets))
	}
	var requests, outstanding float64
	for i := range e.Workloads {
		w := &e.Workloads[i]
		key := fmt.Sprintf("workload[%d]", i)
		clients := float64(max(w.Clients, 1))
		requests += float64(max(w.Count, 0)) * clients
		if requests > maxRequests {
			p.add(key+".count", "%d requests per client × %d clients bring the run to %.0f requests (allowed: at most %d requests per run in all workloads)",
				w.Count, max(w.Clients, 1), requests, maxRequests)
			requests = math.Inf(-1) // report once
		}
		if w.Type == "closed_loop" {
			outstanding += float64(max(w.Outstanding, 0)) * clients
			if outstanding > maxOutstanding {
				p.add(key+".outstanding", "%d outstanding requests per client × %d clients bring the run to %.0f requests in flight (allowed: at most %d)",
					w.Outstanding, max(w.Clients, 1), outstanding, maxOutstanding)
				outstanding = math.Inf(-1)
			}
		}
	}
	if measuresConvergence(e) {
		if per := e.Convergence.Period.T(); per > 0 && dur/per > maxSamples {
			p.add("convergence.period", "%v makes %d legitimacy samples over duration %v (allowed: at most %d samples, a period of at least %v)",
				per, dur/per, dur, int64(maxSamples), ceilDiv(dur, maxSamples))
		}
	}
	for i := range e.Transients {
		t := &e.Transients[i]
		if every := t.Every.T(); every > 0 && dur/every > maxSamples {
			p.add(fmt.Sprintf("transient[%d].every", i), "%v makes %d occurrences over duration %v (allowed: at most %d, a period of at least %v)",
				every, dur/every, dur, int64(maxSamples), ceilDiv(dur, maxSamples))
		}
	}
	checkBandwidth := func(key string, bw float64) {
		if bw > 0 && bw < minBandwidth {
			p.add(key, "%g bytes per second is too small (allowed: 0 for unlimited, or at least %g)", bw, minBandwidth)
		}
	}
	if rto := e.Network.RTO.T(); rto > maxParamTime {
		p.add("network.rto", "%v is too long (allowed: at most %v)", rto, maxParamTime)
	}
	checkBandwidth("network.bandwidth", e.Network.Bandwidth)
	for i, l := range e.Network.Links {
		if l.Bandwidth != nil {
			checkBandwidth(fmt.Sprintf("network.link[%d].bandwidth", i), *l.Bandwidth)
		}
	}
	if e.Stop.Events < 0 {
		p.add("stop.events", "%d is negative (allowed: 0 for no event budget, or a positive count)", e.Stop.Events)
	}
}

func ceilDiv(d sim.Time, n int64) sim.Time { return (d + sim.Time(n) - 1) / sim.Time(n) }

// memoryEstimate is a rough upper estimate of the memory one run of e
// takes, in bytes, and the key most responsible for it.
func memoryEstimate(e *Experiment) (uint64, string) {
	n := float64(e.Protocol.N)
	parts := []struct {
		key   string
		bytes float64
	}{
		{"protocol.n", n * (256<<10 + n*512)},
		{"output.timeline_interval", 0},
		{"workload", 0},
	}
	if iv := e.Output.TimelineInterval.T(); iv > 0 {
		parts[1].bytes = float64(e.Duration.T()/iv) * 64
	}
	for i := range e.Workloads {
		w := &e.Workloads[i]
		c := float64(max(w.Clients, 1))
		parts[2].bytes += float64(max(w.Count, 0))*c*192 + c*(8<<10) + float64(max(w.Outstanding, 0))*c*256
	}
	if measuresConvergence(e) {
		parts[0].bytes *= 2 // snapshots of replica state
	}
	total, key, most := float64(16<<20), "", -1.0
	for _, pt := range parts {
		total += pt.bytes
		if pt.bytes > most {
			key, most = pt.key, pt.bytes
		}
	}
	if total > math.MaxUint64/2 {
		return math.MaxUint64 / 2, key
	}
	return uint64(total), key
}

// gib writes a byte count in GiB.
func gib(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }

// unboundedAfter is the virtual duration above which a run that nothing
// but its duration ends is called unbounded.
const unboundedAfter = 3600 * sim.Second

// Unbounded returns a warning for each sweep point whose runs nothing ends
// before a long duration (over an hour of virtual time): no [stop] events
// or commits budget, and stop.when_done off or no workloads to finish.
func (p *Plan) Unbounded() []string {
	var out []string
	seen := map[int]bool{}
	for _, r := range p.Runs {
		e := r.Exp
		if seen[r.Point] || e.Duration.T() <= unboundedAfter || e.Stop.Events > 0 || e.Stop.Commits > 0 {
			continue
		}
		if boolOr(e.Stop.WhenDone, true) && len(e.Workloads) > 0 {
			continue
		}
		seen[r.Point] = true
		out = append(out, fmt.Sprintf("run %s may go on for its whole duration of %v virtual time (nothing else ends it)", r.ID, e.Duration.T()))
		if len(out) == 3 {
			out = append(out, "(further sweep points alike)")
			break
		}
	}
	return out
}
