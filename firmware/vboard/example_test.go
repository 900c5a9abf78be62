//go:build linux || darwin

package vboard_test

import (
	"context"
	"fmt"

	"github.com/rramtwin/rramtwin/driver"
	"github.com/rramtwin/rramtwin/firmware/vboard"
	"github.com/rramtwin/rramtwin/macro"
)

// Example runs the virtual board in process, as a CI job without hardware
// would: the host code under test opens the board's device path through
// the serial stack exactly as it would open /dev/ttyACM0.
func Example() {
	ctx := context.Background()
	path, stop, err := vboard.Start(ctx, "lin2025-40nm", 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	m, closeBoard, err := driver.Open(ctx, path, driver.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closeBoard()

	info := m.Info()
	fmt.Printf("%d×%d, firmware %s, preset %s\n", info.Rows, info.Cols, info.Firmware, info.Preset)
	r := macro.Region{Row0: 0, Row1: 16, Col0: 0, Col1: 4}
	if _, err := m.Form(ctx, r, info.DefaultForm); err != nil {
		fmt.Println(err)
		return
	}
	in := macro.Inputs{N: 2, Bits: 1, Values: make([]uint8, 2*r.Rows())}
	for i := range in.Values {
		in.Values[i] = uint8(i % 2)
	}
	var out macro.Outputs
	if err := m.MAC(ctx, r, in, &out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(out.Codes), "codes")
	_, err = m.Form(ctx, r, macro.FormPulse{Voltage: 9, ComplianceA: 1e-4})
	fmt.Println(err)
	// Output:
	// 512×512, firmware vboard/1+rramtwin-model/3, preset lin2025-40nm
	// 8 codes
	// macro: voltage 9 outside the limit [0, 5]
}
