package rng

import (
	"math"
	"sort"
	"testing"
)

func TestNewIsKeyedBySeedAndName(t *testing.T) {
	a := New(7, "crossbar/forming").Uint64()
	if b := New(7, "crossbar/forming").Uint64(); a != b {
		t.Fatalf("same key gave %x and %x", a, b)
	}
	if b := New(8, "crossbar/forming").Uint64(); a == b {
		t.Fatal("different seeds gave the same first draw")
	}
	if b := New(7, "crossbar/read").Uint64(); a == b {
		t.Fatal("different names gave the same first draw")
	}
}

func TestStreamIsStateless(t *testing.T) {
	s := NewStream(1, "cells")
	if s.Uint64(12345) != s.Uint64(12345) {
		t.Fatal("draw depends on call history")
	}
	if s.Uint64(1) == s.Uint64(2) {
		t.Fatal("neighbouring indices collide")
	}
	if s.Sub(1) == s.Sub(2) || s.Sub(1) == s {
		t.Fatal("sub-streams collide")
	}
	if s.Rand(3).Uint64() != s.Rand(3).Uint64() || s.Rand(3).Uint64() == s.Rand(4).Uint64() {
		t.Fatal("per-index generators are not keyed by index")
	}
}

// ks returns the Kolmogorov–Smirnov statistic of xs against cdf.
func ks(xs []float64, cdf func(float64) float64) float64 {
	sort.Float64s(xs)
	n := float64(len(xs))
	d := 0.0
	for i, x := range xs {
		f := cdf(x)
		d = max(d, math.Abs(f-float64(i)/n), math.Abs(float64(i+1)/n-f))
	}
	return d
}

func TestStreamDistributions(t *testing.T) {
	const n = 100000
	s := NewStream(42, "test")
	u := make([]float64, n)
	z := make([]float64, n)
	for i := range n {
		u[i] = s.Float64(uint64(i))
		z[i] = s.Norm(uint64(i))
	}
	// Critical value of KS at alpha = 0.001 is 1.95/sqrt(n).
	crit := 1.95 / math.Sqrt(n)
	if d := ks(u, func(x float64) float64 { return x }); d > crit {
		t.Errorf("uniform KS D = %.5f > %.5f", d, crit)
	}
	if d := ks(z, func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }); d > crit {
		t.Errorf("normal KS D = %.5f > %.5f", d, crit)
	}
}
