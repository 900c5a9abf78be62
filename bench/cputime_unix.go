//go:build unix

package bench

import (
	"syscall"
	"time"
)

// cpuTime is the process's user + system CPU time (0 when unavailable):
// CPU time per operation does not depend on what else runs on the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
