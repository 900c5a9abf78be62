package macro

import "context"

// LSMRunner is the optional whole-sample fast path: the chip runs a whole
// liquid-state-machine sample locally (a board does it without one round
// trip per time step). Callers type-assert a Macro for it.
//
// RunLSM runs n samples at once: spikes is n × Steps × Inputs (binary,
// sample-major), counts receives n × Neurons spike counts. The result must
// equal RunLSMSteps on the same chip state, draw for draw: step t of all n
// samples is one MAC batch of n vectors.
type LSMRunner interface {
	RunLSM(ctx context.Context, run LSMRun, n int, spikes []uint8, counts []int32) error
}

// LSMRun describes one LSM sample on the chip. The region's rows are the
// Inputs input rows followed by the Neurons recurrent rows; its columns are
// the weight columns of the chosen signed scheme (2 per neuron for
// differential pairs G⁺, G⁻).
//
// Each step t computes, for neuron j,
//
//	ΔG_j  = (I[2j] − I[2j+1]) / ReadV · 1e6       (µS, evaluated in that order)
//	mem_j = Decay·mem_j·(1 − s_j) + Scale·ΔG_j,   s_j = [mem_j > Threshold]
//
// where I are the dequantized column currents of the MAC of (x_t, s_{t−1}).
// The read noise of sample b at step t is keyed by (Key + b)·2¹⁶ + t (see
// Inputs.Keys), so a sample reads the same whatever it is batched with.
type LSMRun struct {
	Region    Region  `json:"region"`
	Inputs    int     `json:"inputs"`
	Neurons   int     `json:"neurons"`
	Steps     int     `json:"steps"`
	Threshold float64 `json:"threshold"`
	Decay     float64 `json:"decay"`
	Scale     float64 `json:"scale"` // weight units per µS
	Key       uint64  `json:"key"`   // noise key of the first sample (e.g. its index in the data set)
}

// LSMKey is the noise key of sample b of a run at step t.
func (run LSMRun) LSMKey(b, t int) uint64 { return (run.Key+uint64(b))<<16 + uint64(t) }

// Clock is the optional simulated clock of a model: advancing it lets
// conductances relax as they would on a chip left alone.
type Clock interface {
	Advance(seconds float64) error
}
