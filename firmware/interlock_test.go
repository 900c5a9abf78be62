package firmware

import (
	"testing"

	"github.com/rramtwin/rramtwin/protocol"
)

// TestInterlocks sends every out-of-range field of every command and
// checks the status, the named field, that the fake array is untouched
// (no HAL call, same formed map, same conductances) and that no job was
// queued.
func TestInterlocks(t *testing.T) {
	r := newRig(t, Config{StageBytes: 4096, InputElems: 8192, ResultElems: 4096})
	r.hello(1)
	r.job(protocol.CmdForm, formA.Append(nil)) // rows 0:16 formed; rows 16:32 not
	r.ok(protocol.CmdLoad, protocol.Load{Data: make([]byte, 8)}.Append(nil))

	A := formA.Region                                           // formed, 16×24
	U := protocol.Region{Row0: 16, Row1: 32, Col0: 0, Col1: 24} // unformed
	small := protocol.Region{Row0: 0, Row1: 4, Col0: 0, Col1: 4}
	pulse := formA.Pulse
	formWith := func(reg protocol.Region, p protocol.FormPulse) []byte {
		return protocol.FormRequest{Region: reg, Pulse: p}.Append(nil)
	}
	withV := func(mv uint16) protocol.FormPulse { p := pulse; p.VoltageMV = mv; return p }
	withC := func(na uint32) protocol.FormPulse { p := pulse; p.ComplianceNA = na; return p }
	withW := func(ns uint32) protocol.FormPulse { p := pulse; p.WidthNS = ns; return p }
	targets := func(n int, v uint16) []byte {
		var b []byte
		for range n {
			b = protocol.AppendBe16(b, v)
		}
		return b
	}
	prog := func(reg protocol.Region, p protocol.ProgramParams, staged uint32, inline []byte) []byte {
		return protocol.ProgramRequest{Region: reg, Params: p, Staged: staged, Inline: inline}.Append(nil)
	}
	mac := func(reg protocol.Region, bits uint8, fl protocol.MACFlags, n uint16, staged uint32, inline []byte) []byte {
		return protocol.MACRequest{Region: reg, Bits: bits, Flags: fl, N: n, Staged: staged, Inline: inline}.Append(nil)
	}
	lreg := protocol.Region{Row0: 0, Row1: 16, Col0: 0, Col1: 16}
	lp := protocol.LSMParams{N: 1, Inputs: 8, Neurons: 8, Steps: 10, Threshold: 5, Decay: 0.9, Scale: 0.07}
	lsm := func(reg protocol.Region, p protocol.LSMParams, inline []byte) []byte {
		return protocol.LSMRequest{Region: reg, Params: p, Inline: inline}.Append(nil)
	}
	lpWith := func(f func(*protocol.LSMParams)) protocol.LSMParams { p := lp; f(&p); return p }
	cal := func(reg protocol.Region, kind uint8, n uint16) []byte {
		return protocol.CalibrateRequest{Region: reg, Kind: kind, Samples: n}.Append(nil)
	}
	multi := make([]byte, 16)
	multi[3] = 16 // ≥ 2^4

	cases := []struct {
		name  string
		cmd   protocol.Command
		p     []byte
		st    protocol.Status
		field protocol.Field
	}{
		{"unknown command", 0x0777, nil, protocol.StatusUnknown, protocol.FieldCommand},
		{"status with payload", protocol.CmdStatus, []byte{1}, protocol.StatusLength, protocol.FieldLength},
		{"reset with payload", protocol.CmdReset, []byte{1}, protocol.StatusLength, protocol.FieldLength},

		{"configure length", protocol.CmdConfigure, []byte{0, 1}, protocol.StatusLength, protocol.FieldLength},
		{"configure read 501 mV", protocol.CmdConfigure, protocol.Configure{ReadMV: 501}.Append(nil), protocol.StatusVoltage, protocol.FieldReadV},
		{"configure adc 17 bits", protocol.CmdConfigure, protocol.Configure{ADCBits: 17}.Append(nil), protocol.StatusParam, protocol.FieldADCBits},
		{"configure adc -2 bits", protocol.CmdConfigure, protocol.Configure{ADCBits: -2}.Append(nil), protocol.StatusParam, protocol.FieldADCBits},
		{"configure adc range", protocol.CmdConfigure, protocol.Configure{ADCRangeNA: 100000001}.Append(nil), protocol.StatusParam, protocol.FieldADCRange},

		{"load short", protocol.CmdLoad, []byte{0, 0}, protocol.StatusLength, protocol.FieldLength},
		{"load gap", protocol.CmdLoad, protocol.Load{Offset: 9, Data: []byte{1}}.Append(nil), protocol.StatusOrder, protocol.FieldOffset},

		{"form length", protocol.CmdForm, formA.Append(nil)[:18], protocol.StatusLength, protocol.FieldLength},
		{"form macro 1", protocol.CmdForm, formWith(protocol.Region{Macro: 1, Row1: 4, Col1: 4}, pulse), protocol.StatusRegion, protocol.FieldMacro},
		{"form rows past end", protocol.CmdForm, formWith(protocol.Region{Row0: 30, Row1: 33, Col1: 4}, pulse), protocol.StatusRegion, protocol.FieldRow},
		{"form rows empty", protocol.CmdForm, formWith(protocol.Region{Row0: 4, Row1: 4, Col1: 4}, pulse), protocol.StatusRegion, protocol.FieldRow},
		{"form rows inverted", protocol.CmdForm, formWith(protocol.Region{Row0: 5, Row1: 4, Col1: 4}, pulse), protocol.StatusRegion, protocol.FieldRow},
		{"form cols past end", protocol.CmdForm, formWith(protocol.Region{Row1: 4, Col0: 0, Col1: 25}, pulse), protocol.StatusRegion, protocol.FieldCol},
		{"form cols empty", protocol.CmdForm, formWith(protocol.Region{Row1: 4, Col0: 3, Col1: 3}, pulse), protocol.StatusRegion, protocol.FieldCol},
		{"form 0 V", protocol.CmdForm, formWith(U, withV(0)), protocol.StatusVoltage, protocol.FieldVoltage},
		{"form over chip limit 4.501 V", protocol.CmdForm, formWith(U, withV(4501)), protocol.StatusVoltage, protocol.FieldVoltage},
		{"form 9 V", protocol.CmdForm, formWith(U, withV(9000)), protocol.StatusVoltage, protocol.FieldVoltage},
		{"form no compliance", protocol.CmdForm, formWith(U, withC(0)), protocol.StatusCompliance, protocol.FieldCompliance},
		{"form compliance 999 nA", protocol.CmdForm, formWith(U, withC(999)), protocol.StatusCompliance, protocol.FieldCompliance},
		{"form compliance over chip 300 µA", protocol.CmdForm, formWith(U, withC(300001)), protocol.StatusCompliance, protocol.FieldCompliance},
		{"form width 9 ns", protocol.CmdForm, formWith(U, withW(9)), protocol.StatusWidth, protocol.FieldWidth},
		{"form width 1 ms + 1 ns", protocol.CmdForm, formWith(U, withW(1000001)), protocol.StatusWidth, protocol.FieldWidth},

		{"program short", protocol.CmdProgram, []byte{0}, protocol.StatusLength, protocol.FieldLength},
		{"program region", protocol.CmdProgram, prog(protocol.Region{Row1: 40, Col1: 1}, protocol.ProgramParams{}, 0, nil), protocol.StatusRegion, protocol.FieldRow},
		{"program unformed", protocol.CmdProgram, prog(U, protocol.ProgramParams{}, 0, targets(U.Cells(), 100)), protocol.StatusNotFormed, protocol.FieldRow},
		{"program pulses", protocol.CmdProgram, prog(small, protocol.ProgramParams{MaxPulses: 1001}, 0, targets(16, 100)), protocol.StatusParam, protocol.FieldPulses},
		{"program tolerance", protocol.CmdProgram, prog(small, protocol.ProgramParams{TolCUS: 50001}, 0, targets(16, 100)), protocol.StatusParam, protocol.FieldTolerance},
		{"program staged > loaded", protocol.CmdProgram, prog(small, protocol.ProgramParams{}, 9, targets(16, 100)[9:]), protocol.StatusOrder, protocol.FieldStaged},
		{"program targets short", protocol.CmdProgram, prog(small, protocol.ProgramParams{}, 0, targets(15, 100)), protocol.StatusLength, protocol.FieldLength},
		{"program target 500.01 µS", protocol.CmdProgram, prog(small, protocol.ProgramParams{}, 0, targets(16, 50001)), protocol.StatusParam, protocol.FieldTarget},
		{"program targets missing", protocol.CmdProgram, prog(A, protocol.ProgramParams{}, 0, nil), protocol.StatusLength, protocol.FieldLength},

		{"read length", protocol.CmdRead, []byte{1, 2}, protocol.StatusLength, protocol.FieldLength},
		{"read region", protocol.CmdRead, protocol.ReadRequest{Region: protocol.Region{Row1: 1, Col0: 2, Col1: 1}}.Append(nil), protocol.StatusRegion, protocol.FieldCol},

		{"mac short", protocol.CmdMAC, []byte{1, 2, 3}, protocol.StatusLength, protocol.FieldLength},
		{"mac unformed", protocol.CmdMAC, mac(U, 1, 0, 1, 0, make([]byte, 2)), protocol.StatusNotFormed, protocol.FieldRow},
		{"mac partly formed", protocol.CmdMAC, mac(protocol.Region{Row0: 8, Row1: 20, Col1: 4}, 1, 0, 1, 0, make([]byte, 2)), protocol.StatusNotFormed, protocol.FieldRow},
		{"mac region", protocol.CmdMAC, mac(protocol.Region{Macro: 3, Row1: 1, Col1: 1}, 1, 0, 1, 0, nil), protocol.StatusRegion, protocol.FieldMacro},
		{"mac bits 0", protocol.CmdMAC, mac(small, 0, 0, 1, 0, make([]byte, 1)), protocol.StatusParam, protocol.FieldBits},
		{"mac bits 9", protocol.CmdMAC, mac(small, 9, 0, 1, 0, make([]byte, 4)), protocol.StatusParam, protocol.FieldBits},
		{"mac flags", protocol.CmdMAC, mac(small, 1, 0x80, 1, 0, make([]byte, 1)), protocol.StatusParam, protocol.FieldFlags},
		{"mac n 0", protocol.CmdMAC, mac(small, 1, 0, 0, 0, nil), protocol.StatusParam, protocol.FieldCount},
		{"mac batch too large", protocol.CmdMAC, mac(small, 1, 0, 2049, 0, nil), protocol.StatusTooLarge, protocol.FieldCount},
		{"mac staged > loaded", protocol.CmdMAC, mac(small, 4, 0, 1, 9, make([]byte, 7)), protocol.StatusOrder, protocol.FieldStaged},
		{"mac inputs short", protocol.CmdMAC, mac(small, 1, 0, 8, 0, make([]byte, 3)), protocol.StatusLength, protocol.FieldLength},
		{"mac inputs long", protocol.CmdMAC, mac(small, 1, 0, 8, 0, make([]byte, 5)), protocol.StatusLength, protocol.FieldLength},
		{"mac value ≥ 2^bits", protocol.CmdMAC, mac(small, 4, 0, 4, 0, multi), protocol.StatusInputs, protocol.FieldBits},

		{"lsm short", protocol.CmdLSM, []byte{0}, protocol.StatusLength, protocol.FieldLength},
		{"lsm unformed", protocol.CmdLSM, lsm(protocol.Region{Row0: 16, Row1: 32, Col1: 16}, lp, make([]byte, 10)), protocol.StatusNotFormed, protocol.FieldRow},
		{"lsm inputs 0", protocol.CmdLSM, lsm(lreg, lpWith(func(p *protocol.LSMParams) { p.Inputs = 0 }), nil), protocol.StatusParam, protocol.FieldInputs},
		{"lsm rows mismatch", protocol.CmdLSM, lsm(lreg, lpWith(func(p *protocol.LSMParams) { p.Neurons = 7 }), make([]byte, 10)), protocol.StatusParam, protocol.FieldNeurons},
		{"lsm steps 0", protocol.CmdLSM, lsm(lreg, lpWith(func(p *protocol.LSMParams) { p.Steps = 0 }), nil), protocol.StatusParam, protocol.FieldSteps},
		{"lsm steps over", protocol.CmdLSM, lsm(lreg, lpWith(func(p *protocol.LSMParams) { p.Steps = 4097 }), nil), protocol.StatusParam, protocol.FieldSteps},
		{"lsm decay > 1", protocol.CmdLSM, lsm(lreg, lpWith(func(p *protocol.LSMParams) { p.Decay = 1.000001 }), make([]byte, 10)), protocol.StatusParam, protocol.FieldLSMParam},
		{"lsm spikes short", protocol.CmdLSM, lsm(lreg, lp, make([]byte, 9)), protocol.StatusLength, protocol.FieldLength},

		{"calibrate length", protocol.CmdCalibrate, []byte{0}, protocol.StatusLength, protocol.FieldLength},
		{"calibrate unformed", protocol.CmdCalibrate, cal(U, protocol.CalZeroOffset, 4), protocol.StatusNotFormed, protocol.FieldRow},
		{"calibrate kind", protocol.CmdCalibrate, cal(small, 2, 4), protocol.StatusParam, protocol.FieldKind},
		{"calibrate samples 0", protocol.CmdCalibrate, cal(small, protocol.CalZeroOffset, 0), protocol.StatusParam, protocol.FieldCount},
		{"calibrate samples over", protocol.CmdCalibrate, cal(small, protocol.CalZeroOffset, 1025), protocol.StatusParam, protocol.FieldCount},

		{"job length", protocol.CmdJob, []byte{0}, protocol.StatusLength, protocol.FieldLength},
		{"job unknown", protocol.CmdJob, protocol.JobRequest{Job: 99}.Append(nil), protocol.StatusNoJob, protocol.FieldJob},
		{"abort unknown", protocol.CmdAbort, protocol.JobRequest{Job: 0}.Append(nil), protocol.StatusNoJob, protocol.FieldJob},
		{"result unknown", protocol.CmdResult, protocol.ResultRequest{Result: 77}.Append(nil), protocol.StatusNoResult, protocol.FieldResult},
		{"result length", protocol.CmdResult, []byte{0, 1}, protocol.StatusLength, protocol.FieldLength},
	}
	for _, c := range cases {
		before := r.fake.snap()
		calls := r.h.halCalls
		st, body := r.do(c.cmd, c.p)
		var rj protocol.Reject
		if err := rj.Decode(body); err != nil {
			t.Errorf("%s: reject body: %v", c.name, err)
		}
		if st != c.st || rj.Field != c.field {
			t.Errorf("%s: %v field %v (%+v), want %v field %v", c.name, st, rj.Field, rj, c.st, c.field)
		}
		if rj.Field != protocol.FieldNone && rj.Min <= rj.Max && rj.Value >= rj.Min && rj.Value <= rj.Max &&
			st != protocol.StatusNotFormed && st != protocol.StatusNoJob && st != protocol.StatusNoResult &&
			st != protocol.StatusUnknown && st != protocol.StatusOrder && rj.Field != protocol.FieldFlags {
			t.Errorf("%s: value %d inside the reported range [%d, %d]", c.name, rj.Value, rj.Min, rj.Max)
		}
		if r.fake.snap() != before || r.h.halCalls != calls {
			t.Errorf("%s: the array was touched", c.name)
		}
		if r.h.Poll() {
			t.Errorf("%s: a job was queued", c.name)
		}
	}

	// Staging overflow: fill the 4096-byte stage, then one byte more.
	for off := 8; off < 4096; off += 1000 {
		n := min(1000, 4096-off)
		r.ok(protocol.CmdLoad, protocol.Load{Offset: uint32(off), Data: make([]byte, n)}.Append(nil))
	}
	st, body := r.do(protocol.CmdLoad, protocol.Load{Offset: 4096, Data: []byte{1}}.Append(nil))
	var rj protocol.Reject
	if _ = rj.Decode(body); st != protocol.StatusTooLarge || rj.Field != protocol.FieldStaged || rj.Max != 4096 {
		t.Errorf("stage overflow: %v %+v", st, rj)
	}

	// Result offset past the end (needs a result).
	body = r.ok(protocol.CmdRead, protocol.ReadRequest{Region: small}.Append(nil))
	var ch protocol.ResultChunk
	_ = ch.Decode(body)
	if st, _ := r.do(protocol.CmdResult, protocol.ResultRequest{Result: ch.Result, Offset: 17}.Append(nil)); st != protocol.StatusNoResult {
		t.Errorf("result offset past end: %v", st)
	}

	// Busy: with a job queued, array commands are refused untouched.
	r.ok(protocol.CmdForm, formWith(U, pulse))
	before := r.fake.snap()
	for _, c := range []struct {
		cmd protocol.Command
		p   []byte
	}{
		{protocol.CmdMAC, mac(small, 1, 0, 1, 0, make([]byte, 2))},
		{protocol.CmdRead, protocol.ReadRequest{Region: small}.Append(nil)},
		{protocol.CmdForm, formWith(small, pulse)},
		{protocol.CmdConfigure, protocol.Configure{ReadMV: 100}.Append(nil)},
		{protocol.CmdLoad, protocol.Load{Data: []byte{1}}.Append(nil)},
		{protocol.CmdLSM, lsm(lreg, lp, make([]byte, 10))},
		{protocol.CmdCalibrate, cal(small, protocol.CalZeroOffset, 1)},
		{protocol.CmdProgram, prog(small, protocol.ProgramParams{}, 0, targets(16, 100))},
	} {
		if st, _ := r.do(c.cmd, c.p); st != protocol.StatusBusy {
			t.Errorf("%v while busy: %v", c.cmd, st)
		}
	}
	if r.fake.snap() != before {
		t.Error("array touched while busy")
	}
	// Status and hello still answer while busy.
	r.ok(protocol.CmdStatus, nil)
	r.hello(1)
	if !r.h.Poll() {
		t.Fatal("queued form did not run")
	}

	// Frame-level refusals: wrong version, request with the error flag; a
	// frame flagged as a reply gets no answer at all.
	for _, c := range []struct {
		h  protocol.Header
		st protocol.Status
	}{
		{protocol.Header{Version: 2, Seq: 900, Command: protocol.CmdStatus}, protocol.StatusVersion},
		{protocol.Header{Version: 1, Flags: protocol.FlagError, Seq: 901, Command: protocol.CmdForm}, protocol.StatusFrame},
		{protocol.Header{Version: 1, Flags: 0x40, Seq: 902, Command: protocol.CmdForm}, protocol.StatusFrame},
	} {
		w, _ := protocol.AppendFrame(nil, c.h, formA.Append(nil))
		fs := r.replies(w)
		if len(fs) != 1 {
			t.Fatalf("%+v: %d replies", c.h, len(fs))
		}
		if st, _, _ := protocol.SplitReply(fs[0].Payload); st != c.st || fs[0].Seq != c.h.Seq {
			t.Errorf("%+v: %v, want %v", c.h, st, c.st)
		}
	}
	w, _ := protocol.AppendFrame(nil, protocol.Header{Version: 1, Flags: protocol.FlagReply, Seq: 5, Command: protocol.CmdForm}, formA.Append(nil))
	if fs := r.replies(w); len(fs) != 0 {
		t.Error("answered a reply frame")
	}
	if r.h.Poll() {
		t.Error("a frame-level refusal queued a job")
	}
}

func TestHelloRefusals(t *testing.T) {
	r := newRig(t, Config{})
	st, body := r.do(protocol.CmdHello, protocol.HelloRequest{Version: 2, HostNonce: 1}.Append(nil))
	var rj protocol.Reject
	if _ = rj.Decode(body); st != protocol.StatusVersion || rj.Field != protocol.FieldVersion || rj.Value != 2 || rj.Max != 1 {
		t.Fatalf("hello v2: %v %+v", st, rj)
	}
	if st, _ := r.do(protocol.CmdHello, []byte{1, 0, 0}); st != protocol.StatusLength {
		t.Fatalf("short hello: %v", st)
	}
	if r.h.Executed(protocol.CmdHello) != 2 || r.h.Executed(0x0777) != 0 {
		t.Fatal("execution counters")
	}
}

// TestSmallBuffers: a board with small buffers refuses what does not fit
// instead of overrunning them.
func TestSmallBuffers(t *testing.T) {
	r := newRig(t, Config{StageBytes: 16, InputElems: 4096, ResultElems: 64, MaxCells: 32})
	r.job(protocol.CmdForm, formA.Append(nil))
	lreg := protocol.Region{Row0: 0, Row1: 16, Col0: 0, Col1: 16}
	p := protocol.LSMParams{N: 1, Inputs: 8, Neurons: 8, Steps: 50, Decay: 0.9}
	before := r.fake.snap()
	st, body := r.do(protocol.CmdLSM, protocol.LSMRequest{Region: lreg, Params: p, Inline: make([]byte, 50)}.Append(nil))
	var rj protocol.Reject
	_ = rj.Decode(body)
	if st != protocol.StatusTooLarge || rj.Field != protocol.FieldStaged || rj.Max != 16 {
		t.Fatalf("LSM over the stage: %v %+v", st, rj)
	}
	if st, _ := r.do(protocol.CmdRead, protocol.ReadRequest{Region: lreg}.Append(nil)); st != protocol.StatusTooLarge {
		t.Fatalf("read over MaxCells: %v", st)
	}
	if st, _ := r.do(protocol.CmdMAC, protocol.MACRequest{Region: lreg, Bits: 1, N: 5, Inline: make([]byte, 10)}.Append(nil)); st != protocol.StatusTooLarge {
		t.Fatalf("MAC over ResultElems: %v", st)
	}
	if r.fake.snap() != before {
		t.Fatal("array touched")
	}
	// Within the buffers it works.
	r.ok(protocol.CmdRead, protocol.ReadRequest{Region: protocol.Region{Row1: 4, Col1: 8}}.Append(nil))
}

func TestTinyResultBufferStillServesLSMAndCalibrate(t *testing.T) {
	r := newRig(t, Config{StageBytes: 256, InputElems: 1024, ResultElems: 4, MaxCells: 4})
	r.job(protocol.CmdForm, protocol.FormRequest{Region: protocol.Region{Row1: 32, Col1: 24}, Pulse: formA.Pulse}.Append(nil))
	reg := protocol.Region{Row0: 0, Row1: 24, Col0: 0, Col1: 24}
	body := r.ok(protocol.CmdLSM, protocol.LSMRequest{Region: reg, Params: protocol.LSMParams{N: 1, Inputs: 4, Neurons: 20,
		Steps: 2, Decay: 0.5}, Inline: make([]byte, 1)}.Append(nil))
	if _, data := r.result(body); len(data) != 20 {
		t.Fatalf("LSM counts: %d bytes", len(data))
	}
	jr := r.job(protocol.CmdCalibrate, protocol.CalibrateRequest{Region: reg, Kind: protocol.CalZeroOffset, Samples: 1}.Append(nil))
	if jr.Status != protocol.StatusOK || jr.Total != 24 {
		t.Fatalf("calibrate: %+v", jr)
	}
}
