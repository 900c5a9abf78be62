package protocol_test

import (
	"fmt"

	"github.com/rramtwin/rramtwin/protocol"
)

// A host encodes a form request; the board's decoder splits the byte
// stream (here fed in two pieces) and decodes the payload.
func Example() {
	req := protocol.FormRequest{
		Region: protocol.Region{Macro: 0, Row0: 0, Row1: 4, Col0: 0, Col1: 4},
		Pulse:  protocol.FormPulse{VoltageMV: 3500, WidthNS: 1000, ComplianceNA: 100000},
	}
	wire, _ := protocol.AppendFrame(nil,
		protocol.Header{Version: protocol.Version, Seq: 7, Command: protocol.CmdForm}, req.Append(nil))

	var d protocol.Decoder
	for _, piece := range [][]byte{wire[:5], wire[5:]} {
		for len(piece) > 0 {
			n, f, done, err := d.Next(piece)
			piece = piece[n:]
			if !done {
				continue
			}
			if err != nil {
				fmt.Println("dropped:", err)
				continue
			}
			var got protocol.FormRequest
			_ = got.Decode(f.Payload)
			fmt.Printf("seq %d %v: %d cells at %.1f V, compliance %g A\n", f.Seq, f.Command,
				got.Region.Cells(), protocol.Volts(int64(got.Pulse.VoltageMV)),
				protocol.AmpsFromNano(int64(got.Pulse.ComplianceNA)))
		}
	}
	// Output: seq 7 form: 16 cells at 3.5 V, compliance 0.0001 A
}
