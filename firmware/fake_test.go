package firmware

import (
	"context"
	"math"

	"github.com/rramtwin/rramtwin/macro"
)

// fakeMacro is a small deterministic macro.Macro for tests: a cell forms
// when the forming voltage reaches its breakdown (2.5..4.0 V by position),
// a formed cell holds 20..39 µS, MAC codes are the summed µS of active
// cells (integer part), currents V·ΣG. It counts every call so tests can
// prove the array was (not) touched, and never allocates after warm-up.
type fakeMacro struct {
	info   macro.Info
	formed []bool
	g      []float32
	readV  float64
	range_ float64

	forms, programs, reads, macs, configures, lsms, statuses int
	lastForm                                                 macro.FormPulse
	lastConfig                                               macro.ReadConfig
	lastLSM                                                  macro.LSMRun
}

var (
	_ macro.Macro     = (*fakeMacro)(nil)
	_ macro.LSMRunner = (*fakeMacro)(nil)
)

func newFake(rows, cols int) *fakeMacro {
	f := &fakeMacro{
		info: macro.Info{Macros: 1, Rows: rows, Cols: cols, ADCBits: 8, ReadV: 0.2, ID: "fake-1",
			Firmware: "fake 1.0", Preset: "test", Caps: macro.CapLSM | macro.CapProgram | macro.CapMultiBit,
			MaxFormV: 4.5, MaxComplA: 300e-6},
		formed: make([]bool, rows*cols),
		g:      make([]float32, rows*cols),
		readV:  0.2,
	}
	for i := range f.g {
		f.g[i] = 0.1
	}
	return f
}

func (f *fakeMacro) Info() macro.Info { return f.info }

func (f *fakeMacro) Configure(_ context.Context, c macro.ReadConfig) error {
	f.configures++
	f.lastConfig = c
	if c.ReadV != 0 {
		f.readV = c.ReadV
		f.info.ReadV = c.ReadV
	}
	if c.ADCBits != 0 {
		f.info.ADCBits = c.ADCBits
	}
	if c.ADCRangeA != 0 {
		f.range_ = c.ADCRangeA
	}
	return nil
}

func (f *fakeMacro) breakdown(i int) float64 { return 2.5 + float64(i%16)*0.1 }

func (f *fakeMacro) Form(_ context.Context, r macro.Region, p macro.FormPulse) (macro.FormResult, error) {
	f.forms++
	f.lastForm = p
	if err := r.Check(f.info); err != nil {
		return macro.FormResult{}, err
	}
	if p.ComplianceA <= 0 {
		return macro.FormResult{}, macro.ErrNoCompliance
	}
	res := macro.FormResult{Cells: r.Cells()}
	for row := r.Row0; row < r.Row1; row++ {
		for c := r.Col0; c < r.Col1; c++ {
			i := row*f.info.Cols + c
			if f.formed[i] {
				res.AlreadyFormed++
				continue
			}
			f.formed[i] = true
			if p.Voltage >= f.breakdown(i) {
				f.g[i] = float32(20 + (row*7+c*3)%20)
				res.Formed++
			}
		}
	}
	res.EnergyJ = float64(res.Formed) * p.Voltage * p.ComplianceA * 1e-6
	return res, nil
}

func (f *fakeMacro) Program(_ context.Context, r macro.Region, t []float32, p macro.ProgramParams) (macro.ProgramResult, error) {
	f.programs++
	res := macro.ProgramResult{Cells: r.Cells()}
	k := 0
	for row := r.Row0; row < r.Row1; row++ {
		for c := r.Col0; c < r.Col1; c++ {
			if t[k] > 100 {
				res.Failed = append(res.Failed, k)
			} else {
				f.g[row*f.info.Cols+c] = t[k]
			}
			k++
		}
	}
	res.Pulses = int64(r.Cells()) * 3
	res.TimeS = float64(res.Pulses) * 1e-7
	return res, nil
}

func (f *fakeMacro) Read(_ context.Context, r macro.Region, dst []float32) error {
	f.reads++
	k := 0
	for row := r.Row0; row < r.Row1; row++ {
		for c := r.Col0; c < r.Col1; c++ {
			dst[k] = f.g[row*f.info.Cols+c]
			k++
		}
	}
	return nil
}

func (f *fakeMacro) MAC(_ context.Context, r macro.Region, in macro.Inputs, out *macro.Outputs) error {
	f.macs++
	rows, cols := r.Rows(), r.Cols()
	if len(in.Values) != in.N*rows {
		return macro.ErrInputs
	}
	n := in.N * cols
	if cap(out.Codes) < n {
		out.Codes = make([]int32, n)
		out.Currents = make([]float64, n)
	}
	out.Codes, out.Currents = out.Codes[:n], out.Currents[:n]
	for v := 0; v < in.N; v++ {
		for j := 0; j < cols; j++ {
			var s float64
			for i := 0; i < rows; i++ {
				if x := in.Values[v*rows+i]; x != 0 {
					s += float64(x) * float64(f.g[(r.Row0+i)*f.info.Cols+r.Col0+j])
				}
			}
			out.Codes[v*cols+j] = int32(math.Floor(s))
			out.Currents[v*cols+j] = s * 1e-6 * f.readV
		}
	}
	return nil
}

func (f *fakeMacro) Status(context.Context) (macro.Status, error) {
	f.statuses++
	var n int64
	for _, b := range f.formed {
		if b {
			n++
		}
	}
	return macro.Status{ClockS: 1.5, FormedCells: n, Ops: uint64(f.forms + f.programs + f.reads + f.macs),
		Ledger: macro.Ledger{MACs: int64(f.macs), FormAJ: 7}}, nil
}

// RunLSM: count_j = number of steps whose spike count plus j is odd (a
// stand-in with a known answer).
func (f *fakeMacro) RunLSM(_ context.Context, run macro.LSMRun, n int, spikes []uint8, counts []int32) error {
	f.lsms++
	f.lastLSM = run
	clear(counts)
	for b := range n {
		for s := range run.Steps {
			k := 0
			for i := range run.Inputs {
				k += int(spikes[(b*run.Steps+s)*run.Inputs+i])
			}
			for j := range run.Neurons {
				if (k+j)%2 == 1 {
					counts[b*run.Neurons+j]++
				}
			}
		}
	}
	return nil
}

// snapshot is everything a refused command must leave as it was.
type snapshot struct {
	counts [6]int
	formed string
	g      string
}

func (f *fakeMacro) snap() snapshot {
	b := make([]byte, len(f.formed))
	for i, v := range f.formed {
		if v {
			b[i] = 1
		}
	}
	gb := make([]byte, 0, 4*len(f.g))
	for _, v := range f.g {
		u := math.Float32bits(v)
		gb = append(gb, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	}
	return snapshot{counts: [6]int{f.forms, f.programs, f.reads, f.macs, f.configures, f.lsms},
		formed: string(b), g: string(gb)}
}
