package lsm

import (
	"fmt"
	"math"
)

// Config is one reservoir: its size, its neuron constants and the
// statistics of its random weights. The presets below are the authors'
// per-task values (DESIGN §3); a Config has no zero-value defaults of its
// own: start from a preset and change fields.
type Config struct {
	Name      string  `json:"name"`      // preset name, informative
	Inputs    int     `json:"inputs"`    // input rows (camera pixels or cochlea channels)
	Neurons   int     `json:"neurons"`   // reservoir size; the feature dimension
	Steps     int     `json:"steps"`     // time steps T per sample
	Threshold float64 `json:"threshold"` // V_th; a neuron spikes when mem > V_th (strict)
	Decay     float64 `json:"decay"`     // multiplicative leak per step
	Const     float64 `json:"const"`     // weight units per µS of differential conductance

	// Bins splits the window into this many equal parts of the steps (step t
	// in bin ⌊t·Bins/Steps⌋) and reports each neuron's count per part, a
	// readout beyond the paper's; 0 or 1 = one count over the whole window.
	Bins int `json:"bins,omitempty"`

	// Differential-conductance statistics of the gauss backend (µS):
	// W_in = Const·N(InMeanUS, InStdUS²), W_rec = Const·N(RecMeanUS, RecStdUS²).
	InMeanUS  float64 `json:"in_mean_us"`
	InStdUS   float64 `json:"in_std_us"`
	RecMeanUS float64 `json:"rec_mean_us"`
	RecStdUS  float64 `json:"rec_std_us"`
}

// Measured differential-conductance statistics the authors' software model
// used (DESIGN §2), in µS.
const (
	InMeanUS  = 0.0016
	InStdUS   = 6.61
	RecMeanUS = 0.0061
	RecStdUS  = 6.67
)

func preset(name string, inputs, steps int, vth, decay, c float64) Config {
	return Config{
		Name: name, Inputs: inputs, Neurons: 200, Steps: steps,
		Threshold: vth, Decay: decay, Const: c,
		InMeanUS: InMeanUS, InStdUS: InStdUS, RecMeanUS: RecMeanUS, RecStdUS: RecStdUS,
	}
}

// The per-task reservoirs of DESIGN §3 (the authors' released scripts).
var (
	// NMNIST: 16×16 centre crop, one polarity → 200, T 50, V_th 5.0, decay 0.9, const 0.07.
	NMNIST = preset("nmnist", 256, 50, 5.0, 0.9, 0.07)
	// Audio (N-TIDIGITS and other cochlea data): 64 channels → 200, T 129,
	// V_th 5.3, decay 0.97, const 0.08.
	Audio = preset("audio", 64, 129, 5.3, 0.97, 0.08)
	// AssocVision: the vision side of audio↔vision association, const 0.3.
	AssocVision = preset("assoc-vision", 256, 50, 5.0, 0.9, 0.3)
	// AssocAudio: the audio side of audio↔vision association, const 0.1.
	AssocAudio = preset("assoc-audio", 64, 129, 5.3, 0.97, 0.1)
)

// Presets lists the named configurations.
var Presets = []Config{NMNIST, Audio, AssocVision, AssocAudio}

// PresetByName returns the preset called name ("nmnist", "audio",
// "ntidigits" as an alias of "audio", "assoc-vision", "assoc-audio").
func PresetByName(name string) (Config, error) {
	if name == "ntidigits" {
		name = "audio"
	}
	for _, p := range Presets {
		if p.Name == name {
			return p, nil
		}
	}
	return Config{}, fmt.Errorf("lsm: unknown reservoir preset %q", name)
}

// maxDim bounds every dimension so index arithmetic cannot overflow.
const maxDim = 1 << 20

// Validate reports the first field of c that is out of range.
func (c Config) Validate() error {
	bad := func(field string, v any) error {
		return fmt.Errorf("lsm: config %q: %s %v out of range", c.Name, field, v)
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case c.Inputs < 1 || c.Inputs > maxDim:
		return bad("inputs", c.Inputs)
	case c.Neurons < 1 || c.Neurons > maxDim:
		return bad("neurons", c.Neurons)
	case c.Steps < 1 || c.Steps > maxDim:
		return bad("steps", c.Steps)
	case !finite(c.Threshold):
		return bad("threshold", c.Threshold)
	case !finite(c.Decay) || c.Decay < 0 || c.Decay > 1:
		return bad("decay", c.Decay)
	case !finite(c.Const):
		return bad("const", c.Const)
	case c.Bins < 0 || c.Bins > c.Steps:
		return bad("bins", c.Bins)
	case !finite(c.InMeanUS) || !finite(c.InStdUS) || c.InStdUS < 0:
		return bad("input weight statistics", [2]float64{c.InMeanUS, c.InStdUS})
	case !finite(c.RecMeanUS) || !finite(c.RecStdUS) || c.RecStdUS < 0:
		return bad("recurrent weight statistics", [2]float64{c.RecMeanUS, c.RecStdUS})
	}
	return nil
}

// Features is the feature dimension: Neurons × max(Bins, 1), laid out bin
// by bin (feature b·Neurons + j is neuron j's count in bin b).
func (c Config) Features() int { return c.Neurons * max(c.Bins, 1) }

// binOf returns the readout bin of step t.
func (c Config) binOf(t int) int {
	if c.Bins <= 1 {
		return 0
	}
	return t * c.Bins / c.Steps
}
