package lsm

import (
	"math"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// checkGrad compares an analytic gradient with central finite differences
// of loss over every element of w.
func checkGrad(t *testing.T, name string, w, grad []float64, loss func() float64) {
	t.Helper()
	const h = 1e-6
	for i := range w {
		old := w[i]
		w[i] = old + h
		lp := loss()
		w[i] = old - h
		lm := loss()
		w[i] = old
		num := (lp - lm) / (2 * h)
		if diff := math.Abs(num - grad[i]); diff > 1e-6+1e-5*math.Abs(num) {
			t.Errorf("%s[%d]: analytic %.9g, numeric %.9g", name, i, grad[i], num)
			return
		}
	}
}

func randVec(name string, n int) []float64 {
	s := rng.NewStream(1, name)
	v := make([]float64, n)
	for i := range v {
		v[i] = s.Norm(uint64(i))
	}
	return v
}

func TestMLPGradients(t *testing.T) {
	const n, in, k = 6, 5, 4
	x := randVec("x", n*in)
	y := []int{0, 1, 2, 3, 1, 2}
	for _, act := range []Activation{GELU, ReLU, Tanh, Identity} {
		for _, actOut := range []bool{false, true} {
			m := NewMLP([]int{in, 7, 3, k}, act, actOut, rng.New(2, "init"))
			loss := func() float64 { return SoftmaxCE(m.Forward(x, n), n, k, y, nil) }
			ps := m.Params()
			ZeroGrad(ps)
			dl := make([]float64, n*k)
			SoftmaxCE(m.Forward(x, n), n, k, y, dl)
			dx := make([]float64, n*in)
			m.Backward(dl, n, dx)
			for _, p := range ps {
				checkGrad(t, act.String()+"/"+p.Name, p.W, p.G, loss)
			}
			checkGrad(t, act.String()+"/dx", x, dx, loss)
		}
	}
}

func TestCLIPLossGradients(t *testing.T) {
	const n, d = 5, 3
	a, v := randVec("a", n*d), randVec("v", n*d)
	ls := []float64{0.3}
	loss := func() float64 { l, _ := CLIPLoss(a, v, n, d, ls[0], nil, nil); return l }
	da, dv := make([]float64, n*d), make([]float64, n*d)
	_, dls := CLIPLoss(a, v, n, d, ls[0], da, dv)
	checkGrad(t, "da", a, da, loss)
	checkGrad(t, "dv", v, dv, loss)
	checkGrad(t, "logScale", ls, []float64{dls}, loss)
	// Known answer: identical embeddings orthogonal across pairs → each CE
	// is log(1 + (n−1)e^{−s}) with s the scale.
	e := make([]float64, n*n)
	for i := range n {
		e[i*n+i] = 1
	}
	l, _ := CLIPLoss(e, e, n, n, 0, nil, nil)
	if want := math.Log(1 + float64(n-1)*math.Exp(-1)); math.Abs(l-want) > 1e-12 {
		t.Errorf("orthonormal loss %g, want %g", l, want)
	}
}

func TestCLIPClassLossGradients(t *testing.T) {
	const n, d = 6, 3
	a, v := randVec("ca", n*d), randVec("cv", n*d)
	labels := []int{2, 0, 2, 1, 0, 2}
	ls := []float64{0.1}
	loss := func() float64 { l, _ := CLIPClassLoss(a, v, labels, n, d, ls[0], nil, nil); return l }
	da, dv := make([]float64, n*d), make([]float64, n*d)
	_, dls := CLIPClassLoss(a, v, labels, n, d, ls[0], da, dv)
	checkGrad(t, "da", a, da, loss)
	checkGrad(t, "dv", v, dv, loss)
	checkGrad(t, "logScale", ls, []float64{dls}, loss)
	// Distinct labels are the identity targets of CLIPLoss, bit for bit.
	l0, g0 := CLIPLoss(a, v, n, d, ls[0], nil, nil)
	l1, g1 := CLIPClassLoss(a, v, []int{5, 4, 3, 2, 1, 0}, n, d, ls[0], nil, nil)
	if l0 != l1 || g0 != g1 {
		t.Errorf("distinct labels: %g, %g; CLIPLoss %g, %g", l1, g1, l0, g0)
	}
	// InfoNCE pushes a same-class image away from audio 0 (a false
	// negative); the class-aware loss pulls it closer. With orthonormal
	// images, a gradient step moves a₀·v₂ by −da₀[2].
	lab := []int{1, 0, 1, 2, 0, 1} // pairs 0, 2 and 5 share class 1
	small, ortho := make([]float64, n*n), make([]float64, n*n)
	for i := range n {
		ortho[i*n+i] = 1
		for j := range n {
			small[i*n+j] = 0.01 * a[(i*n+j)%len(a)]
		}
	}
	ga, gv := make([]float64, n*n), make([]float64, n*n)
	CLIPLoss(small, ortho, n, n, 0, ga, gv)
	if ga[2] <= 0 {
		t.Errorf("InfoNCE pulls a₀ toward v₂ (∂/∂(a₀·v₂) = %g); want a push", ga[2])
	}
	CLIPClassLoss(small, ortho, lab, n, n, 0, ga, gv)
	if ga[2] >= 0 {
		t.Errorf("class-aware loss pushes a₀ away from v₂ (∂/∂(a₀·v₂) = %g); want a pull", ga[2])
	}
	// Known answer: two classes of two, embeddings one-hot per class
	// (e₀, e₀, e₁, e₁) in both modalities, scale 1: each row's logits are
	// (1, 1, 0, 0) with targets (½, ½, 0, 0), so every CE is
	// log(2e + 2) − 1 and so is the loss.
	e := []float64{1, 0, 1, 0, 0, 1, 0, 1}
	l, _ := CLIPClassLoss(e, e, []int{7, 7, 3, 3}, 4, 2, 0, nil, nil)
	if want := math.Log(2*math.E+2) - 1; math.Abs(l-want) > 1e-12 {
		t.Errorf("two-class loss %g, want %g", l, want)
	}
}

func TestProtoLossGradients(t *testing.T) {
	const d, k = 3, 3
	ql := []int{0, 1, 2, 1}
	sl := []int{2, 0, 1, 0, 2}
	q, s := randVec("q", len(ql)*d), randVec("s", len(sl)*d)
	loss := func() float64 { return ProtoLoss(q, ql, s, sl, d, k, nil, nil) }
	dq, ds := make([]float64, len(q)), make([]float64, len(s))
	ProtoLoss(q, ql, s, sl, d, k, dq, ds)
	checkGrad(t, "dq", q, dq, loss)
	checkGrad(t, "ds", s, ds, loss)
}

func TestSoftmaxCEKnownAnswer(t *testing.T) {
	d := make([]float64, 4)
	l := SoftmaxCE([]float64{0, 0, 1000, 1000}, 2, 2, []int{0, 1}, d)
	if math.Abs(l-math.Ln2) > 1e-12 {
		t.Errorf("loss %g, want ln 2", l)
	}
	for i, want := range []float64{-0.25, 0.25, 0.25, -0.25} {
		if math.Abs(d[i]-want) > 1e-12 {
			t.Errorf("dlogits[%d] = %g, want %g", i, d[i], want)
		}
	}
}

func TestAdam(t *testing.T) {
	// Two steps by hand (PyTorch's formulas): g = 0.5 then −0.25, lr 0.1.
	w := []float64{1}
	g := []float64{0.5}
	ps := []Param{{"w", w, g}}
	a := NewAdam(0.1)
	a.Step(ps)
	m, v := 0.1*0.5, 0.001*0.25
	want := 1 - 0.1*(m/0.1)/(math.Sqrt(v/0.001)+1e-8)
	if math.Abs(w[0]-want) > 1e-15 {
		t.Fatalf("step 1: %g, want %g", w[0], want)
	}
	g[0] = -0.25
	a.Step(ps)
	m = 0.9*m + 0.1*-0.25
	v = 0.999*v + 0.001*0.0625
	want -= 0.1 * (m / (1 - 0.81)) / (math.Sqrt(v/(1-0.999*0.999)) + 1e-8)
	if math.Abs(w[0]-want) > 1e-15 {
		t.Fatalf("step 2: %g, want %g", w[0], want)
	}
	// AdamW decays the weight even with a zero gradient.
	w2 := []float64{2}
	aw := NewAdamW(0.1, 0.01)
	aw.Step([]Param{{"w", w2, []float64{0}}})
	if math.Abs(w2[0]-2*(1-0.1*0.01)) > 1e-15 {
		t.Errorf("AdamW decay: %g", w2[0])
	}
}

func TestStandardizer(t *testing.T) {
	const n, d = 1000, 3
	x := randVec("std", n*d)
	for i := range n {
		x[i*d] = 3*x[i*d] + 7
		x[i*d+2] = 4 // constant
	}
	s := FitStandardizer(x, n, d)
	z := s.Apply(x, n)
	for j := range 2 {
		mean, ss := 0.0, 0.0
		for i := range n {
			mean += z[i*d+j]
		}
		mean /= n
		for i := range n {
			ss += (z[i*d+j] - mean) * (z[i*d+j] - mean)
		}
		if math.Abs(mean) > 1e-12 || math.Abs(ss/n-1) > 1e-12 {
			t.Errorf("column %d: mean %g var %g", j, mean, ss/n)
		}
	}
	for i := range n {
		if z[i*d+2] != 0 {
			t.Fatal("constant column not mapped to 0")
		}
	}
}

func TestParseActivation(t *testing.T) {
	for _, a := range []Activation{Identity, ReLU, GELU, Tanh} {
		var b Activation
		txt, _ := a.MarshalText()
		if err := b.UnmarshalText(txt); err != nil || b != a {
			t.Errorf("%v round trip: %v %v", a, b, err)
		}
	}
	if _, err := ParseActivation("swish"); err == nil {
		t.Error("unknown activation accepted")
	}
	// GELU(1) = Φ(1) = 0.8413447460685429
	if g := GELU.Apply(1); math.Abs(g-0.8413447460685429) > 1e-15 {
		t.Errorf("GELU(1) = %.16g", g)
	}
}

func TestCLIPSoftLossGradients(t *testing.T) {
	const n, d = 4, 3
	a, v := randVec("sa", n*d), randVec("sv", n*d)
	ls := []float64{-0.2}
	loss := func() float64 { l, _ := CLIPSoftLoss(a, v, n, d, ls[0], nil, nil); return l }
	da, dv := make([]float64, n*d), make([]float64, n*d)
	_, dls := CLIPSoftLoss(a, v, n, d, ls[0], da, dv)
	checkGrad(t, "da", a, da, loss)
	checkGrad(t, "dv", v, dv, loss)
	checkGrad(t, "logScale", ls, []float64{dls}, loss)
	// With orthonormal, identical embeddings the soft targets are
	// softmax of the identity rows, not one-hot.
	e := make([]float64, n*n)
	for i := range n {
		e[i*n+i] = 1
	}
	l, _ := CLIPSoftLoss(e, e, n, n, 0, nil, nil)
	p := math.E / (math.E + float64(n-1)) // target = prediction: the loss is the entropy
	want := -(p*math.Log(p) + float64(n-1)*(1-p)/float64(n-1)*math.Log((1-p)/float64(n-1)))
	if math.Abs(l-want) > 1e-12 {
		t.Errorf("loss %g, want the target entropy %g", l, want)
	}
}
