package crossbar

import (
	"math"
	"sort"
)

// ks returns the Kolmogorov–Smirnov statistic of xs against cdf (sorts xs).
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

// ksCrit is the KS critical value at significance 0.001 for n samples.
func ksCrit(n int) float64 { return 1.95 / math.Sqrt(float64(n)) }

// meanVar returns the sample mean and variance.
func meanVar(xs []float64) (m, v float64) {
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, v / float64(len(xs)-1)
}

// truncNormCDF is the CDF of N(mu, sd²) truncated to [lo, hi].
func truncNormCDF(mu, sd, lo, hi float64) func(float64) float64 {
	a, b := normCDF((lo-mu)/sd), normCDF((hi-mu)/sd)
	return func(x float64) float64 {
		switch {
		case x <= lo:
			return 0
		case x >= hi:
			return 1
		}
		return (normCDF((x-mu)/sd) - a) / (b - a)
	}
}
