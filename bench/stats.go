package bench

import "math"

// wls fits y = a + b·x by weighted least squares (w nil: unweighted) and
// returns the coefficients, their standard errors (from the residual
// scatter) and their covariance.
func wls(x, y, w []float64) (a, b, sa, sb, cov float64) {
	var sw, sx, sy, sxx, sxy float64
	for i := range x {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		sw += wi
		sx += wi * x[i]
		sy += wi * y[i]
		sxx += wi * x[i] * x[i]
		sxy += wi * x[i] * y[i]
	}
	den := sw*sxx - sx*sx
	if den == 0 {
		return math.NaN(), math.NaN(), math.Inf(1), math.Inf(1), 0
	}
	b = (sw*sxy - sx*sy) / den
	a = (sy - b*sx) / sw
	var rss float64
	for i := range x {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		e := y[i] - a - b*x[i]
		rss += wi * e * e
	}
	s2 := rss / float64(max(len(x)-2, 1))
	sa = math.Sqrt(s2 * sxx / den)
	sb = math.Sqrt(s2 * sw / den)
	cov = -s2 * sx / den
	return a, b, sa, sb, cov
}

// meanStd returns the mean and the (population) standard deviation of xs.
func meanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	var s, s2 float64
	for _, x := range xs {
		s += x
		s2 += x * x
	}
	n := float64(len(xs))
	mean = s / n
	return mean, math.Sqrt(max(s2/n-mean*mean, 0))
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// probit is the standard normal quantile of p in (0, 1).
func probit(p float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*p) }
