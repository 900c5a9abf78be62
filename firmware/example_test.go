package firmware

import (
	"bytes"
	"fmt"

	"github.com/rramtwin/rramtwin/protocol"
)

// A board: the handler drives a macro through SimHAL. The host's form
// request is queued as a job, the main loop's Poll runs it, and a second
// form at 9 V is refused by the interlock before it reaches the chip.
func ExampleHandler() {
	chip := newFake(32, 24) // any macro.Macro, e.g. the software model
	var link bytes.Buffer   // the serial port's write side
	h, _ := NewHandler(NewSimHAL(nil, chip), &link, Config{})

	send := func(seq uint16, cmd protocol.Command, payload []byte) {
		wire, _ := protocol.AppendFrame(nil, protocol.Header{Version: protocol.Version, Seq: seq, Command: cmd}, payload)
		_ = h.Feed(wire)
		h.Poll() // the board's main loop runs queued jobs between reads
	}
	form := protocol.FormRequest{
		Region: protocol.Region{Row0: 0, Row1: 8, Col0: 0, Col1: 8},
		Pulse:  protocol.FormPulse{VoltageMV: 3500, WidthNS: 1000, ComplianceNA: 100000},
	}
	send(1, protocol.CmdForm, form.Append(nil))
	form.Pulse.VoltageMV = 9000
	send(2, protocol.CmdForm, form.Append(nil))

	var d protocol.Decoder
	for p := link.Bytes(); len(p) > 0; {
		n, f, done, _ := d.Next(p)
		p = p[n:]
		if !done {
			continue
		}
		st, body, _ := protocol.SplitReply(f.Payload)
		if st != protocol.StatusOK {
			var rj protocol.Reject
			_ = rj.Decode(body)
			fmt.Printf("seq %d: %v: %v %d outside [%d, %d]\n", f.Seq, st, rj.Field, rj.Value, rj.Min, rj.Max)
			continue
		}
		var jr protocol.JobReply
		_ = jr.Decode(body)
		fmt.Printf("seq %d: job %d %v\n", f.Seq, jr.Job, jr.State)
	}
	fmt.Println("forming pulses applied:", chip.forms)
	// Output:
	// seq 1: job 1 queued
	// seq 2: voltage outside limit: voltage_mv 9000 outside [1, 4500]
	// forming pulses applied: 1
}
