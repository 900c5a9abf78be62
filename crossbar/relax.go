package crossbar

import "math"

// Relaxation after a write. A cell written (formed or programmed) at clock
// t_w with conductance G_w conducts, at clock t,
//
//	G(t) = max(0, G_w + μ_r·L + σ_r·L·ξ),  L = ln(1 + (t − t_w)/t₀),
//
// ξ a standard normal keyed by (seed, the cell's write count, cell index):
// fixed for the life of one write, so the spread grows with log time, does
// not depend on how the clock was advanced, and a rewrite starts afresh.
// Advance recomputes every cell's effective conductance once, so MACs pay
// nothing for relaxation.

// relaxed is cell k's conductance at the current clock after relaxation.
func (a *Array) relaxed(k int) float64 {
	g := float64(a.gw[k])
	rl := a.p.Relax
	if rl.DriftUS == 0 && rl.SigmaUS == 0 {
		return g
	}
	dt := a.clock - a.tw[k]
	if dt <= 0 {
		return g
	}
	l := math.Log1p(dt / rl.T0S)
	xi := a.sRelax.Sub(uint64(a.nw[k])).Norm(uint64(k))
	return max(0, g+rl.DriftUS*l+rl.SigmaUS*l*xi)
}
