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

// relaxes reports whether the preset relaxes at all.
func (a *Array) relaxes() bool { return a.p.Relax.DriftUS != 0 || a.p.Relax.SigmaUS != 0 }

// logTime is L = ln(1 + dt/t₀) for a cell written at tw (0 if not after).
func (a *Array) logTime(tw float64) float64 {
	dt := a.clock - tw
	if dt <= 0 || !a.relaxes() {
		return 0
	}
	return math.Log1p(dt / a.p.Relax.T0S)
}

// relaxed is cell k's conductance after relaxation over log time l.
func (a *Array) relaxed(k int, l float64) float64 {
	g := float64(a.gw[k])
	if l == 0 {
		return g
	}
	rl := a.p.Relax
	return max(0, g+rl.DriftUS*l+rl.SigmaUS*l*float64(a.xi[k]))
}

// drawXi draws the relaxation normal of cell k's current write.
func (a *Array) drawXi(k int) {
	a.xi[k] = float32(a.sRelax.Sub(uint64(a.nw[k])).Norm(uint64(k)))
}
