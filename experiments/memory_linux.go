package experiments

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// MachineMemory returns the memory byzsim may use on this machine in bytes:
// MemAvailable of /proc/meminfo, else the total RAM from sysinfo(2); 0 when
// unknown.
func MachineMemory() uint64 {
	if f, err := os.Open("/proc/meminfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) >= 2 && fields[0] == "MemAvailable:" {
				if kb, err := strconv.ParseUint(fields[1], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err == nil {
		return uint64(si.Totalram) * uint64(si.Unit)
	}
	return 0
}
