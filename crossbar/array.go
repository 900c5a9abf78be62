package crossbar

import (
	"fmt"
	"math"
	"runtime"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// MaxDim is the largest number of rows or columns of an Array.
const MaxDim = 1 << 14

// Region is a half-open window [Row0,Row1) × [Col0,Col1) of an array.
type Region struct {
	Row0, Row1 int
	Col0, Col1 int
}

// Rows is the number of rows of r.
func (r Region) Rows() int { return r.Row1 - r.Row0 }

// Cols is the number of columns of r.
func (r Region) Cols() int { return r.Col1 - r.Col0 }

// Cells is the number of cells of r.
func (r Region) Cells() int { return r.Rows() * r.Cols() }

func (r Region) String() string {
	return fmt.Sprintf("rows %d:%d cols %d:%d", r.Row0, r.Row1, r.Col0, r.Col1)
}

// Check reports whether r is a non-empty window inside a rows × cols array.
func (r Region) Check(rows, cols int) error {
	switch {
	case r.Row0 < 0 || r.Row1 > rows || r.Row0 >= r.Row1:
		return fmt.Errorf("%w: rows %d:%d outside 0:%d or empty", ErrRegion, r.Row0, r.Row1, rows)
	case r.Col0 < 0 || r.Col1 > cols || r.Col0 >= r.Col1:
		return fmt.Errorf("%w: cols %d:%d outside 0:%d or empty", ErrRegion, r.Col0, r.Col1, cols)
	}
	return nil
}

// CellState is what a cell is.
type CellState uint8

const (
	Pristine CellState = iota // never formed (includes stuck-off cells)
	Formed                    // formed, switchable
	StuckOn                   // formed hard: stuck at Cell.StuckOnUS
)

func (s CellState) String() string {
	switch s {
	case Pristine:
		return "pristine"
	case Formed:
		return "formed"
	case StuckOn:
		return "stuck-on"
	}
	return fmt.Sprintf("CellState(%d)", uint8(s))
}

// Array is one RRAM crossbar: rows × cols cells with their state, a
// simulated clock and the read path (read voltage, noise, IR drop, ADC).
// The zero value is not usable; call New.
type Array struct {
	rows, cols int
	p          Params
	seed       uint64
	clock      float64 // simulated time, s
	workers    int

	// Per-cell state, row-major, stride cols.
	state []CellState
	gw    []float32 // conductance as last written (formed or programmed), µS
	tw    []float64 // clock time of the last write, s
	nw    []uint32  // number of writes (keys the relaxation draw)
	xi    []float32 // the relaxation normal of the current write

	// Derived, rebuilt eagerly whenever the state, clock or read path
	// changes (so read-only methods may run concurrently).
	g  []float32 // effective conductance now, µS
	gq []int32   // the same values in quanta of 2^-12 µS (quantG), which the spike MAC sums exactly
	vr []float32 // per-read noise variance, µS²

	// Per-column ADC mismatch (stateless draws of the seed).
	gain []float64 // relative gain
	off  []float64 // offset in LSB
	// The same for the ADC of pair k under differential sensing.
	gainP, offP []float64
	fs          float64 // current ADC full scale, A

	formed int // cells in state Formed or StuckOn

	// Stateless per-cell streams of the chip.
	sBreak, sStuck, sFormG, sSetV, sResetV, sGMax, sRelax rng.Stream
}

// New makes a rows × cols array of pristine cells with device parameters
// p. The seed is the chip: every per-cell and per-column property is a
// stateless draw keyed by (seed, purpose, index).
func New(rows, cols int, p Params, seed uint64) (*Array, error) {
	if rows < 1 || cols < 1 || rows > MaxDim || cols > MaxDim {
		return nil, fmt.Errorf("%w: array %d × %d outside 1..%d", ErrRegion, rows, cols, MaxDim)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	n := rows * cols
	a := &Array{
		rows: rows, cols: cols, p: p, seed: seed,
		workers: runtime.GOMAXPROCS(0),
		state:   make([]CellState, n),
		gw:      make([]float32, n),
		tw:      make([]float64, n),
		nw:      make([]uint32, n),
		xi:      make([]float32, n),
		g:       make([]float32, n),
		gq:      make([]int32, n),
		vr:      make([]float32, n),
		gain:    make([]float64, cols),
		off:     make([]float64, cols),
		gainP:   make([]float64, cols/2),
		offP:    make([]float64, cols/2),
		fs:      p.ADC.FullScaleA,
		sBreak:  rng.NewStream(seed, "crossbar/breakdown"),
		sStuck:  rng.NewStream(seed, "crossbar/stuck"),
		sFormG:  rng.NewStream(seed, "crossbar/formed-g"),
		sSetV:   rng.NewStream(seed, "crossbar/set-v50"),
		sResetV: rng.NewStream(seed, "crossbar/reset-v50"),
		sGMax:   rng.NewStream(seed, "crossbar/g-max"),
		sRelax:  rng.NewStream(seed, "crossbar/relax"),
	}
	a.drawADC()
	a.refreshAll()
	return a, nil
}

// Rows is the number of rows.
func (a *Array) Rows() int { return a.rows }

// Cols is the number of columns.
func (a *Array) Cols() int { return a.cols }

// Full is the region of the whole array.
func (a *Array) Full() Region { return Region{0, a.rows, 0, a.cols} }

// Seed is the chip's seed.
func (a *Array) Seed() uint64 { return a.seed }

// Params returns the array's current parameters (including read-path
// changes made with SetRead, SetIR and SetADC).
func (a *Array) Params() Params { return a.p }

// Clock is the simulated time since the array was made, s.
func (a *Array) Clock() float64 { return a.clock }

// FormedCells is the number of formed cells (including stuck-on cells).
func (a *Array) FormedCells() int { return a.formed }

// SetWorkers sets how many goroutines MAC uses (n < 1 means GOMAXPROCS).
// Results do not depend on it.
func (a *Array) SetWorkers(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	a.workers = n
}

// States copies the state of the cells of r into dst (row-major over r).
func (a *Array) States(dst []CellState, r Region) error {
	if err := a.checkDst(len(dst), r); err != nil {
		return err
	}
	for i := r.Row0; i < r.Row1; i++ {
		copy(dst[(i-r.Row0)*r.Cols():], a.state[i*a.cols+r.Col0:i*a.cols+r.Col1])
	}
	return nil
}

// checkDst validates r and a per-cell slice length for it.
func (a *Array) checkDst(n int, r Region) error {
	if err := r.Check(a.rows, a.cols); err != nil {
		return err
	}
	if n != r.Cells() {
		return fmt.Errorf("%w: slice of %d values for a region of %d cells", ErrInputs, n, r.Cells())
	}
	return nil
}

// Advance moves the simulated clock forward by seconds (≥ 0, finite) and
// relaxes every written cell accordingly.
func (a *Array) Advance(seconds float64) error {
	if !(seconds >= 0) || math.IsInf(seconds, 0) {
		return fmt.Errorf("%w: advance by %g s (must be finite and ≥ 0)", ErrInputs, seconds)
	}
	if seconds == 0 {
		return nil
	}
	a.clock += seconds
	if a.relaxes() {
		a.refreshAll()
	}
	return nil
}

// refreshAll rebuilds the effective conductance and noise variance of
// every cell.
func (a *Array) refreshAll() {
	// Cells written together share their log time: compute it once per run.
	lastTw, lastL := math.NaN(), 0.0
	for k := range a.g {
		if a.state[k] == Formed && a.tw[k] != lastTw {
			lastTw, lastL = a.tw[k], a.logTime(a.tw[k])
		}
		a.refreshL(k, lastL)
	}
}

// refresh rebuilds cell k's effective conductance and read variance from
// its state and the clock.
func (a *Array) refresh(k int) {
	a.refreshL(k, a.logTime(a.tw[k]))
}

// refreshL is refresh with the cell's log time l already known.
func (a *Array) refreshL(k int, l float64) {
	var g float64
	switch a.state[k] {
	case Pristine:
		g = a.p.Cell.PristineUS
	case StuckOn:
		g = a.p.Cell.StuckOnUS
	case Formed:
		g = a.relaxed(k, l)
	}
	a.g[k], a.gq[k] = quantG(g)
	a.vr[k] = float32(a.readVar(float64(a.g[k])))
}

// GCapUS is the largest conductance a cell holds, µS (1 kΩ); larger values
// a model would produce are clamped to it.
const GCapUS = 1000

// gQuantum is the grid of conductances, µS: 2^-12 µS (0.24 nS), four orders
// of magnitude below any read noise. On it, with G ≤ GCapUS, a column sum
// over up to maxExactRows cells is an exact int32 count of quanta and an
// exact float64 whatever the order of the additions, so the spike MAC sums
// integers, vectorised, and equals the reference's row-by-row float64 sum
// bit for bit.
const (
	gQuantum     = 1.0 / (1 << 12)
	gCapQ        = GCapUS * (1 << 12)
	maxExactRows = math.MaxInt32 / gCapQ // 524
)

// quantG puts a conductance on the grid: clamped to [0, GCapUS] and
// rounded to the nearest quantum; it returns the value in µS and in quanta.
func quantG(g float64) (float32, int32) {
	q := math.Round(min(max(g, 0), GCapUS) * (1 << 12))
	return float32(q * gQuantum), int32(q)
}

// readVar is the per-read noise variance of a cell of conductance g, µS².
func (a *Array) readVar(g float64) float64 {
	rd := a.p.Read
	s := rd.NoiseRel * g
	return s*s + rd.NoiseVarUS*g + rd.NoiseFloorUS*rd.NoiseFloorUS
}

// write records a new as-written conductance for cell k at the current
// clock and refreshes it.
func (a *Array) write(k int, g float64) {
	a.gw[k] = float32(g)
	a.tw[k] = a.clock
	a.nw[k]++
	a.drawXi(k)
	a.refresh(k)
}
