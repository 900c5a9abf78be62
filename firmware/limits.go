package firmware

// Limits are the firmware's safety limits, in wire units. A zero field
// takes the default given beside it. The handler also applies the chip's
// own limits from HAL.Info when they are tighter.
type Limits struct {
	MaxFormMV       uint16 // largest forming voltage (mV); default 5000 (5.0 V)
	MinComplianceNA uint32 // smallest forming compliance (nA); default 1000 (1 µA)
	MaxComplianceNA uint32 // largest forming compliance (nA); default 500000 (500 µA)
	MinWidthNS      uint32 // shortest pulse (ns); default 10
	MaxWidthNS      uint32 // longest pulse (ns); default 1000000 (1 ms)
	MaxReadMV       uint16 // largest read voltage (mV); default 500 (0.5 V)
	MaxADCRangeNA   uint32 // largest ADC full-scale current (nA); default 100000000 (100 mA)
	MaxTargetCUS    uint16 // largest program target (0.01 µS); default 50000 (500 µS)
	MaxPulses       uint16 // largest write-verify pulse budget per cell; default 1000
	MaxSteps        uint16 // longest LSM sample (steps); default 4096
	MaxCalSamples   uint16 // most conversions per calibration; default 1024
}

// DefaultLimits are the limits a zero Limits stands for.
var DefaultLimits = Limits{
	MaxFormMV:       5000,
	MinComplianceNA: 1000,
	MaxComplianceNA: 500000,
	MinWidthNS:      10,
	MaxWidthNS:      1000000,
	MaxReadMV:       500,
	MaxADCRangeNA:   100000000,
	MaxTargetCUS:    50000,
	MaxPulses:       1000,
	MaxSteps:        4096,
	MaxCalSamples:   1024,
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	set16 := func(v *uint16, def uint16) {
		if *v == 0 {
			*v = def
		}
	}
	set32 := func(v *uint32, def uint32) {
		if *v == 0 {
			*v = def
		}
	}
	set16(&l.MaxFormMV, d.MaxFormMV)
	set32(&l.MinComplianceNA, d.MinComplianceNA)
	set32(&l.MaxComplianceNA, d.MaxComplianceNA)
	set32(&l.MinWidthNS, d.MinWidthNS)
	set32(&l.MaxWidthNS, d.MaxWidthNS)
	set16(&l.MaxReadMV, d.MaxReadMV)
	set32(&l.MaxADCRangeNA, d.MaxADCRangeNA)
	set16(&l.MaxTargetCUS, d.MaxTargetCUS)
	set16(&l.MaxPulses, d.MaxPulses)
	set16(&l.MaxSteps, d.MaxSteps)
	set16(&l.MaxCalSamples, d.MaxCalSamples)
	return l
}
