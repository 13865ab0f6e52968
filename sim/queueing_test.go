package sim

import (
	"math"
	"testing"
)

// job is a message carrying its creation time.
type job struct{ created Time }

func (*job) Kind() string { return "job" }
func (*job) Size() int    { return 0 }

// queueStats accumulates what the server of a single-server queue saw.
type queueStats struct {
	jobs    int
	sojourn float64 // sum of completion − creation, in ns
	wait    float64 // sum of service start − creation, in ns
}

// simulateQueue runs a single-server queue: node 0 emits jobs to node 1 as a
// Poisson process of rate lambda (per second) over a zero-delay link; node 1
// charges a service time from service per job, drawn from its own stream.
func simulateQueue(seed uint64, lambda float64, service Dist, jobs int) queueStats {
	w := NewWorld(Config{Seed: seed, Replicas: 2})
	var st queueStats
	emitted := 0
	meanGap := float64(Second) / lambda
	emit := func(env Env) {
		env.Send(1, &job{created: env.Now()})
		emitted++
		if emitted < jobs {
			env.SetTimer(Time(math.Round(env.Rand().ExpFloat64()*meanGap)), 0, 0)
		}
	}
	w.AddNode(&funcNode{start: emit, fire: func(env Env, _ Timer) { emit(env) }}, 0)
	w.AddNode(&funcNode{deliver: func(env Env, _ NodeID, m Message) {
		created := m.(*job).created
		st.wait += float64(env.Now() - created)
		env.Charge(service.Sample(env.Rand()))
		st.sojourn += float64(env.Now() - created)
		st.jobs++
	}}, 0)
	w.Run(Never)
	return st
}

// TestQueueingTheory checks the CPU model against M/M/1 and M/D/1 results:
// mean sojourn 1/(μ−λ) for exponential service, mean wait ρ/(2μ(1−ρ)) for
// deterministic service.
func TestQueueingTheory(t *testing.T) {
	const mu = 1000.0 // services per second: mean service 1ms
	jobs := 500_000
	seeds := 4
	if testing.Short() {
		jobs, seeds = 200_000, 2
	}
	tests := []struct {
		name    string
		rho     float64
		service Dist
		sojourn bool // check the sojourn (M/M/1), else the wait (M/D/1)
	}{
		{"M/M/1 rho=0.5", 0.5, Exponential{M: Millisecond}, true},
		{"M/M/1 rho=0.8", 0.8, Exponential{M: Millisecond}, true},
		{"M/D/1 rho=0.5", 0.5, Constant{D: Millisecond}, false},
		{"M/D/1 rho=0.8", 0.8, Constant{D: Millisecond}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lambda := tc.rho * mu
			var total queueStats
			for s := range seeds {
				st := simulateQueue(uint64(100+s), lambda, tc.service, jobs)
				if st.jobs != jobs {
					t.Fatalf("seed %d: served %d jobs, want %d", s, st.jobs, jobs)
				}
				total.jobs += st.jobs
				total.sojourn += st.sojourn
				total.wait += st.wait
			}
			var got, want float64
			if tc.sojourn {
				got = total.sojourn / float64(total.jobs) / float64(Second)
				want = 1 / (mu - lambda)
			} else {
				got = total.wait / float64(total.jobs) / float64(Second)
				want = tc.rho / (2 * mu * (1 - tc.rho))
			}
			if rel := math.Abs(got-want) / want; rel > 0.03 {
				t.Fatalf("mean %.4gs, theory %.4gs (off by %.1f%%, want ≤ 3%%)", got, want, 100*rel)
			}
		})
	}
}
