//go:build !linux

package hugepages

// Reserve does nothing on systems other than Linux.
func Reserve(bytes uint64) Outcome {
	return Outcome{Skipped: "transparent huge pages are Linux's"}
}
