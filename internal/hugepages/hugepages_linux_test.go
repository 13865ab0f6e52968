package hugepages

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// vmFlags returns the VmFlags of the mapping of /proc/self/smaps that
// holds address a.
func vmFlags(t *testing.T, a uintptr) []string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := mappingRange(line); ok {
			in = lo <= a && a < hi
			continue
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && in {
			return strings.Fields(rest)
		}
	}
	t.Fatalf("address %#x is in no mapping of /proc/self/smaps", a)
	return nil
}

// mappingRange parses the address range that starts a mapping's lines in
// smaps ("7f04ed607000-7f04ed609000 rw-p ...").
func mappingRange(line string) (lo, hi uintptr, ok bool) {
	r, _, _ := strings.Cut(line, " ")
	l, h, found := strings.Cut(r, "-")
	if !found {
		return 0, 0, false
	}
	a, err1 := strconv.ParseUint(l, 16, 64)
	b, err2 := strconv.ParseUint(h, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(a), uintptr(b), true
}

// residentKB returns the process's resident memory.
func residentKB(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int
			if _, err := fmt.Sscan(rest, &kb); err == nil {
				return kb
			}
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// TestAdviseBacksLaterAllocations: after advise, the heap's next
// allocations lie in memory advised for huge pages, and the advised span
// is not resident until used.
func TestAdviseBacksLaterAllocations(t *testing.T) {
	if selected(readSetting("/sys/kernel/mm/transparent_hugepage/enabled")) == "" {
		t.Skip("this kernel has no transparent huge pages")
	}
	before := residentKB(t)
	if err := advise(256 << 20); err != nil {
		t.Fatalf("advise: %v", err)
	}
	if grew := residentKB(t) - before; grew > 32<<10 {
		t.Errorf("resident memory grew by %d KB when 256 MB were advised: the span must stay untouched", grew)
	}
	// The heap's first free pages, left in its first few MB, come first;
	// an allocation larger than those lies in the advised span.
	b := make([]byte, 8<<20)
	if flags := vmFlags(t, uintptr(unsafe.Pointer(unsafe.SliceData(b)))); !slices.Contains(flags, "hg") {
		t.Errorf("an 8 MB allocation made after advise lies in a mapping with flags %v, want hg (MADV_HUGEPAGE)", flags)
	}
	runtime.KeepAlive(b)
}

func TestAdviseRejectsSizes(t *testing.T) {
	if err := advise(0); err == nil {
		t.Error("advise(0) succeeded")
	}
	if err := advise(1 << 63); err == nil {
		t.Error("advise(2^63) succeeded")
	}
}
