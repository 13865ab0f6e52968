package gcpolicy

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// limit returns the current memory limit without changing it.
func limit() int64 { return debug.SetMemoryLimit(-1) }

func TestFloorThenDoubleLive(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := limit()
	const floor = 4 << 20
	restore := Set(floor)
	if got := limit(); got != floor {
		restore()
		t.Fatalf("memory limit after Set = %d, want the floor %d", got, floor)
	}
	if pct := debug.SetGCPercent(-1); pct != -1 {
		restore()
		t.Fatalf("GC percent after Set = %d, want -1 (off below the limit)", pct)
	}
	live := make([]byte, 32<<20) // live across the collection
	for i := range live {
		live[i] = byte(i)
	}
	runtime.GC()
	// The hook runs on another goroutine after the collection.
	raised := false
	for range 200 {
		if limit() >= 2*int64(len(live)) {
			raised = true
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	runtime.KeepAlive(live)
	restore()
	if !raised {
		t.Fatalf("memory limit %d after a collection with %d live bytes, want ≥ twice that", limit(), len(live))
	}
	if got := limit(); got != before {
		t.Fatalf("memory limit after restore = %d, want %d", got, before)
	}
}

func TestExplicitSettingWins(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv("GOGC", "")
			t.Setenv("GOMEMLIMIT", "")
			t.Setenv(env, "100")
			before := limit()
			restore := Set(4 << 20)
			got := limit()
			restore()
			if got != before {
				t.Fatalf("with %s set, Set changed the memory limit to %d (was %d)", env, got, before)
			}
		})
	}
}

// TestStartThenInstall: Install installs the policy with Start's floor
// (after the heap's preparation, whose own hold-off of the collector has
// been undone by then) and its restore brings back the settings before.
func TestStartThenInstall(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before, beforePct := limit(), debug.SetGCPercent(-1)
	debug.SetGCPercent(beforePct)
	const floor = 8 << 20
	p := Start(floor)
	p.Wait()
	if got := limit(); got != before {
		t.Fatalf("memory limit after the heap's preparation = %d, want it untouched (%d)", got, before)
	}
	restore := p.Install()
	got, pct := limit(), debug.SetGCPercent(-1)
	restore()
	if got != floor || pct != -1 {
		t.Errorf("after Install: memory limit %d, GC percent %d; want the floor %d and -1", got, pct, floor)
	}
	if got, pct := limit(), debug.SetGCPercent(beforePct); got != before || pct != beforePct {
		t.Errorf("after restore: memory limit %d, GC percent %d; want %d and %d", got, pct, before, beforePct)
	}
	p.Wait() // again: returns at once
}
