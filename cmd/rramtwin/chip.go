package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/rramtwin/rramtwin/internal/atomicfile"
	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/macro"
)

const chipUsage = `info|form|read|mac [flags]

  info                                   describe the chip
  form -rows A:B -cols C:D [-voltage V] [-compliance I] [-width S]
                                         electroform a region
  read -rows A:B -cols C:D [-form] [-o FILE.csv] [-png FILE.png]
                                         read a region's conductances (µS)
  mac  -rows A:B -cols C:D -inputs random:N[:density] [-bits B] [-form]
                                         run a MAC batch; prints codes_sha256`

// chipFlags are the flags of every chip action.
type chipFlags struct {
	*common
	backend, preset  string
	macro            int
	rows, cols       span
	voltage, compl   float64
	width            float64
	out, png, inputs string
	bits             int
	form             bool
}

// span is a half-open index range A:B given on the command line.
type span struct{ lo, hi int }

func (s *span) String() string { return fmt.Sprintf("%d:%d", s.lo, s.hi) }

func (s *span) Set(v string) error {
	a, b, ok := strings.Cut(v, ":")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("want A:B, got %q", v)
	}
	*s = span{lo, hi}
	return nil
}

func runChip(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "chip", chipUsage)
	f := &chipFlags{common: c, rows: span{0, 512}, cols: span{0, 512}}
	fs.StringVar(&f.backend, "backend", "model", "model, virtual, auto or a serial device path")
	fs.StringVar(&f.preset, "preset", "lin2025-40nm", "device preset name or JSON file (model and virtual backends)")
	fs.IntVar(&f.macro, "macro", 0, "macro index on the chip")
	fs.Var(&f.rows, "rows", "row range A:B (half-open)")
	fs.Var(&f.cols, "cols", "column range C:D (half-open)")
	fs.Float64Var(&f.voltage, "voltage", 0, "forming voltage in V (0: the preset's default)")
	fs.Float64Var(&f.compl, "compliance", 0, "forming current compliance in A (0: the preset's default)")
	fs.Float64Var(&f.width, "width", 0, "forming pulse width in s (0: the preset's default)")
	fs.StringVar(&f.out, "o", "", "read: write the conductances to this CSV file (µS)")
	fs.StringVar(&f.png, "png", "", "read: write a heat map and histogram to this PNG file")
	fs.StringVar(&f.inputs, "inputs", "random:100:0.06", "mac: input vectors, random:N[:density]")
	fs.IntVar(&f.bits, "bits", 1, "mac: input bits (1 = binary spikes)")
	fs.BoolVar(&f.form, "form", false, "read, mac: form the region first where it is not formed (a fresh model chip is pristine)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"chip: want one action: info, form, read or mac"}
	}
	action := pos[0]
	switch action {
	case "info", "form", "read", "mac":
	default:
		return usageError{fmt.Sprintf("chip: unknown action %q (want info, form, read or mac)", action)}
	}
	m, closeFn, err := openBackend(ctx, e, f.backend, f.preset, f.seed)
	if err != nil {
		return err
	}
	defer closeFn()
	r := macro.Region{Macro: f.macro, Row0: f.rows.lo, Row1: f.rows.hi, Col0: f.cols.lo, Col1: f.cols.hi}
	switch action {
	case "info":
		return chipInfo(e, f, m)
	case "form":
		return chipForm(ctx, e, f, m, r)
	case "read":
		return chipRead(ctx, e, f, m, r)
	default:
		return chipMAC(ctx, e, f, m, r)
	}
}

func chipInfo(e *env, f *chipFlags, m macro.Macro) error {
	info := m.Info()
	if f.json {
		return printJSON(e.stdout, info)
	}
	fmt.Fprintf(e.stdout, "chip      %s (%s, preset %s)\n", info.ID, info.Firmware, info.Preset)
	fmt.Fprintf(e.stdout, "geometry  %d macro(s) of %d×%d cells\n", info.Macros, info.Rows, info.Cols)
	fmt.Fprintf(e.stdout, "read      %.3g V, ADC %d bits\n", info.ReadV, info.ADCBits)
	fmt.Fprintf(e.stdout, "forming   %.3g V, %.3g A compliance by default; limits %.3g V, %.3g A\n",
		info.DefaultForm.Voltage, info.DefaultForm.ComplianceA, info.MaxFormV, info.MaxComplA)
	return nil
}

// formPulse is the pulse the flags ask for, with the chip's defaults filled in.
func (f *chipFlags) formPulse(info macro.Info) macro.FormPulse {
	p := info.DefaultForm
	if f.voltage != 0 {
		p.Voltage = f.voltage
	}
	if f.compl != 0 {
		p.ComplianceA = f.compl
	}
	if f.width != 0 {
		p.WidthS = f.width
	}
	return p
}

// formReport is what chip form prints.
type formReport struct {
	Region         macro.Region    `json:"region"`
	Pulse          macro.FormPulse `json:"pulse"`
	Cells          int             `json:"cells"`
	Formed         int             `json:"formed"`
	AlreadyFormed  int             `json:"already_formed"`
	FormedFraction float64         `json:"formed_fraction"`
	macro.MapStats
	EnergyJ float64 `json:"energy_j"`
	Seed    uint64  `json:"seed"`
}

func chipForm(ctx context.Context, e *env, f *chipFlags, m macro.Macro, r macro.Region) error {
	p := f.formPulse(m.Info())
	res, err := m.Form(ctx, r, p)
	if err != nil {
		return err
	}
	g := make([]float32, r.Cells())
	if err := m.Read(ctx, r, g); err != nil {
		return err
	}
	info := m.Info()
	rep := formReport{Region: r, Pulse: p, Cells: res.Cells, Formed: res.Formed, AlreadyFormed: res.AlreadyFormed,
		FormedFraction: float64(res.Formed+res.AlreadyFormed) / float64(res.Cells), EnergyJ: res.EnergyJ, Seed: f.seed,
		MapStats: macro.ComputeMapStats(g, r.Cols(), info.GMinUS, info.GMaxUS)}
	if f.json {
		return printJSON(e.stdout, rep)
	}
	fmt.Fprintf(e.stdout, "formed %d of %d cells (%.2f %%; %d already formed), %.3g J\n",
		res.Formed+res.AlreadyFormed, res.Cells, 100*rep.FormedFraction, res.AlreadyFormed, res.EnergyJ)
	fmt.Fprintf(e.stdout, "G  mean %.3f µS  std %.3f µS (%d cells outside the programmable range left out)\n", rep.GMeanUS, rep.GStdUS, rep.Faulty)
	fmt.Fprintf(e.stdout, "G⁺−G⁻ over %d adjacent column pairs  mean %.3f µS  std %.3f µS\n", rep.Pairs, rep.DiffMeanUS, rep.DiffStdUS)
	return nil
}

// macReport is what chip mac prints.
type macReport struct {
	Region      macro.Region `json:"region"`
	N           int          `json:"n"`
	Bits        int          `json:"bits"`
	Density     float64      `json:"density"`
	Formed      int          `json:"formed,omitempty"`
	CodesSHA256 string       `json:"codes_sha256"`
	CodeMean    float64      `json:"code_mean"`
	CodeStd     float64      `json:"code_std"`
	CodeMin     int32        `json:"code_min"`
	CodeMax     int32        `json:"code_max"`
	CurrentMean float64      `json:"current_mean_a"`
	EnergyJ     float64      `json:"energy_j"`
	PJPerMAC    float64      `json:"pj_per_mac"`
	Seed        uint64       `json:"seed"`
}

// parseInputs turns random:N[:density] into a batch seeded by seed.
func parseInputs(spec string, rows, bits int, seed uint64) (macro.Inputs, float64, error) {
	parts := strings.Split(spec, ":")
	if parts[0] != "random" || len(parts) < 2 || len(parts) > 3 {
		return macro.Inputs{}, 0, fmt.Errorf("inputs %q: want random:N[:density]", spec)
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n <= 0 {
		return macro.Inputs{}, 0, fmt.Errorf("inputs %q: N must be a positive integer", spec)
	}
	density := 0.5
	if len(parts) == 3 {
		density, err = strconv.ParseFloat(parts[2], 64)
		if err != nil || !(density >= 0 && density <= 1) {
			return macro.Inputs{}, 0, fmt.Errorf("inputs %q: density must be in [0, 1]", spec)
		}
	}
	if bits < 1 || bits > 8 {
		return macro.Inputs{}, 0, fmt.Errorf("bits %d: want 1..8", bits)
	}
	s := rng.NewStream(seed, "cli/chip/inputs")
	in := macro.Inputs{N: n, Bits: bits, Values: make([]uint8, n*rows)}
	for i := range in.Values {
		if s.Float64(uint64(2*i)) < density {
			in.Values[i] = uint8(1 + s.Uint64(uint64(2*i+1))%uint64(1<<bits-1))
		}
	}
	return in, density, nil
}

func chipMAC(ctx context.Context, e *env, f *chipFlags, m macro.Macro, r macro.Region) error {
	in, density, err := parseInputs(f.inputs, max(r.Rows(), 0), f.bits, f.seed)
	if err != nil {
		return usageError{"chip mac: " + err.Error()}
	}
	rep := macReport{Region: r, N: in.N, Bits: in.Bits, Density: density, Seed: f.seed}
	if f.form {
		res, err := m.Form(ctx, r, f.formPulse(m.Info()))
		if err != nil {
			return err
		}
		rep.Formed = res.Formed
		if res.Formed == 0 && res.AlreadyFormed > 0 {
			fmt.Fprintf(e.stderr, "chip mac: region already formed (%d cells); forming was a no-op\n", res.AlreadyFormed)
		}
	}
	before, err := m.Status(ctx)
	if err != nil {
		return err
	}
	var out macro.Outputs
	if err := m.MAC(ctx, r, in, &out); err != nil {
		if errors.Is(err, macro.ErrNotFormed) {
			return fmt.Errorf("%w (use -form to form it first)", err)
		}
		return err
	}
	after, err := m.Status(ctx)
	if err != nil {
		return err
	}
	h := sha256.New()
	var b [4]byte
	var s, ss, cur float64
	rep.CodeMin, rep.CodeMax = math.MaxInt32, math.MinInt32
	for i, c := range out.Codes {
		binary.LittleEndian.PutUint32(b[:], uint32(c))
		h.Write(b[:])
		s += float64(c)
		ss += float64(c) * float64(c)
		rep.CodeMin, rep.CodeMax = min(rep.CodeMin, c), max(rep.CodeMax, c)
		cur += out.Currents[i]
	}
	n := float64(len(out.Codes))
	rep.CodesSHA256 = hex.EncodeToString(h.Sum(nil))
	rep.CodeMean = s / n
	rep.CodeStd = math.Sqrt(max(ss/n-rep.CodeMean*rep.CodeMean, 0))
	rep.CurrentMean = cur / n
	d := after.Ledger.Sub(before.Ledger)
	rep.EnergyJ = float64(d.ComputeAJ()) * 1e-18
	rep.PJPerMAC = d.PJPerMAC()
	if f.json {
		return printJSON(e.stdout, rep)
	}
	fmt.Fprintf(e.stdout, "%d vectors × %d columns: codes mean %.2f std %.2f [%d, %d]\n", rep.N, r.Cols(), rep.CodeMean, rep.CodeStd, rep.CodeMin, rep.CodeMax)
	fmt.Fprintf(e.stdout, "energy %.3g J (%.3g pJ/MAC)\ncodes_sha256 %s\n", rep.EnergyJ, rep.PJPerMAC, rep.CodesSHA256)
	return nil
}

func chipRead(ctx context.Context, e *env, f *chipFlags, m macro.Macro, r macro.Region) error {
	if f.form {
		if _, err := m.Form(ctx, r, f.formPulse(m.Info())); err != nil {
			return err
		}
	}
	g := make([]float32, max(r.Cells(), 0))
	if err := m.Read(ctx, r, g); err != nil {
		return err
	}
	if f.out != "" {
		err := atomicfile.Write(f.out, func(w io.Writer) error {
			cols := r.Cols()
			for i := range r.Rows() {
				for j := range cols {
					if j > 0 {
						io.WriteString(w, ",")
					}
					io.WriteString(w, strconv.FormatFloat(float64(g[i*cols+j]), 'g', 6, 32))
				}
				if _, err := io.WriteString(w, "\n"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if f.png != "" {
		if err := writeConductancePNG(f.png, fmt.Sprintf("%s, %s", m.Info().ID, r), g, r.Rows(), r.Cols()); err != nil {
			return err
		}
	}
	info := m.Info()
	rep := struct {
		Region macro.Region `json:"region"`
		macro.MapStats
		CSV string `json:"csv,omitempty"`
		PNG string `json:"png,omitempty"`
	}{r, macro.ComputeMapStats(g, r.Cols(), info.GMinUS, info.GMaxUS), f.out, f.png}
	if f.json {
		return printJSON(e.stdout, rep)
	}
	fmt.Fprintf(e.stdout, "%s: %d cells, G mean %.3f µS std %.3f µS (%d outside the programmable range)\n", r, len(g), rep.GMeanUS, rep.GStdUS, rep.Faulty)
	return nil
}
