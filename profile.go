package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiling starts a CPU profile written to cpu and arranges for a heap
// profile to be written to mem when the returned stop function is called;
// either file name may be empty. stop ends the CPU profile, writes the heap
// profile (after a garbage collection, so it shows live memory as of the
// end; its alloc_space view shows every allocation of the command) and
// closes the files. Read the files with `go tool pprof`. A file that
// cannot be created is a usage error (exit status 2).
func startProfiling(cpu, mem string) (stop func() error, err error) {
	var cpuFile *os.File
	if cpu != "" {
		cpuFile, err = os.Create(cpu)
		if err != nil {
			return nil, usageErrorf("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(cpuFile); err != nil {
			cpuFile.Close()
			return nil, fmt.Errorf("--cpuprofile %s: %w", cpu, err)
		}
	}
	if mem != "" {
		// Fail now rather than after a long run.
		f, err := os.Create(mem)
		if err != nil {
			if cpuFile != nil {
				pprof.StopCPUProfile()
				cpuFile.Close()
			}
			return nil, usageErrorf("--memprofile: %v", err)
		}
		f.Close()
	}
	return func() error {
		var errs []error
		if cpuFile != nil {
			pprof.StopCPUProfile()
			if err := cpuFile.Close(); err != nil {
				errs = append(errs, fmt.Errorf("--cpuprofile %s: %w", cpu, err))
			}
		}
		if mem != "" {
			runtime.GC()
			f, err := os.Create(mem)
			if err != nil {
				return errors.Join(append(errs, fmt.Errorf("--memprofile: %w", err))...)
			}
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				errs = append(errs, fmt.Errorf("--memprofile %s: %w", mem, err))
			}
			if err := f.Close(); err != nil {
				errs = append(errs, fmt.Errorf("--memprofile %s: %w", mem, err))
			}
		}
		return errors.Join(errs...)
	}, nil
}
