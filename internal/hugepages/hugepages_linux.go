package hugepages

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
)

// Reserve advises the next bytes of the heap's address space to be backed
// by transparent huge pages, when the system's settings allow it and it
// is useful (see settings.skip). It allocates bytes of address space
// without touching them, advises them, and frees them (a garbage
// collection and a return of the untouched pages to the system: they
// count neither as used nor as resident afterwards). Call it once, early,
// before the memory it prepares for is allocated.
func Reserve(bytes uint64) Outcome {
	s := settings{goDebug: os.Getenv("GODEBUG")}
	s.thpEnabled = readSetting("/sys/kernel/mm/transparent_hugepage/enabled")
	s.overcommit = readSetting("/proc/sys/vm/overcommit_memory")
	if why := s.skip(); why != "" {
		return Outcome{Skipped: why}
	}
	if err := advise(bytes); err != nil {
		return Outcome{Skipped: "madvise: " + err.Error()}
	}
	return Outcome{Advised: bytes}
}

// advise grows the heap by bytes of address space, advises it
// MADV_HUGEPAGE and returns it to the heap unused.
func advise(bytes uint64) error {
	if bytes == 0 || bytes > uint64(^uint(0)>>1) {
		return syscall.EINVAL
	}
	// The span alone would start a collection as it is allocated, beside
	// the one that frees it: the collector is held off until then.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	span := make([]byte, bytes)
	err := syscall.Madvise(span, syscall.MADV_HUGEPAGE)
	runtime.KeepAlive(span)
	debug.FreeOSMemory()
	return err
}

// readSetting returns a small system setting file's content, or "".
func readSetting(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}
