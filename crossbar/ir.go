package crossbar

import (
	"fmt"
	"math"
	"slices"
)

// Wire model (both IR tiers). Row i of the array is driven at its column-0
// end through one segment; every next cell along the row is one more
// segment (WireOhm each). Column j is summed at its bottom end by a
// virtual-ground TIA: from the last row one segment reaches the TIA, and
// rows are one segment apart. Only the region's cells on active rows
// conduct (inactive rows' access transistors are off; columns outside the
// region are deselected), so wires outside the region act as series leads:
// (Col0 + 1) segments before the region's first column, (rows − i)
// segments from row i down to the TIA. Cells are linear conductances.
//
// The estimate is the first-order perturbation of the ideal currents
// I⁰_ij = a_i·V·G_ij: row node (i,j) sags by Σ_{k≤j} R_k·Σ_{m≥k} I⁰_im,
// column node (i,j) rises by Σ_{segments below i} R·(the current above
// them), and I_j = Σ_i G_ij·(a_i·V − sag − rise). With
// ε = WireOhm·Ḡ·(rows + cols)²/2 (Ḡ the mean cell conductance) its error
// per column is within 0.6·ε of the IR drop and 0.3·ε² of the current
// (TestIREstimateAgainstExact). The exact tier solves Kirchhoff's current law on
// every wire node by conjugate gradients preconditioned with the exact
// solves of each row and each column wire (block Jacobi), to a relative
// residual of 1e-12.

// SetIR replaces the IR-drop parameters after validating them.
func (a *Array) SetIR(c IRParams) error {
	p := a.p
	p.IR = c
	if err := p.Validate(); err != nil {
		return err
	}
	a.p = p
	return nil
}

// irPlane replaces ws.acc with the column currents (in µS-equivalent units:
// I_j / (V_read·1e-6)) of the plane's read through resistive wires.
func (a *Array) irPlane(ws *workspace, r Region, p plane, in *Inputs, v int) error {
	cols := r.Cols()
	acc := ws.acc[:cols]
	if p.binary || in.Analog != nil {
		var amp []float64
		if !p.binary {
			amp = ws.w
		}
		return a.irSums(acc, r, ws.rows, amp, &ws.ir)
	}
	// Pulse width: between consecutive distinct values the set of driven
	// rows is constant, so the integrated current is a sum of binary reads.
	levels := slices.Clone(ws.w)
	slices.Sort(levels)
	levels = slices.Compact(levels)
	clear(acc)
	tmp := make([]float64, cols)
	var rows []int32
	prev := 0.0
	for _, u := range levels {
		rows = rows[:0]
		for k, i := range ws.rows {
			if ws.w[k] >= u {
				rows = append(rows, i)
			}
		}
		if err := a.irSums(tmp, r, rows, nil, &ws.ir); err != nil {
			return err
		}
		for j := range acc {
			acc[j] += (u - prev) * tmp[j]
		}
		prev = u
	}
	return nil
}

// irSums writes dst_j = I_j/(V·1e-6) for rows driven at amplitude amp_k·V
// (amp nil: all 1) with the array's IR mode; buf is reusable scratch.
func (a *Array) irSums(dst []float64, r Region, rows []int32, amp []float64, buf *[]float64) error {
	n := a.irNetwork(r, rows, amp, buf)
	clear(dst)
	if n.K == 0 {
		return nil
	}
	switch a.p.IR.Mode {
	case IREstimate:
		n.estimate(dst, buf)
		return nil
	case IRExact:
		x := make([]float64, 2*n.K*n.C)
		if _, err := n.solve(x); err != nil {
			return fmt.Errorf("crossbar: IR solve of %s: %w", r, err)
		}
		n.columnCurrents(dst, x)
		return nil
	}
	panic("crossbar: irSums with IR mode " + a.p.IR.Mode)
}

// irNet is the resistive network of one read: K active rows × C columns.
// Conductances in µS, source amplitudes relative to V_read, so node
// voltages are relative and currents come out in µS-equivalent units.
type irNet struct {
	K, C  int
	g     []float64 // K×C cell conductances, µS
	amp   []float64 // K source amplitudes
	gw    float64   // one wire segment, µS
	gLead float64   // row lead from the driver to the region's first column, µS
	gSeg  []float64 // K: column wire from active row q down to the next active row (last: to the TIA), µS
}

// irNetwork builds the network of one read; its slices are carved from
// *buf (grown as needed), which estimate reuses after them.
func (a *Array) irNetwork(r Region, rows []int32, amp []float64, buf *[]float64) *irNet {
	K, C := len(rows), r.Cols()
	ohm := a.p.IR.WireOhm
	*buf = resize(*buf, 4*K*C+2*K+C)
	b := *buf
	n := &irNet{K: K, C: C, g: b[:K*C], amp: b[K*C : K*C+K], gSeg: b[K*C+K : K*C+2*K]}
	n.gw = 1e6 / ohm
	n.gLead = 1e6 / (ohm * float64(r.Col0+1))
	for q, i := range rows {
		n.amp[q] = 1
		if amp != nil {
			n.amp[q] = amp[q]
		}
		off := (r.Row0+int(i))*a.cols + r.Col0
		for j := range C {
			n.g[q*C+j] = float64(a.g[off+j])
		}
		if q+1 < K {
			n.gSeg[q] = 1e6 / (ohm * float64(rows[q+1]-i))
		} else {
			n.gSeg[q] = 1e6 / (ohm * float64(a.rows-(r.Row0+int(i))))
		}
	}
	return n
}

// estimate writes the first-order IR-drop currents, with scratch after
// the network in *buf.
func (n *irNet) estimate(dst []float64, buf *[]float64) {
	K, C := n.K, n.C
	b := (*buf)[K*C+2*K:]
	i0 := b[:K*C]          // ideal cell currents
	drop := b[K*C : 2*K*C] // row sag
	rw, rl := 1/n.gw, 1/n.gLead
	for q := range K {
		row := i0[q*C : (q+1)*C]
		for j := range C {
			row[j] = n.amp[q] * n.g[q*C+j]
		}
		// Segment feeding column j carries S_j = Σ_{m≥j} I⁰_m.
		var total float64
		for j := C - 1; j >= 0; j-- {
			total += row[j]
			drop[q*C+j] = total // S_j for now
		}
		sag := 0.0
		for j := range C {
			seg := rw
			if j == 0 {
				seg = rl
			}
			sag += seg * drop[q*C+j]
			drop[q*C+j] = sag
		}
	}
	// Column rise: below active row q the wire carries P_q = Σ_{l≤q} I⁰_l.
	p := b[3*K*C : 3*K*C+C]
	clear(p)
	rise := b[2*K*C : 3*K*C]
	for q := range K {
		for j := range C {
			p[j] += i0[q*C+j]
			rise[q*C+j] = p[j] / n.gSeg[q] // R_seg·P_q for now
		}
	}
	for q := K - 2; q >= 0; q-- {
		for j := range C {
			rise[q*C+j] += rise[(q+1)*C+j]
		}
	}
	for q := range K {
		for j := range C {
			dst[j] += n.g[q*C+j] * (n.amp[q] - drop[q*C+j] - rise[q*C+j])
		}
	}
}

// Unknowns x: row node voltages u (K×C) then column node voltages w (K×C).

// apply computes y = A·x, the KCL operator (current out of each node).
func (n *irNet) apply(y, x []float64) {
	K, C := n.K, n.C
	u, w := x[:K*C], x[K*C:]
	yu, yw := y[:K*C], y[K*C:]
	for q := range K {
		for j := range C {
			k := q*C + j
			gl := n.gw
			if j == 0 {
				gl = n.gLead
			}
			s := gl*u[k] + n.g[k]*(u[k]-w[k])
			if j > 0 {
				s -= n.gw * u[k-1]
			}
			if j+1 < C {
				s += n.gw * (u[k] - u[k+1])
			}
			yu[k] = s
			t := n.gSeg[q]*w[k] + n.g[k]*(w[k]-u[k])
			if q+1 < K {
				t -= n.gSeg[q] * w[k+C]
			}
			if q > 0 {
				t += n.gSeg[q-1] * (w[k] - w[k-C])
			}
			yw[k] = t
		}
	}
}

// rhs writes b: the drivers' injections through the row leads.
func (n *irNet) rhs(b []float64) {
	clear(b)
	for q := range n.K {
		b[q*n.C] = n.gLead * n.amp[q]
	}
}

// precond solves M·z = r for the block-Jacobi preconditioner: every row
// wire (tridiagonal over columns) and every column wire (tridiagonal over
// active rows) exactly, by the Thomas algorithm.
func (n *irNet) precond(z, r, scratch []float64) {
	K, C := n.K, n.C
	cp := scratch
	for q := range K {
		// Row wire q: diag_j = g_left + g_right + G, off = −gw.
		base := q * C
		for j := range C {
			d := n.gw + n.g[base+j]
			if j == 0 {
				d = n.gLead + n.g[base+j]
			}
			if j+1 < C {
				d += n.gw
			}
			rhs := r[base+j]
			if j > 0 {
				d += n.gw * cp[j-1] // cp < 0: d − gw²/d_prev
				rhs += n.gw * z[base+j-1]
			}
			cp[j] = -n.gw / d
			z[base+j] = rhs / d
		}
		for j := C - 2; j >= 0; j-- {
			z[base+j] -= cp[j] * z[base+j+1]
		}
	}
	off := K * C
	for j := range C {
		for q := range K {
			k := q*C + j
			d := n.gSeg[q] + n.g[k]
			if q > 0 {
				d += n.gSeg[q-1]
			}
			rhs := r[off+k]
			if q > 0 {
				d += n.gSeg[q-1] * cp[q-1]
				rhs += n.gSeg[q-1] * z[off+k-C]
			}
			cp[q] = -n.gSeg[q] / d
			z[off+k] = rhs / d
		}
		for q := K - 2; q >= 0; q-- {
			k := q*C + j
			z[off+k] -= cp[q] * z[off+k+C]
		}
	}
}

// solve finds the node voltages x by preconditioned conjugate gradients.
func (n *irNet) solve(x []float64) (int, error) {
	m := 2 * n.K * n.C
	b := make([]float64, m)
	r := make([]float64, m)
	z := make([]float64, m)
	p := make([]float64, m)
	q := make([]float64, m)
	scratch := make([]float64, max(n.K, n.C))
	n.rhs(b)
	// Start from the ideal-wire solution: rows at their amplitudes, columns at 0.
	clear(x)
	for k := range n.K {
		for j := range n.C {
			x[k*n.C+j] = n.amp[k]
		}
	}
	n.apply(q, x)
	var bn float64
	for i := range m {
		r[i] = b[i] - q[i]
		bn += b[i] * b[i]
	}
	bn = math.Sqrt(bn)
	n.precond(z, r, scratch)
	copy(p, z)
	rz := dot(r, z)
	maxIt := 20*(n.K+n.C) + 200
	for it := 0; it < maxIt; it++ {
		if math.Sqrt(dot(r, r)) <= 1e-12*bn {
			return it, nil
		}
		n.apply(q, p)
		alpha := rz / dot(p, q)
		for i := range m {
			x[i] += alpha * p[i]
			r[i] -= alpha * q[i]
		}
		n.precond(z, r, scratch)
		rz2 := dot(r, z)
		beta := rz2 / rz
		rz = rz2
		for i := range m {
			p[i] = z[i] + beta*p[i]
		}
	}
	return maxIt, fmt.Errorf("conjugate gradients did not converge in %d iterations", maxIt)
}

// columnCurrents writes the currents into the TIAs, µS-equivalent.
func (n *irNet) columnCurrents(dst, x []float64) {
	last := n.K - 1
	w := x[n.K*n.C:]
	for j := range n.C {
		dst[j] = n.gSeg[last] * w[last*n.C+j]
	}
}

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}
