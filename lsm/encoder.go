package lsm

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"

	"gonum.org/v1/gonum/floats"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// Encoder runs the reservoir over one sample. spikes is the sample's
// Steps × Inputs binary raster (row-major, any non-zero byte is a spike);
// counts receives each neuron's spike count over the window (length
// Config.Features(): Neurons, or Neurons per readout bin). sample is the sample's index in its data set: backends key any
// per-sample randomness (read noise) by it, never by call order.
type Encoder interface {
	Config() Config
	// Backend names the backend ("gauss", "macro", ...) for reports and
	// cache keys.
	Backend() string
	// Concurrent reports whether Encode may be called from several
	// goroutines at once with results independent of their interleaving.
	Concurrent() bool
	Encode(ctx context.Context, sample uint64, spikes []uint8, counts []int32) error
}

func checkSample(c Config, spikes []uint8, counts []int32) error {
	if len(spikes) != c.Steps*c.Inputs {
		return fmt.Errorf("lsm: %s: raster has %d values, want steps×inputs = %d×%d", c.Name, len(spikes), c.Steps, c.Inputs)
	}
	if len(counts) != c.Features() {
		return fmt.Errorf("lsm: %s: counts has length %d, want %d features", c.Name, len(counts), c.Features())
	}
	return nil
}

// Gauss is the authors' software reservoir: W = Const·N(μ, σ²) with the
// conductance statistics of Config, an ideal float MAC, event-driven (a
// step costs only its active input rows and the neurons that spiked).
// It is safe for concurrent use.
type Gauss struct {
	cfg Config
	// Win is Inputs × Neurons, Wrec is Neurons × Neurons, row-major by
	// source: row i holds the weights from input (or neuron) i.
	Win, Wrec []float64
	pool      sync.Pool
}

// Weight streams: W_in[i][j] is the normal draw with index i·Neurons+j of
// rng.NewStream(seed, "lsm/gauss/"+Name+"/w_in") (likewise "w_rec").
const (
	streamWin  = "/w_in"
	streamWrec = "/w_rec"
)

// NewGauss draws the weights of cfg from seed.
func NewGauss(cfg Config, seed uint64) (*Gauss, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := cfg.Neurons
	win := make([]float64, cfg.Inputs*n)
	wrec := make([]float64, n*n)
	sIn := rng.NewStream(seed, "lsm/gauss/"+cfg.Name+streamWin)
	sRec := rng.NewStream(seed, "lsm/gauss/"+cfg.Name+streamWrec)
	for i := range win {
		win[i] = cfg.Const * (cfg.InMeanUS + cfg.InStdUS*sIn.Norm(uint64(i)))
	}
	for i := range wrec {
		wrec[i] = cfg.Const * (cfg.RecMeanUS + cfg.RecStdUS*sRec.Norm(uint64(i)))
	}
	return NewGaussWeights(cfg, win, wrec)
}

// NewGaussWeights builds a Gauss reservoir on given weights (Inputs ×
// Neurons and Neurons × Neurons, row-major by source, already in weight
// units); the statistics and Const of cfg are then informative only. The
// slices are used, not copied.
func NewGaussWeights(cfg Config, win, wrec []float64) (*Gauss, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(win) != cfg.Inputs*cfg.Neurons || len(wrec) != cfg.Neurons*cfg.Neurons {
		return nil, fmt.Errorf("lsm: %s: weights %d and %d, want %d×%d and %d×%d",
			cfg.Name, len(win), len(wrec), cfg.Inputs, cfg.Neurons, cfg.Neurons, cfg.Neurons)
	}
	return &Gauss{cfg: cfg, Win: win, Wrec: wrec}, nil
}

func (g *Gauss) Config() Config   { return g.cfg }
func (g *Gauss) Backend() string  { return "gauss" }
func (g *Gauss) Concurrent() bool { return true }

type lifState struct {
	mem, cur []float64
	spk      []uint8   // spikes of the previous step
	active   []int     // indices of neurons that spiked at the previous step
	vals     []uint8   // macro path: the MAC input vector
	key      [1]uint64 // macro path: the vector's noise key
	out      outputsBuf
}

func newLIFState(neurons int) *lifState {
	return &lifState{
		mem:    make([]float64, neurons),
		cur:    make([]float64, neurons),
		spk:    make([]uint8, neurons),
		active: make([]int, 0, neurons),
	}
}

func (s *lifState) reset() {
	clear(s.mem)
	clear(s.spk)
	s.active = s.active[:0]
}

// lif advances every neuron one step given its input current cur:
// mem = decay·mem·(1 − s) + cur, s = [mem > vth]. It records the new
// spikes in st.spk and st.active and adds them to counts.
func lif(st *lifState, decay, vth float64, counts []int32) {
	mem, cur, spk := st.mem, st.cur, st.spk
	_, _ = cur[len(mem)-1], spk[len(mem)-1]
	st.active = st.active[:0]
	for j, m := range mem {
		if spk[j] != 0 {
			m = 0 // decay·mem·(1−1); the sign of zero is unobservable after the add
		} else {
			m = float64(m * decay) // rounded on its own: no fused multiply-add
		}
		m += cur[j]
		mem[j] = m
		if m > vth {
			spk[j] = 1
			counts[j]++
			st.active = append(st.active, j)
		} else {
			spk[j] = 0
		}
	}
}

// Encode implements Encoder.
func (g *Gauss) Encode(ctx context.Context, _ uint64, spikes []uint8, counts []int32) error {
	c := g.cfg
	if err := checkSample(c, spikes, counts); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	st, _ := g.pool.Get().(*lifState)
	if st == nil {
		st = newLIFState(c.Neurons)
	}
	st.reset()
	clear(counts)
	n := c.Neurons
	for t := range c.Steps {
		cur := st.cur
		clear(cur)
		x := spikes[t*c.Inputs : (t+1)*c.Inputs]
		i := 0
		for ; i+8 <= len(x); i += 8 { // skip silent groups of 8 inputs at once
			if binary.LittleEndian.Uint64(x[i:]) == 0 {
				continue
			}
			for k, v := range x[i : i+8] {
				if v != 0 {
					floats.Add(cur, g.Win[(i+k)*n:(i+k+1)*n])
				}
			}
		}
		for ; i < len(x); i++ {
			if x[i] != 0 {
				floats.Add(cur, g.Win[i*n:(i+1)*n])
			}
		}
		for _, k := range st.active {
			floats.Add(cur, g.Wrec[k*n:(k+1)*n])
		}
		b := c.binOf(t) * n
		lif(st, c.Decay, c.Threshold, counts[b:b+n])
	}
	g.pool.Put(st)
	return nil
}
