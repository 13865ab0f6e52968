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
