package bench

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

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

// quadFit fits y = c0 + c1·√x + c2·x by weighted least squares (w nil:
// unweighted), where x is G² and y a variance, and returns the
// coefficients and their standard errors.
func quadFit(x, y, w []float64) (c, se [3]float64, err error) {
	a := mat.NewDense(3, 3, nil)
	b := mat.NewVecDense(3, nil)
	basis := func(xi float64) [3]float64 { return [3]float64{1, math.Sqrt(xi), xi} }
	for i, xi := range x {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		f := basis(xi)
		for r := range 3 {
			b.SetVec(r, b.AtVec(r)+wi*f[r]*y[i])
			for k := range 3 {
				a.Set(r, k, a.At(r, k)+wi*f[r]*f[k])
			}
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(a); err != nil {
		return c, se, errors.New("singular design: too few distinct conductances")
	}
	var sol mat.VecDense
	sol.MulVec(&inv, b)
	var rss float64
	for i, xi := range x {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		f := basis(xi)
		e := y[i] - sol.AtVec(0)*f[0] - sol.AtVec(1)*f[1] - sol.AtVec(2)*f[2]
		rss += wi * e * e
	}
	s2 := rss / float64(max(len(x)-3, 1))
	for r := range 3 {
		c[r] = sol.AtVec(r)
		se[r] = math.Sqrt(s2 * inv.At(r, r))
	}
	return c, se, nil
}
