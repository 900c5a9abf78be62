//go:build unix

package crossbar

import (
	"syscall"
	"time"
)

// cpuTime is the process's user + system CPU time, for benchmarks on a
// shared machine: CPU time per operation does not depend on what else runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
