package cputime

import (
	"runtime"
	"testing"
)

func TestProcessAdvancesWithWork(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("not measured on this platform")
	}
	t0 := Process()
	x := 0.0
	for i := range 20_000_000 {
		x += float64(i % 7)
	}
	if d := Process() - t0; d <= 0 || x == 0 {
		t.Fatalf("CPU time moved by %v after a busy loop", d)
	}
}
