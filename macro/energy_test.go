package macro

import "testing"

// TestMACCostByHand checks one tiny MAC against arithmetic done by hand:
// 2 active rows × 3 columns of 30 µS at 0.2 V, 10 ns pulses, 8-bit ADC.
func TestMACCostByHand(t *testing.T) {
	l := DefaultEnergy.MACCost(0.2, 8, 1, 2, 3, 6*30, 6)
	want := Ledger{
		RowDriverAJ: 2 * 50_000,    // 2 rows × 50 fJ
		ArrayAJ:     72_000,        // 0.04 V² × 180 µS × 10 ns = 72 fJ
		ADCAJ:       3 * 2_000_000, // 3 conversions × 7.8125 fJ × 256 = 2 pJ
		MACs:        6,             //
		Conversions: 3,             //
		Reads:       2,             //
		BusyNS:      10 + 10,       // one pulse, then ceil(3/64) = 1 conversion slot
	}
	if l != want {
		t.Fatalf("MACCost = %+v\nwant      %+v", l, want)
	}
	if got, want := l.PJPerMAC(), (100_000+72_000+6_000_000)/1e6/6; got != want {
		t.Errorf("pJ/MAC = %g, want %g", got, want)
	}
	n := DefaultEnergy.NeuronCost(200)
	if n.NeuronAJ != 200*500_000 || n.NeuronSteps != 200 {
		t.Errorf("NeuronCost(200) = %+v", n)
	}
}

func TestLedgerAddSub(t *testing.T) {
	a := DefaultEnergy.MACCost(0.2, 8, 1, 5, 7, 123.4, 35)
	var sum Ledger
	sum.Add(a)
	sum.Add(a)
	if d := sum.Sub(a); d != a {
		t.Fatalf("(a+a)−a = %+v, want %+v", d, a)
	}
	if sum.TOPSPerW() <= 0 || sum.TotalAJ() != 2*a.TotalAJ() {
		t.Fatalf("totals wrong: %+v", sum)
	}
}
