package macro

import "math"

// Energy holds the per-block energy and latency constants of the ledger.
// They are 40 nm starting assumptions (DESIGN §2) until a datasheet or a
// fit replaces them; Source says which.
type Energy struct {
	Source string `json:"source"`

	RowDriverJ   float64 `json:"row_driver_j"`   // per active row per read pulse (J)
	ReadPulseS   float64 `json:"read_pulse_s"`   // read pulse width (s); array energy is V²·G·t
	ADCFoMJ      float64 `json:"adc_fom_j"`      // Walden figure of merit, J per conversion step: E = FoM·2^bits
	ADCTimeS     float64 `json:"adc_time_s"`     // one conversion (s)
	ADCsPerMacro int     `json:"adcs_per_macro"` // ADCs shared by the columns of a macro (latency only)
	NeuronJ      float64 `json:"neuron_j"`       // digital LIF update per neuron per step (J)
	NeuronTimeS  float64 `json:"neuron_time_s"`  // one LIF step for all neurons (s)
}

// DefaultEnergy is the 40 nm estimate of DESIGN §2.
var DefaultEnergy = Energy{
	Source:       "assumption: 40 nm estimates of DESIGN §2 (row driver ~50 fJ, 10 ns read pulse, SAR ADC Walden FoM ~8 fJ/step ≈ 2 pJ at 8 bits and 10 ns, LIF update ~0.5 pJ); replace with a datasheet or a fit",
	RowDriverJ:   50e-15,
	ReadPulseS:   10e-9,
	ADCFoMJ:      7.8125e-15,
	ADCTimeS:     10e-9,
	ADCsPerMacro: 64,
	NeuronJ:      0.5e-12,
	NeuronTimeS:  10e-9,
}

// aj converts joules to whole attojoules.
func aj(j float64) int64 { return int64(math.Round(j * 1e18)) }

// ConversionJ is the energy of one conversion at bits (an ideal ADC, bits 0,
// is costed as 8 bits).
func (e Energy) ConversionJ(bits int) float64 {
	if bits <= 0 {
		bits = 8
	}
	return e.ADCFoMJ * math.Ldexp(1, bits)
}

// MACCost is the ledger entry of one input vector through a region read in
// planes read phases (1 for spikes, the bit count for bit-serial inputs):
// pulses row read pulses in all, sumGUS the summed conductance of the cells
// under those pulses (µS), convs conversions per phase (a column each, or
// a column pair each with differential sensing), and macs
// multiply-accumulates.
func (e Energy) MACCost(readV float64, adcBits, planes, pulses, convs int, sumGUS float64, macs int64) Ledger {
	conv := int64(convs) * int64(planes)
	busy := float64(planes) * (e.ReadPulseS + math.Ceil(float64(convs)/float64(max(e.ADCsPerMacro, 1)))*e.ADCTimeS)
	return Ledger{
		RowDriverAJ: int64(pulses) * aj(e.RowDriverJ),
		ArrayAJ:     aj(readV * readV * sumGUS * 1e-6 * e.ReadPulseS),
		ADCAJ:       conv * aj(e.ConversionJ(adcBits)),
		MACs:        macs,
		Conversions: conv,
		Reads:       int64(pulses),
		BusyNS:      int64(math.Round(busy * 1e9)),
	}
}

// NeuronCost is the ledger entry of one LIF step of n neurons.
func (e Energy) NeuronCost(n int) Ledger {
	return Ledger{
		NeuronAJ:    int64(n) * aj(e.NeuronJ),
		NeuronSteps: int64(n),
		BusyNS:      int64(math.Round(e.NeuronTimeS * 1e9)),
	}
}
