// Package hugepages asks the operating system to back the heap a run is
// about to fill with transparent huge pages.
//
// A simulation allocates its state as it goes and, under gcpolicy, keeps
// it until a floor, so nearly every allocation lands on fresh pages. On
// Linux each fresh 4 KiB page costs a page fault; at peer-256 that is
// 5,500 faults, about a fifth of the run's CPU time on the reference
// machine. Where transparent huge pages are enabled only for memory that
// asks for them ("madvise", the default of many distributions), Go's heap
// does not ask. Reserve grows the heap by a span of address space at once,
// advises that span MADV_HUGEPAGE and gives it back to the heap unused:
// the allocations that follow reuse the span, and a fault there brings in
// 2 MiB. Outputs do not change; only how memory is paged in.
package hugepages

import (
	"strings"
	"sync"
)

// Outcome says what Reserve did.
type Outcome struct {
	// Advised is the number of bytes of heap address space advised.
	Advised uint64
	// Skipped, when Advised is 0, says why.
	Skipped string
}

// settings are what Reserve reads of the system before it acts.
type settings struct {
	goDebug    string // $GODEBUG
	thpEnabled string // /sys/kernel/mm/transparent_hugepage/enabled
	overcommit string // /proc/sys/vm/overcommit_memory
}

// skip returns why Reserve should leave the heap alone, or "" when it
// should advise it: only when the kernel gives huge pages to memory that
// asks for them (madvise mode; "always" needs no asking, "never" refuses),
// when the Go runtime was not told to keep huge pages off the heap
// (GODEBUG=disablethp=1, also the user's way to turn Reserve off), and
// when the kernel does not charge untouched memory against a strict
// commit limit (overcommit mode 2).
func (s settings) skip() string {
	for _, kv := range strings.Split(s.goDebug, ",") {
		if k, v, _ := strings.Cut(strings.TrimSpace(kv), "="); k == "disablethp" && v != "" && v != "0" {
			return "GODEBUG=disablethp is set"
		}
	}
	mode := selected(s.thpEnabled)
	switch mode {
	case "madvise":
	case "":
		return "transparent huge pages are not available"
	default:
		return "transparent huge pages are " + mode + " for every mapping"
	}
	if strings.TrimSpace(s.overcommit) == "2" {
		return "the kernel's commit limit is strict (vm.overcommit_memory = 2)"
	}
	return ""
}

// selected returns the bracketed choice of a sysfs setting such as
// "always [madvise] never", or "".
func selected(setting string) string {
	_, rest, ok := strings.Cut(setting, "[")
	if !ok {
		return ""
	}
	choice, _, ok := strings.Cut(rest, "]")
	if !ok {
		return ""
	}
	return choice
}

// Start runs Reserve on a goroutine of its own, so that its collection
// overlaps the caller's own start-up work, and returns a function that
// waits for it and returns its outcome (it may be called more than once).
// Nothing may change the collector's settings (debug.SetGCPercent,
// debug.SetMemoryLimit) until the wait has returned.
func Start(bytes uint64) (wait func() Outcome) {
	done := make(chan Outcome, 1)
	go func() { done <- Reserve(bytes) }()
	return sync.OnceValue(func() Outcome { return <-done })
}
