package crossbar

import (
	"github.com/rramtwin/rramtwin/internal/rng"
)

// Conductance copies the noise-free effective conductance (µS, after
// relaxation at the current clock) of the cells of r into dst.
func (a *Array) Conductance(dst []float32, r Region) error {
	if err := a.checkDst(len(dst), r); err != nil {
		return err
	}
	for i := r.Row0; i < r.Row1; i++ {
		copy(dst[(i-r.Row0)*r.Cols():], a.g[i*a.cols+r.Col0:i*a.cols+r.Col1])
	}
	return nil
}

// Read performs one noisy read of each cell of r into dst (µS): G_k +
// σ_k·ξ with ξ = s.Norm(k), k the array cell index (so reads of
// overlapping regions with one stream agree). Read noise follows the
// variance model even when the MAC noise mode is "off".
func (a *Array) Read(dst []float32, r Region, s rng.Stream) error {
	if err := a.checkDst(len(dst), r); err != nil {
		return err
	}
	for i := r.Row0; i < r.Row1; i++ {
		for j := r.Col0; j < r.Col1; j++ {
			k := i*a.cols + j
			dst[(i-r.Row0)*r.Cols()+j-r.Col0] = float32(float64(a.g[k]) + sqrt32(a.vr[k])*s.Norm(uint64(k)))
		}
	}
	return nil
}

// SetRead replaces the read parameters (voltage, width, noise) after
// validating them.
func (a *Array) SetRead(c ReadParams) error {
	p := a.p
	p.Read = c
	if err := p.Validate(); err != nil {
		return err
	}
	a.p = p
	a.refreshAll()
	return nil
}
