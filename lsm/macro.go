package lsm

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/rramtwin/rramtwin/macro"
)

// MAC is all the reservoir needs of a chip: one multiply-accumulate over a
// region. macro.Macro, macro.Model and driver.Board satisfy it. The encoder
// keys every vector's read noise by (sample, step) (macro.Inputs.Keys), so
// samples may be encoded concurrently and in any order with identical
// results; a backend that serialises calls (a board) is simply not faster.
type MAC interface {
	MAC(ctx context.Context, r macro.Region, in macro.Inputs, out *macro.Outputs) error
}

// Former forms the random conductances of a region (macro.Macro has it).
type Former interface {
	Form(ctx context.Context, r macro.Region, p macro.FormPulse) (macro.FormResult, error)
}

// Layout returns the region a reservoir of c occupies with its top-left cell
// at (row0, col0) of macro m: rows are the Inputs input rows then the
// Neurons recurrent rows; columns are 2 per neuron, neuron j's G⁺ at column
// 2j and G⁻ at 2j+1.
func Layout(m, row0, col0 int, c Config) macro.Region {
	return macro.Region{Macro: m, Row0: row0, Row1: row0 + c.Inputs + c.Neurons, Col0: col0, Col1: col0 + 2*c.Neurons}
}

func checkLayout(r macro.Region, c Config) error {
	if r.Rows() != c.Inputs+c.Neurons || r.Cols() != 2*c.Neurons {
		return fmt.Errorf("lsm: %s: region %v is %d×%d, want (inputs+neurons)×(2·neurons) = %d×%d",
			c.Name, r, r.Rows(), r.Cols(), c.Inputs+c.Neurons, 2*c.Neurons)
	}
	return nil
}

// FormReservoir forms the random W_in and W_rec of c on region r of a chip
// with one electroforming pulse over the whole region (DESIGN §2: the
// forming voltage sets how many cells form, the cells' conductances are the
// random weights).
func FormReservoir(ctx context.Context, f Former, r macro.Region, c Config, p macro.FormPulse) (macro.FormResult, error) {
	if err := c.Validate(); err != nil {
		return macro.FormResult{}, err
	}
	if err := checkLayout(r, c); err != nil {
		return macro.FormResult{}, err
	}
	res, err := f.Form(ctx, r, p)
	if err != nil {
		return res, fmt.Errorf("lsm: forming the %s reservoir on %v: %w", c.Name, r, err)
	}
	return res, nil
}

// MacroOptions configures a macro-backed encoder.
type MacroOptions struct {
	ReadV      float64 // read voltage (V) the chip uses, to turn currents into µS; required
	NoFastPath bool    // never use macro.LSMRunner, always the per-step MAC
	Name       string  // backend name for reports and cache keys; "" = "macro"
}

// Macro is the reservoir on a chip: W_in and W_rec are the formed
// conductances of a region laid out as Layout says, every step's MAC runs on
// the chip, and the LIF update runs here. Per step t and neuron j
//
//	ΔG_j  = (I[2j] − I[2j+1]) / ReadV * 1e6            (µS; I the dequantized currents in A)
//	mem_j = Decay·mem_j·(1 − s_j) + Const·ΔG_j,   s_j = [mem_j > Threshold]
//
// with the MAC input vector (x_t, s_{t−1}) over the region's rows. This is
// exactly the arithmetic of macro.LSMRun with Scale = Const, so a backend's
// whole-sample fast path (macro.LSMRunner), used when offered, must give the
// same counts.
type Macro struct {
	dev    MAC
	region macro.Region
	cfg    Config
	opt    MacroOptions
	run    macro.LSMRun
	pool   sync.Pool
}

// NewMacro returns an encoder running cfg on region r of dev. The region must
// already hold the weights (FormReservoir, or a map programmed by the
// caller).
func NewMacro(dev MAC, r macro.Region, cfg Config, opt MacroOptions) (*Macro, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := checkLayout(r, cfg); err != nil {
		return nil, err
	}
	if !(opt.ReadV > 0) || math.IsInf(opt.ReadV, 0) {
		return nil, fmt.Errorf("lsm: %s: read voltage %g V must be positive", cfg.Name, opt.ReadV)
	}
	if dev == nil {
		return nil, fmt.Errorf("lsm: %s: no macro backend", cfg.Name)
	}
	if opt.Name == "" {
		opt.Name = "macro"
	}
	return &Macro{dev: dev, region: r, cfg: cfg, opt: opt, run: macro.LSMRun{
		Region: r, Inputs: cfg.Inputs, Neurons: cfg.Neurons, Steps: cfg.Steps,
		Threshold: cfg.Threshold, Decay: cfg.Decay, Scale: cfg.Const,
	}}, nil
}

func (m *Macro) Config() Config  { return m.cfg }
func (m *Macro) Backend() string { return m.opt.Name }

// Concurrent is true: noise is keyed by sample and step, so concurrent
// encoding is deterministic.
func (m *Macro) Concurrent() bool { return true }

// Run returns the LSMRun the encoder hands to a fast path.
func (m *Macro) Run() macro.LSMRun { return m.run }

type outputsBuf = macro.Outputs

// Encode implements Encoder.
func (m *Macro) Encode(ctx context.Context, sample uint64, spikes []uint8, counts []int32) error {
	c := m.cfg
	if err := checkSample(c, spikes, counts); err != nil {
		return err
	}
	dev := m.dev
	run := m.run
	run.Key = sample
	if r, ok := dev.(macro.LSMRunner); ok && !m.opt.NoFastPath && c.Bins <= 1 { // the fast path returns whole-window counts only
		if err := r.RunLSM(ctx, run, 1, spikes, counts); err != nil {
			return fmt.Errorf("lsm: %s: sample %d on the chip: %w", c.Name, sample, err)
		}
		return nil
	}
	st, _ := m.pool.Get().(*lifState)
	if st == nil {
		st = newLIFState(c.Neurons)
		st.vals = make([]uint8, c.Inputs+c.Neurons)
	}
	defer m.pool.Put(st)
	st.reset()
	clear(counts)
	in := macro.Inputs{N: 1, Bits: 1, Values: st.vals, Keys: st.key[:]}
	rv := m.opt.ReadV
	for t := range c.Steps {
		x := spikes[t*c.Inputs : (t+1)*c.Inputs]
		copy(st.vals, x) // Bits = 1: any non-zero value is a read pulse
		copy(st.vals[c.Inputs:], st.spk)
		st.key[0] = run.LSMKey(0, t)
		if err := dev.MAC(ctx, m.region, in, &st.out); err != nil {
			return fmt.Errorf("lsm: %s: sample %d step %d: %w", c.Name, sample, t, err)
		}
		cur := st.out.Currents
		if len(cur) < 2*c.Neurons {
			return fmt.Errorf("lsm: %s: sample %d step %d: MAC returned %d currents, want %d", c.Name, sample, t, len(cur), 2*c.Neurons)
		}
		for j := range st.cur {
			st.cur[j] = float64(c.Const * float64(float64(float64(cur[2*j]-cur[2*j+1])/rv)*1e6)) // rounded as macro.LSMRun
		}
		b := c.binOf(t) * c.Neurons
		lif(st, c.Decay, c.Threshold, counts[b:b+c.Neurons])
	}
	return nil
}

// WeightsFromConductances turns the conductances of a reservoir region (µS,
// row-major over a Layout region, as macro.Macro.Read returns them) into the
// weights the chip applies: W = Const·(G⁺ − G⁻), W_in (Inputs × Neurons) and
// W_rec (Neurons × Neurons), ready for NewGaussWeights — the software twin
// of a formed chip.
func WeightsFromConductances(c Config, g []float32) (win, wrec []float64, err error) {
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	rows, cols := c.Inputs+c.Neurons, 2*c.Neurons
	if len(g) != rows*cols {
		return nil, nil, fmt.Errorf("lsm: %s: %d conductances, want (inputs+neurons)×(2·neurons) = %d×%d", c.Name, len(g), rows, cols)
	}
	win = make([]float64, c.Inputs*c.Neurons)
	wrec = make([]float64, c.Neurons*c.Neurons)
	for i := range rows {
		for j := range c.Neurons {
			w := c.Const * (float64(g[i*cols+2*j]) - float64(g[i*cols+2*j+1]))
			if i < c.Inputs {
				win[i*c.Neurons+j] = w
			} else {
				wrec[(i-c.Inputs)*c.Neurons+j] = w
			}
		}
	}
	return win, wrec, nil
}
