package crossbar

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"sync"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// Encoding says how multi-bit inputs drive the rows.
type Encoding uint8

const (
	// BitSerial applies one binary read per bit plane (LSB first), converts
	// each plane's column currents with the ADC and shift-adds the codes
	// digitally. Cost and conversions ∝ Bits.
	BitSerial Encoding = iota
	// PulseWidth drives row i for x_i unit read pulses and converts the
	// integrated charge once (full scale = (2^Bits − 1) × the ADC's
	// single-read full scale).
	PulseWidth
)

func (e Encoding) String() string {
	switch e {
	case BitSerial:
		return "bit-serial"
	case PulseWidth:
		return "pulse-width"
	}
	return "encoding(?)"
}

// Inputs is a batch of N input vectors over a region's rows, row-major
// (vector v, region row i at index v·rows + i).
type Inputs struct {
	N int
	// Bits = 1: binary spikes, a read pulse on every row whose value is
	// non-zero (cost ∝ active rows). Bits 2..8: unsigned values < 1<<Bits,
	// applied as Encoding says.
	Bits   int
	Values []uint8
	// Analog, when non-nil (and Values nil), drives row i at amplitude
	// x_i·V_read with an ideal DAC, x_i in [0, 1]: dense real inputs, one
	// conversion per column. Rows with x_i = 0 are off.
	Analog   []float32
	Encoding Encoding
	// First is the index of Values' first vector in its logical batch: the
	// noise of vector v comes from s.Sub(First + v), so a batch split in
	// parts with the right First gives results identical to one call.
	First uint64
	// Keys, when not nil (length N), key each vector's noise instead:
	// vector v draws from s.Sub(Keys[v]), so a caller can tie the noise to
	// its own identity of the vector (say sample and time step) and get the
	// same result however vectors are grouped into calls.
	Keys []uint64
}

// noiseKey is the sub-stream index of vector v's noise.
func (in *Inputs) noiseKey(v int) uint64 {
	if in.Keys != nil {
		return in.Keys[v]
	}
	return in.First + uint64(v)
}

// Outputs receives the results of a MAC, N × cols row-major over the
// region's columns. MAC grows the slices as needed and overwrites them.
type Outputs struct {
	// Codes are the ADC codes; bit-serial: Σ_b 2^b·code_b. Zero with the
	// ideal ADC (Bits 0): use Currents.
	Codes []int32
	// Currents are the dequantized column currents, A, weighted by the input
	// value: ideally V_read·Σ_i x_i·G_ij·1e-6.
	Currents []float64
	// Reads is, per vector, the number of row read pulses: active rows
	// summed over bit planes (pulse-width: Σ x_i; analog: non-zero rows).
	Reads []int32
	// SumGUS is, per vector, Σ over read pulses of the conductance of the
	// pulsed cells in the region's columns, µS (analog: Σ x_i²·G). The array
	// energy is V_read²·SumGUS·1e-6·Read.WidthS joules.
	SumGUS []float64
	// Conversions is, per vector, the number of ADC conversions.
	Conversions []int32
	// Clipped is, per vector, the number of conversions that saturated.
	Clipped []int32
}

// MAC runs the batch in through the columns of region r with the array's
// current read path (Read, IR and ADC parameters) and writes out. Read
// noise of vector v comes from s.Sub(in.First + v). Vectors are spread over
// the workers (SetWorkers); the results do not depend on their number.
// Bad inputs return ErrInputs (or ErrRegion) and leave out untouched.
func (a *Array) MAC(r Region, in Inputs, out *Outputs, s rng.Stream) error {
	if err := a.checkInputs(r, &in); err != nil {
		return err
	}
	out.grow(in.N, r.Cols())
	if min(a.workers, in.N) <= 1 {
		// One worker: no goroutine and no closure, so no allocation.
		ws := getWorkspace(a.cols, a.rows)
		defer wsPool.Put(ws)
		for v := range in.N {
			if err := a.macVector(ws, r, &in, v, out, s); err != nil {
				return err
			}
		}
		return nil
	}
	inp := new(Inputs) // a copy, so that in itself stays on the stack
	*inp = in
	return a.parallel(in.N, func(ws *workspace, v int) error {
		return a.macVector(ws, r, inp, v, out, s)
	})
}

// checkInputs validates a MAC's region and inputs.
func (a *Array) checkInputs(r Region, in *Inputs) error {
	if err := a.checkReadRegion(r); err != nil {
		return err
	}
	rows := r.Rows()
	if in.N < 0 {
		return fmt.Errorf("%w: N = %d vectors", ErrInputs, in.N)
	}
	if in.Keys != nil && len(in.Keys) != in.N {
		return fmt.Errorf("%w: %d noise keys for %d vectors", ErrInputs, len(in.Keys), in.N)
	}
	if in.Analog != nil {
		if in.Values != nil {
			return fmt.Errorf("%w: both Values and Analog set", ErrInputs)
		}
		if len(in.Analog) != in.N*rows {
			return fmt.Errorf("%w: %d analog values for %d vectors × %d rows", ErrInputs, len(in.Analog), in.N, rows)
		}
		for k, x := range in.Analog {
			if !(x >= 0 && x <= 1) {
				return fmt.Errorf("%w: analog input %g of vector %d row %d outside [0, 1]", ErrInputs, x, k/rows, k%rows)
			}
		}
		return nil
	}
	if in.Bits < 1 || in.Bits > 8 {
		return fmt.Errorf("%w: %d input bits (want 1..8)", ErrInputs, in.Bits)
	}
	if in.Encoding != BitSerial && in.Encoding != PulseWidth {
		return fmt.Errorf("%w: unknown encoding %d", ErrInputs, in.Encoding)
	}
	if len(in.Values) != in.N*rows {
		return fmt.Errorf("%w: %d values for %d vectors × %d rows", ErrInputs, len(in.Values), in.N, rows)
	}
	if in.Bits > 1 && in.Bits < 8 {
		for k, x := range in.Values {
			if x>>in.Bits != 0 {
				return fmt.Errorf("%w: value %d of vector %d row %d needs more than %d bits", ErrInputs, x, k/rows, k%rows, in.Bits)
			}
		}
	}
	return nil
}

// checkReadRegion checks that reads of r fit the array and, with
// differential sensing, cover whole column pairs.
func (a *Array) checkReadRegion(r Region) error {
	if err := r.Check(a.rows, a.cols); err != nil {
		return err
	}
	if a.differential() && (r.Col0%2 != 0 || r.Col1%2 != 0) {
		return fmt.Errorf("%w: cols %d:%d split a differential ADC pair (regions must start and end on even columns)", ErrRegion, r.Col0, r.Col1)
	}
	return nil
}

// activeRows returns the indices of the non-zero values, in dst's storage.
func activeRows(dst []int32, values []uint8) []int32 {
	return appendActive(dst[:0], values, 0, 1)
}

// appendActive appends base + i·stride for each non-zero values[i], in
// ascending order. It reads 64 values at a time where the CPU allows,
// else eight, skips all-zero words (spikes are sparse), then walks the
// set bits of a word's non-zero-byte mask.
func appendActive[T int32 | int](dst []T, values []uint8, base, stride T) []T {
	i := 0
	for ; useAVX512BW && i+64 <= len(values); i += 64 {
		for m := nonzero64(&values[i]); m != 0; m &= m - 1 {
			dst = append(dst, base+T(i+bits.TrailingZeros64(m))*stride)
		}
	}
	for ; i+8 <= len(values); i += 8 {
		w := binary.LittleEndian.Uint64(values[i:])
		if w == 0 {
			continue
		}
		w |= w >> 4 // fold each byte onto its lowest bit
		w |= w >> 2
		w |= w >> 1
		m := uint(((w & 0x0101010101010101) * 0x0102040810204080) >> 56) // bit k: byte k ≠ 0
		for ; m != 0; m &= m - 1 {
			dst = append(dst, base+T(i+bits.TrailingZeros(m))*stride)
		}
	}
	for ; i < len(values); i++ {
		if values[i] != 0 {
			dst = append(dst, base+T(i)*stride)
		}
	}
	return dst
}

// grow sizes o for n vectors of cols columns.
func (o *Outputs) grow(n, cols int) {
	o.Codes = resize(o.Codes, n*cols)
	o.Currents = resize(o.Currents, n*cols)
	o.Reads = resize(o.Reads, n)
	o.SumGUS = resize(o.SumGUS, n)
	o.Conversions = resize(o.Conversions, n)
	o.Clipped = resize(o.Clipped, n)
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// workspace is one worker's scratch.
type workspace struct {
	acc, vacc, nz, tmp []float64 // per region column
	rows               []int32   // active rows (region-local), ascending
	offs               []int     // their first cells' array indices (sumBin)
	accq               []int32   // column sums in conductance quanta (sumBin)
	slow               []uint8   // per 8 columns, the normals left to the slow path (convertSpikes)
	codes              []int32   // one vector's outputs (RunLSM)
	cur                []float64
	pcodes             []int32 // a differential read's outputs per pair (convertSpikes)
	pcur               []float64
	mem                []float64 // membrane potentials (RunLSM)
	spk                []uint8   // spikes of the last step (RunLSM)
	mask               []uint8   // the same as bits, under differential sensing
	next               []int     // the rows of the neurons that spiked last step (RunLSM, differential)
	w                  []float64 // the drive weights of rows (non-binary planes)
	ir                 []float64 // IR-drop scratch
}

var wsPool sync.Pool

func getWorkspace(cols, rows int) *workspace {
	ws, _ := wsPool.Get().(*workspace)
	if ws == nil {
		ws = new(workspace)
	}
	ws.acc = resize(ws.acc, cols)
	ws.vacc = resize(ws.vacc, cols)
	ws.nz = resize(ws.nz, cols)
	ws.tmp = resize(ws.tmp, cols)
	ws.rows = resize(ws.rows, rows)[:0]
	ws.w = resize(ws.w, rows)[:0]
	return ws
}

// parallel runs f for vectors 0..n−1 split into contiguous chunks over the
// workers; each vector's result depends only on the vector, so the split
// never changes it. It returns the error of the lowest failing vector.
func (a *Array) parallel(n int, f func(ws *workspace, v int) error) error {
	workers := min(a.workers, n)
	if workers <= 1 {
		ws := getWorkspace(a.cols, a.rows)
		defer wsPool.Put(ws)
		for v := range n {
			if err := f(ws, v); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := getWorkspace(a.cols, a.rows)
			defer wsPool.Put(ws)
			for v := lo; v < hi; v++ {
				if err := f(ws, v); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// plane is one analogue read of a vector: which rows are driven and how.
type plane struct {
	index  int     // plane number (keys its noise draws)
	binary bool    // every active row has weight 1
	bit    int     // digital shift of the plane's codes (bit-serial plane b: b)
	shift  float64 // digital weight of the plane's currents: 2^bit
	fsMul  float64 // ADC full scale multiplier (pulse width: 2^Bits − 1)
	energy float64 // weight exponent of SumGUS: 1 for pulses, 2 for amplitudes
}

// macVector computes vector v of a batch into out.
func (a *Array) macVector(ws *workspace, r Region, in *Inputs, v int, out *Outputs, s rng.Stream) error {
	rows, cols := r.Rows(), r.Cols()
	sv := s.Sub(in.noiseKey(v))
	codes := out.Codes[v*cols : (v+1)*cols]
	cur := out.Currents[v*cols : (v+1)*cols]
	clear(codes)
	clear(cur)
	var reads, conv, clipped int32
	var sumG float64
	nPlanes := 1
	if in.Analog == nil && in.Bits > 1 && in.Encoding == BitSerial {
		nPlanes = in.Bits
	}
	for pl := range nPlanes {
		p := plane{index: pl, binary: true, shift: 1, fsMul: 1, energy: 1}
		ws.rows, ws.w = ws.rows[:0], ws.w[:0]
		switch {
		case in.Analog != nil:
			p.binary, p.energy = false, 2
			for i, x := range in.Analog[v*rows : (v+1)*rows] {
				if x != 0 {
					ws.rows = append(ws.rows, int32(i))
					ws.w = append(ws.w, float64(x))
				}
			}
			reads += int32(len(ws.rows))
		case in.Bits == 1:
			ws.rows = activeRows(ws.rows, in.Values[v*rows:(v+1)*rows])
			reads += int32(len(ws.rows))
		case in.Encoding == BitSerial:
			p.bit, p.shift = pl, float64(int(1)<<pl)
			for i, x := range in.Values[v*rows : (v+1)*rows] {
				if x>>pl&1 != 0 {
					ws.rows = append(ws.rows, int32(i))
				}
			}
			reads += int32(len(ws.rows))
		default: // pulse width
			p.binary = false
			p.fsMul = float64(int(1)<<in.Bits - 1)
			for i, x := range in.Values[v*rows : (v+1)*rows] {
				if x != 0 {
					ws.rows = append(ws.rows, int32(i))
					ws.w = append(ws.w, float64(x))
					reads += int32(x)
				}
			}
		}
		g, cl, err := a.readPlane(ws, r, p, in, v, sv, codes, cur)
		if err != nil {
			return err
		}
		sumG += g
		clipped += cl
		conv += int32(a.ConversionsPerRead(cols))
	}
	out.Reads[v] = reads
	out.SumGUS[v] = sumG
	out.Conversions[v] = conv
	out.Clipped[v] = clipped
	return nil
}
