package protocol

import (
	"errors"
	"reflect"
	"testing"
)

// codec is any payload type.
type codec interface {
	Append([]byte) []byte
}

type decoder interface {
	Decode([]byte) error
}

var reg = Region{Macro: 1, Row0: 2, Row1: 456, Col0: 3, Col1: 400}

// samples returns one filled value of every payload type, with a fresh
// zero value of the same type to decode into, and whether the type has a
// variable tail.
func samples() []struct {
	name     string
	v        codec
	zero     decoder
	fixedLen int // -1: variable tail
} {
	data := []byte{0, 1, 2, 0xFF, 0}
	return []struct {
		name     string
		v        codec
		zero     decoder
		fixedLen int
	}{
		{"region", reg, &Region{}, RegionLen},
		{"hello-req", HelloRequest{Version: 1, HostNonce: 0xDEADBEEF}, &HelloRequest{}, HelloRequestLen},
		{"hello-reply", HelloReply{Version: 1, Macros: 2, Rows: 512, Cols: 512, ADCBits: -1, ReadMV: 200,
			ADCRangeNA: 3000000, MaxPayload: 1024, Caps: 0x30F, BoardNonce: 7, HostNonce: 9, MaxFormMV: 5000,
			MinWidthNS: 10, MaxWidthNS: 1000000, MinComplianceNA: 1000, MaxComplianceNA: 500000, MaxReadMV: 500,
			StageBytes: 1 << 20, ResultElems: 1 << 19, Firmware: MakeText("rramtwin-fw 0.1"),
			ID: MakeText("model-seed-7"), Preset: MakeText("lin2025-40nm")}, &HelloReply{}, -1},
		{"status-reply", StatusReply{JobState: JobRunning, Job: 3, ClockNS: 1 << 40, FormedCells: 182400, Ops: 99,
			Ledger: Ledger{RowDriverAJ: 1, ArrayAJ: -2, ADCAJ: 3, NeuronAJ: 4, FormAJ: 5, ProgramAJ: 6, MACs: 7,
				Conversions: 8, Reads: 9, NeuronSteps: 10, BusyNS: 11},
			FramesIn: 12, Rejected: 13, Replays: 14, Refused: 15}, &StatusReply{}, StatusReplyLen},
		{"configure", Configure{ReadMV: 200, ADCBits: ADCIdeal, ADCRangeNA: 123456}, &Configure{}, ConfigureLen},
		{"load", Load{Offset: 1000, Data: data}, &Load{}, -1},
		{"load-reply", LoadReply{Staged: 77}, &LoadReply{}, 4},
		{"form", FormRequest{Region: reg, Pulse: FormPulse{VoltageMV: 3500, WidthNS: 1000, ComplianceNA: 100000}},
			&FormRequest{}, FormRequestLen},
		{"program", ProgramRequest{Region: reg, Params: ProgramParams{TolCUS: 50, MaxPulses: 100}, Staged: 8,
			Inline: data}, &ProgramRequest{}, -1},
		{"read", ReadRequest{Region: reg, Count: 17}, &ReadRequest{}, ReadRequestLen},
		{"mac", MACRequest{Region: reg, Bits: 1, Flags: MACCurrents, N: 1000, Count: 100, Staged: 57000, Inline: data},
			&MACRequest{}, -1},
		{"lsm", LSMRequest{Region: reg, Params: LSMParams{N: 3, Inputs: 256, Neurons: 200, Steps: 50, Threshold: 5,
			Decay: 0.9, Scale: -0.07}, Count: 50, Staged: 1000, Inline: data}, &LSMRequest{}, -1},
		{"calibrate", CalibrateRequest{Region: reg, Kind: CalZeroOffset, Samples: 64}, &CalibrateRequest{},
			CalibrateRequestLen},
		{"job", JobRequest{Job: 0xABCD}, &JobRequest{}, JobRequestLen},
		{"job-reply", JobReply{Job: 5, Command: CmdProgram, State: JobDone, Status: StatusOK, Done: 9, Total: 9,
			Result: 4, Summary: ProgramSummary{Cells: 9, Failed: 1, Pulses: 40, TimeNS: 5000, EnergyAJ: -1}.Pack()},
			&JobReply{}, JobReplyLen},
		{"result-req", ResultRequest{Result: 3, Offset: 252, Count: 100}, &ResultRequest{}, ResultRequestLen},
		{"result-chunk", ResultChunk{Result: 3, Kind: ResultConductance, Total: 1000, Offset: 500, Count: 2,
			Data: []byte{0x0b, 0xb8, 0xff, 0xff}}, &ResultChunk{}, -1},
		{"reject", Reject{Field: FieldVoltage, Value: 9000, Min: 1, Max: 5000}, &Reject{}, RejectLen},
	}
}

func TestPayloadRoundTrips(t *testing.T) {
	for _, s := range samples() {
		b := s.v.Append(nil)
		if s.fixedLen >= 0 && len(b) != s.fixedLen {
			t.Errorf("%s: %d bytes, want %d", s.name, len(b), s.fixedLen)
		}
		if len(b) > MaxPayload {
			t.Errorf("%s: %d bytes over MaxPayload", s.name, len(b))
		}
		if err := s.zero.Decode(b); err != nil {
			t.Errorf("%s: decode: %v", s.name, err)
			continue
		}
		got := reflect.ValueOf(s.zero).Elem().Interface()
		if !reflect.DeepEqual(got, s.v) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v", s.name, got, s.v)
		}
		// Every truncation is rejected except where a variable tail absorbs it.
		for cut := 0; cut < len(b); cut++ {
			err := s.zero.Decode(b[:cut])
			if s.fixedLen >= 0 && !errors.Is(err, ErrPayloadLength) {
				t.Errorf("%s: truncated to %d: err %v", s.name, cut, err)
			}
		}
		if s.fixedLen >= 0 {
			if err := s.zero.Decode(append(b, 0)); !errors.Is(err, ErrPayloadLength) {
				t.Errorf("%s: extra byte accepted", s.name)
			}
		}
	}
}

func TestSummariesAndReplies(t *testing.T) {
	fs := FormSummary{Cells: 10, Formed: 7, AlreadyFormed: 2, EnergyAJ: 350000000}
	if UnpackFormSummary(fs.Pack()) != fs {
		t.Fatal("form summary")
	}
	ps := ProgramSummary{Cells: 10, Failed: 1, Pulses: 99, TimeNS: 1e6, EnergyAJ: 3}
	if UnpackProgramSummary(ps.Pack()) != ps {
		t.Fatal("program summary")
	}
	p := AppendReject(nil, StatusVoltage, Reject{Field: FieldVoltage, Value: 9000, Min: 1, Max: 5000})
	st, body, err := SplitReply(p)
	var rj Reject
	if err != nil || st != StatusVoltage || rj.Decode(body) != nil || rj.Max != 5000 {
		t.Fatalf("reject reply: %v %v %+v", st, err, rj)
	}
	if _, _, err := SplitReply([]byte{byte(StatusBusy)}); err == nil {
		t.Fatal("short reject accepted")
	}
	if _, _, err := SplitReply(nil); err == nil {
		t.Fatal("empty reply accepted")
	}
	st, body, err = SplitReply([]byte{0, 1, 2})
	if err != nil || st != StatusOK || len(body) != 2 {
		t.Fatal("ok reply")
	}
	var rc ResultChunk
	bad := ResultChunk{Kind: ResultCodes, Count: 2, Data: []byte{1, 2, 3}}.Append(nil)
	if rc.Decode(bad) == nil {
		t.Fatal("chunk with wrong data length accepted")
	}
	var tx Text
	long := append([]byte{33}, make([]byte, 33)...)
	rd := reader{p: long}
	tx.read(&rd)
	if !rd.bad {
		t.Fatal("33-byte text accepted")
	}
	if MakeText("abc").String() != "abc" || len(MakeText(string(make([]byte, 40))).String()) != TextMax {
		t.Fatal("text")
	}
	if InputBytes(1, 3, 10) != 4 || InputBytes(4, 3, 10) != 30 {
		t.Fatal("InputBytes")
	}
	if ChunkElems(ResultCodes) != 252 || ChunkElems(ResultConductance) != 505 || ChunkElems(ResultNone) != 0 {
		t.Fatal("ChunkElems")
	}
}

func TestRejectSI(t *testing.T) {
	f, v, lo, hi := Reject{Field: FieldVoltage, Value: 9000, Min: 1, Max: 5000}.SI()
	if f != "voltage" || v != 9 || lo != 0.001 || hi != 5 {
		t.Fatalf("voltage: %s %v %v %v", f, v, lo, hi)
	}
	f, v, _, hi = Reject{Field: FieldCompliance, Value: 0, Min: 1000, Max: 500000}.SI()
	if f != "compliance_a" || v != 0 || hi != 5e-4 {
		t.Fatalf("compliance: %s %v %v", f, v, hi)
	}
	if f, v, _, _ := (Reject{Field: FieldMacro, Value: 3}).SI(); f != "macro" || v != 3 {
		t.Fatalf("macro: %s %v", f, v)
	}
}
