package crossbar

import (
	"math"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// setG forces cell k of an array to a formed conductance (test helper).
func setG(a *Array, k int, g float64) {
	if a.state[k] == Pristine {
		a.formed++
	}
	a.state[k] = Formed
	a.write(k, g)
}

// TestIRExactHand2x2: row 0 of a 2×2 array driven, both cells G, every
// wire segment r. The driver reaches node a = (0,0) through r; cell (0,0)
// returns through 2r of column wire, cell (0,1) is reached through one more
// r and returns through 2r. Series-parallel reduction gives the currents.
func TestIRExactHand2x2(t *testing.T) {
	const gUS, r, v = 1000.0, 10.0, 0.2
	p := MustPreset("ideal")
	p.IR = IRParams{Mode: IRExact, WireOhm: r}
	a, err := New(2, 2, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	for k := range 4 {
		setG(a, k, gUS)
	}
	G := gUS * 1e-6
	ra := 1/G + 2*r
	rb := r + 1/G + 2*r
	rpar := ra * rb / (ra + rb)
	itot := v / (r + rpar)
	va := v - r*itot
	want := []float64{va / ra, va / rb}
	var out Outputs
	if err := a.MAC(a.Full(), Inputs{N: 1, Bits: 1, Values: []uint8{1, 0}}, &out, rng.NewStream(1, "x")); err != nil {
		t.Fatal(err)
	}
	for j, w := range want {
		if got := out.Currents[j]; math.Abs(got-w) > 1e-10*w {
			t.Errorf("column %d: %.12g A, hand %.12g A", j, got, w)
		}
	}
	// The drop is real: the ideal currents are V·G each.
	if math.Abs(want[0]-v*G) < 1e-3*v*G {
		t.Fatal("hand network has no IR drop; pick other values")
	}
}

// TestIRExactKirchhoff: the solved node voltages satisfy KCL at every node
// of a random network (currents summed here from the physical description,
// independently of the solver's operator).
func TestIRExactKirchhoff(t *testing.T) {
	const ohm = 2.0
	a := formed(t, "lin2025-40nm", 24, 20, 3, func(p *Params) { p.IR = IRParams{Mode: IRExact, WireOhm: ohm} })
	r := Region{3, 21, 2, 17}
	rows := []int32{0, 1, 4, 9, 10, 17}
	amp := []float64{1, 0.5, 1, 0.25, 1, 0.75}
	var buf []float64
	n := a.irNetwork(r, rows, amp, &buf)
	x := make([]float64, 2*n.K*n.C)
	it, err := n.solve(x)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("converged in %d iterations", it)
	K, C := n.K, n.C
	u, w := x[:K*C], x[K*C:]
	var worst, scale float64
	for q, i := range rows {
		gi := r.Row0 + int(i)
		for j := range C {
			gj := r.Col0 + j
			gc := float64(a.g[gi*a.cols+gj])
			cell := (u[q*C+j] - w[q*C+j]) * gc
			scale = max(scale, math.Abs(cell))
			// Row node: in from the left, out to the right and through the cell.
			var in float64
			if j == 0 {
				in = (amp[q] - u[q*C]) / (ohm * float64(r.Col0+1)) * 1e6
			} else {
				in = (u[q*C+j-1] - u[q*C+j]) / ohm * 1e6
			}
			out := cell
			if j+1 < C {
				out += (u[q*C+j] - u[q*C+j+1]) / ohm * 1e6
			}
			worst = max(worst, math.Abs(in-out))
			// Column node: in from above and through the cell, out below.
			colIn := cell
			if q > 0 {
				colIn += (w[(q-1)*C+j] - w[q*C+j]) / (ohm * float64(i-rows[q-1])) * 1e6
			}
			var down float64
			if q+1 < K {
				down = (w[q*C+j] - w[(q+1)*C+j]) / (ohm * float64(rows[q+1]-i)) * 1e6
			} else {
				down = w[q*C+j] / (ohm * float64(a.rows-gi)) * 1e6
			}
			worst = max(worst, math.Abs(colIn-down))
		}
	}
	if worst > 1e-8*scale {
		t.Errorf("largest KCL residual %.3g µA-equivalent vs cell currents up to %.3g", worst, scale)
	}
}

// TestIREstimateAgainstExact: on small arrays the first-order estimate is,
// per column, within 0.6·ε of the IR drop itself and within 0.3·ε² of the
// current, ε = r·Ḡ·(rows+cols)²/2 (Ḡ the mean cell conductance).
func TestIREstimateAgainstExact(t *testing.T) {
	for _, c := range []struct {
		rows, cols int
		ohm        float64
		density    float64
	}{{8, 8, 1, 1}, {16, 16, 1, 1}, {32, 24, 0.5, 0.5}, {32, 32, 2, 0.3}} {
		var est, exact, ideal Outputs
		in := randomInputs(3, c.rows, 1, c.density, BitSerial, 7)
		for mode, out := range map[string]*Outputs{IREstimate: &est, IRExact: &exact, IRNone: &ideal} {
			a := formed(t, "ideal", c.rows, c.cols, 4, func(p *Params) { p.IR = IRParams{Mode: mode, WireOhm: c.ohm} })
			if err := a.MAC(a.Full(), in, out, rng.NewStream(1, "x")); err != nil {
				t.Fatal(err)
			}
		}
		eps := c.ohm * 30e-6 * float64((c.rows+c.cols)*(c.rows+c.cols)) / 2
		var worstDrop, worstCur float64
		for k := range exact.Currents {
			drop := ideal.Currents[k] - exact.Currents[k]
			e := math.Abs(est.Currents[k] - exact.Currents[k])
			if drop > 0 {
				worstDrop = max(worstDrop, e/drop)
			}
			if exact.Currents[k] > 0 {
				worstCur = max(worstCur, e/exact.Currents[k])
			}
			if drop < 0 {
				t.Fatalf("%d×%d: wires raised column current %d", c.rows, c.cols, k)
			}
		}
		t.Logf("%d×%d r=%g Ω ε=%.3g: estimate error ≤ %.3g of the drop, ≤ %.3g of the current", c.rows, c.cols, c.ohm, eps, worstDrop, worstCur)
		if worstDrop > 0.6*eps || worstCur > 0.3*eps*eps {
			t.Errorf("%d×%d r=%g Ω ε=%.3g: estimate error %.3g of the drop, %.3g of the current", c.rows, c.cols, c.ohm, eps, worstDrop, worstCur)
		}
	}
}
