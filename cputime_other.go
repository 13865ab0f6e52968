//go:build !unix

package main

import "time"

// cpuTime is unavailable here: byzsim calibrate measures wall time.
func cpuTime() time.Duration { return 0 }

// haveCPUTime says cpuTime measures CPU time.
const haveCPUTime = false
