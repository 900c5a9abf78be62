package macro

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/rramtwin/rramtwin/crossbar"
)

// MACer is the one method of Macro the LSM needs.
type MACer interface {
	MAC(ctx context.Context, r Region, in Inputs, out *Outputs) error
}

// Check validates run against the chip described by i.
func (run LSMRun) Check(i Info) error {
	switch {
	case run.Inputs < 0 || run.Neurons < 1 || run.Steps < 1 || run.Steps >= 1<<16:
		return fmt.Errorf("%w: LSM with %d inputs, %d neurons, %d steps", ErrInputs, run.Inputs, run.Neurons, run.Steps)
	case run.Region.Rows() != run.Inputs+run.Neurons || run.Region.Cols() != 2*run.Neurons:
		return fmt.Errorf("%w: LSM region %s is not %d rows × %d columns (inputs + neurons × differential pairs)",
			ErrRegion, run.Region, run.Inputs+run.Neurons, 2*run.Neurons)
	case !(run.Decay >= 0 && run.Decay <= 1) || run.Threshold != run.Threshold || run.Scale != run.Scale:
		return fmt.Errorf("%w: LSM decay %g, threshold %g, scale %g", ErrInputs, run.Decay, run.Threshold, run.Scale)
	}
	return run.Region.Check(i)
}

// lsmScratch holds the buffers of one LSM batch, reused between calls.
type lsmScratch struct {
	vec  []uint8
	keys []uint64
	mem  []float64
	spk  []uint8
	out  Outputs
	// per sample and step of a whole-array run (runLSMArray)
	reads []int32
	sumG  []float64
}

func (s *lsmScratch) grow(n, rows, neurons int) {
	if cap(s.vec) < n*rows {
		s.vec = make([]uint8, n*rows)
	}
	s.vec = s.vec[:n*rows]
	if cap(s.keys) < n {
		s.keys = make([]uint64, n)
	}
	s.keys = s.keys[:n]
	if cap(s.mem) < n*neurons {
		s.mem = make([]float64, n*neurons)
		s.spk = make([]uint8, n*neurons)
	}
	s.mem, s.spk = s.mem[:n*neurons], s.spk[:n*neurons]
	clear(s.mem)
	clear(s.spk)
}

// RunLSMSteps runs n LSM samples one time step at a time through m: step
// t of all n samples is one MAC of n vectors, each the sample's input
// spikes followed by its neurons' spikes of step t−1. It is the reference
// every LSMRunner must match. readV is the chip's read voltage.
//
// spikes is n × Steps × Inputs; counts (n × Neurons) receives spike counts.
func RunLSMSteps(ctx context.Context, m MACer, readV float64, run LSMRun, n int, spikes []uint8, counts []int32) error {
	var s lsmScratch
	return runLSM(ctx, func(in Inputs, out *Outputs) error { return m.MAC(ctx, run.Region, in, out) }, &s, readV, run, n, spikes, counts, nil)
}

func checkLSMBuffers(run LSMRun, n int, spikes []uint8, counts []int32) error {
	if n < 1 || len(spikes) != n*run.Steps*run.Inputs || len(counts) != n*run.Neurons {
		return fmt.Errorf("%w: LSM batch of %d samples with %d spikes and %d counts (want %d and %d)",
			ErrInputs, n, len(spikes), len(counts), n*run.Steps*run.Inputs, n*run.Neurons)
	}
	if i := firstNonBinary(spikes); i >= 0 {
		return fmt.Errorf("%w: LSM input spikes must be 0 or 1, got %d at %d", ErrInputs, spikes[i], i)
	}
	return nil
}

// firstNonBinary returns the index of the first value above 1, or −1. It
// tests 32 values at a time, then eight.
func firstNonBinary(v []uint8) int {
	const high = 0xFEFEFEFEFEFEFEFE
	i := 0
	for ; i+32 <= len(v); i += 32 {
		w := binary.LittleEndian.Uint64(v[i:]) | binary.LittleEndian.Uint64(v[i+8:]) |
			binary.LittleEndian.Uint64(v[i+16:]) | binary.LittleEndian.Uint64(v[i+24:])
		if w&high != 0 {
			break
		}
	}
	for ; i+8 <= len(v); i += 8 {
		if binary.LittleEndian.Uint64(v[i:])&high != 0 {
			break
		}
	}
	for ; i < len(v); i++ {
		if v[i] > 1 {
			return i
		}
	}
	return -1
}

// runLSM is the LIF loop of LSMRun's doc comment; mac runs one step's batch
// and step (if not nil) is called after each step with the spikes.
func runLSM(ctx context.Context, mac func(Inputs, *Outputs) error, s *lsmScratch, readV float64, run LSMRun, n int,
	spikes []uint8, counts []int32, step func()) error {
	if err := checkLSMBuffers(run, n, spikes, counts); err != nil {
		return err
	}
	rows, nn := run.Inputs+run.Neurons, run.Neurons
	s.grow(n, rows, nn)
	clear(counts)
	for t := range run.Steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		for b := range n {
			v := s.vec[b*rows : (b+1)*rows]
			copy(v, spikes[(b*run.Steps+t)*run.Inputs:(b*run.Steps+t+1)*run.Inputs])
			copy(v[run.Inputs:], s.spk[b*nn:(b+1)*nn])
			s.keys[b] = run.LSMKey(b, t)
		}
		if err := mac(Inputs{N: n, Bits: 1, Values: s.vec, Keys: s.keys}, &s.out); err != nil {
			return err
		}
		cols := 2 * nn
		for b := range n {
			cur := s.out.Currents[b*cols : (b+1)*cols]
			mem, spk, cnt := s.mem[b*nn:(b+1)*nn], s.spk[b*nn:(b+1)*nn], counts[b*nn:(b+1)*nn]
			for j := range nn {
				// Each product rounded on its own (the conversions forbid fused
				// multiply-adds), as every implementation of LSMRun computes it.
				d := float64(float64(float64(cur[2*j]-cur[2*j+1])/readV) * 1e6)
				x := float64(float64(run.Decay*mem[j])*float64(1-spk[j])) + float64(run.Scale*d)
				mem[j] = x
				if x > run.Threshold {
					spk[j] = 1
					cnt[j]++
				} else {
					spk[j] = 0
				}
			}
		}
		if step != nil {
			step()
		}
	}
	return nil
}

// RunLSM implements LSMRunner: the same loop as RunLSMSteps, run inside the
// model without a call per step (whole samples on the array's workers when
// its read path allows, crossbar.Array.RunLSM), with the same ledger
// entries and operation indices, and the digital neuron updates charged
// too. Runs may go concurrently.
func (m *Model) RunLSM(ctx context.Context, run LSMRun, n int, spikes []uint8, counts []int32) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := run.Check(m.info()); err != nil {
		return err
	}
	s, _ := m.scratch.Get().(*lsmScratch)
	if s == nil {
		s = new(lsmScratch)
	}
	defer m.scratch.Put(s)
	neuron := m.preset.Energy.NeuronCost(run.Neurons * n)
	ok, err := m.runLSMArray(ctx, s, run, n, spikes, counts, neuron)
	if ok || err != nil {
		return err
	}
	return runLSM(ctx, func(in Inputs, out *Outputs) error { return m.mac(run.Region, in, out) },
		s, m.arrays[run.Region.Macro].Params().Read.VoltageV, run, n, spikes, counts,
		func() { m.charge(neuron) })
}

// runLSMArray runs the batch as crossbar.Array.RunLSM and charges what the
// per-step MACs and neuron updates would: it reports false when the array
// leaves the run to the per-step loop.
func (m *Model) runLSMArray(ctx context.Context, s *lsmScratch, run LSMRun, n int, spikes []uint8, counts []int32, neuron Ledger) (bool, error) {
	if err := checkLSMBuffers(run, n, spikes, counts); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	a, cr, err := m.array(run.Region)
	if err != nil {
		return false, err
	}
	if err := m.checkFormed(run.Region); err != nil {
		return false, err
	}
	k := n * run.Steps
	st := crossbar.LSMStats{Reads: resize(s.reads, k), SumGUS: resize(s.sumG, k)}
	s.reads, s.sumG = st.Reads, st.SumGUS
	l := crossbar.LSM{Inputs: run.Inputs, Neurons: run.Neurons, Steps: run.Steps,
		Threshold: run.Threshold, Decay: run.Decay, Scale: run.Scale, Key: run.LSMKey}
	ok, err := a.RunLSM(cr, l, n, spikes, counts, &st, m.keyed)
	if !ok || err != nil {
		return false, m.wrap(err)
	}
	m.ops.Add(uint64(run.Steps)) // the operation indices the per-step MACs take
	d := a.Params()
	cols := run.Region.Cols()
	var total Ledger
	for i, reads := range st.Reads {
		total.Add(m.preset.Energy.MACCost(d.Read.VoltageV, d.ADC.Bits, 1, int(reads), a.ConversionsPerRead(cols), st.SumGUS[i], int64(reads)*int64(cols)))
	}
	for range run.Steps {
		total.Add(neuron)
	}
	m.charge(total)
	return true, nil
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
