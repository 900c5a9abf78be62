//go:build !unix

// Package cputime reads the process's CPU time, so benchmarks on a shared
// machine can report CPU time per operation, which does not depend on what
// else runs.
package cputime

import "time"

// Process is not measured on this platform: it returns 0.
func Process() time.Duration { return 0 }
