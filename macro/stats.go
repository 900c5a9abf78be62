package macro

import "math"

// MapStats summarises a conductance map read back from a chip (µS).
// Cells outside the programmable range [GMinUS, GMaxUS] — pristine or
// stuck-off cells below it, stuck-on cells above it — are counted as
// faulty and left out of the moments, as a test engineer would.
type MapStats struct {
	Cells      int     `json:"cells"`
	Faulty     int     `json:"faulty"`       // cells outside [GMinUS, GMaxUS]
	Low, High  int     `json:"-"`            // faulty cells below / above the range
	GMeanUS    float64 `json:"g_mean_us"`    // over in-range cells
	GStdUS     float64 `json:"g_std_us"`     //
	DiffMeanUS float64 `json:"diff_mean_us"` // G⁺ − G⁻ over adjacent column pairs (2k, 2k+1) with both cells in range
	DiffStdUS  float64 `json:"diff_std_us"`  //
	Pairs      int     `json:"pairs"`        // pairs counted in the Diff moments
}

// ComputeMapStats computes MapStats of g (row-major, cols columns) for a
// chip whose programmable range is [gMinUS, gMaxUS].
func ComputeMapStats(g []float32, cols int, gMinUS, gMaxUS float64) MapStats {
	st := MapStats{Cells: len(g)}
	ok := func(x float64) bool { return x >= gMinUS && x <= gMaxUS }
	var s, ss, ds, dss float64
	n := 0
	for i, v := range g {
		x := float64(v)
		switch {
		case x < gMinUS:
			st.Low++
			continue
		case x > gMaxUS:
			st.High++
			continue
		}
		s += x
		ss += x * x
		n++
		if c := i % cols; c%2 == 0 && c+1 < cols {
			if y := float64(g[i+1]); ok(y) {
				d := x - y
				ds += d
				dss += d * d
				st.Pairs++
			}
		}
	}
	st.Faulty = st.Low + st.High
	if n > 0 {
		st.GMeanUS = s / float64(n)
		st.GStdUS = math.Sqrt(max(ss/float64(n)-st.GMeanUS*st.GMeanUS, 0))
	}
	if st.Pairs > 0 {
		st.DiffMeanUS = ds / float64(st.Pairs)
		st.DiffStdUS = math.Sqrt(max(dss/float64(st.Pairs)-st.DiffMeanUS*st.DiffMeanUS, 0))
	}
	return st
}
