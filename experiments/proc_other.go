//go:build !unix

package experiments

// processAlive reports whether a process with this id exists on this host;
// outside Unix byzsim cannot tell and assumes it does.
func processAlive(pid int) bool { return true }
