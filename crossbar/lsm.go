package crossbar

import (
	"fmt"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// LSM is a recurrent spiking read loop on a region, the kernel of
// macro.LSMRunner (see macro.LSMRun for the equations): the region's rows
// are Inputs input rows then Neurons recurrent rows, its columns a
// differential pair per neuron, and each step reads the step's input
// spikes with the previous step's neuron spikes, then updates the leaky
// integrate-and-fire neurons from the dequantized currents.
type LSM struct {
	Inputs, Neurons, Steps  int
	Threshold, Decay, Scale float64
	// Key is the noise key of sample b at step t: that read draws from
	// s.Sub(Key(b, t)), exactly as a MAC vector with that key does.
	Key func(b, t int) uint64
}

// LSMStats receives, for sample b at step t (index b·Steps + t), what a MAC
// of that step's vector reports: read pulses and SumGUS.
type LSMStats struct {
	Reads  []int32
	SumGUS []float64
}

// RunLSM runs n samples (spikes n × Steps × Inputs, non-zero = spike) and
// writes each neuron's spike count to counts (n × Neurons). It gives, bit
// for bit, what stepping the samples through MAC with the keys of l does,
// without a call, a copy or a row scan per recurrent row: samples go
// whole to the workers. It handles the spike read path of a chip (see
// spikePath) on regions of at most 524 rows; elsewhere it returns false and
// does nothing, and the caller steps through MAC.
func (a *Array) RunLSM(r Region, l LSM, n int, spikes []uint8, counts []int32, st *LSMStats, s rng.Stream) (bool, error) {
	if err := a.checkReadRegion(r); err != nil {
		return false, err
	}
	switch {
	case l.Inputs < 0 || l.Neurons < 1 || l.Steps < 1 || l.Key == nil:
		return false, fmt.Errorf("%w: LSM of %d inputs, %d neurons, %d steps", ErrInputs, l.Inputs, l.Neurons, l.Steps)
	case r.Rows() != l.Inputs+l.Neurons || r.Cols() != 2*l.Neurons:
		return false, fmt.Errorf("%w: LSM region %d×%d is not (inputs + neurons) × (2·neurons)", ErrInputs, r.Rows(), r.Cols())
	case n < 0 || len(spikes) != n*l.Steps*l.Inputs || len(counts) != n*l.Neurons ||
		len(st.Reads) != n*l.Steps || len(st.SumGUS) != n*l.Steps:
		return false, fmt.Errorf("%w: LSM buffers do not match %d samples", ErrInputs, n)
	}
	if !a.spikePath(r) {
		return false, nil
	}
	return true, a.parallel(n, func(ws *workspace, b int) error {
		a.lsmSample(ws, r, &l, b, spikes, counts, st, s)
		return nil
	})
}

// lsmSample runs sample b of RunLSM.
func (a *Array) lsmSample(ws *workspace, r Region, l *LSM, b int, spikes []uint8, counts []int32, st *LSMStats, s rng.Stream) {
	nn, cols := l.Neurons, r.Cols()
	ws.mem = resize(ws.mem, nn)
	mem := ws.mem
	clear(mem)
	cnt := counts[b*nn:][:nn]
	clear(cnt)
	lk := newLIFK(l.Decay, l.Scale, a.p.Read.VoltageV, l.Threshold)
	p := plane{binary: true, shift: 1, fsMul: 1, energy: 1}
	base, nbase := a.rowOff(r, 0), a.rowOff(r, int32(l.Inputs)) // first cells of the input and neuron rows
	ws.offs = resize(ws.offs, r.Rows())
	ws.accq = resize(ws.accq, cols)
	if a.differential() {
		a.lsmPairsSample(ws, r, l, b, spikes, cnt, st, s, &lk, p, base, nbase)
		return
	}
	ws.spk = resize(ws.spk, nn)
	ws.codes, ws.cur = resize(ws.codes, cols), resize(ws.cur, cols)
	spk, codes, cur := ws.spk, ws.codes, ws.cur
	clear(spk)
	for t := range l.Steps {
		// The step's vector (x_t, s_{t−1}): the first cells of its active
		// rows in ascending order, as sumQ sums them.
		offs := appendActive(ws.offs[:0], spikes[(b*l.Steps+t)*l.Inputs:][:l.Inputs], base, a.cols)
		m := len(offs)
		offs = offs[:m+nn]
		for j, v := range spk { // spk is 0 or 1: append without a branch
			offs[m] = nbase + j*a.cols
			m += int(v)
		}
		offs = offs[:m]
		q := ws.accq
		clear(q)
		addRowsQ(q, a.gq, offs)
		clear(codes)
		clear(cur)
		sumG, _ := a.convertSpikes(ws, q, r, p, float64(m), s.Sub(l.Key(b, t)), codes, cur)
		k := b*l.Steps + t
		st.Reads[k], st.SumGUS[k] = int32(m), sumG
		lifCols(&lk, cur, mem, spk, cnt) // the neurons, with macro.LSMRun's arithmetic in its order
	}
}

// lsmPairsSample is lsmSample under differential sensing: each step's
// conversion and neuron update are one pass (lsmPairs), which also lists
// the next step's neuron rows. Every value is the one convertSpikes and
// lifGo (sensed) compute.
func (a *Array) lsmPairsSample(ws *workspace, r Region, l *LSM, b int, spikes []uint8, cnt []int32, st *LSMStats, s rng.Stream, lk *lifK, p plane, base, nbase int) {
	nn := l.Neurons
	ws.mask = resize(ws.mask, (nn+7)/8)
	mask, next := ws.mask, ws.next[:0]
	clear(mask)
	k0 := a.spikeConv(p, 0)
	gain, off := a.gainP[r.Col0/2:][:nn], a.offP[r.Col0/2:][:nn]
	key := uint64(p.index*a.cols + r.Col0/2)
	for t := range l.Steps {
		offs := appendActive(ws.offs[:0], spikes[(b*l.Steps+t)*l.Inputs:][:l.Inputs], base, a.cols)
		offs = append(offs, next...)
		m := len(offs)
		q := ws.accq
		clear(q)
		k := k0
		a.spikeRows(&k, float64(m))
		z := a.sumNoise(ws, &k, q, offs, nn, key, s.Sub(l.Key(b, t)))
		var total int64
		total, next = lsmPairs(&k, lk, q, z, gain, off, ws.mem, mask, cnt, next, nbase, a.cols)
		i := b*l.Steps + t
		st.Reads[i], st.SumGUS[i] = int32(m), float64(total)*gQuantum
	}
	ws.next = next
}
