package bench

import (
	"context"
	"fmt"

	"github.com/rramtwin/rramtwin/lsm"
)

// SpikeTrain runs one sample through enc (a gauss reservoir, or a chip
// reservoir on b's chip) and returns its reservoir's spike
// train: Steps × Neurons, row-major, 1 where neuron j spiked at step t. It
// runs a copy of enc whose readout has one bin per step, so a bin's count
// is the step's spike; the copy shares enc's weights (gauss) or chip
// region (macro), and sample keys the chip's read noise exactly as in
// EncodeBatch, so the train's column sums are the sample's features.
func SpikeTrain(ctx context.Context, b Backend, enc lsm.Encoder, sample uint64, raster []uint8) ([]uint8, error) {
	c := enc.Config()
	c.Bins = c.Steps
	var step lsm.Encoder
	switch e := enc.(type) {
	case *lsm.Gauss:
		g, err := lsm.NewGaussWeights(c, e.Win, e.Wrec)
		if err != nil {
			return nil, err
		}
		step = g
	case *lsm.Macro:
		if b.Chip == nil {
			return nil, fmt.Errorf("bench: spike train: backend %s has no chip for its %s reservoir", b.Name, c.Name)
		}
		m, err := lsm.NewMacro(b.Chip, e.Run().Region, c, lsm.MacroOptions{ReadV: b.Chip.Info().ReadV, Name: e.Backend()})
		if err != nil {
			return nil, err
		}
		step = m
	default:
		return nil, fmt.Errorf("bench: spike train: encoder %T (%s) cannot run step by step", enc, enc.Backend())
	}
	counts := make([]int32, c.Features())
	if err := step.Encode(ctx, sample, raster, counts); err != nil {
		return nil, err
	}
	out := make([]uint8, len(counts))
	for k, v := range counts {
		if v > 1 {
			return nil, fmt.Errorf("bench: spike train: %d spikes of neuron %d in step %d", v, k%c.Neurons, k/c.Neurons)
		}
		out[k] = uint8(v)
	}
	return out, nil
}
