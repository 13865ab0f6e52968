//go:build linux && !arm

package results

import (
	"os"
	"syscall"
)

// syncFileRangeWrite is SYNC_FILE_RANGE_WRITE: start writing out the
// range's dirty pages without waiting for them.
const syncFileRangeWrite = 2

// startWriteback asks the kernel to start writing f's dirty pages to disk
// and returns without waiting for them (sync_file_range); a later sync
// then has less to wait for. It is only a hint: errors are left to that
// sync.
func startWriteback(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		syscall.SyncFileRange(int(fd), 0, 0, syncFileRangeWrite)
	})
}
