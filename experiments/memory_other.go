//go:build !linux

package experiments

// MachineMemory returns the memory byzsim may use on this machine in bytes;
// 0 (unknown) outside Linux.
func MachineMemory() uint64 { return 0 }
