package macro

// Ledger is the energy/latency account of a chip since it was made.
// Energies are exact integers in attojoules (1 aJ = 1e-18 J), so totals are
// identical whatever the worker count or batch order.
type Ledger struct {
	RowDriverAJ int64 `json:"row_driver_aj"` // input drivers: per active row per read pulse
	ArrayAJ     int64 `json:"array_aj"`      // V²·G·t in the cells of active rows
	ADCAJ       int64 `json:"adc_aj"`        // conversions
	NeuronAJ    int64 `json:"neuron_aj"`     // digital LIF updates
	FormAJ      int64 `json:"form_aj"`       // forming pulses V·I·t
	ProgramAJ   int64 `json:"program_aj"`    // SET/RESET/verify pulses

	MACs        int64 `json:"macs"`        // multiply-accumulates (active cells × columns counted once per cell)
	Conversions int64 `json:"conversions"` // ADC conversions
	Reads       int64 `json:"reads"`       // read pulses (per row activation)
	NeuronSteps int64 `json:"neuron_steps"`
	BusyNS      int64 `json:"busy_ns"` // modelled latency (ns)
}

// Add adds o to l.
func (l *Ledger) Add(o Ledger) {
	l.RowDriverAJ += o.RowDriverAJ
	l.ArrayAJ += o.ArrayAJ
	l.ADCAJ += o.ADCAJ
	l.NeuronAJ += o.NeuronAJ
	l.FormAJ += o.FormAJ
	l.ProgramAJ += o.ProgramAJ
	l.MACs += o.MACs
	l.Conversions += o.Conversions
	l.Reads += o.Reads
	l.NeuronSteps += o.NeuronSteps
	l.BusyNS += o.BusyNS
}

// Sub returns l − o: the cost of what happened between two snapshots.
func (l Ledger) Sub(o Ledger) Ledger {
	return Ledger{
		RowDriverAJ: l.RowDriverAJ - o.RowDriverAJ,
		ArrayAJ:     l.ArrayAJ - o.ArrayAJ,
		ADCAJ:       l.ADCAJ - o.ADCAJ,
		NeuronAJ:    l.NeuronAJ - o.NeuronAJ,
		FormAJ:      l.FormAJ - o.FormAJ,
		ProgramAJ:   l.ProgramAJ - o.ProgramAJ,
		MACs:        l.MACs - o.MACs,
		Conversions: l.Conversions - o.Conversions,
		Reads:       l.Reads - o.Reads,
		NeuronSteps: l.NeuronSteps - o.NeuronSteps,
		BusyNS:      l.BusyNS - o.BusyNS,
	}
}

// ComputeAJ is the energy of computing (everything but forming and programming).
func (l Ledger) ComputeAJ() int64 {
	return l.RowDriverAJ + l.ArrayAJ + l.ADCAJ + l.NeuronAJ
}

// TotalAJ is all the energy in the ledger.
func (l Ledger) TotalAJ() int64 { return l.ComputeAJ() + l.FormAJ + l.ProgramAJ }

// PJPerMAC is the compute energy per multiply-accumulate in picojoules.
func (l Ledger) PJPerMAC() float64 {
	if l.MACs == 0 {
		return 0
	}
	return float64(l.ComputeAJ()) / 1e6 / float64(l.MACs)
}

// TOPSPerW is tera-operations per second per watt (2 operations per MAC),
// the same as operations per picojoule.
func (l Ledger) TOPSPerW() float64 {
	if l.ComputeAJ() == 0 {
		return 0
	}
	return 2 * float64(l.MACs) / (float64(l.ComputeAJ()) / 1e6)
}
