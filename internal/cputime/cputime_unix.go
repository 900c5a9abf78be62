//go:build unix

// Package cputime reads the process's CPU time, so benchmarks on a shared
// machine can report CPU time per operation, which does not depend on what
// else runs.
package cputime

import (
	"syscall"
	"time"
)

// Process is the process's user + system CPU time (0 when unavailable).
func Process() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
