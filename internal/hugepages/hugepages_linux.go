package hugepages

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"unsafe"
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
	start, err := advise(bytes)
	if err != nil {
		return Outcome{Skipped: "madvise: " + err.Error()}
	}
	return Outcome{Advised: bytes, start: start}
}

// advise grows the heap by bytes of address space, advises it
// MADV_HUGEPAGE and returns it to the heap unused. It returns the span's
// first address.
func advise(bytes uint64) (start uintptr, err error) {
	if bytes == 0 || bytes > uint64(^uint(0)>>1) {
		return 0, syscall.EINVAL
	}
	// The span alone would start a collection as it is allocated, beside
	// the one that frees it: the collector is held off until then.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	span := make([]byte, bytes)
	err = syscall.Madvise(span, syscall.MADV_HUGEPAGE)
	start = uintptr(unsafe.Pointer(unsafe.SliceData(span)))
	runtime.KeepAlive(span)
	debug.FreeOSMemory()
	return start, err
}

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14): fault pages in
// as a write would, without writing.
const madvPopulateWrite = 23

// PageIn faults in the first bytes of the span Reserve advised (no more
// than it advised), as the heap's first allocations after Reserve would.
// Reserve's span is back in the heap by then and may already be in use:
// faulting a page in never changes what it holds. Errors are ignored
// (kernels before 5.14 refuse the advice); the allocations then fault
// the pages in themselves.
func PageIn(o Outcome, bytes uint64) {
	if o.start == 0 {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, o.start, uintptr(min(bytes, o.Advised)), madvPopulateWrite)
}

// readSetting returns a small system setting file's content, or "".
func readSetting(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}
