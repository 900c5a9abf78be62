package lsm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// Param is one trainable tensor and its gradient (same length).
type Param struct {
	Name string
	W, G []float64
}

// Linear is a fully connected layer y = W·x + b with W stored Out × In.
// Batches are row-major n × In in, n × Out out.
type Linear struct {
	In, Out int
	W, B    []float64 // Out×In, Out
	GW, GB  []float64 // gradients, accumulated by Backward
}

// NewLinear initialises W and b uniformly in ±1/√In (PyTorch's default)
// from r.
func NewLinear(in, out int, r *rand.Rand) *Linear {
	l := &Linear{In: in, Out: out,
		W: make([]float64, in*out), B: make([]float64, out),
		GW: make([]float64, in*out), GB: make([]float64, out)}
	k := 1 / math.Sqrt(float64(in))
	for i := range l.W {
		l.W[i] = (2*r.Float64() - 1) * k
	}
	for i := range l.B {
		l.B[i] = (2*r.Float64() - 1) * k
	}
	return l
}

// Forward writes y (n × Out) for x (n × In).
func (l *Linear) Forward(x []float64, n int, y []float64) {
	if len(x) < n*l.In || len(y) < n*l.Out {
		panic("lsm: Linear.Forward: short slices")
	}
	for s := range n {
		xs := x[s*l.In : (s+1)*l.In]
		ys := y[s*l.Out : (s+1)*l.Out]
		for o := range ys {
			ys[o] = l.B[o] + floats.Dot(l.W[o*l.In:(o+1)*l.In], xs)
		}
	}
}

// Backward accumulates the gradients of W and b for upstream gradient dy
// (n × Out) at input x, and writes dx (n × In) unless dx is nil.
func (l *Linear) Backward(x, dy []float64, n int, dx []float64) {
	if dx != nil {
		clear(dx[:n*l.In])
	}
	for s := range n {
		xs := x[s*l.In : (s+1)*l.In]
		for o, g := range dy[s*l.Out : (s+1)*l.Out] {
			if g == 0 {
				continue
			}
			w := l.W[o*l.In : (o+1)*l.In]
			floats.AddScaled(l.GW[o*l.In:(o+1)*l.In], g, xs)
			l.GB[o] += g
			if dx != nil {
				floats.AddScaled(dx[s*l.In:(s+1)*l.In], g, w)
			}
		}
	}
}

// Params lists W and b.
func (l *Linear) Params() []Param {
	return []Param{{"W", l.W, l.GW}, {"b", l.B, l.GB}}
}

// Activation is an element-wise non-linearity.
type Activation int

const (
	Identity Activation = iota
	ReLU
	GELU // exact: x·Φ(x)
	Tanh
)

// ParseActivation maps "identity", "relu", "gelu", "tanh" to an Activation.
func ParseActivation(s string) (Activation, error) {
	for a, name := range activationNames {
		if s == name {
			return Activation(a), nil
		}
	}
	return 0, fmt.Errorf("lsm: unknown activation %q", s)
}

var activationNames = [...]string{"identity", "relu", "gelu", "tanh"}

func (a Activation) String() string {
	if int(a) < len(activationNames) {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// MarshalText makes activations readable in JSON configs and cache keys.
func (a Activation) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses the names of ParseActivation.
func (a *Activation) UnmarshalText(b []byte) error {
	v, err := ParseActivation(string(b))
	*a = v
	return err
}

// Apply returns f(x).
func (a Activation) Apply(x float64) float64 {
	switch a {
	case ReLU:
		return max(x, 0)
	case GELU:
		return 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
	case Tanh:
		return math.Tanh(x)
	}
	return x
}

// Deriv returns f′(x).
func (a Activation) Deriv(x float64) float64 {
	switch a {
	case ReLU:
		if x > 0 {
			return 1
		}
		return 0
	case GELU:
		return 0.5*(1+math.Erf(x/math.Sqrt2)) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
	case Tanh:
		t := math.Tanh(x)
		return 1 - t*t
	}
	return 1
}

// MLP is a stack of Linear layers with Act between them (and after the last
// one when ActOut). It caches the last Forward's intermediates for Backward,
// so one MLP serves one goroutine.
type MLP struct {
	Layers []*Linear
	Act    Activation
	ActOut bool

	ins, pres, outs [][]float64 // per layer: input, pre-activation, output
	dbuf            [2][]float64
}

// NewMLP builds layers of the given sizes (sizes[0] inputs, sizes[len−1]
// outputs), each initialised from r in order.
func NewMLP(sizes []int, act Activation, actOut bool, r *rand.Rand) *MLP {
	if len(sizes) < 2 {
		panic("lsm: NewMLP: need at least input and output sizes")
	}
	m := &MLP{Act: act, ActOut: actOut}
	for i := 1; i < len(sizes); i++ {
		m.Layers = append(m.Layers, NewLinear(sizes[i-1], sizes[i], r))
	}
	return m
}

func (m *MLP) activated(i int) bool { return m.Act != Identity && (i < len(m.Layers)-1 || m.ActOut) }

// In and Out are the input and output widths.
func (m *MLP) In() int  { return m.Layers[0].In }
func (m *MLP) Out() int { return m.Layers[len(m.Layers)-1].Out }

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// Forward runs x (n × In) and returns the output (n × Out), a buffer owned
// by m and valid until the next Forward.
func (m *MLP) Forward(x []float64, n int) []float64 {
	L := len(m.Layers)
	if len(m.ins) != L {
		m.ins, m.pres, m.outs = make([][]float64, L), make([][]float64, L), make([][]float64, L)
	}
	for i, l := range m.Layers {
		m.ins[i] = x
		m.pres[i] = grow(m.pres[i], n*l.Out)
		l.Forward(x, n, m.pres[i])
		if m.activated(i) {
			m.outs[i] = grow(m.outs[i], n*l.Out)
			for k, v := range m.pres[i] {
				m.outs[i][k] = m.Act.Apply(v)
			}
		} else {
			m.outs[i] = m.pres[i]
		}
		x = m.outs[i]
	}
	return x
}

// Backward accumulates parameter gradients for upstream gradient dy
// (n × Out) of the last Forward, and writes dx (n × In) unless nil.
func (m *MLP) Backward(dy []float64, n int, dx []float64) {
	for i := len(m.Layers) - 1; i >= 0; i-- {
		l := m.Layers[i]
		if m.activated(i) {
			d := grow(m.dbuf[i%2], n*l.Out)
			m.dbuf[i%2] = d
			for k, v := range m.pres[i] {
				d[k] = dy[k] * m.Act.Deriv(v)
			}
			dy = d
		}
		var dIn []float64
		switch {
		case i > 0:
			dIn = grow(m.dbuf[(i+1)%2], n*l.In)
			m.dbuf[(i+1)%2] = dIn
		case dx != nil:
			dIn = dx
		}
		l.Backward(m.ins[i], dy, n, dIn)
		dy = dIn
	}
}

// Params lists every layer's parameters.
func (m *MLP) Params() []Param {
	var ps []Param
	for i, l := range m.Layers {
		for _, p := range l.Params() {
			p.Name = fmt.Sprintf("layer%d.%s", i, p.Name)
			ps = append(ps, p)
		}
	}
	return ps
}

// ZeroGrad clears the gradients of ps.
func ZeroGrad(ps []Param) {
	for _, p := range ps {
		clear(p.G)
	}
}

// SoftmaxCE is the mean softmax cross-entropy of logits (n × k) against
// labels in [0, k); it writes dlogits (n × k) unless nil. It panics on a
// label out of range (callers check labels once up front).
func SoftmaxCE(logits []float64, n, k int, labels []int, dlogits []float64) float64 {
	loss := 0.0
	for s := range n {
		z := logits[s*k : (s+1)*k]
		y := labels[s]
		if y < 0 || y >= k {
			panic(fmt.Sprintf("lsm: SoftmaxCE: label %d outside [0,%d)", y, k))
		}
		mx := floats.Max(z)
		sum := 0.0
		for _, v := range z {
			sum += math.Exp(v - mx)
		}
		lse := mx + math.Log(sum)
		loss += lse - z[y]
		if dlogits != nil {
			d := dlogits[s*k : (s+1)*k]
			for j, v := range z {
				d[j] = math.Exp(v-lse) / float64(n)
			}
			d[y] -= 1 / float64(n)
		}
	}
	return loss / float64(n)
}

// Adam is the Adam optimiser (Kingma & Ba) with PyTorch's conventions; with
// Decoupled it is AdamW (Loshchilov & Hutter): W ← W − LR·WeightDecay·W
// before the Adam step. Without Decoupled a non-zero WeightDecay is L2
// added to the gradient, as torch.optim.Adam does.
type Adam struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	Decoupled                          bool

	t    int
	m, v [][]float64
}

// NewAdam returns Adam with β = (0.9, 0.999), ε = 1e-8, no weight decay.
func NewAdam(lr float64) *Adam { return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// NewAdamW returns AdamW with PyTorch's defaults and the given decay (PyTorch: 0.01).
func NewAdamW(lr, weightDecay float64) *Adam {
	a := NewAdam(lr)
	a.WeightDecay, a.Decoupled = weightDecay, true
	return a
}

// Step updates ps from their gradients. The same ps (same order and sizes)
// must be passed at every step.
func (a *Adam) Step(ps []Param) {
	if a.m == nil {
		a.m, a.v = make([][]float64, len(ps)), make([][]float64, len(ps))
		for i, p := range ps {
			a.m[i], a.v[i] = make([]float64, len(p.W)), make([]float64, len(p.W))
		}
	}
	a.t++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.t))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.t))
	step := a.LR / bc1
	sq2 := math.Sqrt(bc2)
	for i, p := range ps {
		m, v := a.m[i], a.v[i]
		for k, g := range p.G {
			w := p.W[k]
			if a.WeightDecay != 0 {
				if a.Decoupled {
					w -= a.LR * a.WeightDecay * w
				} else {
					g += a.WeightDecay * w
				}
			}
			m[k] = a.Beta1*m[k] + (1-a.Beta1)*g
			v[k] = a.Beta2*v[k] + (1-a.Beta2)*g*g
			p.W[k] = w - step*m[k]/(math.Sqrt(v[k])/sq2+a.Eps)
		}
	}
}

// Standardizer maps each feature to zero mean and unit variance with the
// statistics of the data it was fitted on (the training set only). Constant
// features map to 0.
type Standardizer struct {
	Mean, Scale []float64 // Scale = 1/std, 0 for constant features
}

// FitStandardizer fits on x (n × d).
func FitStandardizer(x []float64, n, d int) *Standardizer {
	s := &Standardizer{Mean: make([]float64, d), Scale: make([]float64, d)}
	if n == 0 {
		return s
	}
	for i := range n {
		floats.Add(s.Mean, x[i*d:(i+1)*d])
	}
	floats.Scale(1/float64(n), s.Mean)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			dv := v - s.Mean[j]
			s.Scale[j] += dv * dv
		}
	}
	for j, ss := range s.Scale {
		if sd := math.Sqrt(ss / float64(n)); sd > 1e-12 {
			s.Scale[j] = 1 / sd
		} else {
			s.Scale[j] = 0
		}
	}
	return s
}

// Apply returns a standardised copy of x (n × d).
func (s *Standardizer) Apply(x []float64, n int) []float64 {
	d := len(s.Mean)
	out := make([]float64, n*d)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			out[i*d+j] = (v - s.Mean[j]) * s.Scale[j]
		}
	}
	return out
}
