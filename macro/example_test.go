package macro_test

import (
	"context"
	"fmt"

	"github.com/rramtwin/rramtwin/macro"
)

// Example forms a region of a software chip and runs a batch of spike
// vectors through it. The same code runs against a board: only the value
// behind the macro.Macro interface changes.
func Example() {
	ctx := context.Background()
	p, _ := macro.LookupPreset("lin2025-40nm")
	var chip macro.Macro
	chip, _ = macro.NewModel(p, 7) // a seed is a chip

	r := macro.Region{Row0: 0, Row1: 64, Col0: 0, Col1: 32}
	res, err := chip.Form(ctx, r, chip.Info().DefaultForm)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("formed %d of %d cells\n", res.Formed, res.Cells)

	in := macro.Inputs{N: 2, Bits: 1, Values: make([]uint8, 2*64)}
	for i := 0; i < len(in.Values); i += 8 {
		in.Values[i] = 1 // every 8th row spikes
	}
	var out macro.Outputs
	if err := chip.MAC(ctx, r, in, &out); err != nil {
		fmt.Println(err)
		return
	}
	// The preset's ADCs sense column pairs: column 0 carries I₀ − I₁.
	fmt.Printf("%d ADC codes, pair 0: %d (≈ %.1f µA), column 1: %d\n", len(out.Codes), out.Codes[0], out.Currents[0]*1e6, out.Codes[1])

	st, _ := chip.Status(ctx)
	fmt.Printf("%d MACs, %.3f pJ/MAC\n", st.Ledger.MACs, st.Ledger.PJPerMAC())

	// A MAC on cells that were never formed is refused.
	err = chip.MAC(ctx, macro.Region{Row0: 64, Row1: 128, Col0: 0, Col1: 32}, in, &out)
	fmt.Println(err != nil)
	// Output:
	// formed 2047 of 2048 cells
	// 64 ADC codes, pair 0: -6 (≈ -3.0 µA), column 1: 0
	// 512 MACs, 0.139 pJ/MAC
	// true
}
